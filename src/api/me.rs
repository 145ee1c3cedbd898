//! `/api/v1/me`: who the bearer token belongs to, their AVG/GDPR data export
//! (`GET /api/v1/me/export`, a ZIP) and deleting their own account (`DELETE /api/v1/me`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::RequireToken;
use super::json::Body;
use crate::error::Result;
use crate::service::{account_deletion, data_export};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).delete(delete_me))
        .route("/me/export", get(export))
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

/// Everything this node stores about the caller, as a ZIP: `kwartier-export.json`
/// (machine-readable) and their uploads under `media/`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "A ZIP archive", content_type = "application/zip"),
        (status = 401, body = super::openapi::ErrorBody)))]
pub(super) async fn export(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
) -> Result<data_export::Export> {
    let mut conn = state.db.conn().await?;
    data_export::export(&state, &mut conn, &auth).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct DeleteMe {
    /// The account's password, to confirm.
    password: String,
}

/// Deletes the caller's account for good. Their actor is deleted everywhere it was known; their
/// stories and comments stay anonymised or are removed, as the node is set up.
#[utoipa::path(delete, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    request_body = DeleteMe,
    responses(
        (status = 204, description = "The account is deleted"),
        (status = 401, body = super::openapi::ErrorBody),
        (status = 422, description = "Wrong password, or the node's only admin", body = super::openapi::ErrorBody)))]
pub(super) async fn delete_me(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Body(body): Body<DeleteMe>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    account_deletion::delete_own(&state, &mut conn, &auth, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
