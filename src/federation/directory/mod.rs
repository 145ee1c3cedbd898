//! The node directory as other nodes read it: `/directory` (this node's discoverable
//! initiatives and groups as a change feed, paged by position: `?after=N[&limit=L]`) and
//! `/directory/nodes` (the Kwartier nodes this node knows and considers alive, paged by domain).
//! Both are public ActivityPub collections, cacheable for a minute. The client side that reads
//! peers' directories is in [`fetch`]; the shapes both sides share are in [`wire`].

pub mod fetch;
pub mod wire;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::negotiate::activity_json;
use super::objects::Place;
use super::objects::actor::ActorJson;
use crate::db::{known_node, publication};
use crate::error::{Error, Result};
use crate::service::directory::publish;
use crate::state::AppState;

/// Items per page unless asked otherwise, and the most a page holds.
pub const PAGE_DEFAULT: i64 = 100;
pub const PAGE_MAX: i64 = 500;
/// The most nodes the node list ever names.
pub const NODES_MAX: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/directory", get(directory))
        .route("/directory/nodes", get(nodes))
}

#[derive(Deserialize)]
struct PageQuery {
    after: Option<String>,
    limit: Option<String>,
}

impl PageQuery {
    fn limit(&self) -> Result<i64> {
        match self.limit.as_deref() {
            None => Ok(PAGE_DEFAULT),
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=PAGE_MAX).contains(l))
                .ok_or_else(|| {
                    Error::BadRequest(format!("limit must be a number from 1 to {PAGE_MAX}"))
                }),
        }
    }
}

/// A collection answer: ActivityPub JSON that caches and proxies may keep for a minute.
fn cacheable(value: &Value) -> Response {
    let mut response = activity_json(value);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

async fn directory(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let limit = query.limit()?;
    publish::refresh(&state).await?;
    let urls = &state.urls;
    let mut conn = state.db.conn().await?;
    let Some(after) = query.after.as_deref() else {
        return Ok(cacheable(&json!({
            "type": "OrderedCollection",
            "id": urls.directory(),
            "totalItems": publication::count(&mut conn).await?,
            "latestSeq": publication::latest_seq(&mut conn).await?,
            "first": urls.directory_page(0, None),
        })));
    };
    let after = after
        .parse::<i64>()
        .ok()
        .filter(|a| *a >= 0)
        .ok_or_else(|| Error::BadRequest("after must be a position (0 or more)".into()))?;
    let rows = publication::page(&mut conn, after, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(match &row.body {
            Some(body) => {
                let body: Value = serde_json::from_str(body)
                    .map_err(|e| Error::internal("reading a published entry", e))?;
                wire::with_seq(body, row.seq)
            }
            None => wire::tombstone_json(&row.ap_id, row.seq, row.changed_at),
        });
    }
    let mut page = json!({
        "type": "OrderedCollectionPage",
        "id": urls.directory_page(after, query.limit.is_some().then_some(limit)),
        "partOf": urls.directory(),
        "orderedItems": items,
    });
    if let (Some(last), Some(map)) = (rows.last(), page.as_object_mut())
        && rows.len() as i64 == limit
    {
        let next = urls.directory_page(last.seq, query.limit.is_some().then_some(limit));
        map.insert("next".into(), json!(next));
    }
    Ok(cacheable(&page))
}

async fn nodes(State(state): State<AppState>, Query(query): Query<PageQuery>) -> Result<Response> {
    let limit = query.limit()?;
    let urls = &state.urls;
    let mut conn = state.db.conn().await?;
    // The first NODES_MAX alive nodes by domain, so the list stays bounded however it is paged.
    let alive = known_node::alive(&mut conn, "", NODES_MAX).await?;
    let Some(after) = query.after.as_deref() else {
        return Ok(cacheable(&json!({
            "type": "OrderedCollection",
            "id": urls.directory_nodes(),
            "totalItems": alive.len(),
            "first": urls.directory_nodes_page(""),
        })));
    };
    let page: Vec<_> = alive
        .iter()
        .filter(|n| n.domain.as_str() > after)
        .take(limit as usize)
        .collect();
    let items: Vec<Value> = page
        .iter()
        .filter_map(|n| {
            let actor = n.actor_url.as_deref()?;
            let centre = n.latitude.zip(n.longitude);
            let codes: Vec<String> = split_codes(&n.region_codes);
            Some(wire::node_json(
                actor,
                &n.domain,
                n.name.as_deref(),
                &codes,
                centre,
            ))
        })
        .collect();
    let mut body = json!({
        "type": "OrderedCollectionPage",
        "id": urls.directory_nodes_page(after),
        "partOf": urls.directory_nodes(),
        "orderedItems": items,
    });
    if let (Some(last), Some(map)) = (page.last(), body.as_object_mut())
        && page.len() as i64 == limit
        && alive.last().is_some_and(|l| l.domain != last.domain)
    {
        map.insert(
            "next".into(),
            json!(urls.directory_nodes_page(&last.domain)),
        );
    }
    Ok(cacheable(&body))
}

/// Adds what the directory needs to the node's `Application` actor: where its directory and
/// node list are, and its region (codes, and a `Place` with the centre when configured).
pub fn describe_node(state: &AppState, json: &mut ActorJson, node_name: &str) {
    let region = &state.config.directory;
    json.directory = Some(state.urls.directory());
    json.nodes = Some(state.urls.directory_nodes());
    json.region_codes = region.region_codes.clone();
    json.location = region.region_centre.map(|(lat, lon)| Place {
        kind: "Place".into(),
        name: region
            .region_name
            .clone()
            .unwrap_or_else(|| node_name.to_owned()),
        latitude: Some(lat),
        longitude: Some(lon),
    });
}

/// Region codes as stored: separated by commas.
pub fn split_codes(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}
