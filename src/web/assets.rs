//! The node's own stylesheet, script and branding, served from the binary (no CDNs, no external
//! fonts): `kwartier.css` holds the design tokens and components, `brand.css` the configured
//! colour, `/static/logo` the configured logo. Leaflet (for the network map) is vendored under
//! `static/vendor/leaflet/` and served under a versioned path, so it is cached for a year.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{Error, Result};
use crate::state::AppState;

const STYLESHEET: &str = include_str!("static/kwartier.css");
const SCRIPT: &str = include_str!("static/kwartier.js");
const MAP_SCRIPT: &str = include_str!("static/map.js");
/// Leaflet 1.9.4's dist files (BSD-2-Clause, see its LICENSE beside them), by path.
const LEAFLET: &[(&str, &str, &[u8])] = &[
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/leaflet/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("static/vendor/leaflet/leaflet.css"),
    ),
    (
        "LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("static/vendor/leaflet/LICENSE"),
    ),
    (
        "images/marker-icon.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "images/marker-icon-2x.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "images/marker-shadow.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-shadow.png"),
    ),
    (
        "images/layers.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/layers.png"),
    ),
    (
        "images/layers-2x.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/layers-2x.png"),
    ),
];
/// Vendored files never change under their versioned path.
const CACHE_VENDORED: &str = "public, max-age=31536000, immutable";
/// Links carry `?v=` with the version, so a day is safe even right after an upgrade.
const CACHE: &str = "public, max-age=86400";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/kwartier.css", get(stylesheet))
        .route("/static/kwartier.js", get(script))
        .route("/static/map.js", get(map_script))
        .route("/static/vendor/leaflet-1.9.4/{*file}", get(leaflet))
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

async fn map_script() -> Response {
    asset("text/javascript; charset=utf-8", MAP_SCRIPT)
}

async fn leaflet(Path(file): Path<String>) -> Result<Response> {
    let (_, content_type, bytes) = LEAFLET
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or_else(|| Error::NotFound(format!("static file {file:?}")))?;
    Ok((
        [
            (CONTENT_TYPE, *content_type),
            (CACHE_CONTROL, CACHE_VENDORED),
        ],
        *bytes,
    )
        .into_response())
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
