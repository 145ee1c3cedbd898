//! `/api/v1/directory/search`: network-wide search over every known node's initiatives and
//! groups, answered from this node's index. Public data: no token needed. The parameters and
//! the fields of each item are kept stable for operators' scripts.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::service::directory::search::{self, Hit, parse_near};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/directory/search", get(search_directory))
}

/// Every parameter is optional; without any, the most recently active entries come first.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchParams {
    /// Words to find in names, summaries, places and themes (Dutch stemming; the last word
    /// also matches the start of a word).
    q: Option<String>,
    /// A theme in any spelling or language the curated list knows (`zorg`, `Care`, `#ZÓRG`).
    theme: Option<String>,
    /// `LAT,LON` in decimal degrees: only entries within `radius_km`, nearest first.
    near: Option<String>,
    /// Kilometres around `near`, more than 0 and at most 500 (default 25).
    radius_km: Option<String>,
    /// `initiative` or `group`.
    kind: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<String>,
    /// Hits to skip, at most 10000.
    offset: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SearchAnswer {
    items: Vec<DirectoryItem>,
    /// The `offset` of the next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_offset: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DirectoryItem {
    /// The ActivityPub id of the initiative or group.
    id: String,
    name: String,
    /// `initiative` or `group`.
    kind: String,
    /// Theme keys: curated slugs (`zorg`, `groen`) or folded hashtags.
    themes: Vec<String>,
    /// The hosting node's domain (host and, if not the default, port).
    node: String,
    /// `name@domain`, to follow it from anywhere.
    handle: String,
    summary: String,
    url: Option<String>,
    place: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    follower_count: i64,
    last_activity: Option<DateTime<Utc>>,
    /// Kilometres from `near`; only when `near` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_km: Option<f64>,
}

impl From<Hit> for DirectoryItem {
    fn from(hit: Hit) -> Self {
        let e = hit.entry;
        DirectoryItem {
            id: e.ap_id,
            name: e.name,
            kind: e.kind,
            themes: hit.themes,
            node: e.node,
            handle: e.handle,
            summary: e.summary,
            url: e.url,
            place: e.place_name,
            latitude: e.latitude,
            longitude: e.longitude,
            follower_count: e.follower_count,
            last_activity: e.last_activity_at.map(|t| t.and_utc()),
            distance_km: hit.distance_km.map(|d| (d * 100.0).round() / 100.0),
        }
    }
}

/// Reads the parameters into a search; wrong ones are a `400` naming the parameter.
fn query_of(params: &SearchParams) -> Result<search::Query> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let number = |field: &'static str, v: &Option<String>| -> Result<Option<f64>> {
        match text(v) {
            None => Ok(None),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| Error::invalid(field, format!("{raw:?} is not a number"))),
        }
    };
    let count = |field: &'static str, v: &Option<String>, default: usize| -> Result<usize> {
        match text(v) {
            None => Ok(default),
            Some(raw) => raw.parse::<usize>().map_err(|_| {
                Error::invalid(field, format!("{raw:?} is not a whole number of 0 or more"))
            }),
        }
    };
    let query = search::Query {
        text: text(&params.q),
        theme: text(&params.theme),
        near: text(&params.near).map(|n| parse_near(&n)).transpose()?,
        radius_km: number("radius_km", &params.radius_km)?,
        kind: text(&params.kind),
        limit: count("limit", &params.limit, search::DEFAULT_LIMIT)?,
        offset: count("offset", &params.offset, 0)?,
    };
    query.check()?;
    Ok(query)
}

/// Searches every known node's initiatives and groups by text, theme, kind and distance.
#[utoipa::path(get, path = "/api/v1/directory/search", tag = "directory", params(SearchParams),
    responses((status = 200, body = SearchAnswer), (status = 400, body = super::openapi::ErrorBody)))]
pub(super) async fn search_directory(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchAnswer>> {
    let query = query_of(&params).map_err(|err| match err {
        Error::Invalid { field, message } => Error::BadRequest(format!("{field}: {message}")),
        other => other,
    })?;
    let mut conn = state.db.conn().await?;
    let (hits, more) = search::search_page(&mut conn, &query).await?;
    Ok(Json(SearchAnswer {
        items: hits.into_iter().map(DirectoryItem::from).collect(),
        next_offset: more.then_some(query.offset + query.limit),
    }))
}
