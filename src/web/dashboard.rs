//! The dashboard of a logged-in person: their initiatives, starting a new one, and writing a
//! story for one (Markdown, with a preview that needs no JavaScript).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::cards::display_name;
use super::form::{CsrfForm, CsrfMultipart, FieldErrors};
use super::{Chrome, Page, Visitor};
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
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Overview {
    c: Chrome,
    initiatives: Vec<MyInitiative>,
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
            role: tr.t(&format!("role-{role}")),
        })
        .collect();
    drop(conn);
    Ok(Page(Overview {
        c: Chrome::new(&state, &visitor, &uri).await?,
        initiatives,
    }))
}

#[derive(Deserialize, Default)]
struct InitiativeForm {
    #[serde(default)]
    handle: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    themes: String,
    #[serde(default)]
    neighbourhood: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    website: String,
}

#[derive(Template)]
#[template(path = "initiative_form.html")]
struct InitiativeFormPage {
    c: Chrome,
    form: InitiativeForm,
    errors: FieldErrors,
}

async fn new_initiative_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    visitor.require()?;
    render_initiative_form(
        &state,
        &visitor,
        &uri,
        InitiativeForm::default(),
        FieldErrors::default(),
    )
    .await
}

async fn render_initiative_form(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    form: InitiativeForm,
    errors: FieldErrors,
) -> Result<Response> {
    let status = errors.status();
    let page = InitiativeFormPage {
        c: Chrome::new(state, visitor, uri).await?,
        form,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

/// Empty form fields are absent values.
fn given(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Themes as people type them: separated by commas or spaces.
fn theme_list(value: &str) -> Vec<String> {
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
    let profile = Profile {
        name: fields.name.trim().to_owned(),
        summary: given(&fields.summary),
        themes: theme_list(&fields.themes),
        website: given(&fields.website),
        neighbourhood: given(&fields.neighbourhood),
        location: given(&fields.location).map(|name| Location {
            name,
            latitude: None,
            longitude: None,
        }),
        ..Profile::default()
    };
    let mut conn = state.db.conn().await?;
    match initiatives::create(&state, &mut conn, &session.auth.person, &handle, profile).await {
        Ok(group) => Ok(Redirect::to(&format!("/i/{}", group.username)).into_response()),
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &tr, "handle")?;
            render_initiative_form(&state, &visitor, &uri, fields, errors).await
        }
    }
}

#[derive(Deserialize)]
struct StoryForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    themes: String,
    #[serde(default = "default_visibility")]
    visibility: String,
    /// Describes the cover for people who cannot see it.
    #[serde(default)]
    cover_alt: String,
    /// A cover uploaded with an earlier submission of this form (preview, or a mistake).
    #[serde(default)]
    cover_media_id: Option<String>,
    /// Set when the preview button was pressed instead of publish.
    preview: Option<String>,
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
            visibility: default_visibility(),
            cover_alt: String::new(),
            cover_media_id: None,
            preview: None,
        }
    }
}

#[derive(Template)]
#[template(path = "story_form.html")]
struct StoryFormPage {
    c: Chrome,
    initiative_name: String,
    username: String,
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
    render_story_form(
        &state,
        &visitor,
        &uri,
        &handle,
        StoryForm::default(),
        None,
        FieldErrors::default(),
    )
    .await
}

async fn render_story_form(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    handle: &str,
    form: StoryForm,
    cover: Option<Media>,
    errors: FieldErrors,
) -> Result<Response> {
    // The preview button renders the text as it will be published.
    let preview = form
        .preview
        .is_some()
        .then(|| text::markdown_to_html(&form.content));
    let session = visitor.require()?;
    let mut conn = state.db.conn().await?;
    let (group, _) = initiatives::find(&mut conn, handle).await?;
    initiatives::require_member(&mut conn, &group, &session.auth.person).await?;
    drop(conn);
    let status = errors.status();
    let page = StoryFormPage {
        c: Chrome::new(state, visitor, uri).await?,
        initiative_name: display_name(&group),
        username: group.username,
        form,
        cover: cover.map(|m| (m.id, state.urls.media(&m.file_name).to_string())),
        preview,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

async fn create_story(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    uri: Uri,
    form: CsrfMultipart<StoryForm>,
) -> Result<Response> {
    let CsrfMultipart {
        visitor,
        mut fields,
        files,
    } = form;
    let session = visitor.require()?;
    let person = &session.auth.person;
    let tr = visitor.tr();
    let mut errors = FieldErrors::default();
    let visibility = Visibility::parse(&fields.visibility);
    if visibility.is_none() {
        errors.add("visibility", tr.t("invalid-visibility"));
    }
    // A new picture replaces one chosen before; either is kept for the next submission.
    let mut conn = state.db.conn().await?;
    let mut cover = None;
    if let Some((_, bytes)) = files.into_iter().find(|(name, _)| name == "cover") {
        match media::store(&state, &mut conn, person, bytes).await {
            Ok(stored) => cover = Some(stored),
            Err(err) => errors.add("cover", FieldErrors::from_error(err, &tr, "cover")?.first()),
        }
    } else if let Some(id) = fields
        .cover_media_id
        .as_deref()
        .and_then(|id| id.parse().ok())
    {
        let (group, _) = initiatives::find(&mut conn, &handle).await?;
        cover = Some(media::usable_as_cover(&mut conn, id, person, group.id).await?);
    }
    fields.cover_media_id = cover.as_ref().map(|m| m.id.to_string());
    if cover.is_some() && fields.cover_alt.trim().is_empty() {
        errors.add("cover_alt", tr.t("invalid-cover_alt"));
    }
    if fields.preview.is_some() || !errors.is_empty() {
        drop(conn);
        return render_story_form(&state, &visitor, &uri, &handle, fields, cover, errors).await;
    }
    let draft = Draft {
        title: fields.title.trim().to_owned(),
        summary: given(&fields.summary),
        content: fields.content.clone(),
        themes: theme_list(&fields.themes),
        visibility: visibility.unwrap_or(Visibility::Public),
        language: Some(tr.lang.code().to_owned()),
        cover: cover.as_ref().map(|m| Cover {
            media_id: m.id,
            alt: fields.cover_alt.trim().to_owned(),
        }),
    };
    match stories::publish(&state, &mut conn, person, &handle, draft).await {
        Ok(story) => Ok(Redirect::to(&format!("/stories/{}", story.id)).into_response()),
        Err(Error::Forbidden) => Err(Error::Forbidden),
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &tr, "title")?;
            render_story_form(&state, &visitor, &uri, &handle, fields, cover, errors).await
        }
    }
}
