//! The audit log: every admin and moderator action on this node, with who, what, when and why.
//! Appending is the only write; the database refuses changes and deletions (see the
//! `administration` migration), and neither the API nor the web has a way to ask for one.
//! Nothing here federates.

use serde_json::Value;

use crate::db::audit::{self, AuditRow, NewAuditRow};
use crate::db::{Conn, now};
use crate::error::{Error, Result};
use crate::service::token::Authenticated;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A logged-in admin or moderator (web or API token).
    Account { id: i64, username: String },
    /// The command line, run by whoever can read the node's configuration.
    Cli,
}

impl Who {
    pub fn of(auth: &Authenticated) -> Who {
        Who::Account {
            id: auth.account.id,
            username: auth.person.username.clone(),
        }
    }

    /// The name the log shows: the username, or `cli`.
    pub fn name(&self) -> &str {
        match self {
            Who::Account { username, .. } => username,
            Who::Cli => "cli",
        }
    }

    fn account_id(&self) -> Option<i64> {
        match self {
            Who::Account { id, .. } => Some(*id),
            Who::Cli => None,
        }
    }
}

/// One action to record. `action` is dotted (`domain.block`), `target` names what it touched.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub action: &'a str,
    pub target: &'a str,
    /// Why; moderation actions require one (see [`require_reason`]).
    pub reason: Option<&'a str>,
    /// Further facts, a JSON object (`Value::Null` for none).
    pub detail: Value,
}

impl<'a> Action<'a> {
    pub fn new(action: &'a str, target: &'a str) -> Action<'a> {
        Action {
            action,
            target,
            reason: None,
            detail: Value::Null,
        }
    }

    pub fn because(mut self, reason: Option<&'a str>) -> Action<'a> {
        self.reason = reason.map(str::trim).filter(|r| !r.is_empty());
        self
    }

    pub fn with(mut self, detail: Value) -> Action<'a> {
        self.detail = detail;
        self
    }
}

/// Appends one action. Call it in the same transaction as the action where there is one, so
/// the log and what it records cannot disagree.
pub async fn record(conn: &mut Conn, who: &Who, action: Action<'_>) -> Result<()> {
    let detail = match action.detail {
        Value::Null => "{}".to_owned(),
        other => other.to_string(),
    };
    audit::append(
        conn,
        &NewAuditRow {
            at: now(),
            actor: who.name(),
            account_id: who.account_id(),
            action: action.action,
            target: action.target,
            reason: action.reason,
            detail: &detail,
        },
    )
    .await?;
    tracing::info!(
        actor = who.name(),
        action = action.action,
        target = action.target,
        "audit"
    );
    Ok(())
}

/// A note the person acting must give (moderation actions): trimmed, 1 to 1000 characters.
pub fn require_reason(reason: Option<&str>) -> Result<&str> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "say why: the note goes into the audit log",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(Error::invalid("reason", "at most 1000 characters"));
    }
    Ok(reason)
}

/// Most rows in one page of the log.
pub const PAGE: i64 = 100;

/// A page of the log, newest first, before the row with id `before`.
pub async fn page(conn: &mut Conn, before: Option<i64>, limit: i64) -> Result<Vec<AuditRow>> {
    audit::page(conn, before, limit.clamp(1, PAGE)).await
}

/// The whole log, oldest first, as JSON lines (one object per action), written to `out` page
/// by page so a long log never sits in memory whole.
pub async fn export(conn: &mut Conn, out: &mut impl std::io::Write) -> Result<usize> {
    let mut after = 0;
    let mut count = 0;
    loop {
        let rows = audit::since(conn, after, 1000).await?;
        let Some(last) = rows.last() else {
            return Ok(count);
        };
        after = last.id;
        for row in &rows {
            serde_json::to_writer(&mut *out, &json_of(row))
                .map_err(|e| Error::internal("writing the audit log", e))?;
            writeln!(out).map_err(|e| Error::internal("writing the audit log", e))?;
            count += 1;
        }
    }
}

/// One row as the API and the export show it: `detail` as an object, not a string.
pub fn json_of(row: &AuditRow) -> Value {
    serde_json::json!({
        "id": row.id,
        "at": row.at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "reason": row.reason,
        "detail": serde_json::from_str::<Value>(&row.detail).unwrap_or(Value::Null),
    })
}
