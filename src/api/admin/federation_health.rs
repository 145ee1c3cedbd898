//! `GET /api/v1/admin/federation/health`: how delivery to each peer fares, for admins — the
//! same data as the `/admin/federation-health` page.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Value, json};

use super::RequireAdmin;
use crate::error::Result;
use crate::service::federation_health::{self, PeerHealth};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/federation/health", get(show))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(in crate::api) struct Health {
    /// Per peer, those with a backlog first (oldest first): `{peer, pending,
    /// oldest_pending_at, oldest_pending_age_seconds, last_success_at, last_failure_at,
    /// last_error, consecutive_failures, circuit (closed|open|probing), circuit_open_until,
    /// received_since_start, last_received_at}`; times in RFC 3339, UTC.
    peers: Vec<Value>,
}

fn time(at: Option<NaiveDateTime>) -> Value {
    at.map_or(Value::Null, |at| {
        at.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            .into()
    })
}

fn peer_json(peer: &PeerHealth) -> Value {
    json!({
        "peer": peer.peer,
        "pending": peer.pending,
        "oldest_pending_at": time(peer.oldest_pending_at),
        "oldest_pending_age_seconds": peer.oldest_pending_age_seconds,
        "last_success_at": time(peer.last_success_at),
        "last_failure_at": time(peer.last_failure_at),
        "last_error": peer.last_error,
        "consecutive_failures": peer.consecutive_failures,
        "circuit": peer.circuit.as_str(),
        "circuit_open_until": time(peer.circuit_open_until),
        "received_since_start": peer.received_since_start,
        "last_received_at": time(peer.last_received_at),
    })
}

/// Delivery health per peer: backlog, last success and failure, circuit breaker.
#[utoipa::path(get, path = "/api/v1/admin/federation/health", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Health), (status = 401, body = crate::api::openapi::ErrorBody),
        (status = 403, body = crate::api::openapi::ErrorBody)))]
pub(in crate::api) async fn show(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
) -> Result<Json<Health>> {
    let peers = federation_health::peers(&state).await?;
    Ok(Json(Health {
        peers: peers.iter().map(peer_json).collect(),
    }))
}
