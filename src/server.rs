//! The HTTP server: every feature's router merged into one app, the middleware around it
//! (request ids, request logs, timeouts), and serving until shutdown.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request, StatusCode};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::{api, delivery, federation, health, metrics, web};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// A request that takes longer than this is cut off with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Which listener an app serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The public address. With a separate admin address configured it has no admin surface.
    Public,
    /// The separate admin address (`admin_listen`): everything, admin pages included.
    Admin,
}

/// Whether a path belongs to the admin surface: the `/admin` pages and `/api/v1/admin`.
pub fn is_admin_path(path: &str) -> bool {
    ["/admin", "/api/v1/admin"].iter().any(|root| {
        path.strip_prefix(root)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Answers 404 for the admin surface, as if it did not exist.
async fn without_admin(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if is_admin_path(request.uri().path()) {
        return axum::response::IntoResponse::into_response(Error::NotFound("page".into()));
    }
    next.run(request).await
}

/// The whole application, ready to serve.
pub fn app(state: AppState, federation: FederationConfig<AppState>) -> Router {
    app_for(state, federation, Surface::Public)
}

/// The application as served on one surface.
pub fn app_for(
    state: AppState,
    federation: FederationConfig<AppState>,
    surface: Surface,
) -> Router {
    let mut router = Router::new()
        .merge(health::router())
        .merge(federation::router())
        .merge(api::router())
        .merge(web::router())
        .fallback(|| async { Error::NotFound("page".into()) });
    if surface == Surface::Public && state.config.admin_listen.is_some() {
        router = router.layer(axum::middleware::from_fn(without_admin));
    }
    let counted = state.metrics.clone();
    router
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
        // Counted with the status the client gets (a timeout's 408 too). A layer on the router
        // runs after routing, so the route pattern is known here and in the log span.
        .layer(axum::middleware::from_fn_with_state(
            counted,
            metrics::track,
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
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("-", |route| route.as_str());
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        route = %route,
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

/// Binds the admin address; the error says which setting to change.
pub async fn bind_admin(addr: std::net::SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        Error::Config(format!(
            "cannot listen on {addr} ({e}); choose another admin address with KWARTIER_ADMIN_LISTEN"
        ))
    })
}

/// Binds the metrics address; the error says which setting to change.
pub async fn bind_metrics(addr: std::net::SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        Error::Config(format!(
            "cannot listen on {addr} ({e}); choose another metrics address with KWARTIER_METRICS_LISTEN"
        ))
    })
}

/// The addresses a node serves on, bound.
pub struct Listeners {
    pub public: TcpListener,
    /// The admin surface (`admin_listen`), when it has its own address.
    pub admin: Option<TcpListener>,
    /// Prometheus metrics (`metrics_listen`), when they are served.
    pub metrics: Option<TcpListener>,
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with_admin(state, listener, None, shutdown).await
}

/// [`serve`], with the admin surface on its own listener when `admin` is given.
pub async fn serve_with_admin(
    state: AppState,
    listener: TcpListener,
    admin: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listeners = Listeners {
        public: listener,
        admin,
        metrics: None,
    };
    serve_on(state, listeners, shutdown).await
}

/// Serves on every listener given until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve_on(
    state: AppState,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let Listeners {
        public: listener,
        admin,
        metrics: metrics_listener,
    } = listeners;
    let local = listener
        .local_addr()
        .map_err(|e| Error::internal("reading the listen address", e))?;
    let admin_local = admin.as_ref().and_then(|a| a.local_addr().ok());
    let metrics_local = metrics_listener.as_ref().and_then(|a| a.local_addr().ok());
    tracing::info!(
        listen = %local,
        admin_listen = admin_local.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        metrics_listen = metrics_local.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        public = %state.urls.base(),
        database = state.db.backend_name(),
        "kwartier is serving"
    );
    let federation = federation::config(&state).await?;
    let (stop_deliveries, stopped) = tokio::sync::watch::channel(false);
    let directory_sync = crate::service::directory::schedule::spawn(state.clone(), stopped.clone());
    let blocklists =
        crate::service::federation_policy::schedule::spawn(state.clone(), stopped.clone());
    let deliveries = delivery::spawn(state.clone(), stopped);
    let shutdown = futures_util::FutureExt::shared(Box::pin(shutdown));
    let admin_served = admin.map(|admin| {
        let app = app_for(state.clone(), federation.clone(), Surface::Admin)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(
            axum::serve(admin, app)
                .with_graceful_shutdown(shutdown.clone())
                .into_future(),
        )
    });
    let metrics_served = metrics_listener.map(|listener| {
        tokio::spawn(
            axum::serve(listener, metrics::router(state.clone()))
                .with_graceful_shutdown(shutdown.clone())
                .into_future(),
        )
    });
    let app = app_for(state, federation, Surface::Public)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let mut served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::internal("serving HTTP", e));
    if let Some(task) = admin_served {
        let admin_result = match task.await {
            Ok(result) => result.map_err(|e| Error::internal("serving the admin address", e)),
            Err(e) => Err(Error::internal("serving the admin address", e)),
        };
        served = served.and(admin_result);
    }
    if let Some(task) = metrics_served {
        let metrics_result = match task.await {
            Ok(result) => result.map_err(|e| Error::internal("serving the metrics address", e)),
            Err(e) => Err(Error::internal("serving the metrics address", e)),
        };
        served = served.and(metrics_result);
    }
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
    if let Some(Err(err)) = match blocklists {
        Some(task) => Some(task.await),
        None => None,
    } {
        tracing::error!(error = %err, "shared blocklist fetching failed");
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

#[cfg(test)]
mod tests {
    use super::is_admin_path;

    #[test]
    fn admin_paths_are_the_admin_pages_and_api_only() {
        for path in [
            "/admin",
            "/admin/",
            "/admin/audit",
            "/api/v1/admin",
            "/api/v1/admin/audit",
        ] {
            assert!(is_admin_path(path), "{path}");
        }
        for path in [
            "/",
            "/administratie",
            "/api/v1/administrators",
            "/api/v1/me",
            "/i/admin",
        ] {
            assert!(!is_admin_path(path), "{path}");
        }
    }
}
