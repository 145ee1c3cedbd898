//! Search on this node: initiatives and stories by text, optionally within one theme.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::routing::get;
use serde::Deserialize;

use super::cards::{self, InitiativeCard, StoryCard, ThemeLink};
use super::{Chrome, Page, Visitor};
use crate::db::story::FeedScope;
use crate::db::{initiative, story, theme};
use crate::error::Result;
use crate::state::AppState;

/// Longer queries are cut to this many characters.
const MAX_QUERY: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    theme: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    theme: String,
    themes: Vec<ThemeLink>,
    /// Whether anything was asked (else the page shows only the form).
    searched: bool,
    initiatives: Vec<InitiativeCard>,
    stories: Vec<StoryCard>,
}

impl SearchPage {
    fn theme_slug(link: &ThemeLink) -> &str {
        link.href.trim_start_matches("/themes/")
    }

    fn is_selected(&self, link: &ThemeLink) -> bool {
        Self::theme_slug(link) == self.theme
    }
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<SearchPage>> {
    let tr = visitor.tr();
    let q: String = query.q.trim().chars().take(MAX_QUERY).collect();
    let mut conn = state.db.conn().await?;
    let themes = theme::in_use(&mut conn).await?;
    let chosen = themes.iter().find(|t| t.slug == query.theme).map(|t| t.id);
    let searched = !q.is_empty() || chosen.is_some();
    let text = Some(q.as_str()).filter(|q| !q.is_empty());
    let (initiatives, stories) = if searched {
        let initiatives =
            cards::initiatives(initiative::list_local(&mut conn, chosen, text, 50).await?);
        let rows = match (chosen, text) {
            (Some(theme_id), None) => {
                story::public_local(&mut conn, FeedScope::Theme(theme_id), 50).await?
            }
            (_, Some(text)) => story::search_public_local(&mut conn, text, 50).await?,
            (None, None) => Vec::new(),
        };
        (initiatives, cards::stories(&mut conn, &tr, rows).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    drop(conn);
    Ok(Page(SearchPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        q,
        theme: query.theme,
        themes: cards::theme_links(themes),
        searched,
        initiatives,
        stories,
    }))
}
