//! The dashboard of a logged-in person: their initiatives, starting a new one, and writing a
//! story for one (Markdown, with a preview that needs no JavaScript). Both forms serve for
//! editing too, in [`super::manage`].

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::cards::display_name;
use super::form::{CsrfForm, CsrfMultipart, FieldErrors};
use super::i18n::Tr;
use super::{Chrome, Page, Visitor};
use crate::db::Conn;
use crate::db::actor::Actor;
use crate::db::initiative;
use crate::db::media::Media;
use crate::db::story::Visibility;
use crate::error::{Error, Result};
use crate::service::initiative::{self as initiatives, Location, Profile};
use crate::service::media;
use crate::service::story::{self as stories, Cover, Draft};
use crate::service::text;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(overview))
        .route(
            "/dashboard/initiatives/new",
            get(new_initiative_form).post(create_initiative),
        )
        .route(
            "/dashboard/i/{handle}/stories/new",
            get(new_story_form)
                .post(create_story)
                // A cover image and the text around it.
                .layer(DefaultBodyLimit::max(media::MAX_BYTES + 256 * 1024)),
        )
}

struct MyInitiative {
    username: String,
    name: String,
    role: String,
    owner: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Overview {
    c: Chrome,
    initiatives: Vec<MyInitiative>,
    /// Warnings from the moderators (reports resolved with `warn`): (date, note, about).
    warnings: Vec<(String, String, String)>,
}

async fn overview(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<Overview>> {
    let session = visitor.require()?;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let initiatives = initiative::of_member(&mut conn, session.auth.person.id)
        .await?
        .into_iter()
        .map(|(group, role)| MyInitiative {
            name: display_name(&group),
            username: group.username,
            owner: role == initiative::role::OWNER,
            role: tr.t(&format!("role-{role}")),
        })
        .collect();
    let warnings = crate::service::report::warnings(&mut conn, &session.auth.person)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.resolved_at
                    .map(|at| at.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                r.resolution_note.unwrap_or_default(),
                r.target_url,
            )
        })
        .collect();
    drop(conn);
    Ok(Page(Overview {
        c: Chrome::new(&state, &visitor, &uri).await?,
        initiatives,
        warnings,
    }))
}

#[derive(Deserialize, Default)]
pub(super) struct InitiativeForm {
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub themes: String,
    #[serde(default)]
    pub neighbourhood: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub website: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    pub discoverable: Option<String>,
}

impl InitiativeForm {
    /// The profile as the form gives it (the handle aside).
    pub fn profile(&self) -> Profile {
        Profile {
            name: self.name.trim().to_owned(),
            summary: given(&self.summary),
            themes: theme_list(&self.themes),
            website: given(&self.website),
            neighbourhood: given(&self.neighbourhood),
            location: given(&self.location).map(|name| Location {
                name,
                latitude: None,
                longitude: None,
            }),
            discoverable: Some(self.discoverable.is_some()),
            ..Profile::default()
        }
    }
}

#[derive(Template)]
#[template(path = "initiative_form.html")]
struct InitiativeFormPage {
    c: Chrome,
    form: InitiativeForm,
    errors: FieldErrors,
    /// The handle of the initiative being edited; `None` for a new one.
    editing: Option<String>,
}

async fn new_initiative_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    visitor.require()?;
    let form = InitiativeForm {
        discoverable: Some("1".into()),
        ..InitiativeForm::default()
    };
    render_initiative_form(&state, &visitor, &uri, None, form, FieldErrors::default()).await
}

/// The initiative form; `editing` names the initiative when it is not a new one.
pub(super) async fn render_initiative_form(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    editing: Option<String>,
    form: InitiativeForm,
    errors: FieldErrors,
) -> Result<Response> {
    let status = errors.status();
    let page = InitiativeFormPage {
        c: Chrome::new(state, visitor, uri).await?,
        form,
        errors,
        editing,
    };
    Ok((status, Page(page)).into_response())
}

