//! Our actors at their ids: ActivityPub JSON for servers (unsigned GETs are fine, as FEP-2677
//! and GoToSocial expect), a plain HTML page for people; and their collections.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Object;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::collections;
use super::negotiate::{activity_json, wants_json};
use crate::db::actor::{self, Actor, kind};
use crate::db::{follow, initiative, theme};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actor", get(node))
        .route("/u/{name}", get(person))
        .route("/i/{handle}", get(initiative_page))
        .route("/actor/{collection}", get(node_collection))
        .route("/u/{name}/{collection}", get(person_collection))
        .route("/i/{handle}/{collection}", get(initiative_collection))
}

/// The local actor with this handle and type, not deleted.
pub async fn local(state: &AppState, handle: &str, actor_type: &str) -> Result<Actor> {
    let mut conn = state.db.conn().await?;
    actor::find_local_of_type(&mut conn, handle, actor_type)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("{handle:?}")))
}

async fn node(data: Data<AppState>, headers: HeaderMap) -> Result<Response> {
    if !wants_json(&headers) {
        return Ok(Redirect::to("/").into_response());
    }
    let node = (*data.node_actor).clone();
    Ok(activity_json(&node.into_json(&data).await?))
}

async fn person(
    data: Data<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let person = local(&data, &name, kind::PERSON).await?;
    if wants_json(&headers) {
        return Ok(activity_json(&person.into_json(&data).await?));
    }
    Ok(profile_page(&data, person, None).await?.into_response())
}

async fn initiative_page(
    data: Data<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let group = local(&data, &handle, kind::GROUP).await?;
    if wants_json(&headers) {
        return Ok(activity_json(&group.into_json(&data).await?));
    }
    let mut conn = data.db.conn().await?;
    let details = initiative::get(&mut conn, group.id).await?;
    let contact = actor::get(&mut conn, details.contact_person_id).await?;
    let themes = theme::for_actor(&mut conn, group.id).await?;
    let extra = InitiativeExtra {
        contact_handle: contact.handle(),
        contact_url: contact
            .url
            .clone()
            .unwrap_or_else(|| contact.ap_id.to_string()),
        neighbourhood: details.neighbourhood,
        place: details.location_name,
        website: details.website,
        themes: themes.into_iter().map(|t| t.name).collect(),
    };
    Ok(profile_page(&data, group, Some(extra))
        .await?
        .into_response())
}

#[derive(Template)]
#[template(path = "actor.html")]
struct Profile {
    name: String,
    handle: String,
    /// Sanitized HTML.
    summary: String,
    followers: i64,
    initiative: Option<InitiativeExtra>,
}

struct InitiativeExtra {
    contact_handle: String,
    contact_url: String,
    neighbourhood: Option<String>,
    place: Option<String>,
    website: Option<String>,
    themes: Vec<String>,
}

async fn profile_page(
    state: &AppState,
    actor: Actor,
    initiative: Option<InitiativeExtra>,
) -> Result<Page<Profile>> {
    let mut conn = state.db.conn().await?;
    Ok(Page(Profile {
        name: actor
            .display_name
            .clone()
            .unwrap_or_else(|| actor.username.clone()),
        handle: actor.handle(),
        summary: actor.summary.clone().unwrap_or_default(),
        followers: follow::count_followers(&mut conn, actor.id).await?,
        initiative,
    }))
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

async fn node_collection(
    data: Data<AppState>,
    Path(collection): Path<String>,
    query: axum::extract::Query<PageQuery>,
) -> Result<Response> {
    let node = (*data.node_actor).clone();
    serve_collection(&data, &node, &collection, query.page).await
}

async fn person_collection(
    data: Data<AppState>,
    Path((name, collection)): Path<(String, String)>,
    query: axum::extract::Query<PageQuery>,
) -> Result<Response> {
    let person = local(&data, &name, kind::PERSON).await?;
    serve_collection(&data, &person, &collection, query.page).await
}

async fn initiative_collection(
    data: Data<AppState>,
    Path((handle, collection)): Path<(String, String)>,
    query: axum::extract::Query<PageQuery>,
) -> Result<Response> {
    let group = local(&data, &handle, kind::GROUP).await?;
    serve_collection(&data, &group, &collection, query.page).await
}

async fn serve_collection(
    state: &AppState,
    owner: &Actor,
    name: &str,
    page: Option<u32>,
) -> Result<Response> {
    let id = state.urls.collection(&owner.ap_id, name);
    let json = match name {
        "followers" => {
            let mut conn = state.db.conn().await?;
            collections::counted(&id, follow::count_followers(&mut conn, owner.id).await?)
        }
        "following" => {
            let mut conn = state.db.conn().await?;
            collections::counted(&id, follow::count_following(&mut conn, owner.id).await?)
        }
        "moderators" if owner.actor_type == kind::GROUP => {
            let mut conn = state.db.conn().await?;
            let ids = collections::moderators(&mut conn, owner).await?;
            collections::listed(&id, ids)
        }
        "outbox" => collections::outbox(state, owner, &id, page).await?,
        "featured" if owner.actor_type == kind::GROUP => {
            collections::featured(state, owner, &id).await?
        }
        _ => return Err(Error::NotFound(format!("collection {name}"))),
    };
    Ok(activity_json(&json))
}
