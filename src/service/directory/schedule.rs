//! The directory sync schedule: a task started with the server that runs a sync round at once
//! and then every `directory_sync_interval`, logging what each round changed. A round in
//! progress is cut short at shutdown; what it stored stays (each page is its own transaction).
//! With several processes on one PostgreSQL database, a round runs in one of them at a time: a
//! process that finds another's round under way skips its own.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::sync;
use crate::db::exclusive::Lock;
use crate::error::Result;
use crate::state::AppState;

/// Starts the schedule, unless `directory_sync` is off. Stops when `stop` turns true.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    if !state.config.directory.sync {
        tracing::info!("directory sync is off");
        return None;
    }
    Some(tokio::spawn(async move {
        let interval = state.config.directory.sync_interval;
        loop {
            tokio::select! {
                outcome = round_alone(&state) => {
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
        tracing::debug!("directory sync stopped");
    }))
}

/// A round, unless another process is running one (`None`).
async fn round_alone(state: &AppState) -> Option<Result<sync::RoundReport>> {
    let held = match state.db.try_exclusive(Lock::DirectorySync).await {
        Ok(Some(held)) => held,
        Ok(None) => {
            tracing::info!("another process is syncing the directory; skipping this round");
            return None;
        }
        Err(err) => return Some(Err(err)),
    };
    let outcome = sync::round(state).await;
    held.release().await;
    Some(outcome)
}

fn log(outcome: &Result<sync::RoundReport>) {
    match outcome {
        Ok(report) => tracing::info!(
            synced = report.nodes_synced,
            failed = report.nodes_failed.len(),
            added = report.entries_added,
            updated = report.entries_updated,
            removed = report.entries_removed,
            learned = report.nodes_learned.len(),
            bytes = report.bytes_fetched,
            "directory sync round"
        ),
        Err(err) => tracing::warn!(error = %err, "directory sync round failed"),
    }
}
