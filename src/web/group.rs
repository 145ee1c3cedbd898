//! Theme groups on the web: `/groepen` lists this node's groups, `/g/{handle}` shows one (name,
//! summary, rules, themes, moderators, members, accepted posts newest first with author and
//! node) with joining and leaving for people signed in here, the handle and a remote-follow
//! form for everyone else, and remove/lock buttons for moderators. The rules and what
//! federates live in `service::theme_group`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::cards::{self, ThemeLink, actor_href, display_name};
use super::form::{CsrfForm, FieldErrors};
use super::initiative::{FollowForm, RemoteFollow, follow_or_leave, remote_follow_url};
use super::{Chrome, Page, Visitor};
use crate::db::actor::Actor;
use crate::db::{follow, group_post, theme, theme_group};
use crate::error::{Error, Result};
use crate::federation::urls::authority;
use crate::service::theme_group::{GroupProfile, PostAction};
use crate::service::{federation_policy, text, theme_group as groups};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groepen", get(list))
        .route("/groepen/nieuw", get(new_form).post(create))
        .route("/g/{handle}/follow", post(follow_here))
        .route("/g/{handle}/remote-follow", post(remote_follow))
        .route("/g/{handle}/posts/{id}/remove", post(remove))
        .route("/g/{handle}/posts/{id}/lock", post(lock))
}

struct GroupCard {
    href: String,
    name: String,
    handle: String,
    summary: String,
    members: String,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    c: Chrome,
    groups: Vec<GroupCard>,
    /// Administrators may start a group here.
    is_admin: bool,
}

fn is_admin(visitor: &Visitor) -> bool {
    visitor
        .session
        .as_ref()
        .is_some_and(|s| s.auth.account.admin)
}

async fn list(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Response> {
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let mut cards = Vec::new();
    let signed_in = visitor.session.is_some();
    for (group, _) in theme_group::list_local(&mut conn).await? {
        if group.local_only && !signed_in {
            continue;
        }
        cards.push(GroupCard {
            href: actor_href(&group),
            name: display_name(&group),
            handle: group.handle(),
            summary: text::plain_text(group.summary.as_deref().unwrap_or_default()),
            members: tr.count(
                "group-members-count",
                follow::count_followers(&mut conn, group.id).await?,
            ),
        });
    }
    let page = GroupsPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        groups: cards,
        is_admin: is_admin(&visitor),
    };
    Ok(Page(page).into_response())
}

struct PostCard {
    id: i64,
    title: String,
    /// Sanitized HTML.
    content: String,
    href: String,
    author_name: String,
    author_href: String,
    node: String,
    date: String,
    iso: String,
    is_reply: bool,
    locked: bool,
}

struct ModeratorLink {
    name: String,
    href: String,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    c: Chrome,
    name: String,
    username: String,
    handle: String,
    /// Sanitized HTML.
    summary: String,
    /// Sanitized HTML.
    rules: String,
    themes: Vec<ThemeLink>,
    place: Option<String>,
    moderators: Vec<ModeratorLink>,
    members: String,
    posts: Vec<PostCard>,
    /// For a signed-in visitor: whether they are a member.
    member: Option<bool>,
    is_moderator: bool,
    account: String,
    errors: FieldErrors,
}

