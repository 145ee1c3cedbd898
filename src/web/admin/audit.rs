//! `/admin/audit`: the audit log, newest first, a page at a time, and its export as JSON lines.
//! There is no form to change it.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::require_admin;
use crate::db::audit::AuditRow;
use crate::error::Result;
use crate::service::audit;
use crate::state::AppState;
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(list))
        .route("/admin/audit/export", get(export))
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<i64>,
}

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditRow>,
    /// The link to older entries, when there are more.
    older: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Result<Page<AuditPage>> {
    require_admin(&visitor)?;
    let mut conn = state.db.conn().await?;
    let rows = audit::page(&mut conn, query.before, PER_PAGE).await?;
    drop(conn);
    let older = (rows.len() as i64 == PER_PAGE)
        .then(|| rows.last().map(|r| format!("/admin/audit?before={}", r.id)))
        .flatten();
    Ok(Page(AuditPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        rows,
        older,
    }))
}

/// The whole log as JSON lines, as `kwartier admin audit export` writes it.
async fn export(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    require_admin(&visitor)?;
    let mut conn = state.db.conn().await?;
    let mut body = Vec::new();
    audit::export(&mut conn, &mut body).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kwartier-audit.jsonl\"",
            ),
        ],
        body,
    )
        .into_response())
}
