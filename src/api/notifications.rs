//! `GET /api/v1/notifications`: replies to what the token's person wrote and comments that
//! mention them, newest first.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::auth::RequireToken;
use super::stories::{CommentView, comment_view};
use crate::db::{comment, notification};
use crate::error::Result;
use crate::state::AppState;

/// The most notifications one call returns.
const LIMIT: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications", get(list))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct NotificationView {
    /// `reply` or `mention`.
    kind: String,
    comment: CommentView,
    /// The API path of the story the comment is under.
    story_api_url: String,
    created_at: DateTime<Utc>,
    read: bool,
}

/// The latest notifications of the token's person (at most 100), newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = [NotificationView]), (status = 401, body = super::openapi::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
) -> Result<Json<Vec<NotificationView>>> {
    let mut conn = state.db.conn().await?;
    let mut views = Vec::new();
    for found in notification::for_recipient(&mut conn, auth.person.id, LIMIT).await? {
        let about = comment::get(&mut conn, found.comment_id).await?;
        views.push(NotificationView {
            kind: found.kind,
            comment: comment_view(&mut conn, &about).await?,
            story_api_url: state.urls.api_story(about.story_id).to_string(),
            created_at: found.created_at.and_utc(),
            read: found.read_at.is_some(),
        });
    }
    Ok(Json(views))
}
