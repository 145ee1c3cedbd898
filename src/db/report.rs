//! Reports (the moderation queue): from local people and from remote `Flag`s, one row per
//! reported object, open until staff resolve it with an action and a note. Also the remote
//! actors a moderator suspended. The rules live in `service::report`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{actor_suspension, report};
use crate::error::Result;
use crate::run;

/// `target_kind` values.
pub mod target {
    pub const STORY: &str = "story";
    pub const COMMENT: &str = "comment";
    pub const GROUP_POST: &str = "group_post";
    pub const INITIATIVE: &str = "initiative";
    pub const GROUP: &str = "group";
    pub const PERSON: &str = "person";
}

/// `status` values.
pub mod status {
    pub const OPEN: &str = "open";
    pub const RESOLVED: &str = "resolved";
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = report, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Report {
    pub id: i64,
    /// The `Flag`'s id (received, or sent when forwarded).
    pub ap_id: Option<String>,
    /// The local person who reported, or the remote actor that sent the `Flag`.
    pub reporter_id: Option<i64>,
    /// The reporting server (`host[:port]`) of a remote report.
    pub origin: Option<String>,
    /// See [`target`].
    pub target_kind: String,
    pub target_id: i64,
    pub target_url: String,
    pub target_author_id: Option<i64>,
    pub reason: String,
    pub forward: bool,
    pub forwarded_at: Option<NaiveDateTime>,
    /// See [`status`].
    pub status: String,
    pub action: Option<String>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Report {
    pub fn is_open(&self) -> bool {
        self.status == status::OPEN
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = report)]
pub struct NewReport<'a> {
    pub ap_id: Option<&'a str>,
    pub reporter_id: Option<i64>,
    pub origin: Option<&'a str>,
    pub target_kind: &'a str,
    pub target_id: i64,
    pub target_url: &'a str,
    pub target_author_id: Option<i64>,
    pub reason: &'a str,
    pub forward: bool,
    pub created_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, new: &NewReport<'_>) -> Result<Report> {
    Ok(run!(conn, |c| diesel::insert_into(report::table)
        .values(new)
        .returning(Report::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Report> {
    Ok(run!(conn, |c| report::table
        .find(id)
        .select(Report::as_select())
        .first(c)
        .await)?)
}

/// Reports with this status, newest first, at most `limit`.
pub async fn with_status(conn: &mut Conn, wanted: &str, limit: i64) -> Result<Vec<Report>> {
    Ok(run!(conn, |c| report::table
        .filter(report::status.eq(wanted))
        .order(report::id.desc())
        .limit(limit)
        .select(Report::as_select())
        .load(c)
        .await)?)
}

/// Every report, newest first, at most `limit`.
pub async fn all(conn: &mut Conn, limit: i64) -> Result<Vec<Report>> {
    Ok(run!(conn, |c| report::table
        .order(report::id.desc())
        .limit(limit)
        .select(Report::as_select())
        .load(c)
        .await)?)
}

/// Resolved reports whose action was `action` against `author_id`, newest first (warnings).
pub async fn resolved_against(
    conn: &mut Conn,
    author_id: i64,
    action: &str,
    limit: i64,
) -> Result<Vec<Report>> {
    Ok(run!(conn, |c| report::table
        .filter(report::target_author_id.eq(author_id))
        .filter(report::action.eq(action))
        .order(report::id.desc())
        .limit(limit)
        .select(Report::as_select())
        .load(c)
        .await)?)
}

/// Resolves an open report; `false` if it was not open (someone else was quicker).
pub async fn resolve(
    conn: &mut Conn,
    id: i64,
    action: &str,
    note: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool> {
    let changed = run!(conn, |c| diesel::update(
        report::table
            .find(id)
            .filter(report::status.eq(status::OPEN))
    )
    .set((
        report::status.eq(status::RESOLVED),
        report::action.eq(action),
        report::resolution_note.eq(note),
        report::resolved_by.eq(by),
        report::resolved_at.eq(at),
    ))
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Notes that the report went to the origin server as the `Flag` with id `ap_id`.
pub async fn set_forwarded(conn: &mut Conn, id: i64, ap_id: &str, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(report::table.find(id))
        .set((report::ap_id.eq(ap_id), report::forwarded_at.eq(at)))
        .execute(c)
        .await)?;
    Ok(())
}

/// Whether a report with this `Flag` id is stored already.
pub async fn exists_ap_id(conn: &mut Conn, ap_id: &str) -> Result<bool> {
    let found: i64 = run!(conn, |c| report::table
        .filter(report::ap_id.eq(ap_id))
        .count()
        .get_result(c)
        .await)?;
    Ok(found > 0)
}

/// Suspends a remote actor: its activities are refused from now on. `false` if it was already.
pub async fn suspend_actor(
    conn: &mut Conn,
    actor_id: i64,
    reason: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool> {
    let inserted = run!(conn, |c| diesel::insert_into(actor_suspension::table)
        .values((
            actor_suspension::actor_id.eq(actor_id),
            actor_suspension::reason.eq(reason),
            actor_suspension::suspended_by.eq(by),
            actor_suspension::suspended_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    Ok(inserted == 1)
}

/// Whether a moderator suspended this (remote) actor.
pub async fn actor_suspended(conn: &mut Conn, actor_id: i64) -> Result<bool> {
    let found: i64 = run!(conn, |c| actor_suspension::table
        .filter(actor_suspension::actor_id.eq(actor_id))
        .count()
        .get_result(c)
        .await)?;
    Ok(found > 0)
}
