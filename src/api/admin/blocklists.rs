//! `/api/v1/admin/federation/subscriptions…` and `…/drafts…`: shared blocklists for admins, as
//! on the page and in the CLI. Subscribe to a list by URL, end a subscription, fetch the lists
//! now, and approve or reject a domain's drafts. The service audits every change.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::RequireAdmin;
use crate::api::json::Body;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::subscriptions::{self, Decided};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/federation/subscriptions",
            get(show).post(subscribe).delete(unsubscribe),
        )
        .route("/admin/federation/subscriptions/fetch", post(fetch))
        .route("/admin/federation/drafts/{domain}/{decision}", post(decide))
}

fn time(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The subscriptions (`url`, `created_by`, `fetched_at`, `entry_count`, `fetch_error`) and the
/// drafts waiting (`domain`, `removal`, `severity`, `comment`, `sources`, `since`).
#[utoipa::path(get, path = "/api/v1/admin/federation/subscriptions", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn show(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
) -> Result<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let subs: Vec<Value> = subscriptions::list(&mut conn)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "url": s.url,
                "created_by": s.created_by,
                "fetched_at": s.fetched_at.map(time),
                "entry_count": s.entry_count,
                "fetch_error": s.fetch_error,
            })
        })
        .collect();
    let drafts: Vec<Value> = subscriptions::drafts(&mut conn)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "domain": d.domain,
                "removal": d.removal,
                "severity": d.severity.as_str(),
                "comment": d.comment,
                "sources": d.sources,
                "since": time(d.since),
            })
        })
        .collect();
    Ok(Json(json!({ "subscriptions": subs, "drafts": drafts })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(in crate::api) struct UrlBody {
    /// Another node's `/api/v1/instance/domain_blocks`, or a Mastodon CSV.
    url: String,
}

/// Subscribes to a shared list; its entries become drafts at the next fetch.
#[utoipa::path(post, path = "/api/v1/admin/federation/subscriptions", tag = "admin",
    request_body = UrlBody, security(("bearer" = [])),
    responses((status = 201), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 409, body = crate::api::openapi::ErrorBody),
        (status = 422, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn subscribe(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Body(body): Body<UrlBody>,
) -> Result<StatusCode> {
    subscriptions::subscribe(&state, &Who::of(&auth), &body.url).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(in crate::api) struct UrlParam {
    url: String,
}

/// Ends a subscription (`?url=`); blocks already approved stay.
#[utoipa::path(delete, path = "/api/v1/admin/federation/subscriptions", tag = "admin",
    params(UrlParam), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn unsubscribe(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Query(param): Query<UrlParam>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    subscriptions::unsubscribe(&mut conn, &Who::of(&auth), &param.url).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fetches every subscribed list now: per URL, what it found or why it failed.
#[utoipa::path(post, path = "/api/v1/admin/federation/subscriptions/fetch", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn fetch(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
) -> Result<Json<Value>> {
    let lists: Vec<Value> = subscriptions::fetch_all(&state)
        .await?
        .into_iter()
        .map(|(url, outcome)| match outcome {
            Ok(report) => json!({
                "url": url,
                "listed": report.listed,
                "unusable": report.unusable,
                "new_drafts": report.new_drafts,
                "removal_drafts": report.removal_drafts,
            }),
            Err(err) => json!({ "url": url, "error": err.to_string() }),
        })
        .collect();
    Ok(Json(json!({ "lists": lists })))
}

/// Approves (`approve`) or rejects (`reject`) a domain's drafts.
#[utoipa::path(post, path = "/api/v1/admin/federation/drafts/{domain}/{decision}", tag = "admin",
    params(("domain" = String, Path), ("decision" = String, Path, description = "approve or reject")),
    security(("bearer" = [])),
    responses((status = 200, body = Value), (status = 403, body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn decide(
    State(state): State<AppState>,
    RequireAdmin(auth): RequireAdmin,
    Path((domain, decision)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let who = Who::of(&auth);
    let mut conn = state.db.conn().await?;
    let decided = match decision.as_str() {
        "approve" => subscriptions::approve(&mut conn, &who, &domain).await?,
        "reject" => subscriptions::reject(&mut conn, &who, &domain).await?,
        _ => return Err(Error::NotFound("decision (approve or reject)".into())),
    };
    Ok(Json(match decided {
        Decided::Blocked(severity) => json!({"outcome": "blocked", "severity": severity.as_str()}),
        Decided::Lifted => json!({"outcome": "lifted"}),
        Decided::Rejected => json!({"outcome": "rejected"}),
    }))
}
