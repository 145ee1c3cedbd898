//! The metrics listener's app: `GET /metrics` in the Prometheus text format (0.0.4), with the
//! delivery backlog and the database pool read at each scrape. Nothing else is served there.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::prometheus_text;

use super::Metrics;
use crate::error::{Error, Result};
use crate::service::federation_health::{self, Circuit};
use crate::state::AppState;

/// The app served on `metrics_listen`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { Error::NotFound("page".into()) })
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> Result<Response> {
    let body = render(&state).await?;
    Ok((
        [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        body,
    )
        .into_response())
}

/// The node's metrics as Prometheus reads them, with the scraped gauges read now.
pub async fn render(state: &AppState) -> Result<String> {
    let metrics: &Metrics = &state.metrics;
    let _one_at_a_time = metrics.0.scraping.lock().await;
    let scraped = &metrics.0.scraped;
    // The pool before this scrape takes a connection of its own.
    let pool = state.db.pool_status();
    scraped.pool_max.set(gauge(pool.max_size));
    scraped.pool_connections.clear();
    scraped
        .pool_connections
        .get_or_create(&[("state", "idle".into())])
        .set(gauge(pool.available));
    scraped
        .pool_connections
        .get_or_create(&[("state", "in_use".into())])
        .set(gauge(pool.size.saturating_sub(pool.available)));
    scraped.pool_waiting.set(gauge(pool.waiting));

    for family in [
        &scraped.pending,
        &scraped.oldest_pending_age,
        &scraped.consecutive_failures,
        &scraped.circuit_open,
    ] {
        family.clear();
    }
    let backlog = match state.db.conn().await {
        Ok(mut conn) => federation_health::backlog(&mut conn).await,
        Err(err) => Err(err),
    };
    match backlog {
        Ok(peers) => {
            scraped.database_up.set(1);
            for peer in peers {
                let labels = [("peer", peer.peer.into())];
                scraped.pending.get_or_create(&labels).set(peer.pending);
                scraped
                    .oldest_pending_age
                    .get_or_create(&labels)
                    .set(peer.oldest_pending_age_seconds.unwrap_or(0));
                scraped
                    .consecutive_failures
                    .get_or_create(&labels)
                    .set(i64::from(peer.consecutive_failures));
                scraped
                    .circuit_open
                    .get_or_create(&labels)
                    .set(i64::from(peer.circuit == Circuit::Open));
            }
        }
        Err(err) => {
            // The counters are still worth having; the gauge says the backlog is unknown.
            tracing::warn!(error = %err, "metrics: cannot read the delivery backlog");
            scraped.database_up.set(0);
        }
    }
    let mut body = String::new();
    prometheus_text::encode(&mut body, &metrics.0.registry)
        .map_err(|e| Error::internal("encoding metrics", e))?;
    Ok(body)
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
