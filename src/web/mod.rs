//! Server-rendered HTML pages, Dutch first and English second, that work without JavaScript.
//! Each page type has its handler file and a template under `templates/` of the same name;
//! every page shares the layout in `templates/base.html` through [`Chrome`].

mod about;
mod account;
mod account_data;
mod admin;
mod assets;
mod cards;
mod chrome;
mod dashboard;
mod embed;
mod errors;
mod feeds;
mod form;
mod group;
mod home;
pub mod i18n;
mod initiative;
mod limits;
mod manage;
mod media;
mod moderation;
mod network;
mod person;
mod report;
mod search;
mod security;
mod signup;
mod story;
mod theme;
pub mod visitor;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};

pub use chrome::Chrome;
pub use errors::html_errors;
pub use group::page as group_page;
pub use initiative::page as initiative_page;
pub use limits::LoginLimits;
pub use person::page as person_page;
pub use security::headers as security_headers;
pub use story::page as story_page;
pub use visitor::{Visitor, cookies_layer};

use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(about::router())
        .merge(account::router())
        .merge(signup::router())
        .merge(account_data::router())
        .merge(admin::router())
        .merge(dashboard::router())
        .merge(manage::router())
        .merge(initiative::router())
        .merge(group::router())
        .merge(story::router())
        .merge(moderation::router())
        .merge(report::router())
        .merge(assets::router())
        .merge(search::router())
        .merge(network::router())
        .merge(theme::router())
        .merge(i18n::router())
        .merge(feeds::router())
        .merge(embed::router())
        .merge(media::router())
}

/// Renders an askama template as an HTML response.
pub struct Page<T>(pub T);

impl<T: Template> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.0.render() {
            Ok(html) => Html(html).into_response(),
            Err(err) => Error::internal("rendering page", err).into_response(),
        }
    }
}