/// Empty form fields are absent values.
fn given(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Themes (or group names) as people type them: separated by commas or spaces.
pub(super) fn theme_list(value: &str) -> Vec<String> {
    value
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn create_initiative(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<InitiativeForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let session = visitor.require()?;
    let tr = visitor.tr();
    let handle = fields.handle.trim().to_lowercase();
    let profile = fields.profile();
    let mut conn = state.db.conn().await?;
    match initiatives::create(&state, &mut conn, &session.auth.person, &handle, profile).await {
        Ok(group) => Ok(Redirect::to(&format!("/i/{}", group.username)).into_response()),
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &tr, "handle")?;
            render_initiative_form(&state, &visitor, &uri, None, fields, errors).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct StoryForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub themes: String,
    /// Theme groups to share a new story to: `group@node`, separated by commas or spaces.
    #[serde(default)]
    pub groups: String,
    #[serde(default = "default_visibility")]
    pub visibility: String,
    /// Describes the cover for people who cannot see it.
    #[serde(default)]
    pub cover_alt: String,
    /// A cover uploaded with an earlier submission of this form (preview, or a mistake).
    #[serde(default)]
    pub cover_media_id: Option<String>,
    /// Set when the preview button was pressed instead of publish.
    pub preview: Option<String>,
    /// Set to take the cover away (when editing).
    pub remove_cover: Option<String>,
}

fn default_visibility() -> String {
    Visibility::Public.as_str().to_owned()
}

impl Default for StoryForm {
    fn default() -> Self {
        StoryForm {
            title: String::new(),
            summary: String::new(),
            content: String::new(),
            themes: String::new(),
            groups: String::new(),
            visibility: default_visibility(),
            cover_alt: String::new(),
            cover_media_id: None,
            preview: None,
            remove_cover: None,
        }
    }
}

#[derive(Template)]
#[template(path = "story_form.html")]
struct StoryFormPage {
    c: Chrome,
    initiative_name: String,
    username: String,
    /// The story being edited; `None` for a new one.
    editing: Option<i64>,
    form: StoryForm,
    /// The cover chosen so far: its id and address.
    cover: Option<(i64, String)>,
    /// Sanitized HTML of the content, when previewing.
    preview: Option<String>,
    errors: FieldErrors,
}

impl StoryFormPage {
    fn visibilities(&self) -> [&'static str; 3] {
        [
            Visibility::Public.as_str(),
            Visibility::Followers.as_str(),
            Visibility::Local.as_str(),
        ]
    }
}

async fn new_story_form(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let session = visitor.require()?;
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, &handle).await?;
    initiatives::require_member(&mut conn, &group, &session.auth.person).await?;
    // New stories start as the node's default visibility (local-only on cautious nodes).
    let default = crate::service::local_only::default_story_visibility(&mut conn).await?;
    drop(conn);
    let form = StoryForm {
        visibility: default.as_str().to_owned(),
        ..StoryForm::default()
    };
    let none = FieldErrors::default();
    render_story_form(&state, &visitor, &uri, &group, None, form, None, none).await
}

/// The story form for `group`; `editing` names the story when it is not a new one. Callers
/// check that the visitor may write it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn render_story_form(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    group: &Actor,
    editing: Option<i64>,
    form: StoryForm,
    cover: Option<Media>,
    errors: FieldErrors,
) -> Result<Response> {
    // The preview button renders the text as it will be published.
    let preview = form
        .preview
        .is_some()
        .then(|| text::markdown_to_html(&form.content));
    let status = errors.status();
    let page = StoryFormPage {
        c: Chrome::new(state, visitor, uri).await?,
        initiative_name: display_name(group),
        username: group.username.clone(),
        editing,
        form,
        cover: cover.map(|m| (m.id, state.urls.media(&m.file_name).to_string())),
        preview,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

/// Checks a submitted story form before the service sees it: its visibility, and its cover.
/// A new picture replaces one chosen before; either is kept for the next submission, unless
/// the cover is removed.
async fn check_story_form(
    state: &AppState,
    conn: &mut Conn,
    person: &Actor,
    initiative_id: i64,
    fields: &mut StoryForm,
    files: Vec<(String, Vec<u8>)>,
    tr: &Tr,
) -> Result<(Option<Media>, FieldErrors)> {
    let mut errors = FieldErrors::default();
    if Visibility::parse(&fields.visibility).is_none() {
        errors.add("visibility", tr.t("invalid-visibility"));
    }
    let mut cover = None;
    if let Some((_, bytes)) = files.into_iter().find(|(name, _)| name == "cover") {
        match media::store(state, conn, person, bytes).await {
            Ok(stored) => cover = Some(stored),
            Err(err) => errors.add("cover", FieldErrors::from_error(err, tr, "cover")?.first()),
        }
    } else if fields.remove_cover.is_some() {
        fields.cover_alt.clear();
    } else if let Some(id) = fields
        .cover_media_id
        .as_deref()
        .and_then(|id| id.parse().ok())
    {
        cover = Some(media::usable_as_cover(conn, id, person, initiative_id).await?);
    }
    fields.remove_cover = None;
    fields.cover_media_id = cover.as_ref().map(|m| m.id.to_string());
    if cover.is_some() && fields.cover_alt.trim().is_empty() {
        errors.add("cover_alt", tr.t("invalid-cover_alt"));
    }
    Ok((cover, errors))
}

impl StoryForm {
    /// The story as the form gives it, once [`check_story_form`] passed.
    fn draft(&self, language: String, cover: Option<&Media>) -> Draft {
        Draft {
            title: self.title.trim().to_owned(),
            summary: given(&self.summary),
            content: self.content.clone(),
            themes: theme_list(&self.themes),
            visibility: Visibility::parse(&self.visibility).unwrap_or(Visibility::Public),
            language: Some(language),
            cover: cover.map(|m| Cover {
                media_id: m.id,
                alt: self.cover_alt.trim().to_owned(),
            }),
        }
    }
}

async fn create_story(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfMultipart<StoryForm>,
) -> Result<Response> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, &handle).await?;
    initiatives::require_member(&mut conn, &group, &session.auth.person).await?;
    drop(conn);
    let language = form.visitor.tr().lang.code().to_owned();
    save_story(&state, &uri, form, &group, None, language).await
}

