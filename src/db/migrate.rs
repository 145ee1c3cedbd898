//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres` hold
//! the same migrations under the same names. Each migration runs in its own transaction; a
//! database that has migrations this binary does not know is refused, never touched.

use diesel::backend::Backend;
use diesel::migration::MigrationSource;
use diesel_async::AsyncMigrationHarness;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

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

/// Where a database's schema stands against the migrations this binary carries.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SchemaState {
    /// Migrations this binary has that the database lacks, oldest first.
    pub pending: Vec<String>,
    /// Versions the database has that this binary does not know (written by a newer one).
    pub unknown: Vec<String>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Db {
    /// Brings the schema up to date. Refuses a database whose schema is newer than this binary.
    pub async fn migrate(&self) -> Result<MigrationReport> {
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

    /// Compares the database's applied migrations with this binary's, changing nothing but
    /// (on a database that has none yet) diesel's bookkeeping table.
    pub async fn schema_state(&self) -> Result<SchemaState> {
        let conn = self.conn().await?;
        match conn {
            Conn::Sqlite(mut c) => c.spawn_blocking(|inner| Ok(state(inner, SQLITE))).await?,
            Conn::Postgres(c) => {
                tokio::task::spawn_blocking(move || {
                    state(&mut AsyncMigrationHarness::new(c), POSTGRES)
                })
                .await?
            }
        }
    }
}

fn state<B: Backend>(
    harness: &mut impl MigrationHarness<B>,
    source: EmbeddedMigrations,
) -> Result<SchemaState> {
    let failed = |e: BoxError| Error::internal("reading the database's migrations", e);
    let mut known: Vec<(String, String)> = MigrationSource::<B>::migrations(&source)
        .map_err(failed)?
        .iter()
        .map(|m| (m.name().version().to_string(), m.name().to_string()))
        .collect();
    known.sort();
    let applied: Vec<String> = harness
        .applied_migrations()
        .map_err(failed)?
        .iter()
        .map(ToString::to_string)
        .collect();
    let pending = known
        .iter()
        .filter(|(version, _)| !applied.contains(version))
        .map(|(_, name)| name.clone())
        .collect();
    let unknown = applied
        .iter()
        .filter(|version| !known.iter().any(|(known, _)| known == *version))
        .cloned()
        .collect();
    Ok(SchemaState { pending, unknown })
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
