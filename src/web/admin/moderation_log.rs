//! `/admin/moderation-log`: the moderation actions from the audit log (reports resolved,
//! accounts suspended, domains blocked), newest first, with who, what, when and why. For
//! staff; read-only like the audit log itself.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::routing::get;
use serde::Deserialize;

use super::require_staff;
use crate::db::audit::{self, AuditRow};
use crate::error::Result;
use crate::state::AppState;
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/moderation-log", get(list))
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<i64>,
}

const PER_PAGE: i64 = 50;

/// One entry as the page shows it.
struct Entry {
    row: AuditRow,
    /// The report's action (`hide`, `warn`, …) and the object, for `report.resolve`.
    action: Option<String>,
    object: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_moderation_log.html")]
struct LogPage {
    c: Chrome,
    entries: Vec<Entry>,
    older: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Result<Page<LogPage>> {
    require_staff(&visitor)?;
    let mut conn = state.db.conn().await?;
    let rows = audit::moderation_page(&mut conn, query.before, PER_PAGE).await?;
    drop(conn);
    let older = (rows.len() as i64 == PER_PAGE)
        .then(|| {
            rows.last()
                .map(|r| format!("/admin/moderation-log?before={}", r.id))
        })
        .flatten();
    let entries = rows
        .into_iter()
        .map(|row| {
            let detail: serde_json::Value =
                serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null);
            let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            Entry {
                action: text("action"),
                object: text("object"),
                row,
            }
        })
        .collect();
    Ok(Page(LogPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        entries,
        older,
    }))
}
