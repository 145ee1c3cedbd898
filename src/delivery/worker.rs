//! The delivery loop: keeps claiming due deliveries while it has room, sends each as its own
//! task with bounded concurrency, and hands outcomes to the recorder; claims on what is in
//! flight are renewed until recorded. Waits when woken, when something is recorded, or when the
//! next delivery is due.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::backoff::CIRCUIT_THRESHOLD;
use super::send;
use super::settle::{self, Sent};
use crate::db::actor::{self, Actor};
use crate::db::delivery::{self, Delivery, Outcome, OutgoingActivity};
use crate::db::{Db, now, peer};
use crate::error::Result;
use crate::state::AppState;

/// A claim is ours for this long, renewed every [`RENEW`] while its delivery is under way: a
/// process that dies leaves its claims to others (on PostgreSQL) after at most this long.
pub(super) const LEASE: Duration = Duration::from_secs(20);
const RENEW: Duration = Duration::from_secs(5);
/// Even when not woken, look for due deliveries this often (other processes queue work too).
const POLL: Duration = Duration::from_secs(2);
/// Claimed and not yet recorded, at most: this many times the concurrency, so that claiming
/// runs ahead of sending instead of once per delivery.
const CLAIM_ROUNDS: usize = 4;

/// What the loop, the senders and the recorder share.
#[derive(Default)]
pub(super) struct InFlight {
    /// Claimed deliveries whose outcome is not recorded yet.
    ids: Mutex<HashSet<i64>>,
    /// Peers that failed often and have one delivery under way as a probe: nothing else goes
    /// to them until it is recorded.
    probing: Mutex<HashSet<String>>,
    /// Told whenever outcomes were recorded: there is room to claim again.
    recorded: Notify,
}

impl InFlight {
    fn ids(&self) -> MutexGuard<'_, HashSet<i64>> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn probing(&self) -> MutexGuard<'_, HashSet<String>> {
        self.probing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called by the recorder once these outcomes are stored.
    pub(super) fn done(&self, sent: &[Sent]) {
        let mut ids = self.ids();
        let mut probing = self.probing();
        for one in sent {
            ids.remove(&one.delivery.id);
            if one.probe {
                probing.remove(&one.delivery.peer);
            }
        }
        drop((ids, probing));
        self.recorded.notify_one();
    }
}

/// Starts the worker; it stops, after finishing and recording what is in flight, when `stop`
/// turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Db::Sqlite(..) = state.db {
            // On SQLite only this process delivers: leases left by a crash are stale.
            if let Err(err) = release_stale_leases(&state).await {
                tracing::warn!(error = %err, "could not release delivery leases");
            }
        }
        run(state, stop).await;
        tracing::debug!("delivery worker stopped");
    })
}

