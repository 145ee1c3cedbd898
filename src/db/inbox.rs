//! What the inbox remembers: ids of activities already applied (so a repeat changes nothing),
//! and ids of remote objects that were deleted, perhaps before they ever arrived.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{received_activity, remote_tombstone};
use crate::error::Result;
use crate::run;

/// Records an activity id as applied. Returns `false` when it was already: call inside the
/// transaction that applies the activity, so a failed effect does not mark it seen.
pub async fn claim(conn: &mut Conn, activity_id: &url::Url, at: NaiveDateTime) -> Result<bool> {
    let inserted = run!(conn, |c| diesel::insert_into(received_activity::table)
        .values((
            received_activity::ap_id.eq(activity_id.as_str()),
            received_activity::received_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    Ok(inserted == 1)
}

/// Remembers that a remote object was deleted.
pub async fn bury(conn: &mut Conn, object_id: &url::Url, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::insert_into(remote_tombstone::table)
        .values((
            remote_tombstone::ap_id.eq(object_id.as_str()),
            remote_tombstone::deleted_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}

/// Whether a remote object was deleted.
pub async fn is_buried(conn: &mut Conn, object_id: &url::Url) -> Result<bool> {
    let found = run!(conn, |c| remote_tombstone::table
        .find(object_id.as_str())
        .select(remote_tombstone::ap_id)
        .first::<String>(c)
        .await
        .optional())?;
    Ok(found.is_some())
}
