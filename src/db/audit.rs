//! The audit log's rows: appended, read newest first, never changed (the database refuses).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::audit_log;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub account_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub reason: Option<String>,
    /// A JSON object.
    pub detail: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow<'a> {
    pub at: NaiveDateTime,
    pub actor: &'a str,
    pub account_id: Option<i64>,
    pub action: &'a str,
    pub target: &'a str,
    pub reason: Option<&'a str>,
    pub detail: &'a str,
}

pub async fn append(conn: &mut Conn, row: &NewAuditRow<'_>) -> Result<()> {
    run!(conn, |c| diesel::insert_into(audit_log::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// Rows older than `before` (an id; `None` for the newest), newest first, at most `limit`.
pub async fn page(conn: &mut Conn, before: Option<i64>, limit: i64) -> Result<Vec<AuditRow>> {
    Ok(run!(conn, |c| {
        let mut query = audit_log::table
            .select(AuditRow::as_select())
            .order(audit_log::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(audit_log::id.lt(before));
        }
        query.load(c).await
    })?)
}

/// Rows after `after` (an id), oldest first, at most `limit`: for exporting in pages.
pub async fn since(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
    Ok(run!(conn, |c| audit_log::table
        .select(AuditRow::as_select())
        .filter(audit_log::id.gt(after))
        .order(audit_log::id.asc())
        .limit(limit)
        .load(c)
        .await)?)
}

/// Moderation entries, newest first, before `before`: reports resolved, accounts suspended or
/// let back, domains blocked or unblocked.
pub async fn moderation_page(
    conn: &mut Conn,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    Ok(run!(conn, |c| {
        let mut query = audit_log::table
            .select(AuditRow::as_select())
            .filter(
                audit_log::action
                    .like("report.%")
                    .or(audit_log::action.eq("account.suspend"))
                    .or(audit_log::action.eq("account.unsuspend"))
                    .or(audit_log::action.eq("domain.block"))
                    .or(audit_log::action.eq("domain.unblock")),
            )
            .order(audit_log::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(audit_log::id.lt(before));
        }
        query.load(c).await
    })?)
}
