//! The shared-blocklist part of `/admin/federation`: subscribing to a list by URL, ending a
//! subscription, fetching the lists now, and approving or rejecting the drafts they made.
//! The service audits each change; the page is re-rendered with what happened.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

use super::federation::finish;
use super::require_admin;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::subscriptions::{self, Decided};
use crate::state::AppState;
use crate::web::form::{CsrfForm, NoFields};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/federation/subscriptions", post(subscribe))
        .route("/admin/federation/subscriptions/delete", post(unsubscribe))
        .route("/admin/federation/subscriptions/fetch", post(fetch))
        .route("/admin/federation/drafts/{domain}/{decision}", post(decide))
}

#[derive(Deserialize)]
struct UrlForm {
    #[serde(default)]
    url: String,
}

async fn subscribe(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<UrlForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let result = subscriptions::subscribe(&state, &who, &form.fields.url)
        .await
        .map(|sub| tr.with("admin-federation-subscribed", &[("url", sub.url.into())]));
    finish(&state, &form.visitor, &uri, result).await
}

async fn unsubscribe(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<UrlForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let result = async {
        let mut conn = state.db.conn().await?;
        subscriptions::unsubscribe(&mut conn, &who, &form.fields.url).await?;
        Ok(tr.with(
            "admin-federation-unsubscribed",
            &[("url", form.fields.url.clone().into())],
        ))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

async fn fetch(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<NoFields>,
) -> Result<Response> {
    require_admin(&form.visitor)?;
    let tr = form.visitor.tr();
    let result = async {
        let (mut drafts, mut failed) = (0, Vec::new());
        for (url, outcome) in subscriptions::fetch_all(&state).await? {
            match outcome {
                Ok(report) => drafts += report.new_drafts.len() + report.removal_drafts.len(),
                Err(_) => failed.push(url),
            }
        }
        if !failed.is_empty() {
            return Err(Error::Remote(failed.join(", ")));
        }
        Ok(tr.with(
            "admin-federation-fetched",
            &[("drafts", (drafts as i64).into())],
        ))
    }
    .await;
    finish(&state, &form.visitor, &uri, result).await
}

async fn decide(
    State(state): State<AppState>,
    Path((domain, decision)): Path<(String, String)>,
    uri: Uri,
    form: CsrfForm<NoFields>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let mut conn = state.db.conn().await?;
    let outcome = match decision.as_str() {
        "approve" => subscriptions::approve(&mut conn, &who, &domain).await,
        "reject" => subscriptions::reject(&mut conn, &who, &domain).await,
        _ => return Err(Error::NotFound("page".into())),
    };
    drop(conn);
    let result = outcome.map(|decided| {
        let id = match decided {
            Decided::Blocked(_) => "admin-federation-draft-blocked",
            Decided::Lifted => "admin-federation-draft-lifted",
            Decided::Rejected => "admin-federation-draft-rejected",
        };
        tr.with(id, &[("domain", domain.clone().into())])
    });
    finish(&state, &form.visitor, &uri, result).await
}
