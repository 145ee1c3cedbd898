//! Prometheus metrics of one node: what the HTTP server, the inbox and the delivery worker
//! count as they go, and what is read from the database and its pool at each scrape
//! ([`scrape`]). Served at `/metrics` on `metrics_listen` only. One registry per node, no
//! globals: several nodes run in one test process.
//!
//! Every label has a bounded set of values: HTTP routes are the router's patterns (never the
//! raw path), methods and activity types are known ones or `other`, and peers are only those
//! with deliveries pending.

mod http;
mod scrape;

pub use http::track;
pub use scrape::{render, router};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::NaiveDateTime;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::error::Error;

/// A label set: `N` names with their values.
type Labels<const N: usize> = [(&'static str, Cow<'static, str>); N];
type HistogramFamily<const N: usize> = Family<Labels<N>, Histogram, fn() -> Histogram>;

/// Activity types the inbox handles; anything else is counted as `other`.
const ACTIVITY_TYPES: &[&str] = &[
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Like", "Announce", "Add",
    "Remove", "Flag",
];
/// Most peers whose inbox traffic is remembered for the health page.
const MAX_TRACKED_PEERS: usize = 10_000;

/// The node's metrics. Cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    http_requests: Family<Labels<3>, Counter>,
    http_duration: HistogramFamily<2>,
    inbox_activities: Family<Labels<2>, Counter>,
    deliveries: Family<Labels<1>, Counter>,
    /// Filled at each scrape from the database.
    scraped: Scraped,
    /// One scrape at a time: the scraped gauges are cleared and filled again.
    scraping: tokio::sync::Mutex<()>,
    /// Activities accepted per peer since this process started.
    inbox_peers: Mutex<HashMap<String, PeerInbox>>,
}

/// The gauges a scrape sets.
struct Scraped {
    database_up: Gauge,
    pending: Family<Labels<1>, Gauge>,
    oldest_pending_age: Family<Labels<1>, Gauge>,
    consecutive_failures: Family<Labels<1>, Gauge>,
    circuit_open: Family<Labels<1>, Gauge>,
    pool_max: Gauge,
    pool_connections: Family<Labels<1>, Gauge>,
    pool_waiting: Gauge,
}

/// What a peer sent to our inbox since this process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerInbox {
    pub accepted: u64,
    pub last_at: NaiveDateTime,
}

/// What came of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered,
    /// Failed for now; tried again after a backoff.
    Retry,
    /// The peer refused it (4xx); not tried again.
    Refused,
    /// Still failing at the give-up time.
    GivenUp,
}

