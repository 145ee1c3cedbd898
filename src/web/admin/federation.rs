//! `/admin/federation`: the federation policy for admins. The mode; domain blocks (severity,
//! public or private reason, date) and allows, each added and removed here; a Mastodon CSV
//! imported (all or nothing: a file with a bad line changes nothing and names the lines) and
//! exported. Every change goes through `service::federation_policy::actions`, which audits it.
//! Each action re-renders the page with what happened, or the mistake at the top.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::require_admin;
use crate::db::blocklist::Subscription;
use crate::db::domain_policy::{DomainRule, kind};
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::subscriptions::{self, Draft};
use crate::service::federation_policy::{self, Mode, Severity, actions, csv};
use crate::state::AppState;
use crate::web::form::{CsrfForm, CsrfMultipart, NoFields};
use crate::web::i18n::Tr;
use crate::web::{Chrome, Page, Visitor};

/// Largest CSV file the import form takes.
const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/federation", get(show))
        .route("/admin/federation/mode", post(set_mode))
        .route("/admin/federation/blocks", post(block))
        .route("/admin/federation/blocks/{domain}/delete", post(unblock))
        .route("/admin/federation/allows", post(allow))
        .route("/admin/federation/allows/{domain}/delete", post(disallow))
        .route(
            "/admin/federation/import",
            post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route("/admin/federation/export", get(export))
}

/// A block or allow as the page lists it.
pub struct RuleRow {
    pub domain: String,
    /// Blocks: `silence` or `suspend`.
    pub severity: String,
    pub public_reason: Option<String>,
    pub private_reason: Option<String>,
    pub date: String,
    pub created_by: String,
}

impl RuleRow {
    fn of(rule: &DomainRule) -> RuleRow {
        RuleRow {
            domain: rule.domain.clone(),
            severity: rule.severity.clone().unwrap_or_default(),
            public_reason: rule.public_comment.clone(),
            private_reason: rule.private_comment.clone(),
            date: rule.updated_at.format("%Y-%m-%d").to_string(),
            created_by: rule.created_by.clone(),
        }
    }
}

/// A shared blocklist this node subscribes to.
pub struct SubscriptionRow {
    pub url: String,
    pub created_by: String,
    /// When it was last fetched (`None`: not yet).
    pub fetched: Option<String>,
    pub entries: i64,
    pub error: Option<String>,
}

impl SubscriptionRow {
    fn of(sub: &Subscription) -> SubscriptionRow {
        SubscriptionRow {
            url: sub.url.clone(),
            created_by: sub.created_by.clone(),
            fetched: sub
                .fetched_at
                .map(|at| at.format("%Y-%m-%d %H:%M").to_string()),
            entries: sub.entry_count.unwrap_or(0),
            error: sub.fetch_error.clone(),
        }
    }
}

/// A draft from shared lists, waiting for an admin.
pub struct DraftRow {
    pub domain: String,
    /// The list dropped a block made because of it.
    pub removal: bool,
    pub severity: &'static str,
    pub comment: Option<String>,
    pub sources: String,
    pub since: String,
}

