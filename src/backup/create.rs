//! `kwartier admin backup DIR`: the database snapshot, the media copy and the manifest, written
//! into a new or empty directory while the node goes on serving. A failed backup removes what
//! it wrote.

use std::path::{Path, PathBuf};

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl as _;

use super::files::{self, io_error};
use super::manifest::{self, FileEntry, Manifest};
use super::{postgres_tools, progress};
use crate::config::Config;
use crate::db::{DatabaseUrl, Db};
use crate::error::{Error, Result};
use crate::run;

/// Media progress is reported after this many files (and after the last).
const PROGRESS_EVERY: usize = 100;

/// What a backup holds, for the closing line.
#[derive(Debug)]
pub struct BackupSummary {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let media = self
            .manifest
            .files
            .iter()
            .filter(|file| file.path.starts_with(manifest::MEDIA_DIR))
            .count();
        let total: u64 = self.manifest.files.iter().map(|file| file.size).sum();
        write!(
            f,
            "backup of {} written to {}: {} database at schema {}, {media} media files, {} in all",
            self.manifest.domain,
            self.dir.display(),
            self.manifest.backend,
            self.manifest.schema_version,
            files::human_size(total)
        )
    }
}

/// Backs the configured node up into `dir`, which must be missing or empty.
pub async fn create(config: &Config, dir: &Path) -> Result<BackupSummary> {
    if !files::is_empty_dir(dir)? {
        return Err(Error::Conflict(format!(
            "{} is not empty: a backup goes into a new or empty directory; nothing was written",
            dir.display()
        )));
    }
    if let DatabaseUrl::Sqlite(path) = &config.database
        && !path.is_file()
    {
        return Err(Error::NotFound(format!(
            "the database {} (nothing to back up)",
            path.display()
        )));
    }
    if let DatabaseUrl::Postgres(_) = &config.database {
        postgres_tools::check_installed("pg_dump").await?;
    }
    let db = Db::connect(&config.database, 1).await?;
    let Some(schema) = db.schema_version().await? else {
        return Err(Error::Conflict(
            "the database has no kwartier schema yet: nothing to back up".into(),
        ));
    };
    let domain = node_domain(&db, config).await?;

    let made_dir = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let written = write(
        config,
        &db,
        dir,
        Manifest {
            format: manifest::FORMAT,
            kwartier_version: env!("CARGO_PKG_VERSION").to_owned(),
            backend: db.backend_name().to_owned(),
            schema_version: schema.name,
            created_at: chrono::Utc::now(),
            domain,
            files: Vec::new(),
        },
    )
    .await;
    match written {
        Ok(manifest) => Ok(BackupSummary {
            dir: dir.to_owned(),
            manifest,
        }),
        Err(err) => {
            files::clean_up(dir, made_dir);
            Err(err)
        }
    }
}

async fn write(config: &Config, db: &Db, dir: &Path, mut manifest: Manifest) -> Result<Manifest> {
    let database_file = match &config.database {
        DatabaseUrl::Sqlite(_) => {
            let file = dir.join(manifest::SQLITE_FILE);
            progress("database: writing a snapshot (VACUUM INTO)");
            vacuum_into(db, &file).await?;
            manifest::SQLITE_FILE
        }
        DatabaseUrl::Postgres(url) => {
            progress("database: writing a dump (pg_dump)");
            postgres_tools::dump(url, &dir.join(manifest::POSTGRES_FILE)).await?;
            manifest::POSTGRES_FILE
        }
    };
    let file = dir.join(database_file);
    let (size, sha256) = tokio::task::spawn_blocking(move || files::hash(&file))
        .await
        .map_err(|e| Error::internal("hashing the database snapshot", e))??;
    progress(&format!("database: {}", files::human_size(size)));
    manifest.files.push(FileEntry {
        path: database_file.to_owned(),
        size,
        sha256,
    });

    let media = crate::service::media::directory(config);
    let target = dir.join(manifest::MEDIA_DIR);
    let copied = tokio::task::spawn_blocking(move || copy_media(&media, &target))
        .await
        .map_err(|e| Error::internal("copying the media", e))??;
    manifest.files.extend(copied);
    manifest.write(dir)?;
    Ok(manifest)
}

/// `VACUUM INTO`: a consistent, compacted copy of the live database, made by SQLite itself
/// in one read transaction while writers go on (never a copy of the file, which can be torn).
async fn vacuum_into(db: &Db, file: &Path) -> Result<()> {
    let target = file.to_str().ok_or_else(|| {
        Error::BadRequest(format!(
            "{}: SQLite needs a path in UTF-8 for the snapshot",
            file.display()
        ))
    })?;
    let mut conn = db.conn().await?;
    let conn = &mut conn;
    run!(conn, |c| diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(c)
        .await)?;
    Ok(())
}

/// Copies every upload into `target`, with progress; returns their manifest entries.
fn copy_media(media: &Path, target: &Path) -> Result<Vec<FileEntry>> {
    let names = files::list(media)?;
    let count = names.len();
    let mut entries = Vec::with_capacity(count);
    for (done, name) in names.iter().enumerate() {
        let (size, sha256) = files::copy(&media.join(name), &target.join(name))?;
        let path = Path::new(manifest::MEDIA_DIR).join(name);
        entries.push(FileEntry {
            path: path.to_string_lossy().replace('\\', "/"),
            size,
            sha256,
        });
        if (done + 1) % PROGRESS_EVERY == 0 || done + 1 == count {
            progress(&format!("media: {}/{count} files", done + 1));
        }
    }
    if count == 0 {
        progress("media: no files");
    }
    Ok(entries)
}

/// The domain the node's data belongs to: the authority of its own actor's id when it has one
/// (the configured domain otherwise). A different configured domain is worth a warning: a
/// restore needs the domain in the ids.
async fn node_domain(db: &Db, config: &Config) -> Result<String> {
    let mut conn = db.conn().await?;
    let Some(node) = crate::db::actor::find_node(&mut conn).await? else {
        return Ok(config.domain.clone());
    };
    let domain = crate::federation::urls::authority(&node.ap_id.0);
    if domain.is_empty() {
        return Ok(config.domain.clone());
    }
    if domain != config.domain {
        progress(&format!(
            "warning: the data belongs to {domain}, but the configured domain is {}; the \
             backup is recorded as {domain}'s",
            config.domain
        ));
    }
    Ok(domain)
}
