//! Uploads through the API: the image is the request body, whatever its `Content-Type` says
//! (the format is read from the bytes). Answers with the id to use as a story's cover.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use super::auth::RequireToken;
use crate::db::media::Media;
use crate::error::{Error, Result};
use crate::service::media::{self as uploads, MAX_BYTES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/media",
        post(upload).layer(DefaultBodyLimit::max(MAX_BYTES)),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MediaView {
    /// Give this as `cover.media_id` when publishing or editing a story.
    id: i64,
    /// Where the stored image is served.
    url: String,
    /// `image/jpeg` or `image/png`: uploads are encoded again, without their metadata.
    media_type: String,
    width: i32,
    height: i32,
}

impl MediaView {
    fn new(state: &AppState, stored: Media) -> MediaView {
        MediaView {
            id: stored.id,
            url: state.urls.media(&stored.file_name).to_string(),
            media_type: stored.content_type,
            width: stored.width,
            height: stored.height,
        }
    }
}

/// Uploads an image (JPEG, PNG, WebP or GIF, at most 8 MiB and 40 megapixels) as the raw
/// request body. It is stored without its metadata (EXIF, GPS), upright, at most 2000 pixels on
/// its long side.
#[utoipa::path(post, path = "/api/v1/media", tag = "media", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/*", description = "The image file itself"),
    responses((status = 201, body = MediaView), (status = 401, body = super::openapi::ErrorBody),
        (status = 413, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<MediaView>)> {
    let bytes = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge(MAX_BYTES),
        _ => Error::BadRequest(rejection.body_text()),
    })?;
    let mut conn = state.db.conn().await?;
    let stored = uploads::store(&state, &mut conn, &auth.person, bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(MediaView::new(&state, stored))))
}
