//! `/netwerk`: network-wide search over every known node's initiatives and groups (answered
//! from this node's index), as a list that works without JavaScript and, at `/netwerk/kaart`,
//! the same results on a map (Leaflet served from this node; tiles from the configured
//! server). Each result says which node hosts it and how to follow it: a button for people
//! logged in here, else the handle to copy and a form that sends people to their own server.

mod follow;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::form::FieldErrors;
use super::i18n::{Lang, Tr};
use super::{Chrome, Page, Visitor};
use crate::db::directory::{KIND_GROUP, KIND_INITIATIVE};
use crate::db::directory_search;
use crate::error::Result;
use crate::service::directory::{place, search};
use crate::service::theme::{self, curated};
use crate::state::AppState;

const PAGE_SIZE: usize = 20;
/// The radius choices; the first one the form offers by default is 25 km.
const RADII: [u32; 7] = [5, 10, 25, 50, 100, 250, 500];
/// Theme keys from the index offered besides the curated ones.
const MORE_THEMES: i64 = 40;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/netwerk", get(list))
        .route("/netwerk/kaart", get(map))
        .merge(follow::router())
}

/// What the search form sends; every field as typed, so the form can show it again.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct SearchForm {
    q: String,
    theme: String,
    place: String,
    radius: String,
    kind: String,
    page: usize,
}

impl SearchForm {
    fn asked(&self) -> bool {
        [&self.q, &self.theme, &self.place, &self.kind]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    fn radius_km(&self) -> u32 {
        self.radius
            .trim()
            .parse()
            .ok()
            .filter(|r| RADII.contains(r))
            .unwrap_or(25)
    }

    /// The query string of this search on this page.
    fn this_page(&self) -> String {
        self.query_string(self.page)
    }

    /// The query string of this search on another page (`page` left out).
    fn query_string(&self, page: usize) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("theme", &self.theme),
            ("place", &self.place),
            ("kind", &self.kind),
        ] {
            if !v.trim().is_empty() {
                out.append_pair(k, v.trim());
            }
        }
        if !self.place.trim().is_empty() {
            out.append_pair("radius", &self.radius_km().to_string());
        }
        if page > 0 {
            out.append_pair("page", &page.to_string());
        }
        out.finish()
    }
}

pub(super) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One result card.
pub(super) struct Card {
    ap_id: String,
    name: String,
    href: String,
    kind: String,
    themes: Vec<String>,
    place: Option<String>,
    distance: Option<String>,
    /// "Op oss.example" — which node hosts it.
    hosted_by: String,
    /// The follow button's text, naming the entry for screen readers.
    follow_label: String,
    handle: String,
    summary: String,
    /// For people logged in here: `Some(state)` when they follow it (`pending`/`accepted`).
    following: Option<String>,
}

/// A remote follow that went wrong, shown at its card.
pub(super) struct FollowError {
    pub ap_id: String,
    pub account: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    c: Chrome,
    form: SearchForm,
    map_view: bool,
    themes: Vec<Choice>,
    radii: Vec<Choice>,
    kinds: Vec<Choice>,
    errors: FieldErrors,
    searched: bool,
    cards: Vec<Card>,
    /// `data-` attributes of the map: where its markers come from, its tiles.
    map_search: String,
    map_tiles: String,
    map_attribution: String,
    here: String,
    previous: Option<String>,
    next: Option<String>,
    follow_error: Option<FollowError>,
}

impl NetworkPage {
    fn has_error(&self, card: &Card) -> Option<&FollowError> {
        self.follow_error.as_ref().filter(|e| e.ap_id == card.ap_id)
    }
}

async fn list(
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    render(&state, &visitor, &uri, form, false, None).await
}

async fn map(
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    render(&state, &visitor, &uri, form, true, None).await
}

