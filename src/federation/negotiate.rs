//! Content negotiation: the same URL serves ActivityPub JSON to servers and HTML to people.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::objects::context;

pub const ACTIVITY_JSON: &str = "application/activity+json";

/// Whether the client asked for ActivityPub JSON (`application/activity+json`, or
/// `application/ld+json` with or without the ActivityStreams profile).
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .any(|media| media == ACTIVITY_JSON || media == "application/ld+json")
}

/// An ActivityPub document with our `@context`.
pub fn activity_json<T: Serialize>(object: &T) -> Response {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    if let Some(map) = value.as_object_mut()
        && !map.contains_key("@context")
    {
        let mut with_context = serde_json::Map::new();
        with_context.insert("@context".into(), context());
        with_context.extend(std::mem::take(map));
        *map = with_context;
    }
    let mut response = axum::Json(value).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn activity_json_and_ld_json_are_json() {
        assert!(wants_json(&accept("application/activity+json")));
        assert!(wants_json(&accept(
            r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#
        )));
        assert!(wants_json(&accept(
            "text/html, application/activity+json;q=0.9"
        )));
        assert!(!wants_json(&accept("text/html,application/xhtml+xml")));
        assert!(!wants_json(&HeaderMap::new()));
    }
}
