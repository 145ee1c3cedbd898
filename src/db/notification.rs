//! Notifications for local people: a reply to what they wrote, a mention. Stored now; shown by
//! the web front.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::notification;
use crate::error::Result;
use crate::run;

pub mod kind {
    pub const MENTION: &str = "mention";
    pub const REPLY: &str = "reply";
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = notification, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Notification {
    pub id: i64,
    pub recipient_id: i64,
    pub kind: String,
    pub comment_id: i64,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// Notifies `recipient` once per comment and kind.
pub async fn add(
    conn: &mut Conn,
    recipient_id: i64,
    kind: &str,
    comment_id: i64,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::insert_into(notification::table)
        .values((
            notification::recipient_id.eq(recipient_id),
            notification::kind.eq(kind),
            notification::comment_id.eq(comment_id),
            notification::created_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}

/// A person's notifications, newest first.
pub async fn for_recipient(
    conn: &mut Conn,
    recipient_id: i64,
    limit: i64,
) -> Result<Vec<Notification>> {
    Ok(run!(conn, |c| notification::table
        .filter(notification::recipient_id.eq(recipient_id))
        .order(notification::id.desc())
        .limit(limit)
        .select(Notification::as_select())
        .load(c)
        .await)?)
}
