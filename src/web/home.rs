//! The home page: what this node is, its latest stories, its themes and its initiatives.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;

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
}

async fn home(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Page<Home>> {
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    let latest = story::public_local(&mut conn, FeedScope::Node, 10).await?;
    let stories = cards::stories(&mut conn, &tr, latest).await?;
    let themes = cards::theme_links(theme::in_use(&mut conn).await?);
    let initiatives = cards::initiatives(initiative::list_local(&mut conn, None, None, 12).await?);
    Ok(Page(Home {
        c: Chrome::with_name(&state, &visitor, &uri, settings.name),
        description: settings.description,
        domain: state.urls.authority(),
        stories,
        themes,
        initiatives,
    }))
}
