//! Probes for load balancers and process supervisors: `/healthz` (the process answers) and
//! `/readyz` (the database answers too).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::Result;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 when a database query succeeds, 503 otherwise.
async fn readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    state.db.ping().await?;
    Ok(Json(
        json!({ "status": "ok", "database": state.db.backend_name() }),
    ))
}
