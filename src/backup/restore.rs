//! `kwartier admin restore DIR`: a backup back into the configured, empty database and data
//! directory. Everything is checked before anything is written: the manifest, the backend,
//! the domain, the schema, every file's checksum, and that the target is empty. Then the
//! database and the media are put in place and the schema is brought up to date (a backup of
//! an older kwartier is upgraded like any old database).

use std::path::{Path, PathBuf};

use super::files::{self, io_error};
use super::manifest::{self, FileEntry, Manifest};
use super::{postgres_tools, progress};
use crate::config::Config;
use crate::db::{DatabaseUrl, Db, MigrationReport};
use crate::error::{Error, Result};

/// What a restore did, for the closing line.
#[derive(Debug)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    pub migrations: MigrationReport,
}

impl std::fmt::Display for RestoreSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let media = self.media().count();
        write!(
            f,
            "restored the backup of {} made {} ({} database at schema {}, {media} media files)",
            self.manifest.domain,
            self.manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.manifest.backend,
            self.manifest.schema_version,
        )?;
        match self.migrations.applied.len() {
            0 => write!(f, "; the schema is up to date"),
            n => write!(f, "; applied {n} newer migrations"),
        }
    }
}

impl RestoreSummary {
    fn media(&self) -> impl Iterator<Item = &FileEntry> {
        media_files(&self.manifest)
    }
}

fn media_files(manifest: &Manifest) -> impl Iterator<Item = &FileEntry> {
    manifest
        .files
        .iter()
        .filter(|file| file.path.starts_with(&format!("{}/", manifest::MEDIA_DIR)))
}

