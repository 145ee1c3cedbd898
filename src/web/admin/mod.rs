//! The admin pages under `/admin`: governing this node, for its admins and moderators. Nothing
//! here federates; every change is recorded in the audit log. Each section has its file here
//! and its templates under `templates/admin_*.html`.

mod accounts;
mod audit;
mod blocklists;
mod federation;
mod federation_health;
mod invites;
mod moderation_log;
mod reports;
mod settings;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;

use super::{Chrome, Page, Visitor};
use crate::error::{Error, Result};
use crate::service::session::Session;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .merge(accounts::router())
        .merge(audit::router())
        .merge(invites::router())
        .merge(settings::router())
        .merge(federation::router())
        .merge(federation_health::router())
        .merge(blocklists::router())
        .merge(reports::router())
        .merge(moderation_log::router())
}

/// The logged-in visitor if they are an admin; 403 for others (logged-out visitors log in).
pub fn require_admin(visitor: &Visitor) -> Result<&Session> {
    let session = visitor.require()?;
    if !session.auth.account.admin {
        return Err(Error::Forbidden);
    }
    Ok(session)
}

/// The logged-in visitor if they are an admin or moderator; 403 for others.
pub fn require_staff(visitor: &Visitor) -> Result<&Session> {
    let session = visitor.require()?;
    if !session.auth.account.is_staff() {
        return Err(Error::Forbidden);
    }
    Ok(session)
}

/// One section of the admin area, as the index lists it.
pub struct Section {
    pub href: &'static str,
    /// Message ids of its title and one-line description.
    pub title: &'static str,
    pub description: &'static str,
    /// Only admins see it (moderators see the rest).
    pub admin_only: bool,
}

/// The sections, in the order the index shows them. Each section's module adds its entry.
const SECTIONS: &[Section] = &[
    Section {
        href: "/admin/accounts",
        title: "admin-accounts-title",
        description: "admin-accounts-description",
        admin_only: true,
    },
    Section {
        href: "/admin/settings",
        title: "admin-settings-title",
        description: "admin-settings-description",
        admin_only: true,
    },
    Section {
        href: "/admin/invites",
        title: "admin-invites-title",
        description: "admin-invites-description",
        admin_only: true,
    },
    Section {
        href: "/admin/federation",
        title: "admin-federation-title",
        description: "admin-federation-description",
        admin_only: true,
    },
    Section {
        href: "/admin/federation-health",
        title: "admin-health-title",
        description: "admin-health-description",
        admin_only: true,
    },
    Section {
        href: "/admin/reports",
        title: "admin-reports-title",
        description: "admin-reports-description",
        admin_only: false,
    },
    Section {
        href: "/admin/moderation-log",
        title: "admin-modlog-title",
        description: "admin-modlog-description",
        admin_only: false,
    },
    Section {
        href: "/admin/audit",
        title: "admin-audit-title",
        description: "admin-audit-description",
        admin_only: true,
    },
];

#[derive(Template)]
#[template(path = "admin.html")]
struct Index {
    c: Chrome,
    sections: Vec<&'static Section>,
}

async fn index(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Page<Index>> {
    let session = require_staff(&visitor)?;
    let admin = session.auth.account.admin;
    let sections = SECTIONS.iter().filter(|s| admin || !s.admin_only).collect();
    Ok(Page(Index {
        c: Chrome::new(&state, &visitor, &uri).await?,
        sections,
    }))
}
