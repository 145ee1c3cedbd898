//! Activities: one file per type, each with the JSON we send (built by a function named after
//! the activity) and what receiving one does (`receive`). This module holds the shapes they
//! share: the outgoing activity and the incoming envelope.

pub mod accept;
pub mod add;
pub mod announce;
pub mod create;
pub mod delete;
pub mod flag;
pub mod follow;
pub mod group_post;
pub mod like;
pub mod reject;
pub mod undo;
pub mod update;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use url::Url;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;

use super::objects::deserialize_one_or_many;
use crate::error::{Error, Result};
use crate::state::AppState;

/// An activity as we send it. `context` is set on top-level activities and left out of
/// activities embedded in others.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: Url,
    pub object: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
    /// `Add`/`Remove`: the collection changed (a group's moderators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// `Flag`: the reason for the report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

impl Activity {
    /// A new top-level activity with a fresh id under `/activities/`.
    pub fn new(state: &AppState, kind: &'static str, actor: &Url, object: Value) -> Activity {
        Activity::new_with_id(
            state.urls.activity(&uuid::Uuid::new_v4()),
            kind,
            actor,
            object,
        )
    }

    /// A top-level activity with a given id (a follow keeps the id it was stored under).
    pub fn new_with_id(id: Url, kind: &'static str, actor: &Url, object: Value) -> Activity {
        Activity {
            context: Some(super::objects::context()),
            id,
            kind,
            actor: actor.clone(),
            object,
            to: Vec::new(),
            cc: Vec::new(),
            audience: None,
            target: None,
            published: Some(Utc::now()),
            content: None,
        }
    }

    /// Whether it is addressed to everyone.
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|a| super::objects::is_public(a))
    }

    /// This activity without its `@context`, to embed in another.
    pub fn embedded(&self) -> Value {
        let mut inner = self.clone();
        inner.context = None;
        serde_json::to_value(inner).unwrap_or(Value::Null)
    }
}

/// An activity as it arrives: the envelope every type shares, with the object left as JSON for
/// the type's own `receive` to read.
#[derive(Debug, Clone, Deserialize)]
pub struct Incoming {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "deserialize_id")]
    pub actor: Url,
    #[serde(default)]
    pub object: Value,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
    /// `Add`/`Remove`: the collection.
    #[serde(default)]
    pub target: Option<Value>,
    /// `Flag`: the report's comment (Mastodon), or `summary` (Lemmy).
    #[serde(default)]
    pub content: Option<Value>,
    #[serde(default)]
    pub summary: Option<Value>,
}

impl Incoming {
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|a| super::objects::is_public(a))
    }
}

/// The id of something given as a URL string or as an object with an `id`.
pub fn id_of(value: &Value) -> Option<Url> {
    match value {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(map) => map
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok()),
        _ => None,
    }
}

/// The `type` of an embedded object, if it is one.
pub fn type_of(value: &Value) -> Option<&str> {
    value.get("type").and_then(Value::as_str)
}

/// An object or activity named in another, as JSON we can rely on: the embedded copy when it
/// comes from the sender's own server, else what its own server serves at its id (fetched,
/// signed by our node, with the id checked against the final URL).
pub async fn trusted(data: &Data<AppState>, object: &Value, sender: &Url) -> Result<Value> {
    let id = id_of(object).ok_or_else(|| Error::BadRequest("the object has no id".into()))?;
    if object.is_object() && id.origin() == sender.origin() {
        return Ok(object.clone());
    }
    if data.urls.is_local(&id) {
        return Err(Error::BadRequest(format!(
            "{id} is ours; it cannot come from elsewhere"
        )));
    }
    let fetched = fetch_object_http::<AppState, Value>(&id, data).await?;
    Ok(fetched.object)
}

/// `actor` as a URL or an object with an id, also (Prismo) wrapped in an array of one. An array
/// of several actors is refused: one of them would have to be picked, and the signature is
/// checked against one actor only.
fn deserialize_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let one = match &value {
        Value::Array(items) if items.len() == 1 => &items[0],
        other => other,
    };
    id_of(one).ok_or_else(|| serde::de::Error::custom("expected a URL or an object with an id"))
}
