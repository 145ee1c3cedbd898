//! `/admin/reports`: the report queue for staff (admins and moderators): open reports (local
//! ones and remote `Flag`s), and resolved ones; `/admin/reports/{id}` shows one with the
//! reported content and the actions, each needing a note. The rules live in
//! `service::report_actions`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::require_staff;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::report::{self, Content, ReportView};
use crate::service::report_actions::{self, ReportAction, Staff};
use crate::state::AppState;
use crate::web::form::CsrfForm;
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/reports", get(list))
        .route("/admin/reports/{id}", get(show))
        .route("/admin/reports/{id}/resolve", post(resolve))
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct ReportsPage {
    c: Chrome,
    open: Vec<ReportView>,
    resolved: Vec<ReportView>,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<ReportsPage>> {
    require_staff(&visitor)?;
    let mut conn = state.db.conn().await?;
    let found = report::list(&mut conn, true).await?;
    let (open, resolved): (Vec<_>, Vec<_>) = report::views(&mut conn, &found)
        .await?
        .into_iter()
        .partition(|r| r.status == "open");
    drop(conn);
    Ok(Page(ReportsPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        open,
        resolved,
    }))
}

#[derive(Template)]
#[template(path = "admin_report.html")]
struct ReportPage {
    c: Chrome,
    report: ReportView,
    content: Content,
    /// The actions, as `(value, message id)`.
    actions: Vec<(&'static str, String)>,
    note: String,
    chosen: String,
    done: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    id: i64,
    form: (String, String),
    done: Option<String>,
    error: Option<String>,
) -> Result<Page<ReportPage>> {
    let mut conn = state.db.conn().await?;
    let found = report::get(&mut conn, id).await?;
    let content = report::content_of(&mut conn, &found.target_kind, found.target_id)
        .await
        .unwrap_or_default();
    let view = report::view(&mut conn, &found).await?;
    drop(conn);
    let actions = ReportAction::ALL
        .iter()
        .map(|a| (a.as_str(), format!("admin-report-action-{}", a.as_str())))
        .collect();
    Ok(Page(ReportPage {
        c: Chrome::new(state, visitor, uri).await?,
        report: view,
        content,
        actions,
        chosen: form.0,
        note: form.1,
        done,
        error,
    }))
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Page<ReportPage>> {
    require_staff(&visitor)?;
    render(&state, &visitor, &uri, id, Default::default(), None, None).await
}

#[derive(Deserialize)]
struct ResolveForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    form: CsrfForm<ResolveForm>,
) -> Result<Response> {
    let session = require_staff(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let fields = &form.fields;
    let outcome = match fields.action.parse::<ReportAction>() {
        Ok(action) => {
            let staff = Staff {
                who: &who,
                person: Some(&session.auth.person),
                admin: session.auth.account.admin,
            };
            let mut conn = state.db.conn().await?;
            report_actions::resolve(&state, &mut conn, &staff, id, action, Some(&fields.note))
                .await
                .map(|_| {
                    tr.with(
                        "admin-report-resolved",
                        &[(
                            "action",
                            tr.t(&format!("admin-report-action-{}", action.as_str()))
                                .into(),
                        )],
                    )
                })
        }
        Err(message) => Err(Error::invalid("action", message)),
    };
    let visitor = &form.visitor;
    let kept = (fields.action.clone(), fields.note.clone());
    match outcome {
        Ok(done) => Ok(render(
            &state,
            visitor,
            &uri,
            id,
            Default::default(),
            Some(done),
            None,
        )
        .await?
        .into_response()),
        Err(err @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            let message = match err {
                Error::Invalid {
                    field: "reason", ..
                } => tr.t("admin-report-note-required"),
                Error::Invalid { message, .. } | Error::Conflict(message) => message,
                other => other.to_string(),
            };
            let page = render(&state, visitor, &uri, id, kept, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}
