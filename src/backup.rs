//! Backups of a whole node, taken while it runs, and restoring one into an empty database and
//! data directory: `kwartier admin backup DIR` and `kwartier admin restore DIR`.
//!
//! A backup directory holds the database (`kwartier.db`, a `VACUUM INTO` snapshot, on SQLite;
//! `kwartier.pgdump`, a `pg_dump --format=custom`, on PostgreSQL), a copy of `data_dir/media/`
//! under `media/`, and `manifest.json` (see [`manifest`]) with every file's size and SHA-256.
//! The manifest is written last: a directory without one is an unfinished backup.
//!
//! The database is snapshotted before the media are copied. Uploads are immutable files named
//! by their hash, so a file uploaded after the snapshot is only an unused extra in the backup.

mod create;
mod files;
pub mod manifest;
mod postgres_tools;
mod restore;

pub use create::{BackupSummary, create};
pub use restore::{RestoreSummary, restore};

/// Progress of long work, one line at a time on stderr; stdout keeps the summary.
fn progress(line: &str) {
    eprintln!("{line}");
}
