//! `POST /api/v1/reports`: a person reports a story, comment, group post, initiative or person
//! to this node's moderators (optionally also to the server it came from); `GET
//! /api/v1/warnings`: the warnings moderators gave the token's person.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::RequireToken;
use super::json::Body;
use crate::error::Result;
use crate::service::report;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", post(create))
        .route("/warnings", get(warnings))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct ReportInput {
    /// What is reported: its URL (ActivityPub id), or `story:ID`, `comment:ID`, `post:ID`,
    /// `@name`.
    object: String,
    /// What is wrong (required, at most 1000 characters).
    reason: Option<String>,
    /// For content from another server: also send the report there (without your name).
    #[serde(default)]
    forward: bool,
}

/// Reports something to this server's moderators.
#[utoipa::path(post, path = "/api/v1/reports", tag = "account", security(("bearer" = [])),
    request_body = ReportInput,
    responses((status = 201, body = Value), (status = 401, body = super::openapi::ErrorBody),
        (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn create(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Body(input): Body<ReportInput>,
) -> Result<(StatusCode, Json<Value>)> {
    let mut conn = state.db.conn().await?;
    let stored = report::report(
        &state,
        &mut conn,
        &auth.person,
        &input.object,
        input.reason.as_deref(),
        input.forward,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": stored.id,
            "object": stored.target_url,
            "kind": stored.target_kind,
            "forward": stored.forward,
            "forwarded": stored.forwarded_at.is_some(),
            "status": stored.status,
        })),
    ))
}

/// The warnings this server's moderators gave the token's person, newest first.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Value), (status = 401, body = super::openapi::ErrorBody)))]
pub(super) async fn warnings(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
) -> Result<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let found = report::warnings(&mut conn, &auth.person).await?;
    Ok(Json(Value::Array(
        found
            .iter()
            .map(|r| {
                json!({
                    "about": r.target_url,
                    "note": r.resolution_note,
                    "at": r.resolved_at.map(|at| at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                })
            })
            .collect(),
    )))
}
