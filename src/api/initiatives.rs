//! `/api/v1/initiatives`: create, read and edit initiatives, manage members and followers.

use activitypub_federation::config::Data;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::{OptionalToken, RequireToken};
use super::json::Body;
use crate::db::actor::Actor;
use crate::db::initiative::Initiative;
use crate::db::{Conn, actor, follow, theme};
use crate::error::{Error, Result};
use crate::service::follow as follows;
use crate::service::initiative::{self, Location, Profile};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/initiatives", post(create))
        .route("/initiatives/{handle}", get(show).patch(edit))
        .route("/initiatives/{handle}/members", post(add_member))
        .route("/initiatives/{handle}/followers", get(followers))
        .route(
            "/initiatives/{handle}/followers/{follower_id}",
            post(decide),
        )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativeInput {
    handle: Option<String>,
    name: String,
    summary: Option<String>,
    #[serde(default)]
    themes: Vec<String>,
    website: Option<String>,
    neighbourhood: Option<String>,
    location: Option<LocationView>,
    #[serde(default)]
    manually_approves_followers: bool,
    /// Web address of a logo or picture (shown as the avatar).
    icon: Option<String>,
    /// Web address of a banner picture.
    image: Option<String>,
    /// Username of the new contact person (edits only).
    contact: Option<String>,
    /// Listed in the network directory other nodes search (default true; owners only).
    discoverable: Option<bool>,
    /// Federates nothing and is seen only by people on this node (default: the node's default
    /// visibility; owners only).
    local_only: Option<bool>,
}

#[derive(Serialize, Deserialize, Clone, utoipa::ToSchema)]
pub struct LocationView {
    name: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactView {
    id: String,
    username: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InitiativeView {
    /// The ActivityPub id.
    id: String,
    /// The HTML page.
    url: String,
    api_url: String,
    handle: String,
    /// `@handle@node`, to search for on Mastodon.
    fediverse_handle: String,
    name: String,
    /// HTML.
    summary: Option<String>,
    themes: Vec<String>,
    website: Option<String>,
    neighbourhood: Option<String>,
    location: Option<LocationView>,
    contact: ContactView,
    manually_approves_followers: bool,
    /// Listed in the network directory.
    discoverable: bool,
    /// Federates nothing; seen only by people on this node.
    local_only: bool,
    icon: Option<String>,
    image: Option<String>,
    followers: i64,
    created_at: DateTime<Utc>,
}

impl InitiativeInput {
    fn profile(&self) -> Profile {
        Profile {
            name: self.name.clone(),
            summary: self.summary.clone(),
            themes: self.themes.clone(),
            website: self.website.clone(),
            neighbourhood: self.neighbourhood.clone(),
            location: self.location.clone().map(|l| Location {
                name: l.name,
                latitude: l.latitude,
                longitude: l.longitude,
            }),
            manually_approves_followers: self.manually_approves_followers,
            icon_url: self.icon.clone(),
            image_url: self.image.clone(),
            discoverable: self.discoverable,
            local_only: self.local_only,
        }
    }
}

pub async fn view(
    state: &AppState,
    conn: &mut Conn,
    group: &Actor,
    details: &Initiative,
) -> Result<InitiativeView> {
    let contact = actor::get(conn, details.contact_person_id).await?;
    Ok(InitiativeView {
        id: group.ap_id.to_string(),
        url: group.url.clone().unwrap_or_else(|| group.ap_id.to_string()),
        api_url: state.urls.api_initiative(&group.username).to_string(),
        handle: group.username.clone(),
        fediverse_handle: format!("@{}", group.handle()),
        name: group
            .display_name
            .clone()
            .unwrap_or_else(|| group.username.clone()),
        summary: group.summary.clone(),
        themes: theme::for_actor(conn, group.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        website: details.website.clone(),
        neighbourhood: details.neighbourhood.clone(),
        location: details.location_name.clone().map(|name| LocationView {
            name,
            latitude: details.latitude,
            longitude: details.longitude,
        }),
        contact: ContactView {
            id: contact.ap_id.to_string(),
            username: contact.username,
        },
        manually_approves_followers: group.manually_approves_followers,
        discoverable: group.discoverable,
        local_only: group.local_only,
        icon: group.icon_url.clone(),
        image: group.image_url.clone(),
        followers: follow::count_followers(conn, group.id).await?,
        created_at: group.created_at.and_utc(),
    })
}

/// Creates an initiative; the token's person becomes its owner and contact person.
#[utoipa::path(post, path = "/api/v1/initiatives", tag = "initiatives", security(("bearer" = [])),
    request_body = InitiativeInput,
    responses((status = 201, body = InitiativeView), (status = 409, description = "handle taken", body = super::openapi::ErrorBody),
        (status = 422, description = "invalid field", body = super::openapi::ErrorBody)))]
pub(super) async fn create(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Body(input): Body<InitiativeInput>,
) -> Result<(StatusCode, Json<InitiativeView>)> {
    let handle = input
        .handle
        .clone()
        .ok_or_else(|| Error::invalid("handle", "is required"))?;
    if input.contact.is_some() {
        return Err(Error::invalid(
            "contact",
            "the creator is the first contact person; change it afterwards",
        ));
    }
    let mut conn = state.db.conn().await?;
    initiative::create(&state, &mut conn, &auth.person, &handle, input.profile()).await?;
    let (group, details) = initiative::find(&mut conn, &handle).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &mut conn, &group, &details).await?),
    ))
}

