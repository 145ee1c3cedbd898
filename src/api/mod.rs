//! The JSON API under `/api/v1`, authenticated with bearer tokens. It does what the web front
//! will do: initiatives, stories, comments, follows.

pub mod admin;
pub mod auth;
mod directory;
mod follows;
mod groups;
mod initiatives;
mod instance;
pub mod json;
mod me;
mod media;
mod notifications;
pub mod openapi;
mod reports;
mod stories;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .merge(admin::router())
        .merge(me::router())
        .merge(notifications::router())
        .merge(reports::router())
        .merge(initiatives::router())
        .merge(follows::router())
        .merge(groups::router())
        .merge(stories::router())
        .merge(media::router())
        .merge(directory::router())
        .merge(instance::router())
        .merge(openapi::router());
    Router::new().nest("/api/v1", v1)
}