impl DeliveryResult {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryResult::Delivered => "delivered",
            DeliveryResult::Retry => "retry",
            DeliveryResult::Refused => "refused",
            DeliveryResult::GivenUp => "given_up",
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kwartier");
        registry.register(
            "build",
            "The running Kwartier's version",
            Info::new([("version", env!("CARGO_PKG_VERSION"))]),
        );
        let http_requests = Family::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status class",
            http_requests.clone(),
        );
        let http_duration: HistogramFamily<2> =
            Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.005, 2.0, 12)));
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route pattern",
            http_duration.clone(),
        );
        let inbox_activities = Family::default();
        registry.register(
            "inbox_activities",
            "Activities posted to an inbox, by type and result (accepted, rejected_signature, refused_policy, rejected_invalid, error)",
            inbox_activities.clone(),
        );
        let deliveries = Family::default();
        registry.register(
            "delivery_attempts",
            "Delivery attempts to other servers, by result (delivered, retry, refused, given_up)",
            deliveries.clone(),
        );
        let scraped = Scraped {
            database_up: Gauge::default(),
            pending: Family::default(),
            oldest_pending_age: Family::default(),
            consecutive_failures: Family::default(),
            circuit_open: Family::default(),
            pool_max: Gauge::default(),
            pool_connections: Family::default(),
            pool_waiting: Gauge::default(),
        };
        registry.register(
            "database_up",
            "1 when the last scrape could read the database, else 0",
            scraped.database_up.clone(),
        );
        registry.register(
            "delivery_pending",
            "Deliveries waiting to be sent, per peer with any",
            scraped.pending.clone(),
        );
        registry.register(
            "delivery_oldest_pending_age_seconds",
            "Age of the oldest delivery waiting, per peer with any",
            scraped.oldest_pending_age.clone(),
        );
        registry.register(
            "peer_consecutive_failures",
            "Failed delivery attempts in a row, per peer with deliveries waiting",
            scraped.consecutive_failures.clone(),
        );
        registry.register(
            "peer_circuit_open",
            "1 while deliveries to a peer are paused by its circuit breaker, per peer with deliveries waiting",
            scraped.circuit_open.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Most connections the database pool opens",
            scraped.pool_max.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections, by state (idle, in_use)",
            scraped.pool_connections.clone(),
        );
        registry.register(
            "db_pool_waiting",
            "Tasks waiting for a database connection",
            scraped.pool_waiting.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            http_requests,
            http_duration,
            inbox_activities,
            deliveries,
            scraped,
            scraping: tokio::sync::Mutex::new(()),
            inbox_peers: Mutex::default(),
        }))
    }

    /// Counts one answered HTTP request; `route` is the matched pattern (`/i/{handle}`), `None`
    /// when no route matched.
    pub fn http_request(
        &self,
        method: &Method,
        route: Option<&str>,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let method: Cow<'static, str> = match *method {
            Method::GET => "GET".into(),
            Method::HEAD => "HEAD".into(),
            Method::POST => "POST".into(),
            Method::PUT => "PUT".into(),
            Method::PATCH => "PATCH".into(),
            Method::DELETE => "DELETE".into(),
            Method::OPTIONS => "OPTIONS".into(),
            _ => "other".into(),
        };
        let route: Cow<'static, str> = match route {
            Some(route) => route.to_owned().into(),
            None => "unmatched".into(),
        };
        let class = match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.0
            .http_requests
            .get_or_create(&[
                ("method", method.clone()),
                ("route", route.clone()),
                ("status", class.into()),
            ])
            .inc();
        self.0
            .http_duration
            .get_or_create(&[("method", method), ("route", route)])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one activity posted to an inbox. `kind` is its `type` when it could be read;
    /// `peer` is the sender's `host[:port]` once its signature verified.
    pub fn inbox_received(
        &self,
        kind: Option<&str>,
        peer: Option<&str>,
        outcome: Result<(), &Error>,
        at: NaiveDateTime,
    ) {
        let kind = kind
            .and_then(|k| ACTIVITY_TYPES.iter().find(|known| **known == k))
            .copied()
            .unwrap_or("other");
        let result = match outcome {
            Ok(()) => "accepted",
            Err(Error::BadSignature(_) | Error::Unauthorized) => "rejected_signature",
            Err(Error::Refused(_)) => "refused_policy",
            Err(
                Error::BadRequest(_)
                | Error::Invalid { .. }
                | Error::PayloadTooLarge(_)
                | Error::NotFound(_)
                | Error::Gone(_)
                | Error::Conflict(_)
                | Error::Forbidden,
            ) => "rejected_invalid",
            Err(
                Error::Remote(_) | Error::Unavailable(_) | Error::Config(_) | Error::Internal(_),
            ) => "error",
        };
        self.0
            .inbox_activities
            .get_or_create(&[("type", kind.into()), ("result", result.into())])
            .inc();
        if let (Ok(()), Some(peer)) = (outcome, peer) {
            let mut peers = self
                .0
                .inbox_peers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if peers.len() < MAX_TRACKED_PEERS || peers.contains_key(peer) {
                let entry = peers.entry(peer.to_owned()).or_insert(PeerInbox {
                    accepted: 0,
                    last_at: at,
                });
                entry.accepted += 1;
                entry.last_at = at;
            }
        }
    }

    /// Counts delivery attempts that came to `result`.
    pub fn deliveries(&self, result: DeliveryResult, count: u64) {
        if count > 0 {
            self.0
                .deliveries
                .get_or_create(&[("result", result.as_str().into())])
                .inc_by(count);
        }
    }

    /// What each peer sent to our inbox since this process started.
    pub fn inbox_by_peer(&self) -> HashMap<String, PeerInbox> {
        self.0
            .inbox_peers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
