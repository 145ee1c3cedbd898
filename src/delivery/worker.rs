//! The delivery loop: claim due deliveries, send them with bounded concurrency, record each
//! outcome and the peer's health, then wait until woken or until the next one is due.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::backoff::{self, CIRCUIT_THRESHOLD, Verdict};
use super::send::{self, Attempt};
use crate::db::actor::{self, Actor};
use crate::db::delivery::{self, Delivery, Outcome, OutgoingActivity};
use crate::db::{Conn, Db, ScopedFutureExt, now, peer};
use crate::error::Result;
use crate::state::AppState;

/// A claim is ours for this long, renewed every [`RENEW`] while its batch is under way: a
/// process that dies leaves its claims to others (on PostgreSQL) after at most this long.
const LEASE: Duration = Duration::from_secs(20);
const RENEW: Duration = Duration::from_secs(5);
/// Even when not woken, look for due deliveries this often (other processes queue work too).
const POLL: Duration = Duration::from_secs(2);
/// Outcomes recorded together at most.
const RECORD_BATCH: usize = 64;
/// Claimed at once: this many times the concurrency, so claiming is not done per delivery.
const CLAIM_ROUNDS: usize = 4;

/// Starts the worker; it stops, after finishing what is in flight, when `stop` turns true.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Db::Sqlite(..) = state.db {
            // On SQLite only this process delivers: leases left by a crash are stale.
            if let Err(err) = release_stale_leases(&state).await {
                tracing::warn!(error = %err, "could not release delivery leases");
            }
        }
        loop {
            if *stop.borrow() {
                break;
            }
            let worked = match run_once(&state).await {
                Ok(worked) => worked,
                Err(err) => {
                    tracing::warn!(error = %err, "delivery round failed");
                    false
                }
            };
            if worked {
                continue;
            }
            let wait = next_wait(&state).await;
            tokio::select! {
                () = state.deliveries.woken() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
        tracing::debug!("delivery worker stopped");
    })
}

async fn release_stale_leases(state: &AppState) -> Result<()> {
    let mut conn = state.db.conn().await?;
    delivery::release_all_leases(&mut conn).await
}

/// How long to sleep: until the next delivery is due, at most [`POLL`].
async fn next_wait(state: &AppState) -> Duration {
    let next = async {
        let mut conn = state.db.conn().await?;
        delivery::next_due(&mut conn).await
    };
    match next.await {
        Ok(Some(at)) => (at - now()).to_std().unwrap_or_default().min(POLL),
        Ok(None) | Err(_) => POLL,
    }
}

/// Claims and sends one batch. Returns whether there was anything to do.
async fn run_once(state: &AppState) -> Result<bool> {
    let concurrency = state.config.delivery.concurrency;
    let at = now();
    let claimed = {
        let mut conn = state.db.conn().await?;
        let lease_until = later(at, LEASE);
        delivery::claim_due(
            &mut conn,
            at,
            lease_until,
            (concurrency * CLAIM_ROUNDS) as i64,
        )
        .await?
    };
    if claimed.is_empty() {
        return Ok(false);
    }
    let (to_send, held_back) = probe_only(state, claimed).await?;
    let signers = Arc::new(signers(state, &to_send).await?);
    let in_flight = Mutex::new(to_send.iter().map(|(d, _)| d.id).collect::<HashSet<_>>());
    if !held_back.is_empty() {
        let mut conn = state.db.conn().await?;
        for id in held_back {
            delivery::record(&mut conn, id, Outcome::Released, at).await?;
        }
    }
    // Sending and recording run side by side: outcomes are recorded as they come in, whatever
    // is ready together in one transaction (on SQLite a commit per delivery would make every
    // delivery wait for the writer), while the other sends go on.
    let (done, mut outcomes) = tokio::sync::mpsc::channel(RECORD_BATCH * 2);
    let send_all = async move {
        futures_util::stream::iter(to_send)
            .for_each_concurrent(concurrency, |(delivery, activity)| {
                let (signers, done) = (Arc::clone(&signers), done.clone());
                async move {
                    let Some(signer) = signers.get(&activity.actor_id) else {
                        return;
                    };
                    let attempt = send::attempt(state, &delivery, &activity, signer).await;
                    let _ = done.send((delivery, activity, attempt)).await;
                }
            })
            .await;
    };
    let record_all = async {
        let mut batch = Vec::with_capacity(RECORD_BATCH);
        while outcomes.recv_many(&mut batch, RECORD_BATCH).await > 0 {
            let ids: Vec<i64> = batch.iter().map(|(d, _, _)| d.id).collect();
            match settle_all(state, std::mem::take(&mut batch)).await {
                Ok(()) => lock(&in_flight).retain(|id| !ids.contains(id)),
                Err(err) => {
                    tracing::warn!(error = %err, "could not record deliveries; they will be retried")
                }
            }
        }
    };
    // Claims are renewed until every outcome is recorded; a batch whose sends all run into
    // the request timeout takes several leases' time.
    tokio::select! {
        _ = async { tokio::join!(send_all, record_all) } => {}
        () = renew_leases(state, &in_flight) => {}
    }
    Ok(true)
}

/// Keeps renewing the claims on the deliveries in `in_flight`; never returns.
async fn renew_leases(state: &AppState, in_flight: &Mutex<HashSet<i64>>) {
    let mut every = tokio::time::interval(RENEW);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let ids: Vec<i64> = lock(in_flight).iter().copied().collect();
        let renewed = async {
            let mut conn = state.db.conn().await?;
            delivery::renew_leases(&mut conn, &ids, later(now(), LEASE)).await
        };
        if let Err(err) = renewed.await {
            tracing::warn!(error = %err, "could not renew delivery leases");
        }
    }
}

