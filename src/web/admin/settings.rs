//! `/admin/settings`: the node's settings for its admins — what the about page says (name,
//! description, rules, contact, languages), who may sign up, what new content starts as — and,
//! read-only, what the configuration fixes (domain, region, branding).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::require_admin;
use crate::db::node_settings::{self, DeletedContent, NodeSettings, Profile, RegistrationMode};
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::settings;
use crate::state::AppState;
use crate::web::form::{CsrfForm, FieldErrors};
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/settings", get(show))
        .route("/admin/settings/{section}", post(save))
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    c: Chrome,
    /// The profile as stored, or as typed when it had a mistake.
    profile: Profile,
    /// `KWARTIER_NODE_NAME`: the name cannot be changed here.
    configured_name: bool,
    registration: &'static str,
    question: String,
    local_by_default: bool,
    /// `anonymise` or `remove`.
    deletion: String,
    /// Set by the configuration: (label message id, value).
    fixed: Vec<(&'static str, String)>,
    errors: FieldErrors,
    done: Option<String>,
}

impl SettingsPage {
    fn modes(&self) -> [&'static str; 4] {
        RegistrationMode::ALL.map(RegistrationMode::as_str)
    }

    fn is_registration(&self, mode: &str) -> bool {
        self.registration == mode
    }
}

fn fixed(state: &AppState) -> Vec<(&'static str, String)> {
    let config = &state.config;
    let directory = &config.directory;
    let none = String::new;
    vec![
        ("admin-settings-domain", config.domain.clone()),
        (
            "admin-settings-region",
            directory.region_name.clone().unwrap_or_else(none),
        ),
        ("admin-settings-codes", directory.region_codes.join(", ")),
        (
            "admin-settings-centre",
            directory
                .region_centre
                .map(|(lat, lon)| format!("{lat}, {lon}"))
                .unwrap_or_else(none),
        ),
        ("admin-settings-colour", config.brand.color.clone()),
        (
            "admin-settings-logo",
            config
                .brand
                .logo
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(none),
        ),
    ]
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    typed: Option<Profile>,
    errors: FieldErrors,
    done: Option<String>,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let stored: NodeSettings = node_settings::get(&mut conn).await?;
    drop(conn);
    let status = errors.status();
    let page = SettingsPage {
        profile: typed.unwrap_or_else(|| stored.profile()),
        configured_name: state.config.node_name.is_some(),
        registration: stored.registration_mode().as_str(),
        question: stored.signup_question.clone().unwrap_or_default(),
        local_by_default: stored.local_by_default(),
        deletion: stored.account_deletion_content.clone(),
        fixed: fixed(state),
        c: Chrome::with_name(state, visitor, uri, stored.name),
        errors,
        done,
    };
    Ok((status, Page(page)).into_response())
}

async fn show(State(state): State<AppState>, visitor: Visitor, uri: Uri) -> Result<Response> {
    require_admin(&visitor)?;
    render(&state, &visitor, &uri, None, FieldErrors::default(), None).await
}

#[derive(Deserialize, Default)]
struct SettingsForm {
    node_name: Option<String>,
    #[serde(default)]
    node_description: String,
    #[serde(default)]
    node_rules: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    node_languages: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    signup_question: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    deletion: String,
}

async fn save(
    State(state): State<AppState>,
    Path(section): Path<String>,
    uri: Uri,
    form: CsrfForm<SettingsForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let fields = form.fields;
    let visitor = &form.visitor;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let mut typed = None;
    let outcome = match section.as_str() {
        "profile" => {
            let configured = state.config.node_name.as_deref();
            let profile = Profile {
                name: configured
                    .map(str::to_owned)
                    .or(fields.node_name)
                    .unwrap_or_default(),
                description: fields.node_description,
                rules: fields.node_rules,
                contact_name: fields.contact_name,
                contact_email: fields.contact_email,
                languages: fields.node_languages,
            };
            typed = Some(profile.clone());
            settings::set_profile(&mut conn, &who, configured, profile).await
        }
        "registration" => match fields.registration.parse::<RegistrationMode>() {
            Ok(mode) => {
                settings::set_registration(&mut conn, &who, mode, Some(&fields.signup_question))
                    .await
            }
            Err(_) => Err(Error::invalid(
                "registration",
                "open, approval, invite or closed",
            )),
        },
        "visibility" => match fields.visibility.as_str() {
            "public" | "local" => {
                settings::set_default_visibility(&mut conn, &who, fields.visibility == "local")
                    .await
            }
            _ => Err(Error::invalid("visibility", "public or local")),
        },
        "account-deletion" => match fields.deletion.parse::<DeletedContent>() {
            Ok(content) => settings::set_account_deletion_content(&mut conn, &who, content).await,
            Err(_) => Err(Error::invalid("deletion", "anonymise or remove")),
        },
        _ => return Err(Error::NotFound("page".into())),
    };
    drop(conn);
    match outcome {
        Ok(_) => {
            let done = Some(tr.t("admin-settings-saved"));
            render(&state, visitor, &uri, None, FieldErrors::default(), done).await
        }
        Err(err @ Error::Invalid { .. }) => {
            let errors = FieldErrors::from_error(err, &tr, "node_name")?;
            render(&state, visitor, &uri, typed, errors, None).await
        }
        Err(other) => Err(other),
    }
}