/// An initiative's profile.
#[utoipa::path(get, path = "/api/v1/initiatives/{handle}", tag = "initiatives",
    params(("handle" = String, Path)), responses((status = 200, body = InitiativeView), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn show(
    State(state): State<AppState>,
    OptionalToken(auth): OptionalToken,
    Path(handle): Path<String>,
) -> Result<Json<InitiativeView>> {
    let mut conn = state.db.conn().await?;
    let (group, details) = initiative::find(&mut conn, &handle).await?;
    if group.local_only && auth.is_none() {
        // Local-only initiatives are for people of this node.
        return Err(Error::NotFound(format!("initiative {handle:?}")));
    }
    Ok(Json(view(&state, &mut conn, &group, &details).await?))
}

/// Replaces an initiative's profile (members only); followers get an `Update`.
#[utoipa::path(patch, path = "/api/v1/initiatives/{handle}", tag = "initiatives", security(("bearer" = [])),
    params(("handle" = String, Path)), request_body = InitiativeInput,
    responses((status = 200, body = InitiativeView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn edit(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Body(input): Body<InitiativeInput>,
) -> Result<Json<InitiativeView>> {
    if input.handle.as_deref().is_some_and(|h| h != handle) {
        return Err(Error::invalid("handle", "cannot be changed"));
    }
    let mut conn = state.db.conn().await?;
    initiative::update(
        &state,
        &mut conn,
        &auth.person,
        &handle,
        input.profile(),
        input.contact.as_deref(),
    )
    .await?;
    let (group, details) = initiative::find(&mut conn, &handle).await?;
    Ok(Json(view(&state, &mut conn, &group, &details).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct MemberInput {
    username: String,
    #[serde(default = "member_role")]
    role: String,
}

fn member_role() -> String {
    crate::db::initiative::role::MEMBER.to_owned()
}

/// Adds a local person as member or owner (owners only).
#[utoipa::path(post, path = "/api/v1/initiatives/{handle}/members", tag = "initiatives", security(("bearer" = [])),
    params(("handle" = String, Path)), request_body = MemberInput,
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody)))]
pub(super) async fn add_member(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Body(input): Body<MemberInput>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    initiative::add_member(
        &mut conn,
        &auth.person,
        &handle,
        &input.username,
        &input.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

const FOLLOWERS_PAGE: i64 = 100;

#[derive(Deserialize)]
pub(super) struct FollowersQuery {
    #[serde(default = "accepted")]
    state: String,
    #[serde(default)]
    page: u32,
}

fn accepted() -> String {
    follow::state::ACCEPTED.to_owned()
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct FollowerView {
    /// Use this number to accept or reject a pending follower.
    follower_id: i64,
    id: String,
    handle: String,
    name: Option<String>,
    state: String,
    since: DateTime<Utc>,
}

/// Members only: who follows the initiative (`?state=pending` for requests awaiting approval).
#[utoipa::path(get, path = "/api/v1/initiatives/{handle}/followers", tag = "initiatives", security(("bearer" = [])),
    params(("handle" = String, Path), ("state" = Option<String>, Query, description = "accepted (default) or pending"), ("page" = Option<u32>, Query)),
    responses((status = 200, body = Vec<FollowerView>), (status = 403, body = super::openapi::ErrorBody)))]
pub(super) async fn followers(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Query(query): Query<FollowersQuery>,
) -> Result<Json<Vec<FollowerView>>> {
    if ![follow::state::ACCEPTED, follow::state::PENDING].contains(&query.state.as_str()) {
        return Err(Error::invalid("state", "must be accepted or pending"));
    }
    let mut conn = state.db.conn().await?;
    let (group, _) = initiative::find(&mut conn, &handle).await?;
    initiative::require_member(&mut conn, &group, &auth.person).await?;
    let offset = i64::from(query.page.max(1) - 1) * FOLLOWERS_PAGE;
    let rows = follow::followers(&mut conn, group.id, &query.state, FOLLOWERS_PAGE, offset).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(follower, row)| FollowerView {
                follower_id: follower.id,
                id: follower.ap_id.to_string(),
                handle: follower.handle(),
                name: follower.display_name,
                state: row.state,
                since: row.created_at.and_utc(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Decision {
    approve: bool,
}

/// Members only: accept (`{"approve": true}`) or reject a pending follower.
#[utoipa::path(post, path = "/api/v1/initiatives/{handle}/followers/{follower_id}", tag = "initiatives", security(("bearer" = [])),
    params(("handle" = String, Path), ("follower_id" = i64, Path)), request_body = Decision,
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn decide(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Path((handle, follower_id)): Path<(String, i64)>,
    Body(decision): Body<Decision>,
) -> Result<StatusCode> {
    let mut conn = data.db.conn().await?;
    let (group, _) = initiative::find(&mut conn, &handle).await?;
    initiative::require_member(&mut conn, &group, &auth.person).await?;
    follows::decide(&data, &mut conn, &group, follower_id, decision.approve).await?;
    Ok(StatusCode::NO_CONTENT)
}