/// The theme groups named in the story form's `groups` field.
async fn shared_groups(state: &AppState, names: &str) -> Result<Vec<Actor>> {
    let names = theme_list(names);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let data = crate::federation::config(state).await?.to_request_data();
    crate::service::theme_group::resolve_all(&data, &names).await
}

/// Publishes a submitted story form for `group`, or saves the story `editing`, once the
/// visitor is known to be allowed to; shows the form again to preview or to put it right.
pub(super) async fn save_story(
    state: &AppState,
    uri: &Uri,
    form: CsrfMultipart<StoryForm>,
    group: &Actor,
    editing: Option<i64>,
    language: String,
) -> Result<Response> {
    let CsrfMultipart {
        visitor,
        mut fields,
        files,
    } = form;
    let session = visitor.require()?;
    let person = &session.auth.person;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let (cover, errors) =
        check_story_form(state, &mut conn, person, group.id, &mut fields, files, &tr).await?;
    if fields.preview.is_some() || !errors.is_empty() {
        drop(conn);
        return render_story_form(state, &visitor, uri, group, editing, fields, cover, errors)
            .await;
    }
    let draft = fields.draft(language, cover.as_ref());
    let saved = match editing {
        None => match shared_groups(state, &fields.groups).await {
            Ok(groups) => {
                stories::publish_in(state, &mut conn, person, &group.username, draft, &groups).await
            }
            Err(err) => Err(err),
        },
        Some(id) => stories::edit(state, &mut conn, person, id, draft).await,
    };
    drop(conn);
    match saved {
        Ok(story) => Ok(Redirect::to(&format!("/stories/{}", story.id)).into_response()),
        Err(Error::Forbidden) => Err(Error::Forbidden),
        Err(err) => {
            let errors = FieldErrors::from_error(err, &tr, "title")?;
            render_story_form(state, &visitor, uri, group, editing, fields, cover, errors).await
        }
    }
}
