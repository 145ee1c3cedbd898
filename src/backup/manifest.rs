//! `manifest.json`: what a backup holds and where it came from, so that a restore can refuse
//! a backup of another node, backend or newer schema, and verify every file before it writes.

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The manifest's file name inside a backup directory.
pub const FILE_NAME: &str = "manifest.json";
/// The layout this kwartier writes and reads; a later layout gets a higher number.
pub const FORMAT: u32 = 1;
/// The database file inside a SQLite backup.
pub const SQLITE_FILE: &str = "kwartier.db";
/// The dump inside a PostgreSQL backup.
pub const POSTGRES_FILE: &str = "kwartier.pgdump";
/// The uploads inside a backup, as in the data directory.
pub const MEDIA_DIR: &str = "media";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The kwartier that wrote the backup.
    pub kwartier_version: String,
    /// `sqlite` or `postgresql`.
    pub backend: String,
    /// The newest migration the database had: its full name when the writer knew it.
    pub schema_version: String,
    pub created_at: DateTime<Utc>,
    /// The node's domain (`host[:port]`); every ActivityPub id of the node contains it.
    pub domain: String,
    /// Every file of the backup but the manifest, `/`-separated paths relative to the backup.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

impl Manifest {
    /// Reads and checks `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::BadRequest(format!(
                "{}: {e}: not a kwartier backup, or an unfinished one",
                path.display()
            ))
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::BadRequest(format!("{}: not a backup manifest: {e}", path.display()))
        })?;
        if manifest.format != FORMAT {
            return Err(Error::BadRequest(format!(
                "{}: backup format {} is not known to this kwartier (it reads format {FORMAT})",
                path.display(),
                manifest.format
            )));
        }
        for file in &manifest.files {
            relative_path(&file.path)?;
        }
        Ok(manifest)
    }

    /// Writes `dir/manifest.json` all at once (a temporary file, then renamed).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::internal("writing the backup manifest", e))?;
        let temporary = dir.join(format!(".{FILE_NAME}.part"));
        let path = dir.join(FILE_NAME);
        std::fs::write(&temporary, json + "\n")
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| super::files::io_error(&path, &e))
    }
}

/// A manifest's file path as a relative path that stays inside the backup (and the data
/// directory it is restored into): no root, no `..`.
pub fn relative_path(path: &str) -> Result<PathBuf> {
    let relative = PathBuf::from(path);
    let inside = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if inside {
        Ok(relative)
    } else {
        Err(Error::BadRequest(format!(
            "{FILE_NAME} names the file {path:?}, which is not inside the backup"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_backup_are_accepted() {
        assert!(relative_path("media/ab.png").is_ok());
        assert!(relative_path("kwartier.db").is_ok());
        for bad in ["", "/etc/passwd", "../kwartier.db", "media/../../x", "./x"] {
            assert!(relative_path(bad).is_err(), "{bad}");
        }
    }
}
