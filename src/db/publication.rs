//! This node's own published directory as a change feed: one row per entry it ever published,
//! with the position (`seq`) of its latest change. Peers read it in `seq` order from where they
//! left off; a withdrawn entry keeps its row without a body, so they learn it is gone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::directory_publication;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = directory_publication, primary_key(ap_id), treat_none_as_null = true,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Publication {
    pub ap_id: String,
    pub seq: i64,
    /// SHA-256 (hex) of the body, or of the id for a withdrawn entry.
    pub fingerprint: String,
    /// The published JSON, without its `seq`; `None` once withdrawn.
    pub body: Option<String>,
    pub changed_at: NaiveDateTime,
}

/// Every row, in feed order.
pub async fn all(conn: &mut Conn) -> Result<Vec<Publication>> {
    Ok(run!(conn, |c| directory_publication::table
        .order(directory_publication::seq)
        .select(Publication::as_select())
        .load(c)
        .await)?)
}

/// The position of the latest change (0 when nothing was ever published).
pub async fn latest_seq(conn: &mut Conn) -> Result<i64> {
    let max: Option<i64> = run!(conn, |c| directory_publication::table
        .select(diesel::dsl::max(directory_publication::seq))
        .first(c)
        .await)?;
    Ok(max.unwrap_or(0))
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(run!(conn, |c| directory_publication::table
        .count()
        .get_result(c)
        .await)?)
}

/// Writes a row (new, changed or withdrawn).
pub async fn put(conn: &mut Conn, row: &Publication) -> Result<()> {
    run!(conn, |c| diesel::insert_into(directory_publication::table)
        .values(row)
        .on_conflict(directory_publication::ap_id)
        .do_update()
        .set(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The rows changed after `after`, in feed order, at most `limit`.
pub async fn page(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Publication>> {
    Ok(run!(conn, |c| directory_publication::table
        .filter(directory_publication::seq.gt(after))
        .order(directory_publication::seq)
        .limit(limit)
        .select(Publication::as_select())
        .load(c)
        .await)?)
}