/// The page of a local theme group (the federation route serves its JSON).
pub async fn page(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    group: Actor,
) -> Result<Response> {
    render(
        state,
        visitor,
        uri,
        group,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    group: Actor,
    account: String,
    errors: FieldErrors,
) -> Result<Response> {
    let tr = visitor.tr();
    let viewer = visitor.session.as_ref().map(|s| &s.auth.person);
    if group.local_only && !crate::service::local_only::may_see_local(viewer) {
        // A local-only space is for people signed in here, as Hometown's local-only posts.
        return Err(Error::NotFound(format!("{:?}", group.username)));
    }
    let mut conn = state.db.conn().await?;
    let details = theme_group::find(&mut conn, group.id)
        .await?
        .ok_or_else(|| Error::NotFound("group".into()))?;
    let moderators = theme_group::moderators(&mut conn, group.id).await?;
    let (member, is_moderator) = match viewer {
        Some(person) => (
            Some(groups::is_member(&mut conn, &group, person).await?),
            moderators.iter().any(|m| m.id == person.id),
        ),
        None => (None, false),
    };
    // Nothing of a silenced server's is shown to visitors who are not logged in.
    let silenced = match viewer {
        Some(_) => federation_policy::Silenced::default(),
        None => federation_policy::silenced(&mut conn).await?,
    };
    let posts = group_post::list(&mut conn, group.id, false, 50)
        .await?
        .into_iter()
        .filter(|(post, author)| {
            author.local || !(silenced.url(&post.ap_id) || silenced.url(&author.ap_id))
        })
        .map(|(post, author)| {
            let title = post
                .name
                .clone()
                .unwrap_or_else(|| text::teaser(&text::plain_text(&post.content), 80));
            PostCard {
                id: post.id,
                title,
                content: post
                    .summary
                    .as_deref()
                    .map(text::escape)
                    .unwrap_or_else(|| post.content.clone()),
                href: post.url.clone().unwrap_or_else(|| post.ap_id.to_string()),
                author_name: display_name(&author),
                author_href: actor_href(&author),
                node: authority(&author.ap_id),
                date: tr.date(&post.published_at),
                iso: tr.iso(&post.published_at),
                is_reply: post.in_reply_to.is_some(),
                locked: post.locked,
            }
        })
        .collect();
    let status = errors.status();
    let page = GroupPage {
        c: Chrome::new(state, visitor, uri).await?,
        name: display_name(&group),
        username: group.username.clone(),
        handle: group.handle(),
        summary: group.summary.clone().unwrap_or_default(),
        rules: text::sanitize(&text::markdown_to_html(&details.rules)),
        themes: cards::theme_links(theme::for_actor(&mut conn, group.id).await?),
        place: details.location_name,
        moderators: moderators
            .iter()
            .map(|m| ModeratorLink {
                name: format!("{} (@{})", display_name(m), m.handle()),
                href: actor_href(m),
            })
            .collect(),
        members: tr.count(
            "group-members-count",
            follow::count_followers(&mut conn, group.id).await?,
        ),
        posts,
        member,
        is_moderator,
        account,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

/// Joining and leaving, for people signed in here.
async fn follow_here(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    form: CsrfForm<FollowForm>,
) -> Result<Redirect> {
    let mut conn = state.db.conn().await?;
    let (group, _) = groups::find(&mut conn, &handle).await?;
    follow_or_leave(&state, &form, &group).await?;
    Ok(Redirect::to(&format!("/g/{handle}")))
}

/// Sends the visitor to their own server to join this group.
async fn remote_follow(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfForm<RemoteFollow>,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let (group, _) = groups::find(&mut conn, &handle).await?;
    drop(conn);
    match remote_follow_url(&state, &form, &group).await? {
        Ok(redirect) => Ok(redirect.into_response()),
        Err((account, errors)) => {
            let page_uri: Uri = format!("/g/{handle}").parse().unwrap_or(uri);
            render(&state, &form.visitor, &page_uri, group, account, errors).await
        }
    }
}

#[derive(Deserialize)]
struct LockForm {
    /// Present to unlock.
    undo: Option<String>,
}

async fn moderate(
    state: &AppState,
    handle: &str,
    id: i64,
    form: &CsrfForm<LockForm>,
    action: PostAction,
) -> Result<Redirect> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    let (group, _) = groups::find(&mut conn, handle).await?;
    groups::moderate(state, &mut conn, &session.auth.person, &group, id, action).await?;
    Ok(Redirect::to(&format!("/g/{handle}")))
}

async fn remove(
    State(state): State<AppState>,
    Path((handle, id)): Path<(String, i64)>,
    form: CsrfForm<LockForm>,
) -> Result<Redirect> {
    moderate(&state, &handle, id, &form, PostAction::Remove).await
}

async fn lock(
    State(state): State<AppState>,
    Path((handle, id)): Path<(String, i64)>,
    form: CsrfForm<LockForm>,
) -> Result<Redirect> {
    let locked = form.fields.undo.is_none();
    moderate(&state, &handle, id, &form, PostAction::Lock(locked)).await
}

#[derive(Deserialize, Default)]
struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    themes: String,
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct GroupFormPage {
    c: Chrome,
    form: GroupForm,
    errors: FieldErrors,
}

/// Administrators of this node start a theme group.
async fn new_form(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Response> {
    visitor.require()?;
    if !is_admin(&visitor) {
        return Err(Error::Forbidden);
    }
    let page = GroupFormPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        form: GroupForm::default(),
        errors: FieldErrors::default(),
    };
    Ok(Page(page).into_response())
}

async fn create(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<GroupForm>,
) -> Result<Response> {
    let session = form.visitor.require()?;
    if !session.auth.account.admin {
        return Err(Error::Forbidden);
    }
    let fields = form.fields;
    let profile = GroupProfile {
        name: fields.name.clone(),
        summary: Some(fields.summary.clone()),
        rules: Some(fields.rules.clone()),
        themes: super::dashboard::theme_list(&fields.themes),
        location: None,
        local_only: None,
    };
    let mut conn = state.db.conn().await?;
    let handle = fields.handle.trim().to_owned();
    match groups::create(
        &state,
        &mut conn,
        &handle,
        profile,
        Some(&session.auth.person),
    )
    .await
    {
        Ok(group) => Ok(Redirect::to(&actor_href(&group)).into_response()),
        Err(err) => {
            let errors = FieldErrors::from_error(err, &form.visitor.tr(), "handle")?;
            let status = errors.status();
            let page = GroupFormPage {
                c: Chrome::new(&state, &form.visitor, &uri).await?,
                form: fields,
                errors,
            };
            Ok((status, Page(page)).into_response())
        }
    }
}
