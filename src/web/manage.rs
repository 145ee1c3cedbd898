//! Managing what was made on the dashboard: an initiative's profile, its members and contact
//! person (owners only), and editing or deleting a story (its author, or an owner).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::cards::{actor_href, display_name};
use super::dashboard::{
    InitiativeForm, StoryForm, render_initiative_form, render_story_form, save_story,
};
use super::form::{CsrfForm, CsrfMultipart, FieldErrors};
use super::{Chrome, Page, Visitor};
use crate::db::actor::{self, Actor};
use crate::db::initiative::{self, role};
use crate::db::story::Story;
use crate::db::theme;
use crate::error::{Error, Result};
use crate::service::initiative as initiatives;
use crate::service::media;
use crate::service::story as stories;
use crate::service::text;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard/i/{handle}/edit",
            get(edit_initiative_form).post(edit_initiative),
        )
        .route(
            "/dashboard/i/{handle}/members",
            get(members_page).post(add_member),
        )
        .route(
            "/dashboard/i/{handle}/members/{action}",
            post(person_action),
        )
        .route(
            "/dashboard/stories/{id}/edit",
            get(edit_story_form)
                .post(edit_story)
                .layer(DefaultBodyLimit::max(media::MAX_BYTES + 256 * 1024)),
        )
        .route(
            "/dashboard/stories/{id}/delete",
            get(delete_story_form).post(delete_story),
        )
}

/// The initiative, when the visitor owns it.
async fn owned(state: &AppState, visitor: &Visitor, handle: &str) -> Result<Actor> {
    let session = visitor.require()?;
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, handle).await?;
    initiatives::require_owner(&mut conn, &group, &session.auth.person).await?;
    Ok(group)
}

/// Markdown-ish text of stored HTML, paragraph by paragraph, to edit again.
fn editable_text(html: &str) -> String {
    html.split("</p>")
        .map(text::plain_text)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn theme_names(themes: Vec<theme::Theme>) -> String {
    themes
        .into_iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn edit_initiative_form(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let group = owned(&state, &visitor, &handle).await?;
    let mut conn = state.db.conn().await?;
    let details = initiative::get(&mut conn, group.id).await?;
    let themes = theme::for_actor(&mut conn, group.id).await?;
    drop(conn);
    let form = InitiativeForm {
        handle: group.username.clone(),
        name: display_name(&group),
        summary: editable_text(group.summary.as_deref().unwrap_or_default()),
        themes: theme_names(themes),
        neighbourhood: details.neighbourhood.unwrap_or_default(),
        location: details.location_name.unwrap_or_default(),
        website: details.website.unwrap_or_default(),
        discoverable: group.discoverable.then(|| "1".to_owned()),
    };
    let editing = Some(group.username);
    render_initiative_form(
        &state,
        &visitor,
        &uri,
        editing,
        form,
        FieldErrors::default(),
    )
    .await
}

async fn edit_initiative(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfForm<InitiativeForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let group = owned(&state, &visitor, &handle).await?;
    let person = &visitor.require()?.auth.person;
    let mut conn = state.db.conn().await?;
    let profile = fields.profile();
    match initiatives::update(&state, &mut conn, person, &handle, profile, None).await {
        Ok(_) => Ok(Redirect::to(&format!("/i/{handle}")).into_response()),
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &visitor.tr(), "name")?;
            let editing = Some(group.username);
            render_initiative_form(&state, &visitor, &uri, editing, fields, errors).await
        }
    }
}

struct MemberView {
    username: String,
    name: String,
    href: String,
    role: String,
    contact: bool,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    c: Chrome,
    name: String,
    username: String,
    members: Vec<MemberView>,
    /// Whether the visitor may change who is a member.
    owner: bool,
    notice: Option<String>,
    member_username: String,
    member_role: String,
    errors: FieldErrors,
}

