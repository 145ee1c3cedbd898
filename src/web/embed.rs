//! Embeddable lists for other websites (a municipality's own site): the initiatives of one theme
//! or one neighbourhood, as a small page meant for an `<iframe>`. Unlike every other page these
//! may be framed by any site; links open on this node in the whole window.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::cards::{self, InitiativeCard};
use super::i18n::{Lang, Tr};
use super::{Page, Visitor};
use crate::db::{initiative, theme};
use crate::error::{Error, Result};
use crate::state::AppState;

/// The page's own policy: as strict as the rest, but any site may frame it.
const EMBED_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
    frame-ancestors *; base-uri 'none'; form-action 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/embed/themes/{slug}", get(theme_list))
        .route("/embed/neighbourhoods/{name}", get(neighbourhood_list))
}

#[derive(Deserialize)]
struct EmbedQuery {
    /// `nl` or `en`; the embedding site knows its page's language better than the browser.
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage {
    tr: Tr,
    heading: String,
    initiatives: Vec<InitiativeCard>,
    /// This node's address, for absolute links out of the frame.
    base: String,
    version: &'static str,
}

fn respond(page: EmbedPage) -> Response {
    let mut response = Page(page).into_response();
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(EMBED_CSP));
    response
}

fn language(visitor: &Visitor, query: &EmbedQuery) -> Tr {
    Tr::new(
        query
            .lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(visitor.lang),
    )
}

async fn theme_list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<EmbedQuery>,
    visitor: Visitor,
) -> Result<Response> {
    let tr = language(&visitor, &query);
    let mut conn = state.db.conn().await?;
    let found = theme::find_by_slug(&mut conn, &slug)
        .await?
        .ok_or_else(|| Error::NotFound(format!("theme {slug:?}")))?;
    let rows = initiative::list_local(&mut conn, Some(found.id), None, 100).await?;
    Ok(respond(EmbedPage {
        heading: tr.with("embed-theme", &[("theme", found.name.into())]),
        tr,
        initiatives: cards::initiatives(rows),
        base: state.urls.base().as_str().trim_end_matches('/').to_owned(),
        version: super::chrome::ASSET_VERSION,
    }))
}

async fn neighbourhood_list(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<EmbedQuery>,
    visitor: Visitor,
) -> Result<Response> {
    let tr = language(&visitor, &query);
    let mut conn = state.db.conn().await?;
    let rows = initiative::in_neighbourhood(&mut conn, &name).await?;
    let shown = rows
        .first()
        .and_then(|(_, details)| details.neighbourhood.clone())
        .unwrap_or(name);
    Ok(respond(EmbedPage {
        heading: tr.with("embed-neighbourhood", &[("neighbourhood", shown.into())]),
        tr,
        initiatives: cards::initiatives(rows),
        base: state.urls.base().as_str().trim_end_matches('/').to_owned(),
        version: super::chrome::ASSET_VERSION,
    }))
}
