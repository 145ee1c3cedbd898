//! The home page: what this node is, its latest stories, its themes and its initiatives.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::routing::get;
use serde::Deserialize;

use super::cards::{self, InitiativeCard, StoryCard, ThemeLink};
use super::{Chrome, Page, Visitor};
use crate::db::story::FeedScope;
use crate::db::{initiative, node_settings, story, theme};
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
    description: String,
    domain: String,
    stories: Vec<StoryCard>,
    themes: Vec<ThemeLink>,
    initiatives: Vec<InitiativeCard>,
    /// Neighbourhoods to choose from, and the chosen one.
    neighbourhoods: Vec<String>,
    neighbourhood: String,
}

#[derive(Deserialize)]
struct HomeQuery {
    /// Shows the initiatives of this neighbourhood ("near you").
    #[serde(default)]
    buurt: String,
}

async fn home(
    State(state): State<AppState>,
    Query(query): Query<HomeQuery>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<Home>> {
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    let latest = story::public_local(&mut conn, FeedScope::Node, 10).await?;
    let stories = cards::stories(&mut conn, &tr, latest).await?;
    let themes = cards::theme_links(theme::in_use(&mut conn).await?);
    let neighbourhoods = initiative::neighbourhoods(&mut conn).await?;
    let neighbourhood = query.buurt.trim().to_owned();
    let rows = if neighbourhood.is_empty() {
        initiative::list_local(&mut conn, None, None, 12).await?
    } else {
        initiative::in_neighbourhood(&mut conn, &neighbourhood).await?
    };
    let initiatives = cards::initiatives(rows);
    Ok(Page(Home {
        c: Chrome::with_name(&state, &visitor, &uri, settings.name),
        description: settings.description,
        domain: state.urls.authority(),
        stories,
        themes,
        initiatives,
        neighbourhoods,
        neighbourhood,
    }))
}
