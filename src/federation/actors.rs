//! Our actors at their ids: ActivityPub JSON for servers (unsigned GETs are fine, as FEP-2677
//! and GoToSocial expect), their web page for people (from `web`); and their collections.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Object;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::collections;
use super::negotiate::{activity_json, wants_json};
use super::objects::article::tombstone;
use crate::db::actor::{self, Actor, kind};
use crate::db::follow;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::{self, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actor", get(node))
        .route("/u/{name}", get(person))
        .route("/i/{handle}", get(initiative_page))
        .route("/actor/{collection}", get(node_collection))
        .route("/u/{name}/{collection}", get(person_collection))
        .route("/i/{handle}/{collection}", get(initiative_collection))
        .route("/g/{handle}", get(group_page))
        .route("/g/{handle}/{collection}", get(group_collection))
}

/// The local actor with this handle and type, not deleted.
pub async fn local(state: &AppState, handle: &str, actor_type: &str) -> Result<Actor> {
    let mut conn = state.db.conn().await?;
    actor::find_local_of_type(&mut conn, handle, actor_type)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("{handle:?}")))
}

/// A local person, also when their account was deleted (the actor stays as a tombstone).
async fn person_or_tombstone(state: &AppState, name: &str) -> Result<Actor> {
    let mut conn = state.db.conn().await?;
    actor::find_local_of_type(&mut conn, name, kind::PERSON)
        .await?
        .ok_or_else(|| Error::NotFound(format!("{name:?}")))
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
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let person = person_or_tombstone(&data, &name).await?;
    if let Some(deleted) = person.deleted_at {
        if wants_json(&headers) {
            let body = tombstone(&person.ap_id, "Person", deleted.and_utc());
            return Ok((StatusCode::GONE, activity_json(&body)).into_response());
        }
        return Err(Error::Gone(format!("@{}", person.username)));
    }
    if wants_json(&headers) {
        return Ok(activity_json(&person.into_json(&data).await?));
    }
    web::person_page(&data, &visitor, &uri, person).await
}

async fn initiative_page(
    data: Data<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let group = local(&data, &handle, kind::GROUP).await?;
    if wants_json(&headers) {
        let group = federated(group)?;
        return Ok(activity_json(&group.into_json(&data).await?));
    }
    web::initiative_page(&data, &visitor, &uri, group).await
}

/// A theme group: its actor for servers, its page for people.
async fn group_page(
    data: Data<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    let (group, _) = {
        let mut conn = data.db.conn().await?;
        crate::service::theme_group::find(&mut conn, &handle).await?
    };
    if wants_json(&headers) {
        let group = federated(group)?;
        return Ok(activity_json(&group.into_json(&data).await?));
    }
    web::group_page(&data, &visitor, &uri, group).await
}

async fn group_collection(
    data: Data<AppState>,
    Path((handle, collection)): Path<(String, String)>,
    query: axum::extract::Query<PageQuery>,
) -> Result<Response> {
    let (group, _) = {
        let mut conn = data.db.conn().await?;
        crate::service::theme_group::find(&mut conn, &handle).await?
    };
    serve_collection(&data, &group, &collection, query.page).await
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
    let person = person_or_tombstone(&data, &name).await?;
    if person.deleted_at.is_some() {
        return Err(Error::Gone(format!("@{}", person.username)));
    }
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

/// The actor if other servers may have it: local-only spaces answer 404, as if they did not
/// exist (`service::local_only`).
fn federated(found: Actor) -> Result<Actor> {
    if found.local_only {
        return Err(Error::NotFound(format!("{:?}", found.username)));
    }
    Ok(found)
}

async fn serve_collection(
    state: &AppState,
    owner: &Actor,
    name: &str,
    page: Option<u32>,
) -> Result<Response> {
    let owner = &federated(owner.clone())?;
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