fn lock(in_flight: &Mutex<HashSet<i64>>) -> std::sync::MutexGuard<'_, HashSet<i64>> {
    in_flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A peer that failed [`CIRCUIT_THRESHOLD`] times in a row gets one delivery as a probe; the
/// rest of its batch is released until the probe shows whether it is back.
async fn probe_only(
    state: &AppState,
    claimed: Vec<(Delivery, OutgoingActivity)>,
) -> Result<(Vec<(Delivery, OutgoingActivity)>, Vec<i64>)> {
    let mut conn = state.db.conn().await?;
    let mut recovering = HashSet::new();
    let hosts: HashSet<&str> = claimed.iter().map(|(d, _)| d.peer.as_str()).collect();
    for host in hosts {
        if peer::get(&mut conn, host)
            .await?
            .is_some_and(|p| p.consecutive_failures >= CIRCUIT_THRESHOLD)
        {
            recovering.insert(host.to_owned());
        }
    }
    let mut probing = HashSet::new();
    let mut send = Vec::new();
    let mut held_back = Vec::new();
    for (delivery, activity) in claimed {
        if recovering.contains(&delivery.peer) && !probing.insert(delivery.peer.clone()) {
            held_back.push(delivery.id);
        } else {
            send.push((delivery, activity));
        }
    }
    Ok((send, held_back))
}

/// The local actors that sign this batch.
async fn signers(
    state: &AppState,
    batch: &[(Delivery, OutgoingActivity)],
) -> Result<HashMap<i64, Actor>> {
    let mut conn = state.db.conn().await?;
    let mut signers = HashMap::new();
    for (_, activity) in batch {
        if let std::collections::hash_map::Entry::Vacant(slot) = signers.entry(activity.actor_id) {
            slot.insert(actor::get(&mut conn, activity.actor_id).await?);
        }
    }
    Ok(signers)
}

/// `at + duration`, saturating far in the future instead of overflowing.
fn later(at: NaiveDateTime, duration: Duration) -> NaiveDateTime {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

/// Records what a batch of attempts means, in one transaction.
async fn settle_all(
    state: &AppState,
    outcomes: Vec<(Delivery, OutgoingActivity, Attempt)>,
) -> Result<()> {
    let mut conn = state.db.conn().await?;
    conn.transaction(|conn| {
        async move {
            let mut succeeded = HashSet::new();
            for (delivery, activity, attempt) in outcomes {
                settle(state, conn, &delivery, &activity, attempt, &mut succeeded).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// Records what an attempt means for the delivery and for its peer; `succeeded` holds the peers
/// already marked healthy in this batch.
async fn settle(
    state: &AppState,
    conn: &mut Conn,
    delivery: &Delivery,
    activity: &OutgoingActivity,
    attempt: Attempt,
    succeeded: &mut HashSet<String>,
) -> Result<()> {
    let at = now();
    let config = &state.config.delivery;
    let status = attempt.status.map(|s| i32::from(s.as_u16()));
    let error = attempt.error.as_deref().unwrap_or_default();
    let verdict = if attempt.hopeless {
        Verdict::Permanent
    } else {
        backoff::classify(attempt.status)
    };
    match verdict {
        Verdict::Delivered => {
            delivery::record(
                conn,
                delivery.id,
                Outcome::Delivered {
                    status: status.unwrap_or(200),
                },
                at,
            )
            .await?;
            if succeeded.insert(delivery.peer.clone()) {
                peer::record_success(conn, &delivery.peer, at).await?;
            }
            tracing::debug!(activity = %activity.ap_id, inbox = %delivery.inbox_url, "delivered");
        }
        Verdict::Permanent => {
            delivery::record(conn, delivery.id, Outcome::Failed { status, error }, at).await?;
            tracing::warn!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, "delivery refused; not retrying");
        }
        Verdict::Transient => {
            let attempts = delivery.attempts + 1;
            let delay = backoff::retry_delay(config, attempts, backoff::jitter())
                .max(attempt.retry_after.unwrap_or_default());
            let next_attempt_at = later(at, delay);
            let deadline = later(delivery.created_at, config.give_up_after);
            if next_attempt_at > deadline {
                let error = &format!("gave up after {attempts} attempts: {error}");
                delivery::record(conn, delivery.id, Outcome::Failed { status, error }, at).await?;
                tracing::warn!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, "delivery given up");
            } else {
                delivery::record(
                    conn,
                    delivery.id,
                    Outcome::Retry {
                        status,
                        error,
                        next_attempt_at,
                    },
                    at,
                )
                .await?;
                tracing::info!(activity = %activity.ap_id, inbox = %delivery.inbox_url, error, attempts, retry_in = ?delay, "delivery failed; will retry");
            }
            let peer = peer::record_failure(conn, &delivery.peer, error, at).await?;
            if let Some(open_for) = backoff::circuit_open_for(config, peer.consecutive_failures) {
                let until = later(at, open_for);
                peer::open_circuit(conn, &delivery.peer, until).await?;
                tracing::warn!(peer = %delivery.peer, failures = peer.consecutive_failures, ?open_for, "peer unreachable; pausing deliveries to it");
            }
        }
    }
    Ok(())
}
