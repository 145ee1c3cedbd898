//! ActivityPub objects: for each federated type its JSON shape beside the row it maps to, with
//! `impl Object` on the row. This module holds what several of them share: the JSON-LD context,
//! small embedded shapes (keys, images, property values, places, hashtags) and origin checks.

pub mod actor;
pub mod article;
#[cfg(test)]
mod fixtures;
pub mod group;
pub mod note;
pub mod theme_group;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use url::Url;

use crate::error::{Error, Result};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The `@context` of everything we serve: ActivityStreams, security keys, and the extension
/// terms Mastodon, Lemmy and we use.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "lemmy": "https://join-lemmy.org/ns#",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "moderators": { "@id": "lemmy:moderators", "@type": "@id" },
            "kwartier": "https://kwartier.nl/ns#",
            "kind": "kwartier:kind",
            "directory": { "@id": "kwartier:directory", "@type": "@id" },
            "nodes": { "@id": "kwartier:nodes", "@type": "@id" },
            "regionCodes": "kwartier:regionCodes",
            "domain": "kwartier:domain",
            "latestSeq": "kwartier:latestSeq",
            "seq": "kwartier:seq",
            "followerCount": "kwartier:followerCount",
            "lastActivity": { "@id": "kwartier:lastActivity", "@type": "xsd:dateTime" },
            "xsd": "http://www.w3.org/2001/XMLSchema#"
        }
    ])
}

/// Whether an address means "everyone": `as:Public`, `Public` and the full IRI are the same.
pub fn is_public(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

/// `publicKey` of an actor.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: Url,
    pub public_key_pem: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

/// An `Image` as used for `icon` and `image`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type", default = "image_type")]
    pub kind: String,
    pub url: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Alt text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn image_type() -> String {
    "Image".to_owned()
}

/// A profile field: `{"type":"PropertyValue","name":"Buurt","value":"Centrum"}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// HTML.
    pub value: String,
}

impl PropertyValue {
    pub fn new(name: &str, value: String) -> Self {
        PropertyValue {
            kind: "PropertyValue".into(),
            name: name.into(),
            value,
        }
    }
}

/// A `Place`: where an initiative is.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Place {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// A tag on an object: we emit `Hashtag`s and read `Hashtag` and `Mention`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Tag {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<Url>,
    #[serde(default)]
    pub name: Option<String>,
}

impl Tag {
    pub fn hashtag(name: &str, href: Url) -> Self {
        Tag {
            kind: "Hashtag".into(),
            href: Some(href),
            name: Some(format!("#{name}")),
        }
    }
}

/// Accepts a URL given as a string, as a `Link` object (`href`) or as an array of either (the
/// first `text/html` one, else the first one). Anything else reads as absent.
pub fn deserialize_loose_url<'de, D>(deserializer: D) -> std::result::Result<Option<Url>, D::Error>
where
    D: Deserializer<'de>,
{
    fn from_value(value: &Value) -> Option<Url> {
        match value {
            Value::String(s) => Url::parse(s).ok(),
            Value::Object(link) => link
                .get("href")
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok()),
            Value::Array(items) => items
                .iter()
                .find(|item| item.get("mediaType").and_then(Value::as_str) == Some("text/html"))
                .or_else(|| items.first())
                .and_then(from_value),
            _ => None,
        }
    }
    Ok(Option::<Value>::deserialize(deserializer)?
        .as_ref()
        .and_then(from_value))
}

/// `icon` and `image` as an `Image`, a bare URL, or (PeerTube) an array of sizes, of which the
/// widest is kept. Anything unreadable reads as absent.
pub fn deserialize_image<'de, D>(deserializer: D) -> std::result::Result<Option<Image>, D::Error>
where
    D: Deserializer<'de>,
{
    fn from_value(value: Value) -> Option<Image> {
        match value {
            Value::String(url) => Some(Image {
                kind: image_type(),
                url: Url::parse(&url).ok()?,
                media_type: None,
                name: None,
            }),
            Value::Array(items) => {
                let width = |item: &Value| item.get("width").and_then(Value::as_u64).unwrap_or(0);
                // `max_by_key` keeps the last of equals; the first of equals is wanted.
                let widest = items.iter().rev().max_by_key(|item| width(item)).cloned()?;
                from_value(widest)
            }
            other => serde_json::from_value(other).ok(),
        }
    }
    Ok(Option::<Value>::deserialize(deserializer)?.and_then(from_value))
}

