//! Delivery health per peer (`host[:port]`): consecutive failures and the circuit breaker that
//! stops us hammering a server that is down while deliveries to healthy ones go on.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::peer;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = peer, primary_key(host), check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Peer {
    pub host: String,
    pub consecutive_failures: i32,
    /// No deliveries are attempted before this.
    pub circuit_open_until: Option<NaiveDateTime>,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

pub async fn get(conn: &mut Conn, host: &str) -> Result<Option<Peer>> {
    Ok(run!(conn, |c| peer::table
        .find(host)
        .select(Peer::as_select())
        .first(c)
        .await
        .optional())?)
}

pub async fn record_success(conn: &mut Conn, host: &str, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::insert_into(peer::table)
        .values((peer::host.eq(host), peer::last_success_at.eq(at)))
        .on_conflict(peer::host)
        .do_update()
        .set((
            peer::consecutive_failures.eq(0),
            peer::circuit_open_until.eq(None::<NaiveDateTime>),
            peer::last_success_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Counts a failure and returns the peer as it is now.
pub async fn record_failure(
    conn: &mut Conn,
    host: &str,
    error: &str,
    at: NaiveDateTime,
) -> Result<Peer> {
    Ok(run!(conn, |c| diesel::insert_into(peer::table)
        .values((
            peer::host.eq(host),
            peer::consecutive_failures.eq(1),
            peer::last_failure_at.eq(at),
            peer::last_error.eq(error),
        ))
        .on_conflict(peer::host)
        .do_update()
        .set((
            peer::consecutive_failures.eq(peer::consecutive_failures + 1),
            peer::last_failure_at.eq(at),
            peer::last_error.eq(error),
        ))
        .returning(Peer::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn open_circuit(conn: &mut Conn, host: &str, until: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(peer::table.find(host))
        .set(peer::circuit_open_until.eq(until))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn all(conn: &mut Conn) -> Result<Vec<Peer>> {
    Ok(run!(conn, |c| peer::table
        .order(peer::host)
        .select(Peer::as_select())
        .load(c)
        .await)?)
}

/// The peers among `hosts` that have a row (those never tried have none).
pub async fn find_all(conn: &mut Conn, hosts: &[String]) -> Result<Vec<Peer>> {
    Ok(run!(conn, |c| peer::table
        .filter(peer::host.eq_any(hosts))
        .order(peer::host)
        .select(Peer::as_select())
        .load(c)
        .await)?)
}
