//! Serves uploads at `/media/{file_name}`. Only names this node made (a SHA-256 and `.jpg` or
//! `.png`) that are recorded in the `media` table are served, so no request can reach any other
//! file. The name is a hash of the bytes: the answer never changes and may be cached forever.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::db::media;
use crate::error::{Error, Result};
use crate::service::media::{directory, is_file_name};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{file_name}", get(serve))
}

/// A year, and never revalidated: a changed image gets a new name.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

async fn serve(State(state): State<AppState>, Path(file_name): Path<String>) -> Result<Response> {
    let not_found = || Error::NotFound("image".into());
    if !is_file_name(&file_name) {
        return Err(not_found());
    }
    let mut conn = state.db.conn().await?;
    let stored = media::find_by_file_name(&mut conn, &file_name)
        .await?
        .ok_or_else(not_found)?;
    drop(conn);
    let bytes = match tokio::fs::read(directory(&state.config).join(&stored.file_name)).await {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(file = %stored.file_name, "an upload in the database is missing on disk");
            return Err(not_found());
        }
        Err(err) => return Err(Error::internal("reading an upload", err)),
    };
    let content_type = HeaderValue::from_str(&stored.content_type)
        .map_err(|e| Error::internal("stored content type", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_FOREVER),
            ),
            // Opened on its own, an image runs nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        bytes,
    )
        .into_response())
}
