//! The HTTP server: every feature's router merged into one app, the middleware around it
//! (request ids, request logs, timeouts), and serving until shutdown.

use std::future::Future;
use std::time::Duration;

use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::Router;
use axum::http::{HeaderName, Request, StatusCode};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::{api, delivery, federation, health, web};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// A request that takes longer than this is cut off with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application, ready to serve.
pub fn app(state: AppState, federation: FederationConfig<AppState>) -> Router {
    Router::new()
        .merge(health::router())
        .merge(federation::router())
        .merge(api::router())
        .merge(web::router())
        .fallback(|| async { Error::NotFound("page".into()) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::html_errors,
        ))
        .layer(axum::middleware::from_fn(web::cookies_layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::security_headers,
        ))
        .with_state(state)
        .layer(FederationMiddleware::new(federation))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outermost last: the request id is set first, so the log span can show it, and it is
        // copied onto the response.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                    )
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Binds the listen address; the error says which setting to change.
pub async fn bind(addr: std::net::SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        Error::Config(format!(
            "cannot listen on {addr} ({e}); choose another address with KWARTIER_LISTEN or --listen"
        ))
    })
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let local = listener
        .local_addr()
        .map_err(|e| Error::internal("reading the listen address", e))?;
    tracing::info!(
        listen = %local,
        public = %state.urls.base(),
        database = state.db.backend_name(),
        "kwartier is serving"
    );
    let federation = federation::config(&state).await?;
    let (stop_deliveries, stopped) = tokio::sync::watch::channel(false);
    let directory_sync = crate::service::directory::schedule::spawn(state.clone(), stopped.clone());
    let deliveries = delivery::spawn(state.clone(), stopped);
    let app = app(state, federation).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::internal("serving HTTP", e));
    // Deliveries in flight finish; the rest stay queued for the next start.
    let _ = stop_deliveries.send(true);
    if let Err(err) = deliveries.await {
        tracing::error!(error = %err, "delivery worker failed");
    }
    if let Some(Err(err)) = match directory_sync {
        Some(task) => Some(task.await),
        None => None,
    } {
        tracing::error!(error = %err, "directory sync failed");
    }
    served?;
    tracing::info!("kwartier stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (systemd, container runtimes).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("received SIGINT, shutting down"),
        () = terminate => tracing::info!("received SIGTERM, shutting down"),
    }
}
