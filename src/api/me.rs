//! `GET /api/v1/me`: who the bearer token belongs to.

use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::auth::RequireToken;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Me {
    /// The person's ActivityPub id.
    id: String,
    username: String,
    display_name: Option<String>,
    admin: bool,
    created_at: DateTime<Utc>,
}

/// Who the bearer token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = super::openapi::ErrorBody)))]
pub(super) async fn me(RequireToken(auth): RequireToken) -> Json<Me> {
    Json(Me {
        id: auth.person.ap_id.to_string(),
        username: auth.person.username,
        display_name: auth.person.display_name,
        admin: auth.account.admin,
        created_at: auth.account.created_at.and_utc(),
    })
}