/// `publicKey` given as one key or as a list (Fedify lists its RSA and Ed25519 keys): the first
/// RSA key, as HTTP signatures need one.
pub fn deserialize_rsa_key<'de, D>(deserializer: D) -> std::result::Result<PublicKey, D::Error>
where
    D: Deserializer<'de>,
{
    use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    let is_rsa = |key: &PublicKey| {
        pem::parse(key.public_key_pem.trim()).is_ok_and(|der| {
            ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.contents()).is_ok()
        })
    };
    match Value::deserialize(deserializer)? {
        Value::Array(keys) => keys
            .into_iter()
            .filter_map(|key| serde_json::from_value::<PublicKey>(key).ok())
            .find(is_rsa)
            .ok_or_else(|| serde::de::Error::custom("publicKey lists no RSA key")),
        one => serde_json::from_value(one).map_err(serde::de::Error::custom),
    }
}

/// A value that may be given once or as an array; reads as a list.
pub fn deserialize_one_or_many<'de, D, T>(deserializer: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        Some(one) => serde_json::from_value(one).into_iter().collect(),
    })
}

/// `attributedTo` as a URL, an object, or (PeerTube, Lemmy) a list where the `Person` counts.
pub fn deserialize_attribution<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Url, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let person = match &value {
        Value::Array(items) => items
            .iter()
            .find(|item| item.get("type").and_then(Value::as_str) == Some("Person"))
            .or_else(|| items.first()),
        other => Some(other),
    };
    person
        .and_then(crate::federation::activities::id_of)
        .ok_or_else(|| serde::de::Error::custom("attributedTo names no actor"))
}

/// Fails unless both URLs have the same origin: scheme, host **and** port.
pub fn ensure_same_origin(what: &str, url: &Url, origin_of: &Url) -> Result<()> {
    if url.origin() == origin_of.origin() {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{what} {url} is not on the same server as {origin_of}"
        )))
    }
}

/// Cuts text to at most `max` characters, on a character boundary.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_has_three_spellings() {
        assert!(is_public("https://www.w3.org/ns/activitystreams#Public"));
        assert!(is_public("as:Public"));
        assert!(is_public("Public"));
        assert!(!is_public("https://mastodon.example/users/anna/followers"));
    }

    #[test]
    fn origins_include_the_port() {
        let a = Url::parse("http://localhost:3001/u/anna").unwrap();
        let b = Url::parse("http://localhost:3002/u/anna").unwrap();
        assert!(ensure_same_origin("id", &a, &b).is_err());
        assert!(
            ensure_same_origin("id", &a, &Url::parse("http://localhost:3001/x").unwrap()).is_ok()
        );
    }

    #[test]
    fn loose_urls() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "deserialize_loose_url")]
            url: Option<Url>,
        }
        let read = |json: &str| {
            serde_json::from_str::<T>(json)
                .unwrap()
                .url
                .map(|u| u.to_string())
        };
        assert_eq!(
            read(r#"{"url":"https://a.example/@x"}"#).as_deref(),
            Some("https://a.example/@x")
        );
        assert_eq!(
            read(r#"{"url":[{"type":"Link","mediaType":"application/x-mpegURL","href":"https://a.example/v.m3u8"},{"type":"Link","mediaType":"text/html","href":"https://a.example/w/1"}]}"#).as_deref(),
            Some("https://a.example/w/1")
        );
        assert_eq!(read(r#"{"url":42}"#), None);
        assert_eq!(read(r#"{}"#), None);
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("zoë", 2), "zo");
        assert_eq!(truncate("zoë", 3), "zoë");
        assert_eq!(truncate("zoë", 10), "zoë");
    }
}
