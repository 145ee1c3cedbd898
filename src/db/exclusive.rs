//! Work that only one process at a time may do on a shared database: on PostgreSQL a session
//! advisory lock (`pg_advisory_lock`) on a connection of its own, held by an [`Exclusive`];
//! on SQLite nothing (a SQLite database belongs to one process).
//!
//! Several `kwartier serve` processes on one PostgreSQL database start at the same time and
//! run the same schedules: migrations and the node's own actor are made under
//! [`Lock::Startup`], and each scheduled round takes its lock with [`Db::try_exclusive`] and is
//! skipped when another process is running it.

use diesel::sql_types::{BigInt, Bool};
use diesel_async::RunQueryDsl;

use super::{Db, PgConn};
use crate::error::Result;

/// What is done by one process at a time. The numbers are the advisory lock keys: fixed,
/// since every process (and every version) must agree on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Migrations, node settings and the node's own actor at start.
    Startup,
    /// A directory sync round.
    DirectorySync,
    /// A round of fetching the subscribed shared blocklists.
    BlocklistFetch,
}

impl Lock {
    fn key(self) -> i64 {
        // "kwar" in the high bits, so keys of other applications on the same server differ.
        const BASE: i64 = 0x6b77_6172_0000;
        BASE + match self {
            Lock::Startup => 1,
            Lock::DirectorySync => 2,
            Lock::BlocklistFetch => 3,
        }
    }
}

/// Held while the work runs. Dropping it closes its connection, which releases the lock even
/// when the work failed; [`Exclusive::release`] releases it at once.
pub struct Exclusive {
    /// The connection that holds the lock (taken out of the pool), `None` on SQLite.
    held: Option<(PgConn, i64)>,
}

#[derive(diesel::QueryableByName)]
struct Taken {
    #[diesel(sql_type = Bool)]
    taken: bool,
}

impl Db {
    /// Waits until no other process holds `lock`, then holds it.
    pub async fn exclusive(&self, lock: Lock) -> Result<Exclusive> {
        let Some(mut conn) = self.own_connection().await? else {
            return Ok(Exclusive { held: None });
        };
        let key = lock.key();
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<BigInt, _>(key)
            .execute(&mut conn)
            .await?;
        Ok(Exclusive {
            held: Some((conn, key)),
        })
    }

    /// Holds `lock` if no other process does; `None` when one does.
    pub async fn try_exclusive(&self, lock: Lock) -> Result<Option<Exclusive>> {
        let Some(mut conn) = self.own_connection().await? else {
            return Ok(Some(Exclusive { held: None }));
        };
        let key = lock.key();
        let Taken { taken } = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS taken")
            .bind::<BigInt, _>(key)
            .get_result(&mut conn)
            .await?;
        Ok(taken.then_some(Exclusive {
            held: Some((conn, key)),
        }))
    }

    /// A PostgreSQL connection out of the pool for good: it does not count against the pool's
    /// size while a lock is held, and closing it releases the lock.
    async fn own_connection(&self) -> Result<Option<PgConn>> {
        match self {
            Db::Sqlite(..) => Ok(None),
            Db::Postgres(pool) => {
                let pooled = pool.get().await?;
                Ok(Some(deadpool::managed::Object::take(pooled)))
            }
        }
    }
}

impl Exclusive {
    /// Releases the lock now; other processes waiting for it go ahead.
    pub async fn release(mut self) {
        if let Some((mut conn, key)) = self.held.take() {
            let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<BigInt, _>(key)
                .execute(&mut conn)
                .await;
            if let Err(err) = unlocked {
                // Closing the connection (below) releases it all the same.
                tracing::warn!(error = %err, "could not release an advisory lock");
            }
        }
    }
}
