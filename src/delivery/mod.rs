//! Delivery of our activities to other servers, from the outbox in the database: signed at send
//! time, retried with backoff, with a circuit breaker per peer. It survives restarts and
//! `kill -9` with nothing lost (a lease that ran out just makes a delivery claimable again,
//! at worst a duplicate the receiver's dedupe absorbs).

pub mod backoff;
mod send;
mod settle;
mod worker;

use std::sync::Arc;

use tokio::sync::Notify;

pub use worker::spawn;

/// Wakes the delivery worker when something was queued, so it need not wait for its next poll.
/// Cheap to clone.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}
