//! Theme pages: every theme in use on this node, and everything here with one theme. Curated
//! themes show their name in the visitor's language.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;

use super::cards::{self, InitiativeCard, StoryCard, ThemeLink};
use super::{Chrome, Page, Visitor};
use crate::db::story::FeedScope;
use crate::db::{initiative, story, theme};
use crate::error::{Error, Result};
use crate::service::theme as themes;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/themes", get(index))
        .route("/themes/{slug}", get(show))
}

#[derive(Template)]
#[template(path = "themes.html")]
struct ThemesPage {
    c: Chrome,
    themes: Vec<ThemeLink>,
}

async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<ThemesPage>> {
    let mut conn = state.db.conn().await?;
    let lang = visitor.tr().lang;
    let themes = cards::theme_links(theme::in_use(&mut conn).await?)
        .into_iter()
        .map(|link| ThemeLink {
            name: themes::display_name(
                link.href.trim_start_matches("/themes/"),
                &link.name,
                lang.code(),
            ),
            ..link
        })
        .collect();
    drop(conn);
    Ok(Page(ThemesPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        themes,
    }))
}

#[derive(Template)]
#[template(path = "theme.html")]
struct ThemePage {
    c: Chrome,
    name: String,
    slug: String,
    initiatives: Vec<InitiativeCard>,
    stories: Vec<StoryCard>,
}

async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<ThemePage>> {
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let found = theme::find_by_slug(&mut conn, &slug)
        .await?
        .ok_or_else(|| Error::NotFound(format!("theme {slug:?}")))?;
    let initiatives =
        cards::initiatives(initiative::list_local(&mut conn, Some(found.id), None, 50).await?);
    let rows = story::public_local(&mut conn, FeedScope::Theme(found.id), 20).await?;
    let stories = cards::stories(&mut conn, &tr, rows).await?;
    drop(conn);
    Ok(Page(ThemePage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        name: themes::display_name(&found.slug, &found.name, tr.lang.code()),
        slug: found.slug,
        initiatives,
        stories,
    }))
}