impl MembersPage {
    fn roles(&self) -> [&'static str; 2] {
        [role::MEMBER, role::OWNER]
    }
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

/// What the members page says after an action, and what it keeps of a refused one.
#[derive(Default)]
struct MembersState {
    notice: Option<String>,
    member_username: String,
    member_role: String,
    errors: FieldErrors,
}

async fn members_page(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    Query(done): Query<Done>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let tr = visitor.tr();
    let notice = match done.done.as_deref() {
        Some("added") => Some(tr.t("members-added")),
        Some("removed") => Some(tr.t("members-removed")),
        Some("contact") => Some(tr.t("members-contact-changed")),
        _ => None,
    };
    let shown = MembersState {
        notice,
        ..MembersState::default()
    };
    render_members(&state, &visitor, &uri, &handle, shown).await
}

async fn render_members(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    handle: &str,
    shown: MembersState,
) -> Result<Response> {
    let session = visitor.require()?;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let (group, details) = initiatives::find(&mut conn, handle).await?;
    let own_role = initiatives::require_member(&mut conn, &group, &session.auth.person).await?;
    let members = initiative::members(&mut conn, group.id)
        .await?
        .into_iter()
        .map(|(person, their_role)| MemberView {
            name: display_name(&person),
            href: actor_href(&person),
            contact: person.id == details.contact_person_id,
            username: person.username,
            role: tr.t(&format!("role-{their_role}")),
        })
        .collect();
    drop(conn);
    let uri: Uri = format!("/dashboard/i/{handle}/members")
        .parse()
        .unwrap_or_else(|_| uri.clone());
    let status = shown.errors.status();
    let page = MembersPage {
        c: Chrome::new(state, visitor, &uri).await?,
        name: display_name(&group),
        username: group.username,
        members,
        owner: own_role == role::OWNER,
        notice: shown.notice,
        member_username: shown.member_username,
        member_role: shown.member_role,
        errors: shown.errors,
    };
    Ok((status, Page(page)).into_response())
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    member_username: String,
    #[serde(default)]
    role: String,
}

async fn add_member(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfForm<MemberForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let group = owned(&state, &visitor, &handle).await?;
    let person = &visitor.require()?.auth.person;
    let tr = visitor.tr();
    let username = fields.member_username.trim().trim_start_matches('@');
    let mut errors = FieldErrors::default();
    let mut conn = state.db.conn().await?;
    let existing = actor::find_local_of_type(&mut conn, username, actor::kind::PERSON).await?;
    let added = match existing {
        None => Err(Error::invalid("username", "unknown")),
        Some(found) => match initiative::role_of(&mut conn, group.id, found.id).await? {
            Some(_) => {
                errors.add("member_username", tr.t("members-already"));
                Ok(())
            }
            None => {
                initiatives::add_member(&mut conn, person, &handle, username, &fields.role).await
            }
        },
    };
    drop(conn);
    match added {
        Ok(()) if errors.is_empty() => {
            Ok(Redirect::to(&format!("/dashboard/i/{handle}/members?done=added")).into_response())
        }
        Ok(()) => refuse_member(&state, &visitor, &uri, &handle, fields, errors).await,
        Err(Error::Invalid { field, .. }) => {
            let field = if field == "role" {
                "member_role"
            } else {
                "member_username"
            };
            errors.add(field, tr.t(&format!("invalid-{field}")));
            refuse_member(&state, &visitor, &uri, &handle, fields, errors).await
        }
        Err(other) => Err(other),
    }
}

async fn refuse_member(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    handle: &str,
    fields: MemberForm,
    errors: FieldErrors,
) -> Result<Response> {
    let shown = MembersState {
        member_username: fields.member_username,
        member_role: fields.role,
        errors,
        ..MembersState::default()
    };
    render_members(state, visitor, uri, handle, shown).await
}

#[derive(Deserialize)]
struct PersonForm {
    #[serde(default)]
    username: String,
}

/// Removing a member (`remove`) or choosing the contact person (`contact`).
async fn person_action(
    State(state): State<AppState>,
    Path((handle, action)): Path<(String, String)>,
    uri: Uri,
    form: CsrfForm<PersonForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let session = visitor.require()?;
    let person = &session.auth.person;
    let username = fields.username.as_str();
    let mut conn = state.db.conn().await?;
    let (outcome, done, field) = match action.as_str() {
        "remove" => (
            initiatives::remove_member(&mut conn, person, &handle, username).await,
            "removed",
            "members",
        ),
        "contact" => (
            initiatives::set_contact(&state, &mut conn, person, &handle, username).await,
            "contact",
            "contact",
        ),
        _ => return Err(Error::NotFound(format!("members/{action}"))),
    };
    drop(conn);
    member_action(&state, &visitor, &uri, &handle, outcome, done, field).await
}

/// Back to the members page: with a notice when `outcome` worked, or with its message beside
/// `field` when a rule was broken.
async fn member_action(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    handle: &str,
    outcome: Result<()>,
    done: &str,
    field: &'static str,
) -> Result<Response> {
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/dashboard/i/{handle}/members?done={done}")).into_response())
        }
        Err(Error::Invalid { field: rule, .. }) => {
            // The person chosen is gone, or is no longer a member.
            let rule = if rule == "username" {
                "member_username"
            } else {
                rule
            };
            let mut errors = FieldErrors::default();
            errors.add(field, visitor.tr().t(&format!("invalid-{rule}")));
            let shown = MembersState {
                errors,
                ..MembersState::default()
            };
            render_members(state, visitor, uri, handle, shown).await
        }
        Err(other) => Err(other),
    }
}