impl DraftRow {
    fn of(draft: Draft) -> DraftRow {
        DraftRow {
            domain: draft.domain,
            removal: draft.removal,
            severity: draft.severity.as_str(),
            comment: draft.comment,
            sources: draft.sources.join(", "),
            since: draft.since.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_federation.html")]
struct FederationPage {
    c: Chrome,
    mode: &'static str,
    modes: Vec<&'static str>,
    blocks: Vec<RuleRow>,
    allows: Vec<RuleRow>,
    subscriptions: Vec<SubscriptionRow>,
    drafts: Vec<DraftRow>,
    /// This node's own list, for others to subscribe to.
    own_list: String,
    /// What the last action did, to say at the top.
    done: Option<String>,
    /// What was wrong with the last action.
    mistake: Option<String>,
    /// The lines of an imported file that are wrong (`line 3: …`).
    bad_lines: Vec<String>,
}

/// What an action leads to: a notice, or a mistake (422) with the bad lines of an import.
pub(super) enum Outcome {
    Done(String),
    Mistake(String, Vec<(usize, String)>),
}

pub(super) async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    outcome: Option<Outcome>,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let mode = federation_policy::mode(&mut conn).await?;
    let rules = federation_policy::list(&mut conn).await?;
    let subscriptions = subscriptions::list(&mut conn)
        .await?
        .iter()
        .map(SubscriptionRow::of)
        .collect();
    let drafts = subscriptions::drafts(&mut conn)
        .await?
        .into_iter()
        .map(DraftRow::of)
        .collect();
    drop(conn);
    let (blocks, allows) = rules
        .iter()
        .partition::<Vec<_>, _>(|r| r.kind == kind::BLOCK);
    let (done, mistake, bad_lines) = match outcome {
        None => (None, None, Vec::new()),
        Some(Outcome::Done(text)) => (Some(text), None, Vec::new()),
        Some(Outcome::Mistake(text, lines)) => {
            let tr = visitor.tr();
            let lines = lines
                .into_iter()
                .map(|(line, why)| {
                    let at = tr.with(
                        "admin-federation-bad-line",
                        &[("line", (line as i64).into())],
                    );
                    format!("{at}: {why}")
                })
                .collect();
            (None, Some(text), lines)
        }
    };
    let status = if mistake.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FederationPage {
        c: Chrome::new(state, visitor, uri).await?,
        mode: mode.as_str(),
        modes: Mode::ALL.iter().map(|m| m.as_str()).collect(),
        blocks: blocks.into_iter().map(RuleRow::of).collect(),
        allows: allows.into_iter().map(RuleRow::of).collect(),
        subscriptions,
        drafts,
        own_list: format!(
            "{}/api/v1/instance/domain_blocks",
            state.urls.base().as_str().trim_end_matches('/')
        ),
        done,
        mistake,
        bad_lines,
    };
    Ok((status, Page(page)).into_response())
}

async fn show(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Response> {
    require_admin(&visitor)?;
    render(&state, &visitor, &uri, None).await
}

/// A rule broken in the service layer, said in the visitor's language; other errors pass.
fn mistake(err: Error, tr: &Tr) -> Result<Outcome> {
    let text = match &err {
        Error::Invalid { field, .. } => tr.t(&format!("admin-federation-invalid-{field}")),
        Error::NotFound(_) => tr.t("admin-federation-not-found"),
        Error::Conflict(_) => tr.t("admin-federation-conflict"),
        Error::Remote(message) => tr.with(
            "admin-federation-fetch-failed",
            &[("error", message.clone().into())],
        ),
        _ => return Err(err),
    };
    Ok(Outcome::Mistake(text, Vec::new()))
}

/// Turns the result of an action into the page to show.
pub(super) async fn finish(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    result: Result<String>,
) -> Result<Response> {
    let outcome = match result {
        Ok(done) => Outcome::Done(done),
        Err(err) => mistake(err, &visitor.tr())?,
    };
    render(state, visitor, uri, Some(outcome)).await
}

#[derive(Deserialize)]
struct ModeForm {
    #[serde(default)]
    mode: String,
}

async fn set_mode(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<ModeForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let result = async {
        let mode: Mode = form
            .fields
            .mode
            .parse()
            .map_err(|e| Error::invalid("mode", e))?;
        let mut conn = state.db.conn().await?;
        actions::set_mode(&mut conn, &who, mode).await?;
        let name = tr.t(&format!("admin-federation-mode-{}", mode.as_str()));
        Ok(tr.with("admin-federation-mode-set", &[("mode", name.into())]))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

#[derive(Deserialize)]
struct BlockForm {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    reason: Option<String>,
    /// Present when the reason may be shown publicly (and exported).
    #[serde(default)]
    public: Option<String>,
}

async fn block(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<BlockForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let fields = &form.fields;
    let result = async {
        let severity: Severity = fields
            .severity
            .parse()
            .map_err(|e| Error::invalid("severity", e))?;
        let reason = fields.reason.as_deref();
        let public = fields.public.is_some();
        let mut conn = state.db.conn().await?;
        let (rule, _) = actions::block(
            &mut conn,
            &who,
            actions::Block {
                domain: &fields.domain,
                severity,
                reason: if public { reason } else { None },
                private_reason: if public { None } else { reason },
            },
        )
        .await?;
        let how = tr.t(&format!("admin-federation-severity-{}", severity.as_str()));
        Ok(tr.with(
            "admin-federation-blocked",
            &[("domain", rule.domain.into()), ("severity", how.into())],
        ))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

async fn unblock(
    State(state): State<AppState>,
    Path(domain): Path<String>,
    uri: Uri,
    form: CsrfForm<NoFields>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let result = async {
        let mut conn = state.db.conn().await?;
        actions::unblock(&mut conn, &who, &domain).await?;
        Ok(tr.with("admin-federation-unblocked", &[("domain", domain.into())]))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

#[derive(Deserialize)]
struct AllowForm {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn allow(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<AllowForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let fields = &form.fields;
    let result = async {
        let mut conn = state.db.conn().await?;
        actions::allow(&mut conn, &who, &fields.domain, fields.reason.as_deref()).await?;
        let domain = federation_policy::normalize_domain(&fields.domain)?;
        Ok(tr.with("admin-federation-allowed", &[("domain", domain.into())]))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

async fn disallow(
    State(state): State<AppState>,
    Path(domain): Path<String>,
    uri: Uri,
    form: CsrfForm<NoFields>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let result = async {
        let mut conn = state.db.conn().await?;
        actions::disallow(&mut conn, &who, &domain).await?;
        Ok(tr.with("admin-federation-disallowed", &[("domain", domain.into())]))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

/// Applies an uploaded Mastodon CSV, all or nothing: any bad line and nothing changes.
async fn import(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfMultipart<NoFields>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let visitor = &form.visitor;
    let Some((_, bytes)) = form.files.iter().find(|(name, _)| name == "file") else {
        let outcome = Outcome::Mistake(tr.t("admin-federation-import-no-file"), Vec::new());
        return render(&state, visitor, &uri, Some(outcome)).await;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        let outcome = Outcome::Mistake(tr.t("admin-federation-import-not-text"), Vec::new());
        return render(&state, visitor, &uri, Some(outcome)).await;
    };
    let parsed = csv::parse(text);
    if !parsed.bad.is_empty() {
        let outcome = Outcome::Mistake(tr.t("admin-federation-import-bad"), parsed.bad);
        return render(&state, visitor, &uri, Some(outcome)).await;
    }
    let mut conn = state.db.conn().await?;
    let report = csv::import(&mut conn, &who, text).await?;
    drop(conn);
    let done = tr.with(
        "admin-federation-imported",
        &[
            ("added", (report.added.len() as i64).into()),
            ("updated", (report.updated.len() as i64).into()),
            ("skipped", (report.skipped.len() as i64).into()),
        ],
    );
    render(&state, visitor, &uri, Some(Outcome::Done(done))).await
}

/// The blocks as Mastodon CSV, as `kwartier admin domains export` writes them.
async fn export(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    require_admin(&visitor)?;
    let mut conn = state.db.conn().await?;
    let body = csv::export(&federation_policy::list(&mut conn).await?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"domain_blocks.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
