//! The node's own stylesheet, script and branding, served from the binary (no CDNs, no external
//! fonts): `kwartier.css` holds the design tokens and components, `brand.css` the configured
//! colour, `/static/logo` the configured logo.

use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{Error, Result};
use crate::state::AppState;

const STYLESHEET: &str = include_str!("static/kwartier.css");
const SCRIPT: &str = include_str!("static/kwartier.js");
/// Links carry `?v=` with the version, so a day is safe even right after an upgrade.
const CACHE: &str = "public, max-age=86400";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/kwartier.css", get(stylesheet))
        .route("/static/kwartier.js", get(script))
        .route("/static/brand.css", get(brand))
        .route("/static/logo", get(logo))
}

fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, CACHE)], body).into_response()
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// The brand colour as the tokens the stylesheet uses; validated when the node started.
async fn brand(State(state): State<AppState>) -> Response {
    let color = &state.config.brand.color;
    asset(
        "text/css; charset=utf-8",
        format!(":root {{ --kw-brand: {color}; }}\n"),
    )
}

async fn logo(State(state): State<AppState>) -> Result<Response> {
    let Some(path) = &state.config.brand.logo else {
        return Err(Error::NotFound("logo".into()));
    };
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| Error::internal("reading the configured logo", e))?;
    let content_type = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    };
    Ok(asset(content_type, bytes))
}
