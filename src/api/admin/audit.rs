//! `GET /api/v1/admin/audit`: the audit log, newest first, for admins. There is no way to
//! change or delete an entry: other methods on it get 405.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RequireAdmin;
use crate::error::Result;
use crate::service::audit;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(in crate::api) struct Page {
    /// Entries older than this id (the `next_before` of the previous page).
    before: Option<i64>,
    /// At most this many (1–100, default 50).
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(in crate::api) struct AuditPage {
    /// `{id, at, actor, action, target, reason, detail}`, newest first.
    items: Vec<Value>,
    /// Pass as `before` for the next page; absent on the last.
    next_before: Option<i64>,
}

/// The audit log of admin and moderator actions, newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(Page),
    security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 401, body = crate::api::openapi::ErrorBody),
        (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn list(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    Query(page): Query<Page>,
) -> Result<Json<AuditPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, audit::PAGE);
    let mut conn = state.db.conn().await?;
    let rows = audit::page(&mut conn, page.before, limit).await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Json(AuditPage {
        items: rows.iter().map(audit::json_of).collect(),
        next_before,
    }))
}