/// Restores the backup in `dir` into the configured node, which must have no data yet.
pub async fn restore(config: &Config, dir: &Path) -> Result<RestoreSummary> {
    let nothing = "nothing was written";
    let manifest = Manifest::read(dir)?;
    let backend = config.database.backend_name();
    if manifest.backend != backend {
        return Err(Error::Config(format!(
            "this backup is of a {} database, but this node is configured for {backend}: restore \
             it on {} and move it with `kwartier admin migrate-to`; {nothing}",
            manifest.backend, manifest.backend
        )));
    }
    if manifest.domain != config.domain {
        return Err(Error::Config(format!(
            "this backup is of the node {}, but this node is configured as {} \
             (KWARTIER_DOMAIN): every ActivityPub id contains the domain, so a backup is \
             restored only under its own; {nothing}",
            manifest.domain, config.domain
        )));
    }
    let database_file = match config.database {
        DatabaseUrl::Sqlite(_) => manifest::SQLITE_FILE,
        DatabaseUrl::Postgres(_) => manifest::POSTGRES_FILE,
    };
    if !manifest.files.iter().any(|file| file.path == database_file) {
        return Err(Error::BadRequest(format!(
            "{}: names no {database_file}; {nothing}",
            dir.join(manifest::FILE_NAME).display()
        )));
    }
    if !Db::knows_schema(&config.database, &manifest.schema_version)? {
        return Err(Error::Config(format!(
            "this backup has schema {}, which this kwartier ({}) does not know: it was made by a \
             newer version; restore it with that version or a later one; {nothing}",
            manifest.schema_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let media_dir = crate::service::media::directory(config);
    if !files::is_empty_dir(&media_dir)? {
        return Err(Error::Conflict(format!(
            "{} is not empty: a backup is restored only into an empty data directory; {nothing}",
            media_dir.display()
        )));
    }
    match &config.database {
        // A missing file is what a restore wants; opening one that is not there would make it.
        DatabaseUrl::Sqlite(path) if !path.exists() => {}
        _ => {
            let db = Db::connect(&config.database, 1).await?;
            let refused = refuse_tables(&db, &config.database.to_string()).await;
            db.close();
            refused?;
        }
    }

    if let DatabaseUrl::Postgres(_) = &config.database {
        postgres_tools::check_installed("pg_restore").await?;
    }
    verify(dir, &manifest).await?;

    let made_media = !media_dir.exists();
    let written = put_in_place(config, dir, &manifest, &media_dir).await;
    if let Err(err) = written {
        files::clean_up(&media_dir, made_media);
        return Err(err);
    }
    let db = Db::connect(&config.database, 1).await?;
    let migrations = db.migrate().await?;
    for name in &migrations.applied {
        progress(&format!("applied {name}"));
    }
    Ok(RestoreSummary {
        manifest,
        migrations,
    })
}

/// Checks every file against the manifest: present, same size, same SHA-256.
async fn verify(dir: &Path, manifest: &Manifest) -> Result<()> {
    let dir = dir.to_owned();
    let wanted = manifest.files.clone();
    tokio::task::spawn_blocking(move || {
        let count = wanted.len();
        for (done, file) in wanted.iter().enumerate() {
            let path = dir.join(manifest::relative_path(&file.path)?);
            let (size, sha256) = files::hash(&path).map_err(|err| {
                Error::BadRequest(format!(
                    "the backup is incomplete: {err}; nothing was written"
                ))
            })?;
            if size != file.size || sha256 != file.sha256 {
                return Err(Error::BadRequest(format!(
                    "{} does not match the manifest (its size or SHA-256 differs): the backup is \
                     damaged; nothing was written",
                    path.display()
                )));
            }
            if (done + 1) % 100 == 0 || done + 1 == count {
                progress(&format!("verified: {}/{count} files", done + 1));
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| Error::internal("verifying the backup", e))?
}

/// Refuses a database that has any table: a restore never mixes with data already there.
async fn refuse_tables(db: &Db, shown: &str) -> Result<()> {
    let tables = db.table_count().await?;
    if tables > 0 {
        return Err(Error::Conflict(format!(
            "the database {shown} is not empty ({tables} tables): a backup is restored only \
             into an empty database; nothing was written"
        )));
    }
    Ok(())
}

/// Writes the media, then the database. On failure the database is left as it was (a SQLite
/// file appears only whole; `pg_restore` runs in one transaction); the caller removes the media.
async fn put_in_place(
    config: &Config,
    dir: &Path,
    manifest: &Manifest,
    media_dir: &Path,
) -> Result<()> {
    let media: Vec<(PathBuf, PathBuf)> = media_files(manifest)
        .map(|file| {
            let relative = manifest::relative_path(&file.path)?;
            let inside = relative
                .strip_prefix(manifest::MEDIA_DIR)
                .map_err(|e| Error::internal("a media path", e))?
                .to_owned();
            Ok((dir.join(&relative), media_dir.join(inside)))
        })
        .collect::<Result<_>>()?;
    tokio::task::spawn_blocking(move || {
        let count = media.len();
        for (done, (from, to)) in media.iter().enumerate() {
            files::copy(from, to)?;
            if (done + 1) % 100 == 0 || done + 1 == count {
                progress(&format!("media: {}/{count} files", done + 1));
            }
        }
        Ok::<_, Error>(())
    })
    .await
    .map_err(|e| Error::internal("restoring the media", e))??;

    match &config.database {
        DatabaseUrl::Sqlite(path) => {
            progress("database: copying the snapshot");
            let from = dir.join(manifest::SQLITE_FILE);
            let path = path.clone();
            tokio::task::spawn_blocking(move || restore_sqlite(&from, &path))
                .await
                .map_err(|e| Error::internal("restoring the database", e))?
        }
        DatabaseUrl::Postgres(url) => {
            progress("database: restoring the dump (pg_restore)");
            postgres_tools::restore(url, &dir.join(manifest::POSTGRES_FILE)).await
        }
    }
}

/// Puts the snapshot at `path`: copied beside it, then renamed over the empty file (if any),
/// whose write-ahead log files go too.
fn restore_sqlite(from: &Path, path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = parent.join(format!(".{name}.restoring"));
    let _ = std::fs::remove_file(&temporary);
    if let Err(err) = files::copy(from, &temporary) {
        let _ = std::fs::remove_file(&temporary);
        return Err(err);
    }
    for suffix in ["-wal", "-shm"] {
        let side = parent.join(format!("{name}{suffix}"));
        match std::fs::remove_file(&side) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error(&side, &err));
            }
            _ => {}
        }
    }
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, &e))
}
