//! `/api/v1/admin/reports…`: the report queue for staff (admins and moderators): list, read
//! one, resolve one with an action and a required note (recorded in the audit log).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::RequireStaff;
use crate::api::json::Body;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::report;
use crate::service::report_actions::{self, ReportAction, Staff};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/reports", get(list))
        .route("/admin/reports/{id}", get(show))
        .route("/admin/reports/{id}/resolve", post(resolve))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(in crate::api) struct ListQuery {
    /// Also resolved reports.
    #[serde(default)]
    all: bool,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::internal("a report as JSON", e))
}

/// The open reports, newest first (with `all=true` also resolved ones).
#[utoipa::path(get, path = "/api/v1/admin/reports", tag = "admin", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn list(
    State(state): State<AppState>,
    RequireStaff(_): RequireStaff,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let found = report::list(&mut conn, query.all).await?;
    Ok(Json(to_json(&report::views(&mut conn, &found).await?)?))
}

/// One report.
#[utoipa::path(get, path = "/api/v1/admin/reports/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn show(
    State(state): State<AppState>,
    RequireStaff(_): RequireStaff,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let found = report::get(&mut conn, id).await?;
    Ok(Json(to_json(&report::view(&mut conn, &found).await?)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(in crate::api) struct ResolveBody {
    /// `dismiss`, `hide`, `remove`, `warn`, `suspend-account` or `suspend-domain`.
    action: String,
    /// Why (required; goes into the audit log).
    note: Option<String>,
}

/// Resolves a report with an action and a note.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/resolve", tag = "admin",
    params(("id" = i64, Path)), request_body = ResolveBody, security(("bearer" = [])),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 409, body = crate::api::openapi::ErrorBody),
        (status = 422, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn resolve(
    State(state): State<AppState>,
    RequireStaff(auth): RequireStaff,
    Path(id): Path<i64>,
    Body(body): Body<ResolveBody>,
) -> Result<Json<Value>> {
    let action: ReportAction = body
        .action
        .parse()
        .map_err(|e| Error::invalid("action", e))?;
    let who = Who::of(&auth);
    let staff = Staff {
        who: &who,
        person: Some(&auth.person),
        admin: auth.account.admin,
    };
    let mut conn = state.db.conn().await?;
    let resolved =
        report_actions::resolve(&state, &mut conn, &staff, id, action, body.note.as_deref())
            .await?;
    Ok(Json(to_json(&report::view(&mut conn, &resolved).await?)?))
}
