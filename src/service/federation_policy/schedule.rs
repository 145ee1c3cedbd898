//! The shared-blocklist schedule: a task started with the server that fetches every subscribed
//! list at once and then every `blocklist_fetch_interval`, logging what each fetch found. New
//! entries only become drafts; nothing is blocked without an admin. With several processes on
//! one PostgreSQL database, one of them fetches at a time: a process that finds another's
//! round under way skips its own.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::subscriptions;
use crate::db::exclusive::Lock;
use crate::state::AppState;

/// Starts the schedule, unless the interval is zero (off). Stops when `stop` turns true.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    let interval = state.config.blocklist_fetch_interval;
    if interval.is_zero() {
        tracing::info!("shared blocklist fetching is off");
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            tokio::select! {
                outcome = fetch_alone(&state) => {
                    if let Some(outcome) = outcome {
                        log(&outcome);
                    }
                }
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::debug!("shared blocklist fetching stopped");
    }))
}

type Outcomes = Vec<(String, crate::error::Result<subscriptions::FetchReport>)>;

/// A round of fetching, unless another process is running one (`None`).
async fn fetch_alone(state: &AppState) -> Option<crate::error::Result<Outcomes>> {
    let held = match state.db.try_exclusive(Lock::BlocklistFetch).await {
        Ok(Some(held)) => held,
        Ok(None) => {
            tracing::info!("another process is fetching the shared blocklists; skipping");
            return None;
        }
        Err(err) => return Some(Err(err)),
    };
    let outcome = subscriptions::fetch_all(state).await;
    held.release().await;
    Some(outcome)
}

fn log(outcome: &crate::error::Result<Outcomes>) {
    match outcome {
        Ok(lists) => {
            for (url, outcome) in lists {
                match outcome {
                    Ok(report) => tracing::info!(
                        list = %url,
                        listed = report.listed,
                        new_drafts = report.new_drafts.len(),
                        removal_drafts = report.removal_drafts.len(),
                        "fetched a shared blocklist"
                    ),
                    Err(err) => {
                        tracing::warn!(list = %url, error = %err, "fetching a shared blocklist failed")
                    }
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "fetching shared blocklists failed"),
    }
}
