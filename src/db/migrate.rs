//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres` hold
//! the same migrations under the same names. Each migration runs in its own transaction; a
//! database that has migrations this binary does not know is refused, never touched. On
//! PostgreSQL processes that start together take turns ([`Lock::Startup`]): the first migrates,
//! the others find nothing left to do.

use diesel::backend::Backend;
use diesel::migration::MigrationSource;
use diesel_async::AsyncMigrationHarness;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::exclusive::Lock;
use super::{Conn, Db};
use crate::error::{Error, Result};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// What a migration run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Names of the migrations applied by this run, oldest first; empty when the schema was
    /// already up to date.
    pub applied: Vec<String>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Db {
    /// Brings the schema up to date. Refuses a database whose schema is newer than this binary.
    pub async fn migrate(&self) -> Result<MigrationReport> {
        let startup = self.exclusive(Lock::Startup).await?;
        let report = self.migrate_holding(&startup).await;
        startup.release().await;
        report
    }

    /// [`Db::migrate`] for a caller that already holds [`Lock::Startup`] (and does more under it).
    pub async fn migrate_holding(
        &self,
        _startup: &super::exclusive::Exclusive,
    ) -> Result<MigrationReport> {
        let conn = self.conn().await?;
        match conn {
            Conn::Sqlite(mut c) => {
                c.spawn_blocking(|inner| Ok(run_pending(inner, SQLITE)))
                    .await?
            }
            Conn::Postgres(c) => {
                tokio::task::spawn_blocking(move || {
                    run_pending(&mut AsyncMigrationHarness::new(c), POSTGRES)
                })
                .await?
            }
        }
    }
}

fn run_pending<B: Backend>(
    harness: &mut impl MigrationHarness<B>,
    source: EmbeddedMigrations,
) -> Result<MigrationReport> {
    let failed = |e: BoxError| Error::internal("running database migrations", e);
    // (version, full name) of every migration this binary carries.
    let known: Vec<(String, String)> = MigrationSource::<B>::migrations(&source)
        .map_err(failed)?
        .iter()
        .map(|m| (m.name().version().to_string(), m.name().to_string()))
        .collect();
    let applied = harness.applied_migrations().map_err(failed)?;
    if let Some(newer) = applied
        .iter()
        .map(ToString::to_string)
        .find(|v| !known.iter().any(|(known, _)| known == v))
    {
        return Err(Error::Config(format!(
            "the database schema has migration {newer}, which this kwartier does not know: \
             it was written by a newer version; run that version or restore a backup"
        )));
    }
    let done = harness.run_pending_migrations(source).map_err(failed)?;
    let name_of = |version: String| {
        known
            .iter()
            .find(|(v, _)| *v == version)
            .map_or(version.clone(), |(_, name)| name.clone())
    };
    Ok(MigrationReport {
        applied: done.iter().map(|v| name_of(v.to_string())).collect(),
    })
}