/// The page for a search; `follow_error` when a remote follow from it went wrong.
pub(super) async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    form: SearchForm,
    map_view: bool,
    follow_error: Option<FollowError>,
) -> Result<Response> {
    let tr = visitor.tr();
    let mut errors = FieldErrors::default();
    let near = match place::resolve(state, &form.place).await {
        Ok(None) if !form.place.trim().is_empty() => {
            errors.add("place", tr.t("network-place-unknown"));
            None
        }
        Ok(point) => point,
        Err(err) => {
            errors = FieldErrors::from_error(err, &tr, "place")?;
            None
        }
    };
    let query = search::Query {
        text: Some(form.q.trim().to_owned()).filter(|q| !q.is_empty()),
        theme: Some(form.theme.trim().to_owned()).filter(|t| !t.is_empty()),
        near,
        radius_km: near.map(|_| f64::from(form.radius_km())),
        kind: Some(form.kind.clone())
            .filter(|k| [KIND_INITIATIVE, KIND_GROUP].contains(&k.as_str())),
        limit: PAGE_SIZE,
        offset: form.page.min(search::MAX_OFFSET / PAGE_SIZE) * PAGE_SIZE,
    };
    let searched = form.asked() && errors.is_empty();
    let mut conn = state.db.conn().await?;
    let (hits, more) = if searched {
        search::search_page(&mut conn, &query).await?
    } else {
        (Vec::new(), false)
    };
    let viewer = visitor.session.as_ref().map(|s| s.auth.person.id);
    let followed = match viewer {
        Some(person) if !hits.is_empty() => {
            let ids: Vec<String> = hits.iter().map(|h| h.entry.ap_id.clone()).collect();
            directory_search::followed_among(&mut conn, person, &ids).await?
        }
        _ => Vec::new(),
    };
    let in_use = directory_search::theme_keys(&mut conn, MORE_THEMES).await?;
    drop(conn);
    let cards = hits
        .into_iter()
        .map(|hit| {
            let following = followed
                .iter()
                .find(|(id, _)| *id == hit.entry.ap_id)
                .map(|(_, s)| s.clone());
            card(&tr, hit, following)
        })
        .collect();
    let here = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/netwerk".into());
    let path = if map_view {
        "/netwerk/kaart"
    } else {
        "/netwerk"
    };
    let link = |page: usize| format!("{path}?{}", form.query_string(page));
    let map_search = map_search(&query);
    let status = if follow_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        errors.status()
    };
    let page = NetworkPage {
        c: Chrome::new(state, visitor, uri).await?,
        themes: theme_choices(tr.lang, &in_use, &form.theme),
        radii: RADII
            .iter()
            .map(|r| Choice {
                value: r.to_string(),
                label: tr.with("network-radius-km", &[("km", (*r).into())]),
                selected: *r == form.radius_km(),
            })
            .collect(),
        kinds: [
            ("", "network-kind-any"),
            (KIND_INITIATIVE, "network-kind-initiative"),
            (KIND_GROUP, "network-kind-group"),
        ]
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: tr.t(label),
            selected: form.kind == *value,
        })
        .collect(),
        map_view,
        errors,
        searched,
        cards,
        map_search,
        map_tiles: state.config.search.map_tile_url.clone().unwrap_or_default(),
        map_attribution: state.config.search.map_attribution.clone(),
        previous: (form.page > 0).then(|| link(form.page - 1)),
        next: more.then(|| link(form.page + 1)),
        here,
        form,
        follow_error,
    };
    Ok((status, Page(page)).into_response())
}

/// The JSON API's URL for this search's map markers (the first hundred).
fn map_search(query: &search::Query) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let texts = [
        ("q", &query.text),
        ("theme", &query.theme),
        ("kind", &query.kind),
    ];
    for (k, v) in texts {
        if let Some(v) = v {
            out.append_pair(k, v);
        }
    }
    if let (Some((lat, lon)), Some(r)) = (query.near, query.radius_km) {
        out.append_pair("near", &format!("{lat},{lon}"));
        out.append_pair("radius_km", &r.to_string());
    }
    out.append_pair("limit", &search::MAX_LIMIT.to_string());
    format!("/api/v1/directory/search?{}", out.finish())
}

fn card(tr: &Tr, hit: search::Hit, following: Option<String>) -> Card {
    let lang = tr.lang.code();
    let e = hit.entry;
    Card {
        href: e.url.clone().unwrap_or_else(|| e.ap_id.clone()),
        kind: tr.t(if e.kind == KIND_GROUP {
            "network-kind-group"
        } else {
            "network-kind-initiative"
        }),
        themes: hit
            .themes
            .iter()
            .map(|key| theme::display_name(key, key, lang))
            .collect(),
        distance: hit.distance_km.map(|d| {
            tr.with(
                "network-distance",
                &[("distance", distance(tr.lang, d).into())],
            )
        }),
        hosted_by: tr.with("network-hosted-by", &[("node", e.node.into())]),
        follow_label: tr.with("network-follow-button", &[("name", e.name.clone().into())]),
        ap_id: e.ap_id,
        name: e.name,
        place: e.place_name,
        handle: e.handle,
        summary: e.summary,
        following,
    }
}

/// `3,2` in Dutch, `3.2` in English.
fn distance(lang: Lang, km: f64) -> String {
    let shown = format!("{km:.1}");
    match lang {
        Lang::Nl => shown.replace('.', ","),
        Lang::En => shown,
    }
}

/// The curated themes by their name in the visitor's language, then other themes in use.
fn theme_choices(lang: Lang, in_use: &[(String, i64)], chosen: &str) -> Vec<Choice> {
    let chosen = theme::key(chosen);
    let mut out: Vec<Choice> = curated::all()
        .iter()
        .map(|t| Choice {
            value: t.slug.clone(),
            label: t.name(lang.code()).to_owned(),
            selected: t.slug == chosen,
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    for (key, _) in in_use {
        if curated::by_slug(key).is_none() {
            out.push(Choice {
                value: key.clone(),
                label: format!("#{key}"),
                selected: *key == chosen,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_use_the_decimal_mark_of_the_language() {
        assert_eq!(distance(Lang::Nl, 3.24), "3,2");
        assert_eq!(distance(Lang::En, 12.06), "12.1");
    }

    #[test]
    fn curated_themes_come_first_in_the_visitors_language() {
        let in_use = vec![("zorg".to_owned(), 3), ("repaircafe".to_owned(), 1)];
        let en = theme_choices(Lang::En, &in_use, "Care");
        assert!(
            en.iter()
                .any(|c| c.value == "zorg" && c.label == "Care" && c.selected)
        );
        assert_eq!(en.last().map(|c| c.label.as_str()), Some("#repaircafe"));
        assert_eq!(en.iter().filter(|c| c.value == "zorg").count(), 1);
    }
}
