//! `/admin/federation-health`: how delivery to each peer fares, for admins: the backlog and
//! its age, the last success and failure with its error, the circuit breaker, and what the
//! peer sent us since this process started. Read-only; the data is
//! `service::federation_health`'s, also served as JSON at `/api/v1/admin/federation/health`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use chrono::NaiveDateTime;

use super::require_admin;
use crate::error::Result;
use crate::service::federation_health::{self, Circuit, PeerHealth};
use crate::state::AppState;
use crate::web::i18n::Tr;
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/federation-health", get(show))
}

/// A moment as the table shows it: machine-readable and for people.
pub struct When {
    pub iso: String,
    pub shown: String,
}

impl When {
    fn of(tr: &Tr, at: NaiveDateTime) -> When {
        When {
            iso: tr.iso(&at),
            shown: at.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// One peer, ready to show.
pub struct Row {
    pub peer: String,
    pub pending: String,
    pub backlog: bool,
    /// How long the oldest pending delivery has waited.
    pub age: Option<String>,
    pub last_success: Option<When>,
    pub last_failure: Option<When>,
    pub last_error: Option<String>,
    /// Failures in a row, said in words; `None` when there are none.
    pub failures: Option<String>,
    /// Message id of the circuit's state.
    pub circuit: &'static str,
    pub circuit_until: Option<When>,
    pub received: String,
    pub last_received: Option<When>,
}

impl Row {
    fn of(tr: &Tr, peer: PeerHealth) -> Row {
        Row {
            backlog: peer.pending > 0,
            pending: tr.number(peer.pending),
            age: peer.oldest_pending_age_seconds.map(|s| age(tr, s)),
            last_success: peer.last_success_at.map(|at| When::of(tr, at)),
            last_failure: peer.last_failure_at.map(|at| When::of(tr, at)),
            last_error: peer.last_error,
            failures: (peer.consecutive_failures > 0).then(|| {
                tr.count(
                    "admin-health-failures",
                    i64::from(peer.consecutive_failures),
                )
            }),
            circuit: match peer.circuit {
                Circuit::Closed => "admin-health-circuit-closed",
                Circuit::Open => "admin-health-circuit-open",
                Circuit::Probing => "admin-health-circuit-probing",
            },
            circuit_until: peer.circuit_open_until.map(|at| When::of(tr, at)),
            received: tr.number(i64::try_from(peer.received_since_start).unwrap_or(i64::MAX)),
            last_received: peer.last_received_at.map(|at| When::of(tr, at)),
            peer: peer.peer,
        }
    }
}

/// A duration in its two largest units: "3 d 4 u", "12 min", "45 s".
pub fn age(tr: &Tr, seconds: i64) -> String {
    let unit = |id: &str, n: i64| tr.with(id, &[("n", n.into())]);
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    if days > 0 {
        format!(
            "{} {}",
            unit("admin-health-days", days),
            unit("admin-health-hours", hours)
        )
    } else if hours > 0 {
        format!(
            "{} {}",
            unit("admin-health-hours", hours),
            unit("admin-health-minutes", minutes)
        )
    } else if minutes > 0 {
        unit("admin-health-minutes", minutes)
    } else {
        unit("admin-health-seconds", seconds.max(0))
    }
}

#[derive(Template)]
#[template(path = "admin_federation_health.html")]
struct HealthPage {
    c: Chrome,
    rows: Vec<Row>,
    /// How many peers have deliveries waiting, said in words.
    summary: String,
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<HealthPage>> {
    require_admin(&visitor)?;
    let tr = visitor.tr();
    let peers = federation_health::peers(&state).await?;
    let backlogged = peers.iter().filter(|p| p.pending > 0).count();
    let summary = tr.count(
        "admin-health-backlogged",
        i64::try_from(backlogged).unwrap_or(i64::MAX),
    );
    Ok(Page(HealthPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        rows: peers.into_iter().map(|p| Row::of(&tr, p)).collect(),
        summary,
    }))
}
