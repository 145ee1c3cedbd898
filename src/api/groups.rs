//! Theme groups in the API: listing this node's groups with their posts, an administrator
//! creating one, and an initiative (its owners) joining or leaving a group here or elsewhere.

use activitypub_federation::config::Data;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::RequireToken;
use super::json::Body;
use crate::db::{follow, group_post, theme, theme_group};
use crate::error::{Error, Result};
use crate::federation::urls::authority;
use crate::service::theme_group::{self as groups, GroupProfile, PostAction};
use crate::service::{follow as follows, initiative as initiatives};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{handle}", get(show))
        .route(
            "/groups/{handle}/posts/{post_id}",
            axum::routing::delete(remove),
        )
        .route("/groups/{handle}/posts/{post_id}/lock", post(lock))
        .route("/initiatives/{handle}/groups", post(join).delete(leave))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct GroupView {
    /// The group's ActivityPub id.
    id: String,
    handle: String,
    name: String,
    themes: Vec<String>,
    members: i64,
    moderators: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct GroupPostView {
    /// The post's ActivityPub id.
    id: String,
    /// The post's number in this group, for moderation.
    post_id: i64,
    kind: String,
    name: Option<String>,
    author: String,
    /// The author's node.
    node: String,
    in_reply_to: Option<String>,
    locked: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct GroupDetail {
    #[serde(flatten)]
    group: GroupView,
    /// Accepted posts, newest first (removed ones left out).
    posts: Vec<GroupPostView>,
}

async fn view(conn: &mut crate::db::Conn, group: &crate::db::actor::Actor) -> Result<GroupView> {
    Ok(GroupView {
        id: group.ap_id.to_string(),
        handle: group.handle(),
        name: group
            .display_name
            .clone()
            .unwrap_or_else(|| group.username.clone()),
        themes: theme::for_actor(conn, group.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        members: follow::count_followers(conn, group.id).await?,
        moderators: theme_group::moderators(conn, group.id)
            .await?
            .iter()
            .map(|m| m.ap_id.to_string())
            .collect(),
    })
}

/// This node's theme groups.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", responses((status = 200, body = [GroupView])))]
pub(super) async fn list(data: Data<AppState>) -> Result<Json<Vec<GroupView>>> {
    let mut conn = data.db.conn().await?;
    let mut views = Vec::new();
    for (group, _) in theme_group::list_local(&mut conn).await? {
        views.push(view(&mut conn, &group).await?);
    }
    Ok(Json(views))
}

/// A theme group with its accepted posts.
#[utoipa::path(get, path = "/api/v1/groups/{handle}", tag = "groups", params(("handle" = String, Path)),
    responses((status = 200, body = GroupDetail), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn show(
    data: Data<AppState>,
    Path(handle): Path<String>,
) -> Result<Json<GroupDetail>> {
    let mut conn = data.db.conn().await?;
    let (group, _) = groups::find(&mut conn, &handle).await?;
    let posts = group_post::list(&mut conn, group.id, false, 100)
        .await?
        .into_iter()
        .map(|(post, author)| GroupPostView {
            id: post.ap_id.to_string(),
            post_id: post.id,
            kind: post.kind,
            name: post.name,
            author: author.ap_id.to_string(),
            node: authority(&author.ap_id),
            in_reply_to: post.in_reply_to,
            locked: post.locked,
        })
        .collect();
    Ok(Json(GroupDetail {
        group: view(&mut conn, &group).await?,
        posts,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupInput {
    handle: String,
    name: String,
    summary: Option<String>,
    rules: Option<String>,
    #[serde(default)]
    themes: Vec<String>,
    /// Federates nothing, seen only by people on this node (default: the node's default
    /// visibility).
    local_only: Option<bool>,
}

/// Creates a theme group (node administrators); the creator is its first moderator.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", security(("bearer" = [])), request_body = GroupInput,
    responses((status = 201, body = GroupView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn create(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Body(input): Body<GroupInput>,
) -> Result<(StatusCode, Json<GroupView>)> {
    if !auth.account.admin {
        return Err(Error::Forbidden);
    }
    let mut conn = data.db.conn().await?;
    let profile = GroupProfile {
        name: input.name,
        summary: input.summary,
        rules: input.rules,
        themes: input.themes,
        location: None,
        local_only: input.local_only,
    };
    let group =
        groups::create(&data, &mut conn, &input.handle, profile, Some(&auth.person)).await?;
    Ok((StatusCode::CREATED, Json(view(&mut conn, &group).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupRef {
    /// The group: `group@node` or its actor id.
    group: String,
}

/// The initiative joins a group here or elsewhere (its owners); `state` is `pending` until the
/// group accepts.
#[utoipa::path(post, path = "/api/v1/initiatives/{handle}/groups", tag = "groups", security(("bearer" = [])),
    params(("handle" = String, Path)), request_body = GroupRef,
    responses((status = 201, body = super::follows::FollowView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn join(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Body(input): Body<GroupRef>,
) -> Result<(StatusCode, Json<super::follows::FollowView>)> {
    let member = owned_initiative(&data, &auth.person, &handle).await?;
    let target = groups::resolve_all(&data, std::slice::from_ref(&input.group))
        .await?
        .pop()
        .ok_or_else(|| Error::invalid("group", "name a group"))?;
    let mut conn = data.db.conn().await?;
    let row = follows::follow(&data, &mut conn, &member, &target).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::follows::FollowView::new(&target, row.state)),
    ))
}

/// The initiative leaves a group.
#[utoipa::path(delete, path = "/api/v1/initiatives/{handle}/groups", tag = "groups", security(("bearer" = [])),
    params(("handle" = String, Path)), request_body = GroupRef,
    responses((status = 204), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn leave(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Body(input): Body<GroupRef>,
) -> Result<StatusCode> {
    let member = owned_initiative(&data, &auth.person, &handle).await?;
    let target = follows::resolve(&data, &input.group).await?;
    let mut conn = data.db.conn().await?;
    follows::unfollow(&data, &mut conn, &member, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn owned_initiative(
    data: &AppState,
    person: &crate::db::actor::Actor,
    handle: &str,
) -> Result<crate::db::actor::Actor> {
    let mut conn = data.db.conn().await?;
    let (member, _) = initiatives::find(&mut conn, handle).await?;
    initiatives::require_owner(&mut conn, &member, person).await?;
    Ok(member)
}

/// A moderator removes a post from the group; members get the removal.
#[utoipa::path(delete, path = "/api/v1/groups/{handle}/posts/{post_id}", tag = "groups", security(("bearer" = [])),
    params(("handle" = String, Path), ("post_id" = i64, Path)),
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn remove(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Path((handle, post_id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    moderate(&data, &auth.person, &handle, post_id, PostAction::Remove).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LockInput {
    /// `false` opens the thread again.
    locked: bool,
}

/// A moderator locks a thread (no more replies) or opens it again.
#[utoipa::path(post, path = "/api/v1/groups/{handle}/posts/{post_id}/lock", tag = "groups", security(("bearer" = [])),
    params(("handle" = String, Path), ("post_id" = i64, Path)), request_body = LockInput,
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn lock(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Path((handle, post_id)): Path<(String, i64)>,
    Body(input): Body<LockInput>,
) -> Result<StatusCode> {
    moderate(
        &data,
        &auth.person,
        &handle,
        post_id,
        PostAction::Lock(input.locked),
    )
    .await
}

async fn moderate(
    data: &AppState,
    moderator: &crate::db::actor::Actor,
    handle: &str,
    post_id: i64,
    action: PostAction,
) -> Result<StatusCode> {
    let mut conn = data.db.conn().await?;
    let (group, _) = groups::find(&mut conn, handle).await?;
    groups::moderate(data, &mut conn, moderator, &group, post_id, action).await?;
    Ok(StatusCode::NO_CONTENT)
}
