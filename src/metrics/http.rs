//! Counting and timing every HTTP request by method, route pattern and status class.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Metrics;

/// Middleware (`Router::layer`, so that routing has run and [`MatchedPath`] is known): counts
/// the request once it is answered, with how long that took.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.http_request(
        &method,
        route.as_deref(),
        response.status(),
        started.elapsed(),
    );
    response
}
