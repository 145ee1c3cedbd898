//! How deliveries to each peer fare, for admins: the backlog (pending deliveries and the age of
//! the oldest), the last success and failure, the circuit breaker's state, and what the peer
//! sent to our inbox since this process started. Read-only; the `/admin/federation-health`
//! page, `GET /api/v1/admin/federation/health` and the metrics show it.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::delivery::{self, Backlog};
use crate::db::peer::{self, Peer};
use crate::db::{Conn, now};
use crate::delivery::backoff::CIRCUIT_THRESHOLD;
use crate::error::Result;
use crate::state::AppState;

/// The circuit breaker of one peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Circuit {
    /// Deliveries go out as usual.
    Closed,
    /// Paused after failures in a row, until the time given.
    Open,
    /// The pause is over: the next delivery is a probe; the rest wait for its result.
    Probing,
}

impl Circuit {
    pub fn of(peer: &Peer, now: NaiveDateTime) -> Circuit {
        match peer.circuit_open_until {
            Some(until) if until > now => Circuit::Open,
            _ if peer.consecutive_failures >= CIRCUIT_THRESHOLD => Circuit::Probing,
            _ => Circuit::Closed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Circuit::Closed => "closed",
            Circuit::Open => "open",
            Circuit::Probing => "probing",
        }
    }
}

/// One peer's health.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerHealth {
    /// `host[:port]`.
    pub peer: String,
    /// Deliveries waiting to be sent.
    pub pending: i64,
    /// When the oldest waiting delivery was made.
    pub oldest_pending_at: Option<NaiveDateTime>,
    /// How long it has waited, in seconds.
    pub oldest_pending_age_seconds: Option<i64>,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub consecutive_failures: i32,
    pub circuit: Circuit,
    /// Until when the circuit is open.
    pub circuit_open_until: Option<NaiveDateTime>,
    /// Activities it sent that our inbox accepted since this process started.
    pub received_since_start: u64,
    pub last_received_at: Option<NaiveDateTime>,
}

/// Seconds from `then` to `now`, at least zero.
pub fn age_seconds(then: NaiveDateTime, now: NaiveDateTime) -> i64 {
    (now - then).num_seconds().max(0)
}

/// Every peer we deliver to or heard from: those with a backlog first (oldest backlog first),
/// then the rest by name.
pub async fn peers(state: &AppState) -> Result<Vec<PeerHealth>> {
    let mut conn = state.db.conn().await?;
    let backlog = delivery::backlog_by_peer(&mut conn).await?;
    let known = peer::all(&mut conn).await?;
    drop(conn);
    let at = now();
    let mut rows: BTreeMap<String, PeerHealth> = BTreeMap::new();
    for row in &known {
        rows.insert(row.host.clone(), health(&row.host, None, Some(row), at));
    }
    for b in &backlog {
        let row = known.iter().find(|p| p.host == b.peer);
        rows.insert(b.peer.clone(), health(&b.peer, Some(b), row, at));
    }
    for (host, inbox) in state.metrics.inbox_by_peer() {
        let entry = rows
            .entry(host.clone())
            .or_insert_with(|| health(&host, None, None, at));
        entry.received_since_start = inbox.accepted;
        entry.last_received_at = Some(inbox.last_at);
    }
    let mut rows: Vec<PeerHealth> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.oldest_pending_age_seconds
            .cmp(&a.oldest_pending_age_seconds)
            .then_with(|| a.peer.cmp(&b.peer))
    });
    Ok(rows)
}

/// The backlog of the peers that have one, with their peer rows: what a metrics scrape reads.
pub async fn backlog(conn: &mut Conn) -> Result<Vec<PeerHealth>> {
    let backlog = delivery::backlog_by_peer(conn).await?;
    let hosts: Vec<String> = backlog.iter().map(|b| b.peer.clone()).collect();
    let known = peer::find_all(conn, &hosts).await?;
    let at = now();
    Ok(backlog
        .iter()
        .map(|b| {
            let row = known.iter().find(|p| p.host == b.peer);
            health(&b.peer, Some(b), row, at)
        })
        .collect())
}

fn health(
    host: &str,
    backlog: Option<&Backlog>,
    peer: Option<&Peer>,
    at: NaiveDateTime,
) -> PeerHealth {
    PeerHealth {
        peer: host.to_owned(),
        pending: backlog.map_or(0, |b| b.pending),
        oldest_pending_at: backlog.map(|b| b.oldest),
        oldest_pending_age_seconds: backlog.map(|b| age_seconds(b.oldest, at)),
        last_success_at: peer.and_then(|p| p.last_success_at),
        last_failure_at: peer.and_then(|p| p.last_failure_at),
        last_error: peer.and_then(|p| p.last_error.clone()),
        consecutive_failures: peer.map_or(0, |p| p.consecutive_failures),
        circuit: peer.map_or(Circuit::Closed, |p| Circuit::of(p, at)),
        circuit_open_until: peer
            .and_then(|p| p.circuit_open_until)
            .filter(|until| *until > at),
        received_since_start: 0,
        last_received_at: None,
    }
}
