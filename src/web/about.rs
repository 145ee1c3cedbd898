//! `/over` (and `/about`): what this node is, its region, languages and house rules, whom to
//! contact, who may join, and which servers it does not federate with and why (public reasons
//! only), as admins set them on `/admin/settings` and `/admin/federation`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;

use super::{Chrome, Page, Visitor};
use crate::db::domain_policy::kind;
use crate::db::node_settings::{self, RegistrationMode};
use crate::error::Result;
use crate::service::federation_policy;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/over", get(about))
        .route("/about", get(about))
}

pub struct Moderated {
    pub domain: String,
    /// `silence` or `suspend`.
    pub severity: String,
    pub reason: Option<String>,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    c: Chrome,
    /// The description's paragraphs (split at blank lines).
    paragraphs: Vec<String>,
    region: Option<String>,
    /// Language names in the visitor's language where we know them, else the code.
    languages: Vec<String>,
    rules: Vec<String>,
    contact_name: String,
    contact_email: String,
    /// The message id saying who may join.
    joining: &'static str,
    /// Whether the sign-up form is open to anyone.
    can_sign_up: bool,
    moderated: Vec<Moderated>,
    repository: &'static str,
}

async fn about(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<AboutPage>> {
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    let moderated = federation_policy::list(&mut conn)
        .await?
        .into_iter()
        .filter(|r| r.kind == kind::BLOCK)
        .map(|r| Moderated {
            severity: r.severity.unwrap_or_else(|| "suspend".into()),
            reason: r.public_comment,
            domain: r.domain,
        })
        .collect();
    drop(conn);
    let tr = visitor.tr();
    let languages = settings
        .language_list()
        .into_iter()
        .map(|code| {
            let name = tr.t(&format!("language-{code}"));
            if name.starts_with("language-") {
                code.to_owned()
            } else {
                name
            }
        })
        .collect();
    let paragraphs = settings
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let mode = settings.registration_mode();
    let joining = match mode {
        RegistrationMode::Open => "about-joining-open",
        RegistrationMode::Approval => "about-joining-approval",
        RegistrationMode::Invite => "about-joining-invite",
        RegistrationMode::Closed => "about-joining-closed",
    };
    Ok(Page(AboutPage {
        paragraphs,
        region: state.config.directory.region_name.clone(),
        languages,
        rules: settings
            .rule_list()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        contact_name: settings.contact_name.clone(),
        contact_email: settings.contact_email.clone(),
        joining,
        can_sign_up: matches!(mode, RegistrationMode::Open | RegistrationMode::Approval),
        moderated,
        repository: env!("CARGO_PKG_REPOSITORY"),
        c: Chrome::with_name(&state, &visitor, &uri, settings.name),
    }))
}
