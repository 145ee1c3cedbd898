//! Storage on SQLite or PostgreSQL, chosen at runtime from the database URL.
//!
//! Both backends go through diesel-async: PostgreSQL with `AsyncPgConnection` (pure Rust, no
//! libpq), SQLite with diesel's own connection inside `SyncConnectionWrapper` (blocking work on
//! tokio's blocking pool). [`Db`] is a pool of either; [`Conn`] is one pooled connection of either.
//! Queries are written once and compiled for both backends by [`run!`](crate::run):
//!
//! ```text
//! run!(conn, |c| person::table.find(id).first::<Person>(c).await)
//! ```
//!
//! Upserts, `RETURNING` and batch inserts work on both (SQLite ≥ 3.35 is bundled).
//! SQLite connections run in WAL mode with foreign keys on and a busy timeout; write
//! transactions start with `BEGIN IMMEDIATE` so concurrent writers wait instead of failing.

pub mod actor;
pub mod api_token;
pub mod appreciation;
pub mod audit;
pub mod blocklist;
pub mod comment;
pub mod copy;
pub mod delivery;
pub mod directory;
pub mod directory_search;
pub mod discoverable;
pub mod domain_policy;
pub mod exclusive;
pub mod follow;
pub mod group_post;
pub mod inbox;
pub mod initiative;
pub mod invite;
pub mod known_node;
pub mod local_account;
pub mod media;
mod migrate;
pub mod node_settings;
pub mod notification;
pub mod peer;
pub mod personal_data;
pub mod publication;
pub mod report;
#[rustfmt::skip]
pub mod schema;
pub mod story;
pub mod theme;
pub mod theme_group;
pub mod types;
mod url;
pub mod web_session;

use std::sync::Arc;
use std::time::Duration;

use chrono::Timelike as _;
use diesel::SqliteConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager as _};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection, TransactionManager};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
pub use scoped_futures::{ScopedBoxFuture, ScopedFutureExt};
use tokio::sync::Mutex;

use crate::error::{Error, Result};
pub use migrate::{MigrationReport, SchemaState, SchemaVersion};
pub use url::DatabaseUrl;

pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
pub type PgConn = AsyncPgConnection;

/// How long a request waits for a free connection, or for a new one to be made, before the
/// database counts as unavailable.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// Set on every SQLite connection: write-ahead log (readers never block the writer), foreign
/// keys enforced, and five seconds of waiting for another writer before giving up.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

/// A connection pool on one of the two backends. Cheap to clone.
#[derive(Clone)]
pub enum Db {
    /// With the lock that lets one write transaction at a time in (see [`SqliteHandle`]).
    Sqlite(Pool<SqliteConn>, Arc<Mutex<()>>),
    Postgres(Pool<PgConn>),
}

/// One pooled connection. Pass `&mut Conn` to the query functions in this module's children.
#[allow(
    clippy::large_enum_variant,
    reason = "held briefly per request or task; boxing would only add an allocation"
)]
pub enum Conn {
    Sqlite(SqliteHandle),
    Postgres(Object<PgConn>),
}

/// A pooled SQLite connection and the node's writer lock. SQLite has one writer at a time;
/// write transactions queue for this lock in order instead of retrying against SQLite's busy
/// handler (which sleeps in growing steps). Other processes on the same file still get the
/// busy timeout.
pub struct SqliteHandle {
    object: Object<SqliteConn>,
    writer: Arc<Mutex<()>>,
    /// Transactions open on this connection (more than one: savepoints).
    depth: u32,
}

impl std::ops::Deref for SqliteHandle {
    type Target = Object<SqliteConn>;

    fn deref(&self) -> &Self::Target {
        &self.object
    }
}

impl std::ops::DerefMut for SqliteHandle {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.object
    }
}

