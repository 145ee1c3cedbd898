//! Recording what came of delivery attempts: delivered, to be retried after a backoff, or given
//! up, and what it says about the peer's health (failures in a row, the circuit breaker).
//! Outcomes that arrive together are recorded in one transaction, successes in one statement.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use tokio::sync::mpsc;

use super::backoff::{self, Verdict};
use super::send::Attempt;
use super::worker::InFlight;
use crate::db::delivery::{self, Delivery, Outcome, OutgoingActivity};
use crate::db::{Conn, ScopedFutureExt, now, peer, personal_data};
use crate::error::Result;
use crate::metrics::DeliveryResult;
use crate::state::AppState;

/// Outcomes recorded together at most.
const RECORD_BATCH: usize = 64;

/// One attempt, done.
pub(super) struct Sent {
    pub delivery: Delivery,
    pub activity: OutgoingActivity,
    pub attempt: Attempt,
    /// It was the one delivery let through to a peer that kept failing.
    pub probe: bool,
}

/// Records outcomes as they come in, whatever is ready together at once, until every sender
/// is gone.
pub(super) async fn record_all(
    state: AppState,
    in_flight: Arc<InFlight>,
    mut received: mpsc::Receiver<Sent>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while received.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let sent = std::mem::take(&mut batch);
        match settle_all(&state, &sent).await {
            // Counted once recorded: what was not recorded is attempted again.
            Ok(results) => {
                for result in results {
                    state.metrics.deliveries(result, 1);
                }
            }
            // Their claims lapse and they are sent again: at worst a duplicate.
            Err(err) => {
                tracing::warn!(error = %err, "could not record deliveries; they will be retried")
            }
        }
        in_flight.done(&sent);
    }
}

/// `at + duration`, saturating far in the future instead of overflowing.
pub(super) fn later(at: NaiveDateTime, duration: Duration) -> NaiveDateTime {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

fn verdict(attempt: &Attempt) -> Verdict {
    if attempt.hopeless {
        Verdict::Permanent
    } else {
        backoff::classify(attempt.status)
    }
}

fn status(attempt: &Attempt) -> Option<i32> {
    attempt.status.map(|s| i32::from(s.as_u16()))
}

/// Records a batch of attempts in one transaction: failures one by one, then the deliveries
/// that arrived (one statement per status) and the peers that answered. Returns what came of
/// each attempt.
async fn settle_all(state: &AppState, sent: &[Sent]) -> Result<Vec<DeliveryResult>> {
    let mut conn = state.db.conn().await?;
    conn.transaction(|conn| {
        async move {
            let at = now();
            let mut results = Vec::with_capacity(sent.len());
            let mut delivered: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
            // Per peer, in host order: the errors of its failed attempts, and whether it answered.
            let mut peers: BTreeMap<&str, (Vec<&str>, bool)> = BTreeMap::new();
            for one in sent {
                let peer = peers.entry(one.delivery.peer.as_str()).or_default();
                if verdict(&one.attempt) == Verdict::Delivered {
                    let status = status(&one.attempt).unwrap_or(200);
                    delivered.entry(status).or_default().push(one.delivery.id);
                    peer.1 = true;
                    tracing::debug!(activity = %one.activity.ap_id, inbox = %one.delivery.inbox_url, "delivered");
                    results.push(DeliveryResult::Delivered);
                } else {
                    let result = settle_failure(state, conn, one, at).await?;
                    // A refusal (4xx) says nothing against the peer's health.
                    if result != DeliveryResult::Refused {
                        peer.0.push(one.attempt.error.as_deref().unwrap_or_default());
                    }
                    results.push(result);
                }
            }
            for (status, ids) in delivered {
                delivery::record_delivered(conn, &ids, status, at).await?;
            }
            // Peer rows are updated in host order: processes sharing the queue (PostgreSQL)
            // record at the same time, and in any other order two of them can deadlock, which
            // undoes the whole batch and sends it again when its leases run out.
            for (host, (errors, answered)) in peers {
                for error in errors {
                    record_peer_failure(state, conn, host, error, at).await?;
                }
                if answered {
                    peer::record_success(conn, host, at).await?;
                }
            }
            // A deleted account's key goes once its `Delete` is delivered (or given up).
            let mut deleters: Vec<i64> = sent
                .iter()
                .filter(|one| one.activity.kind == "Delete")
                .map(|one| one.activity.actor_id)
                .collect();
            deleters.sort_unstable();
            deleters.dedup();
            personal_data::drop_key_when_delivered(conn, &deleters).await?;
            Ok(results)
        }
        .scope_boxed()
    })
    .await
}

/// A refusal is final; anything else is retried after a backoff until the give-up time (and
/// counts against the peer: [`record_peer_failure`], called once the batch's deliveries are
/// recorded, unless it was refused). Returns what came of it.
async fn settle_failure(
    state: &AppState,
    conn: &mut Conn,
    one: &Sent,
    at: NaiveDateTime,
) -> Result<DeliveryResult> {
    let config = &state.config.delivery;
    let (delivery, activity, attempt) = (&one.delivery, &one.activity, &one.attempt);
    let status = status(attempt);
    let error = attempt.error.as_deref().unwrap_or_default();
    if verdict(attempt) == Verdict::Permanent {
        delivery::record(conn, delivery.id, Outcome::Failed { status, error }, at).await?;
        tracing::warn!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, "delivery refused; not retrying");
        return Ok(DeliveryResult::Refused);
    }
    let attempts = delivery.attempts + 1;
    let delay = backoff::retry_delay(config, attempts, backoff::jitter())
        .max(attempt.retry_after.unwrap_or_default());
    let next_attempt_at = later(at, delay);
    let deadline = later(delivery.created_at, config.give_up_after);
    let result = if next_attempt_at > deadline {
        let error = &format!("gave up after {attempts} attempts: {error}");
        delivery::record(conn, delivery.id, Outcome::Failed { status, error }, at).await?;
        tracing::warn!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, "delivery given up");
        DeliveryResult::GivenUp
    } else {
        let outcome = Outcome::Retry {
            status,
            error,
            next_attempt_at,
        };
        delivery::record(conn, delivery.id, outcome, at).await?;
        tracing::info!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, attempts, retry_in = ?delay, "delivery failed; will retry");
        DeliveryResult::Retry
    };
    Ok(result)
}

/// Counts a failed attempt against its peer, opening the peer's circuit when it keeps failing.
async fn record_peer_failure(
    state: &AppState,
    conn: &mut Conn,
    host: &str,
    error: &str,
    at: NaiveDateTime,
) -> Result<()> {
    let peer = peer::record_failure(conn, host, error, at).await?;
    if let Some(open_for) =
        backoff::circuit_open_for(&state.config.delivery, peer.consecutive_failures)
    {
        peer::open_circuit(conn, host, later(at, open_for)).await?;
        tracing::warn!(peer = %host, failures = peer.consecutive_failures, ?open_for, "peer unreachable; pausing deliveries to it");
    }
    Ok(())
}
