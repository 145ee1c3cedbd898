//! `/api/v1/follows`: the people and initiatives anywhere that the token's person follows.

use activitypub_federation::config::Data;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::RequireToken;
use super::json::Body;
use crate::error::Result;
use crate::service::follow as follows;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/follows", post(follow).delete(unfollow))
}

#[derive(Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct Target {
    /// `@name@server` or the actor's URL.
    target: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct FollowView {
    /// The followed actor's ActivityPub id.
    id: String,
    handle: String,
    /// `pending` until the other side accepts, then `accepted`.
    state: String,
}

impl FollowView {
    pub(super) fn new(target: &crate::db::actor::Actor, state: String) -> FollowView {
        FollowView {
            id: target.ap_id.to_string(),
            handle: target.handle(),
            state,
        }
    }
}

/// Follows an actor anywhere, by `@name@server` or URL.
#[utoipa::path(post, path = "/api/v1/follows", tag = "follows", security(("bearer" = [])), request_body = Target,
    responses((status = 201, body = FollowView), (status = 400, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody), (status = 502, body = super::openapi::ErrorBody)))]
pub(super) async fn follow(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Body(input): Body<Target>,
) -> Result<(StatusCode, Json<FollowView>)> {
    let target = follows::resolve(&data, &input.target).await?;
    let mut conn = data.db.conn().await?;
    let row = follows::follow(&data, &mut conn, &auth.person, &target).await?;
    Ok((
        StatusCode::CREATED,
        Json(FollowView::new(&target, row.state)),
    ))
}

#[utoipa::path(delete, path = "/api/v1/follows", tag = "follows", security(("bearer" = [])), params(Target),
    responses((status = 204), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn unfollow(
    data: Data<AppState>,
    RequireToken(auth): RequireToken,
    Query(input): Query<Target>,
) -> Result<StatusCode> {
    let target = follows::resolve(&data, &input.target).await?;
    let mut conn = data.db.conn().await?;
    follows::unfollow(&data, &mut conn, &auth.person, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}
