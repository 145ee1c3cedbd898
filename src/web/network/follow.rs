//! Following what network search found: from here for people logged in on this node (the
//! follow service sends a `Follow` to the hosting node), or by remote follow (off to the
//! visitor's own server). Only entries in the directory index can be followed this way.

use activitypub_federation::config::Data;
use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use url::Url;

use super::super::form::CsrfForm;
use super::super::i18n::is_local_path;
use super::{FollowError, SearchForm, render};
use crate::db::directory;
use crate::error::{Error, Result};
use crate::federation::interaction;
use crate::service::follow as following;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/netwerk/follow", post(follow_here))
        .route("/netwerk/remote-follow", post(remote_follow))
}

#[derive(Deserialize)]
struct FollowForm {
    /// The entry's ActivityPub id.
    id: String,
    /// The search page to come back to.
    #[serde(default)]
    back: String,
    #[serde(default)]
    account: String,
}

impl FollowForm {
    fn back(&self) -> &str {
        if is_local_path(&self.back) && self.back.starts_with("/netwerk") {
            &self.back
        } else {
            "/netwerk"
        }
    }
}

/// The entry's id, if the index has it.
async fn indexed(state: &AppState, ap_id: &str) -> Result<Url> {
    let mut conn = state.db.conn().await?;
    let entry = directory::get(&mut conn, ap_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("directory entry {ap_id:?}")))?;
    Url::parse(&entry.ap_id).map_err(|e| Error::internal("indexed id", e))
}

async fn follow_here(data: Data<AppState>, form: CsrfForm<FollowForm>) -> Result<Redirect> {
    let session = form.visitor.require()?;
    let id = indexed(&data, &form.fields.id).await?;
    let target = following::resolve(&data, id.as_str()).await?;
    let mut conn = data.db.conn().await?;
    following::follow(&data, &mut conn, &session.auth.person, &target).await?;
    Ok(Redirect::to(form.fields.back()))
}

/// Sends the visitor to their own server; a wrong account shows at the entry's card.
async fn remote_follow(data: Data<AppState>, form: CsrfForm<FollowForm>) -> Result<Response> {
    let id = indexed(&data, &form.fields.id).await?;
    let account = form.fields.account.trim().to_owned();
    match interaction::authorize_url(&data, &account, &id).await {
        Ok(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Err(Error::Invalid { .. }) => {
            let back = form.fields.back();
            let uri: Uri = back
                .parse()
                .unwrap_or_else(|_| Uri::from_static("/netwerk"));
            let search: SearchForm = uri
                .query()
                .and_then(|q| serde_urlencoded::from_str(q).ok())
                .unwrap_or_default();
            let error = FollowError {
                ap_id: id.to_string(),
                account,
                message: form.visitor.tr().t("invalid-account"),
            };
            let map_view = uri.path() == "/netwerk/kaart";
            render(&data, &form.visitor, &uri, search, map_view, Some(error)).await
        }
        Err(other) => Err(other),
    }
}