/// Runs one diesel-async expression on whichever backend `conn` (a `&mut Conn`) belongs to.
/// The expression is compiled once per backend, so a query that one backend cannot run is a
/// compile error, not a runtime surprise.
#[macro_export]
macro_rules! run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => {
                let $c: &mut $crate::db::SqliteConn = &mut *$c;
                $body
            }
            $crate::db::Conn::Postgres($c) => {
                let $c: &mut $crate::db::PgConn = &mut *$c;
                $body
            }
        }
    };
}

impl Db {
    /// Opens a pool and makes one connection, so an unreachable database is reported at once.
    /// For SQLite the file (and its directory) is created if missing.
    pub async fn connect(url: &DatabaseUrl, max_size: usize) -> Result<Db> {
        let unavailable = |e: &dyn std::fmt::Display| {
            Error::Unavailable(format!("cannot open database {url}: {e}"))
        };
        let db = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Error::Unavailable(format!(
                            "cannot create the data directory {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let mut config = ManagerConfig::default();
                config.custom_setup = Box::new(establish_sqlite);
                let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
                    path.to_string_lossy(),
                    config,
                );
                Db::Sqlite(
                    build_pool(manager, max_size).map_err(|e| unavailable(&e))?,
                    Arc::default(),
                )
            }
            DatabaseUrl::Postgres(raw) => {
                let mut config = ManagerConfig::default();
                config.custom_setup = Box::new(establish_postgres);
                let manager =
                    AsyncDieselConnectionManager::<PgConn>::new_with_config(raw.as_str(), config);
                Db::Postgres(build_pool(manager, max_size).map_err(|e| unavailable(&e))?)
            }
        };
        if let Err(err) = db.try_conn().await {
            let cause = match err {
                deadpool::managed::PoolError::Backend(cause) => cause.to_string(),
                other => other.to_string(),
            };
            return Err(unavailable(&cause));
        }
        Ok(db)
    }

    /// Takes a connection from the pool; waits at most a few seconds.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(self.try_conn().await?)
    }

    async fn try_conn(
        &self,
    ) -> std::result::Result<Conn, diesel_async::pooled_connection::deadpool::PoolError> {
        Ok(match self {
            Db::Sqlite(pool, writer) => Conn::Sqlite(SqliteHandle {
                object: pool.get().await?,
                writer: Arc::clone(writer),
                depth: 0,
            }),
            Db::Postgres(pool) => Conn::Postgres(pool.get().await?),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(_) => "postgresql",
        }
    }

    /// The pool right now: its most and current connections, how many are idle, and how many
    /// callers wait for one.
    pub fn pool_status(&self) -> deadpool::Status {
        match self {
            Db::Sqlite(pool, _) => pool.status(),
            Db::Postgres(pool) => pool.status(),
        }
    }

    /// Runs a trivial query: is the database reachable right now?
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        conn.batch_execute("SELECT 1").await
    }

    /// Closes every connection; later calls to [`Db::conn`] fail.
    pub fn close(&self) {
        match self {
            Db::Sqlite(pool, _) => pool.close(),
            Db::Postgres(pool) => pool.close(),
        }
    }
}

fn build_pool<C>(
    manager: AsyncDieselConnectionManager<C>,
    max_size: usize,
) -> std::result::Result<Pool<C>, deadpool::managed::BuildError>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    for<'a> diesel::dsl::select<diesel::dsl::AsExprOf<i32, diesel::sql_types::Integer>>:
        diesel_async::methods::LoadQuery<'a, C, i32>,
    diesel::query_builder::SqlQuery: diesel::query_builder::QueryFragment<C::Backend>,
{
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
}

/// Opens one SQLite connection with the settings every connection must have.
fn establish_sqlite(path: &str) -> BoxFuture<'_, diesel::ConnectionResult<SqliteConn>> {
    async move {
        let mut conn = SqliteConn::establish(path).await?;
        conn.batch_execute(SQLITE_PRAGMAS)
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        Ok(conn)
    }
    .boxed()
}

