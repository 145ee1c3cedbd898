//! Server-rendered HTML pages. Dutch first; the web front proper (translations, accessibility,
//! branding) builds on this.

mod feeds;
mod home;
mod media;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};

use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    home::router().merge(feeds::router()).merge(media::router())
}

/// Renders an askama template as an HTML response.
pub struct Page<T>(pub T);

impl<T: Template> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.0.render() {
            Ok(html) => Html(html).into_response(),
            Err(err) => Error::internal("rendering page", err).into_response(),
        }
    }
}