/// The story and its initiative, when the visitor may change it.
async fn editable(state: &AppState, visitor: &Visitor, id: i64) -> Result<(Story, Actor)> {
    let session = visitor.require()?;
    let mut conn = state.db.conn().await?;
    let found = stories::editable(&mut conn, &session.auth.person, id).await?;
    let group = actor::get(&mut conn, found.initiative_id).await?;
    Ok((found, group))
}

async fn edit_story_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let (found, group) = editable(&state, &visitor, id).await?;
    let mut conn = state.db.conn().await?;
    let themes = theme::for_story(&mut conn, found.id).await?;
    let cover = media::cover_of(&mut conn, &found).await?;
    drop(conn);
    let form = StoryForm {
        title: found.title.clone(),
        summary: found.summary.clone(),
        content: found.source.clone(),
        themes: theme_names(themes),
        groups: String::new(),
        visibility: found.visibility.clone(),
        cover_alt: found.cover_alt.clone().unwrap_or_default(),
        cover_media_id: found.cover_media_id.map(|m| m.to_string()),
        preview: None,
        remove_cover: None,
    };
    let cover = cover.map(|(m, _)| m);
    let none = FieldErrors::default();
    render_story_form(&state, &visitor, &uri, &group, Some(id), form, cover, none).await
}

async fn edit_story(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    form: CsrfMultipart<StoryForm>,
) -> Result<Response> {
    let (found, group) = editable(&state, &form.visitor, id).await?;
    save_story(&state, &uri, form, &group, Some(id), found.language).await
}

#[derive(Template)]
#[template(path = "story_delete.html")]
struct DeletePage {
    c: Chrome,
    id: i64,
    title: String,
}

async fn delete_story_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<DeletePage>> {
    let (found, _) = editable(&state, &visitor, id).await?;
    Ok(Page(DeletePage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        id,
        title: found.title,
    }))
}

#[derive(Deserialize)]
struct Confirm {}

async fn delete_story(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Confirm>,
) -> Result<Redirect> {
    let (_, group) = editable(&state, &form.visitor, id).await?;
    let person = &form.visitor.require()?.auth.person;
    let mut conn = state.db.conn().await?;
    stories::delete(&state, &mut conn, person, id).await?;
    Ok(Redirect::to(&format!("/i/{}", group.username)))
}