async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let concurrency = state.config.delivery.concurrency.max(1);
    let capacity = concurrency * CLAIM_ROUNDS;
    let in_flight = Arc::new(InFlight::default());
    let sending = Arc::new(Semaphore::new(concurrency));
    let (outcomes, received) = mpsc::channel(capacity);
    let recorder = tokio::spawn(settle::record_all(
        state.clone(),
        Arc::clone(&in_flight),
        received,
    ));
    let renewer = tokio::spawn(renew_leases(state.clone(), Arc::clone(&in_flight)));
    let mut senders = JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        while senders.try_join_next().is_some() {}
        let room = capacity.saturating_sub(in_flight.ids().len());
        // Claim in rounds of at least `concurrency`, so a busy queue is claimed in batches.
        let claimed = if room >= concurrency {
            match claim(&state, &in_flight, room).await {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::warn!(error = %err, "claiming deliveries failed");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        if !claimed.is_empty() {
            for (sent_as, probe, delivery, activity) in claimed {
                let (state, sending, outcomes) =
                    (state.clone(), Arc::clone(&sending), outcomes.clone());
                senders.spawn(async move {
                    let Ok(_permit) = sending.acquire_owned().await else {
                        return;
                    };
                    let attempt = send::attempt(&state, &delivery, &activity, &sent_as).await;
                    let sent = Sent {
                        delivery,
                        activity,
                        attempt,
                        probe,
                    };
                    let _ = outcomes.send(sent).await;
                });
            }
            continue;
        }
        let wait = if room >= concurrency {
            next_wait(&state, &in_flight).await
        } else {
            POLL
        };
        tokio::select! {
            () = state.deliveries.woken() => {}
            () = in_flight.recorded.notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
    // Finish what is under way and record it; claims of anything not sent lapse with the lease.
    while senders.join_next().await.is_some() {}
    drop(outcomes);
    let _ = recorder.await;
    renewer.abort();
}

type Claimed = (Arc<Actor>, bool, Delivery, OutgoingActivity);

/// Claims up to `room` due deliveries, leaving out peers with a probe under way. A peer that
/// failed [`CIRCUIT_THRESHOLD`] times in a row gets one delivery as a probe; the rest of what
/// was claimed for it is released until the probe is recorded.
async fn claim(state: &AppState, in_flight: &InFlight, room: usize) -> Result<Vec<Claimed>> {
    let skip: Vec<String> = in_flight.probing().iter().cloned().collect();
    let mut conn = state.db.conn().await?;
    let at = now();
    let claimed =
        delivery::claim_due(&mut conn, at, settle::later(at, LEASE), room as i64, &skip).await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let mut recovering = HashSet::new();
    for host in claimed
        .iter()
        .map(|(d, _)| d.peer.as_str())
        .collect::<HashSet<_>>()
    {
        if peer::get(&mut conn, host)
            .await?
            .is_some_and(|p| p.consecutive_failures >= CIRCUIT_THRESHOLD)
        {
            recovering.insert(host.to_owned());
        }
    }
    let mut signers: HashMap<i64, Arc<Actor>> = HashMap::new();
    let mut send = Vec::new();
    let mut held_back = Vec::new();
    {
        let mut ids = in_flight.ids();
        let mut probing = in_flight.probing();
        for (delivery, activity) in claimed {
            let probe = recovering.contains(&delivery.peer);
            if probe && !probing.insert(delivery.peer.clone()) {
                held_back.push(delivery.id);
                continue;
            }
            ids.insert(delivery.id);
            send.push((probe, delivery, activity));
        }
    }
    for id in held_back {
        delivery::record(&mut conn, id, Outcome::Released, at).await?;
    }
    let mut claimed = Vec::with_capacity(send.len());
    for (probe, delivery, activity) in send {
        let signer = match signers.get(&activity.actor_id) {
            Some(signer) => Arc::clone(signer),
            None => {
                let signer = Arc::new(actor::get(&mut conn, activity.actor_id).await?);
                signers.insert(activity.actor_id, Arc::clone(&signer));
                signer
            }
        };
        claimed.push((signer, probe, delivery, activity));
    }
    Ok(claimed)
}

async fn release_stale_leases(state: &AppState) -> Result<()> {
    let mut conn = state.db.conn().await?;
    delivery::release_all_leases(&mut conn).await
}

/// How long to sleep: until the next unclaimed delivery is due, at most [`POLL`].
async fn next_wait(state: &AppState, in_flight: &InFlight) -> Duration {
    let skip: Vec<String> = in_flight.probing().iter().cloned().collect();
    let next = async {
        let mut conn = state.db.conn().await?;
        delivery::next_due(&mut conn, now(), &skip).await
    };
    match next.await {
        Ok(Some(at)) => (at - now()).to_std().unwrap_or_default().min(POLL),
        Ok(None) | Err(_) => POLL,
    }
}

/// Keeps renewing the claims on what is in flight; never returns.
async fn renew_leases(state: AppState, in_flight: Arc<InFlight>) {
    let mut every = tokio::time::interval(RENEW);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let ids: Vec<i64> = in_flight.ids().iter().copied().collect();
        if ids.is_empty() {
            continue;
        }
        let renewed = async {
            let mut conn = state.db.conn().await?;
            delivery::renew_leases(&mut conn, &ids, settle::later(now(), LEASE)).await
        };
        if let Err(err) = renewed.await {
            tracing::warn!(error = %err, "could not renew delivery leases");
        }
    }
}