/// Opens one PostgreSQL connection. Made here rather than by diesel-async so that the error
/// keeps its cause ("connection refused", "password authentication failed"), and so that TLS
/// can be added in one place.
fn establish_postgres(url: &str) -> BoxFuture<'_, diesel::ConnectionResult<PgConn>> {
    async move {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(crate::error::chain(&e)))?;
        PgConn::try_from_client_and_connection(client, connection).await
    }
    .boxed()
}

impl Conn {
    /// Runs `body` in a transaction: committed when it returns `Ok`, rolled back on `Err`.
    /// Nested calls become savepoints.
    ///
    /// ```text
    /// conn.transaction(|conn| async move { person::insert(conn, &new).await }.scope_boxed()).await
    /// ```
    pub async fn transaction<'a, R, F>(&mut self, body: F) -> Result<R>
    where
        F: for<'r> FnOnce(&'r mut Conn) -> ScopedBoxFuture<'a, 'r, Result<R>> + Send + 'a,
        R: Send + 'a,
    {
        // SQLite: one write transaction at a time (nested ones already hold the lock).
        let _writer = match self {
            Conn::Sqlite(handle) if handle.depth == 0 => {
                Some(Arc::clone(&handle.writer).lock_owned().await)
            }
            _ => None,
        };
        self.begin().await?;
        self.nest(1);
        let outcome = match body(self).await {
            Ok(value) => match self.commit().await {
                Ok(()) => Ok(value),
                Err(err) => {
                    self.rollback_quietly().await;
                    Err(err)
                }
            },
            Err(err) => {
                self.rollback_quietly().await;
                Err(err)
            }
        };
        self.nest(-1);
        outcome
    }

    /// Counts how deep in transactions a SQLite connection is, so nested ones (savepoints)
    /// do not wait for the writer lock their outer one holds.
    fn nest(&mut self, by: i32) {
        if let Conn::Sqlite(handle) = self {
            handle.depth = handle.depth.saturating_add_signed(by);
        }
    }

    async fn begin(&mut self) -> Result<()> {
        match self {
            // A plain BEGIN would let two writers both read, then fail when the second writes;
            // BEGIN IMMEDIATE takes the write lock up front and waits for it (busy_timeout).
            Conn::Sqlite(c) => {
                c.spawn_blocking(|inner| {
                    let depth = AnsiTransactionManager::transaction_manager_status_mut(inner)
                        .transaction_depth()?;
                    if depth.is_none() {
                        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
                    } else {
                        AnsiTransactionManager::begin_transaction(inner)
                    }
                })
                .await?
            }
            Conn::Postgres(c) => {
                <PgConn as AsyncConnection>::TransactionManager::begin_transaction(&mut **c).await?
            }
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => {
                <SqliteConn as AsyncConnection>::TransactionManager::commit_transaction(&mut **c)
                    .await?
            }
            Conn::Postgres(c) => {
                <PgConn as AsyncConnection>::TransactionManager::commit_transaction(&mut **c)
                    .await?
            }
        }
        Ok(())
    }

    async fn rollback_quietly(&mut self) {
        let result = match self {
            Conn::Sqlite(c) => {
                <SqliteConn as AsyncConnection>::TransactionManager::rollback_transaction(&mut **c)
                    .await
            }
            Conn::Postgres(c) => {
                <PgConn as AsyncConnection>::TransactionManager::rollback_transaction(&mut **c)
                    .await
            }
        };
        if let Err(err) = result {
            // The pool drops a connection whose transaction state is broken.
            tracing::warn!(error = %err, "rollback failed");
        }
    }

    /// Runs raw SQL statements (no results). For PRAGMAs, `SELECT 1` and test setup.
    pub async fn batch_execute(&mut self, sql: &str) -> Result<()> {
        run!(self, |c| c.batch_execute(sql).await)?;
        Ok(())
    }
}

/// The current time as stored in the database: UTC, microsecond precision on both backends.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    // PostgreSQL keeps microseconds; drop the rest so a value reads back exactly as written.
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

#[cfg(test)]
mod tests;
