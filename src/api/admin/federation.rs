//! `/api/v1/admin/federation…`: the federation policy for admins: the mode, domain blocks and
//! allows. Every change is recorded in the audit log with the admin who made it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RequireAdmin;
use crate::api::json::Body;
use crate::db::domain_policy::DomainRule;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::{self, Mode, Severity, actions};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/federation", get(show))
        .route("/admin/federation/mode", put(set_mode))
        .route("/admin/federation/blocks", post(block))
        .route("/admin/federation/blocks/{domain}", delete(unblock))
        .route("/admin/federation/allows", post(allow))
        .route("/admin/federation/allows/{domain}", delete(disallow))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(in crate::api) struct Policy {
    /// `open`, `blocklist` or `allowlist`.
    mode: String,
    /// `{domain, kind (block|allow), severity, public_comment, private_comment, created_by,
    /// created_at, updated_at}`, by domain.
    rules: Vec<Value>,
}

fn rule_json(rule: &DomainRule) -> Value {
    serde_json::json!({
        "domain": rule.domain,
        "kind": rule.kind,
        "severity": rule.severity,
        "public_comment": rule.public_comment,
        "private_comment": rule.private_comment,
        "created_by": rule.created_by,
        "created_at": rule.created_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "updated_at": rule.updated_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// The federation mode and every domain rule.
#[utoipa::path(get, path = "/api/v1/admin/federation", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Policy), (status = 401, body = crate::api::openapi::ErrorBody),
        (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn show(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
) -> Result<Json<Policy>> {
    let mut conn = state.db.conn().await?;
    let mode = federation_policy::mode(&mut conn).await?;
    let rules = federation_policy::list(&mut conn).await?;
    Ok(Json(Policy {
        mode: mode.as_str().to_owned(),
        rules: rules.iter().map(rule_json).collect(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(in crate::api) struct ModeBody {
    /// `open`, `blocklist` or `allowlist`.
    mode: String,
}

/// Sets the federation mode.
#[utoipa::path(put, path = "/api/v1/admin/federation/mode", tag = "admin", request_body = ModeBody,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 422, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn set_mode(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Body(body): Body<ModeBody>,
) -> Result<StatusCode> {
    let mode: Mode = body.mode.parse().map_err(|e| Error::invalid("mode", e))?;
    let mut conn = state.db.conn().await?;
    actions::set_mode(&mut conn, &Who::of(&auth), mode).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(in crate::api) struct BlockBody {
    domain: String,
    /// `silence` or `suspend`.
    severity: String,
    /// Public reason.
    reason: Option<String>,
    /// For admins only.
    private_reason: Option<String>,
}

/// Blocks a domain and its subdomains (or changes its block).
#[utoipa::path(post, path = "/api/v1/admin/federation/blocks", tag = "admin",
    request_body = BlockBody, security(("bearer" = [])),
    responses((status = 201, body = Value), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 422, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn block(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Body(body): Body<BlockBody>,
) -> Result<(StatusCode, Json<Value>)> {
    let severity: Severity = body
        .severity
        .parse()
        .map_err(|e| Error::invalid("severity", e))?;
    let mut conn = state.db.conn().await?;
    let (rule, outcome) = actions::block(
        &mut conn,
        &Who::of(&auth),
        actions::Block {
            domain: &body.domain,
            severity,
            reason: body.reason.as_deref(),
            private_reason: body.private_reason.as_deref(),
        },
    )
    .await?;
    let mut json = rule_json(&rule);
    json["follows_severed"] = outcome.follows_severed.into();
    json["deliveries_dropped"] = outcome.deliveries_dropped.into();
    Ok((StatusCode::CREATED, Json(json)))
}

/// Lifts a domain's block.
#[utoipa::path(delete, path = "/api/v1/admin/federation/blocks/{domain}", tag = "admin",
    params(("domain" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn unblock(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Path(domain): Path<String>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    actions::unblock(&mut conn, &Who::of(&auth), &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(in crate::api) struct AllowBody {
    domain: String,
    reason: Option<String>,
}

/// Allows a domain and its subdomains (for allowlist mode).
#[utoipa::path(post, path = "/api/v1/admin/federation/allows", tag = "admin",
    request_body = AllowBody, security(("bearer" = [])),
    responses((status = 201), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 422, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn allow(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Body(body): Body<AllowBody>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    actions::allow(
        &mut conn,
        &Who::of(&auth),
        &body.domain,
        body.reason.as_deref(),
    )
    .await?;
    Ok(StatusCode::CREATED)
}

/// Takes a domain off the allowlist.
#[utoipa::path(delete, path = "/api/v1/admin/federation/allows/{domain}", tag = "admin",
    params(("domain" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn disallow(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Path(domain): Path<String>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    actions::disallow(&mut conn, &Who::of(&auth), &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
