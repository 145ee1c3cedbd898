//! A person's page: name, handle, about, and the initiatives they take part in.

use askama::Template;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use super::cards::{self, display_name};
use super::{Chrome, Page, Visitor};
use crate::db::actor::Actor;
use crate::db::{follow, initiative};
use crate::error::Result;
use crate::state::AppState;

struct Membership {
    href: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    name: String,
    handle: String,
    /// Sanitized HTML.
    summary: String,
    followers: String,
    memberships: Vec<Membership>,
}

/// The page of a local person (the federation route serves their JSON).
pub async fn page(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    person: Actor,
) -> Result<Response> {
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let memberships = initiative::of_member(&mut conn, person.id)
        .await?
        .into_iter()
        .map(|(group, role)| Membership {
            href: cards::actor_href(&group),
            name: display_name(&group),
            role: tr.t(&format!("role-{role}")),
        })
        .collect();
    let followers = follow::count_followers(&mut conn, person.id).await?;
    let page = PersonPage {
        c: Chrome::new(state, visitor, uri).await?,
        name: display_name(&person),
        handle: person.handle(),
        summary: person.summary.clone().unwrap_or_default(),
        followers: tr.count("followers-count", followers),
        memberships,
    };
    Ok(Page(page).into_response())
}
