//! The shared-blocklist schedule: a task started with the server that fetches every subscribed
//! list at once and then every `blocklist_fetch_interval`, logging what each fetch found. New
//! entries only become drafts; nothing is blocked without an admin.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::subscriptions;
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
                outcome = subscriptions::fetch_all(&state) => log(&outcome),
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
