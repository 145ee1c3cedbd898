//! An initiative's page: profile, contact person, themes, place, stories, followers, and how to
//! follow it from here or from Mastodon (the handle to copy, and a form that sends people to
//! their own server's follow page).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::cards::{self, StoryCard, ThemeLink, actor_href, display_name};
use super::form::{CsrfForm, FieldErrors};
use super::{Chrome, Page, Visitor};
use crate::db::actor::{self, Actor};
use crate::db::story::Visibility;
use crate::db::{follow, initiative, story, theme};
use crate::error::{Error, Result};
use crate::federation::interaction;
use crate::service::{follow as following, initiative as initiatives};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/i/{handle}/remote-follow", post(remote_follow))
        .route("/i/{handle}/follow", post(follow_here))
}

#[derive(Template)]
#[template(path = "initiative.html")]
struct InitiativePage {
    c: Chrome,
    name: String,
    /// The handle's local part, as in the page's path.
    username: String,
    handle: String,
    /// Sanitized HTML.
    summary: String,
    contact_name: String,
    contact_href: String,
    neighbourhood: Option<String>,
    place: Option<String>,
    website: Option<String>,
    themes: Vec<ThemeLink>,
    followers: String,
    stories: Vec<StoryCard>,
    /// For a logged-in visitor: whether they follow (`Some(true)`), may follow (`Some(false)`).
    following: Option<bool>,
    is_member: bool,
    is_owner: bool,
    account: String,
    errors: FieldErrors,
}

/// The page of a local initiative (the federation route serves its JSON).
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
    let details = initiative::get(&mut conn, group.id).await?;
    let contact = actor::get(&mut conn, details.contact_person_id).await?;
    let themes = cards::theme_links(theme::for_actor(&mut conn, group.id).await?);
    let followers = follow::count_followers(&mut conn, group.id).await?;
    let (following, role) = match viewer {
        Some(person) => (
            Some(
                follow::find(&mut conn, person.id, group.id)
                    .await?
                    .is_some(),
            ),
            initiative::role_of(&mut conn, group.id, person.id).await?,
        ),
        None => (None, None),
    };
    let is_member = role.is_some();
    let mut visible = vec![Visibility::Public.as_str()];
    if crate::service::local_only::may_see_local(viewer) {
        visible.push(Visibility::Local.as_str());
    }
    if is_member || following == Some(true) {
        visible.push(Visibility::Followers.as_str());
    }
    let rows = story::for_initiative(&mut conn, group.id, &visible, 20, 0).await?;
    let stories = cards::stories(&mut conn, &tr, rows).await?;
    let status = errors.status();
    let page = InitiativePage {
        c: Chrome::new(state, visitor, uri).await?,
        name: display_name(&group),
        username: group.username.clone(),
        handle: group.handle(),
        summary: group.summary.clone().unwrap_or_default(),
        contact_name: display_name(&contact),
        contact_href: actor_href(&contact),
        neighbourhood: details.neighbourhood,
        place: details.location_name,
        website: details.website,
        themes,
        followers: tr.count("followers-count", followers),
        stories,
        following,
        is_member,
        is_owner: role.as_deref() == Some(initiative::role::OWNER),
        account,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

#[derive(Deserialize)]
pub(super) struct RemoteFollow {
    #[serde(default)]
    account: String,
}

/// Sends the visitor to their own server to follow this initiative.
async fn remote_follow(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfForm<RemoteFollow>,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, &handle).await?;
    drop(conn);
    match remote_follow_url(&state, &form, &group).await? {
        Ok(redirect) => Ok(redirect.into_response()),
        Err((account, errors)) => {
            let page_uri: Uri = format!("/i/{handle}").parse().unwrap_or(uri);
            render(&state, &form.visitor, &page_uri, group, account, errors).await
        }
    }
}

/// Where the visitor's own server lets them follow `target`; else what they typed and what
/// is wrong with it.
pub(super) async fn remote_follow_url(
    state: &AppState,
    form: &CsrfForm<RemoteFollow>,
    target: &Actor,
) -> Result<std::result::Result<Redirect, (String, FieldErrors)>> {
    let account = form.fields.account.trim().to_owned();
    match interaction::authorize_url(state, &account, &target.ap_id).await {
        Ok(url) => Ok(Ok(Redirect::to(url.as_str()))),
        Err(err) => {
            let errors = FieldErrors::from_error(err, &form.visitor.tr(), "account")?;
            Ok(Err((account, errors)))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct FollowForm {
    /// Present to stop following.
    undo: Option<String>,
}

/// Following from here, for people logged in on this node.
async fn follow_here(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    form: CsrfForm<FollowForm>,
) -> Result<Redirect> {
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, &handle).await?;
    follow_or_leave(&state, &form, &group).await?;
    Ok(Redirect::to(&format!("/i/{handle}")))
}

/// The signed-in visitor follows `target`, or stops following it.
pub(super) async fn follow_or_leave(
    state: &AppState,
    form: &CsrfForm<FollowForm>,
    target: &Actor,
) -> Result<()> {
    let session = form.visitor.require()?;
    let person = &session.auth.person;
    let mut conn = state.db.conn().await?;
    if form.fields.undo.is_some() {
        match following::unfollow(state, &mut conn, person, target).await {
            Ok(()) | Err(Error::NotFound(_)) => Ok(()),
            Err(other) => Err(other),
        }
    } else {
        following::follow(state, &mut conn, person, target).await?;
        Ok(())
    }
}
