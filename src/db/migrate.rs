//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres` hold
//! the same migrations under the same names. Each migration runs in its own transaction; a
//! database that has migrations this binary does not know is refused, never touched. On
//! PostgreSQL processes that start together take turns ([`Lock::Startup`]): the first migrates,
//! the others find nothing left to do.

use diesel::backend::Backend;
use diesel::migration::MigrationSource;
use diesel_async::{AsyncMigrationHarness, RunQueryDsl as _};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::exclusive::Lock;
use super::{Conn, DatabaseUrl, Db};
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

/// The schema a database has: its newest applied migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaVersion {
    /// As diesel records it: `20261207000017`.
    pub version: String,
    /// The migration's full name when this binary knows it (`2026-12-07-000017_invites_and_about`);
    /// the bare version when it does not (a newer kwartier made it).
    pub name: String,
}

impl Db {
    /// The newest migration applied to this database, or `None` when it has none (an empty
    /// database). Reads only: diesel's own harness would create its table first.
    pub async fn schema_version(&self) -> Result<Option<SchemaVersion>> {
        #[derive(diesel::QueryableByName)]
        struct Newest {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            version: Option<String>,
        }
        let mut conn = self.conn().await?;
        let conn = &mut conn;
        let exists = match conn {
            Conn::Sqlite(_) => {
                "SELECT count(*) AS n FROM sqlite_master \
                 WHERE type = 'table' AND name = '__diesel_schema_migrations'"
            }
            Conn::Postgres(_) => {
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_name = '__diesel_schema_migrations' \
                 AND table_schema = current_schema()"
            }
        };
        let tables: TableCount =
            crate::run!(conn, |c| diesel::sql_query(exists).get_result(c).await)?;
        if tables.n == 0 {
            return Ok(None);
        }
        let newest: Newest = crate::run!(conn, |c| diesel::sql_query(
            "SELECT max(version) AS version FROM __diesel_schema_migrations"
        )
        .get_result(c)
        .await)?;
        let Some(version) = newest.version else {
            return Ok(None);
        };
        let known = match conn {
            Conn::Sqlite(_) => known_migrations::<diesel::sqlite::Sqlite>(&SQLITE)?,
            Conn::Postgres(_) => known_migrations::<diesel::pg::Pg>(&POSTGRES)?,
        };
        Ok(Some(SchemaVersion {
            name: name_of(&known, &version),
            version,
        }))
    }

    /// How many tables the database has (the migrations' bookkeeping table included): zero
    /// for a database no kwartier has touched.
    pub async fn table_count(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        let conn = &mut conn;
        let query = match conn {
            Conn::Sqlite(_) => "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'",
            Conn::Postgres(_) => {
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            }
        };
        let count: TableCount =
            crate::run!(conn, |c| diesel::sql_query(query).get_result(c).await)?;
        Ok(count.n)
    }

    /// Whether this binary carries the migration named `schema` (a full name or a bare
    /// version): a database at that schema can be opened and brought up to date.
    pub fn knows_schema(url: &DatabaseUrl, schema: &str) -> Result<bool> {
        let known = match url {
            DatabaseUrl::Sqlite(_) => known_migrations::<diesel::sqlite::Sqlite>(&SQLITE)?,
            DatabaseUrl::Postgres(_) => known_migrations::<diesel::pg::Pg>(&POSTGRES)?,
        };
        Ok(known.iter().any(|(v, name)| v == schema || name == schema))
    }

    /// Applies only the oldest `count` migrations: a database as an old kwartier left it, for
    /// upgrade tests.
    #[cfg(any(test, feature = "testing"))]
    pub async fn migrate_oldest(&self, count: usize) -> Result<()> {
        fn run<B: Backend>(
            harness: &mut impl MigrationHarness<B>,
            source: fn() -> EmbeddedMigrations,
            count: usize,
        ) -> Result<()> {
            for _ in 0..count {
                harness
                    .run_next_migration(source())
                    .map_err(|e| Error::internal("running one migration", e))?;
            }
            Ok(())
        }
        let conn = self.conn().await?;
        match conn {
            Conn::Sqlite(mut c) => {
                c.spawn_blocking(move |inner| Ok(run(inner, || SQLITE, count)))
                    .await?
            }
            Conn::Postgres(c) => {
                tokio::task::spawn_blocking(move || {
                    run(&mut AsyncMigrationHarness::new(c), || POSTGRES, count)
                })
                .await?
            }
        }
    }

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

    /// Compares the database's applied migrations with this binary's, changing nothing but
    /// (on a database that has none yet) diesel's bookkeeping table.
    pub async fn schema_state(&self) -> Result<SchemaState> {
        let conn = self.conn().await?;
        match conn {
            Conn::Sqlite(mut c) => c.spawn_blocking(|inner| Ok(state(inner, &SQLITE))).await?,
            Conn::Postgres(c) => {
                tokio::task::spawn_blocking(move || {
                    state(&mut AsyncMigrationHarness::new(c), &POSTGRES)
                })
                .await?
            }
        }
    }
}

fn state<B: Backend>(
    harness: &mut impl MigrationHarness<B>,
    source: &EmbeddedMigrations,
) -> Result<SchemaState> {
    let failed = |e: BoxError| Error::internal("reading the database's migrations", e);
    let known = known_migrations::<B>(source)?;
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

/// (version, full name) of every migration this binary carries, oldest first.
fn known_migrations<B: Backend>(source: &EmbeddedMigrations) -> Result<Vec<(String, String)>> {
    let mut known: Vec<(String, String)> = MigrationSource::<B>::migrations(source)
        .map_err(|e| Error::internal("reading the embedded migrations", e))?
        .iter()
        .map(|m| (m.name().version().to_string(), m.name().to_string()))
        .collect();
    known.sort();
    Ok(known)
}

/// The full name of migration `version`, or the bare version when this binary lacks it.
fn name_of(known: &[(String, String)], version: &str) -> String {
    known
        .iter()
        .find(|(v, _)| v == version)
        .map_or_else(|| version.to_owned(), |(_, name)| name.clone())
}

#[derive(diesel::QueryableByName)]
struct TableCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn run_pending<B: Backend>(
    harness: &mut impl MigrationHarness<B>,
    source: EmbeddedMigrations,
) -> Result<MigrationReport> {
    let failed = |e: BoxError| Error::internal("running database migrations", e);
    let known = known_migrations::<B>(&source)?;
    if let Some(newer) = state(harness, &source)?.unknown.into_iter().next() {
        return Err(Error::Config(format!(
            "the database schema has migration {newer}, which this kwartier does not know: \
             it was written by a newer version; run that version or restore a backup"
        )));
    }
    let done = harness.run_pending_migrations(source).map_err(failed)?;
    Ok(MigrationReport {
        applied: done
            .iter()
            .map(|v| name_of(&known, &v.to_string()))
            .collect(),
    })
}
