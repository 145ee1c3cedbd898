//! The home page: what this node is.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::Page;
use crate::db::node_settings;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    node_name: String,
    description: String,
    domain: String,
}

async fn home(State(state): State<AppState>) -> Result<Page<Home>> {
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    Ok(Page(Home {
        node_name: settings.name,
        description: settings.description,
        domain: state.config.domain.clone(),
    }))
}
