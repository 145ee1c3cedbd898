//! Actors as ActivityPub JSON. One shape reads every remote actor (Person, Group, Service,
//! Application, Organization, as Mastodon, Lemmy, GoToSocial and the rest publish them) and
//! writes our own (people, the node's `Application`; initiatives in `group.rs`).
//! `impl Object for Actor` lets the library fetch, verify and cache remote actors.

use activitypub_federation::config::Data;
use activitypub_federation::protocol::helpers::deserialize_skip_error;
use activitypub_federation::traits::{Actor as ApActor, Object};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    Endpoints, Image, Place, PropertyValue, PublicKey, Tag, deserialize_image,
    deserialize_loose_url, deserialize_one_or_many, ensure_same_origin, truncate,
};
use crate::db::actor::{self, Actor, NewActor, kind};
use crate::db::node_settings;
use crate::db::types::DbUrl;
use crate::error::{Error, Result};
use crate::federation::client::check_remote;
use crate::federation::urls::main_key_id;
use crate::service::text;
use crate::state::AppState;

/// Actor types we store; anything else is refused.
const ACTOR_TYPES: &[&str] = &["Person", "Group", "Application", "Service", "Organization"];

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub preferred_username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(
        default,
        deserialize_with = "deserialize_loose_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    pub inbox: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub outbox: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub followers: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub following: Option<Url>,
    /// One key, or (Fedify) a list of keys of which the first RSA key is used: HTTP
    /// signatures are RSA.
    #[serde(deserialize_with = "super::deserialize_rsa_key")]
    pub public_key: PublicKey,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub endpoints: Option<Endpoints>,
    #[serde(
        default,
        deserialize_with = "deserialize_image",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<Image>,
    #[serde(
        default,
        deserialize_with = "deserialize_image",
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<Image>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub manually_approves_followers: bool,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub discoverable: Option<bool>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub indexable: Option<bool>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<DateTime<Utc>>,
    /// Profile fields (`PropertyValue`).
    #[serde(
        default,
        deserialize_with = "deserialize_one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<PropertyValue>,
    #[serde(
        default,
        deserialize_with = "deserialize_one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Tag>,
    /// Groups: where the group is.
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub location: Option<Place>,
    /// Pinned objects (Mastodon).
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub featured: Option<Url>,
    /// Groups: the moderators collection (Lemmy reads it here).
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub moderators: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub posting_restricted_to_mods: Option<bool>,
    /// Groups: whether its content is marked sensitive (Lemmy reads it).
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub sensitive: Option<bool>,
    /// `kwartier:kind`: `Initiative` or `Network` for Kwartier groups.
    #[serde(
        rename = "kind",
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub kwartier_kind: Option<String>,
    /// The node's `Application` actor: its directory (`kwartier:directory`), the nodes it knows
    /// (`kwartier:nodes`) and the codes of its region (`kwartier:regionCodes`).
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub directory: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub nodes: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub region_codes: Vec<String>,
}

impl ActorJson {
    /// The fields every local actor shares; callers fill in the rest.
    pub fn local(actor: &Actor, data: &AppState) -> ActorJson {
        let urls = &data.urls;
        ActorJson {
            kind: actor.actor_type.clone(),
            id: actor.ap_id.0.clone(),
            preferred_username: actor.username.clone(),
            name: Some(
                actor
                    .display_name
                    .clone()
                    .unwrap_or_else(|| actor.username.clone()),
            ),
            summary: actor.summary.clone(),
            url: Some(
                actor
                    .url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok())
                    .unwrap_or_else(|| actor.ap_id.0.clone()),
            ),
            inbox: Url::parse(&actor.inbox_url).unwrap_or_else(|_| urls.shared_inbox()),
            outbox: Some(urls.collection(&actor.ap_id, "outbox")),
            followers: Some(urls.followers(&actor.ap_id)),
            following: Some(urls.collection(&actor.ap_id, "following")),
            public_key: PublicKey {
                id: actor
                    .public_key_id
                    .clone()
                    .unwrap_or_else(|| main_key_id(&actor.ap_id)),
                owner: actor.ap_id.0.clone(),
                public_key_pem: actor.public_key.clone(),
            },
            endpoints: Some(Endpoints {
                shared_inbox: Some(urls.shared_inbox()),
            }),
            icon: image(actor.icon_url.as_deref()),
            image: image(actor.image_url.as_deref()),
            manually_approves_followers: actor.manually_approves_followers,
            discoverable: Some(actor.discoverable),
            indexable: Some(actor.discoverable),
            published: Some(actor.created_at.and_utc()),
            updated: Some(actor.updated_at.and_utc()),
            attachment: Vec::new(),
            tag: Vec::new(),
            location: None,
            featured: None,
            attributed_to: None,
            moderators: None,
            posting_restricted_to_mods: None,
            sensitive: None,
            kwartier_kind: None,
            directory: None,
            nodes: None,
            region_codes: Vec::new(),
        }
    }
}

fn image(url: Option<&str>) -> Option<Image> {
    Some(Image {
        kind: "Image".into(),
        url: Url::parse(url?).ok()?,
        media_type: None,
        name: None,
    })
}

#[async_trait::async_trait]
impl Object for Actor {
    type DataType = AppState;
    type Kind = ActorJson;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.last_refreshed_at.and_utc())
    }

    async fn read_from_id(object_id: Url, data: &Data<AppState>) -> Result<Option<Self>> {
        let mut conn = data.db.conn().await?;
        actor::find_by_ap_id(&mut conn, &object_id).await
    }

    /// The actor's server answered 410 Gone.
    async fn delete(&self, data: &Data<AppState>) -> Result<()> {
        let mut conn = data.db.conn().await?;
        actor::mark_deleted(&mut conn, self.id, crate::db::now()).await
    }

    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    async fn into_json(self, data: &Data<AppState>) -> Result<ActorJson> {
        if !self.local {
            return Err(Error::NotFound("actor".into()));
        }
        match self.actor_type.as_str() {
            kind::GROUP => {
                let mut conn = data.db.conn().await?;
                match crate::db::theme_group::find(&mut conn, self.id).await? {
                    Some(details) => {
                        super::theme_group::to_json(data, &mut conn, &self, &details).await
                    }
                    None => super::group::to_json(data, &mut conn, &self).await,
                }
            }
            kind::APPLICATION => {
                let mut conn = data.db.conn().await?;
                let settings = node_settings::get(&mut conn).await?;
                let mut json = ActorJson::local(&self, data);
                crate::federation::directory::describe_node(data, &mut json, &settings.name);
                json.name = Some(settings.name);
                json.summary = Some(text::escape(&settings.description)).filter(|s| !s.is_empty());
                Ok(json)
            }
            _ => Ok(ActorJson::local(&self, data)),
        }
    }

    async fn verify(json: &ActorJson, expected_domain: &Url, data: &Data<AppState>) -> Result<()> {
        ensure_same_origin("actor id", &json.id, expected_domain)?;
        check_remote(&json.id, data.config.development)?;
        if !ACTOR_TYPES.contains(&json.kind.as_str()) {
            return Err(Error::BadRequest(format!(
                "{} is not an actor type",
                json.kind
            )));
        }
        if json.preferred_username.trim().is_empty() {
            return Err(Error::BadRequest("actor has no preferredUsername".into()));
        }
        ensure_same_origin("inbox", &json.inbox, &json.id)?;
        if let Some(shared) = json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
        {
            ensure_same_origin("shared inbox", shared, &json.id)?;
        }
        if json.public_key.owner != json.id {
            return Err(Error::BadRequest(
                "the actor's key belongs to someone else".into(),
            ));
        }
        let key_id = Url::parse(&json.public_key.id)
            .map_err(|e| Error::BadRequest(format!("key id: {e}")))?;
        ensure_same_origin("key id", &key_id, &json.id)?;
        Ok(())
    }

    async fn from_json(json: ActorJson, data: &Data<AppState>) -> Result<Self> {
        if data.urls.is_local(&json.id) {
            return Err(Error::BadRequest(
                "a remote actor cannot have a local id".into(),
            ));
        }
        let at = crate::db::now();
        let summary = json
            .summary
            .as_deref()
            .map(|s| truncate(&text::sanitize(s), 5_000));
        let name = json
            .name
            .as_deref()
            .map(|n| truncate(&text::plain_text(n), 200));
        let username = truncate(&json.preferred_username, 100);
        let shared_inbox = json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref());
        let new = NewActor {
            ap_id: DbUrl(json.id.clone()),
            username: &username,
            display_name: name.as_deref().filter(|n| !n.is_empty()),
            inbox_url: json.inbox.as_str(),
            shared_inbox_url: shared_inbox.map(Url::as_str),
            public_key: &json.public_key.public_key_pem,
            private_key: None,
            local: false,
            actor_type: &json.kind,
            summary: summary.as_deref(),
            url: json.url.as_ref().map(Url::as_str),
            followers_url: json.followers.as_ref().map(Url::as_str),
            icon_url: json.icon.as_ref().map(|i| i.url.as_str()),
            image_url: json.image.as_ref().map(|i| i.url.as_str()),
            manually_approves_followers: json.manually_approves_followers,
            discoverable: json.discoverable.unwrap_or(false),
            public_key_id: Some(&json.public_key.id),
            created_at: at,
            updated_at: at,
            last_refreshed_at: at,
        };
        let mut conn = data.db.conn().await?;
        let stored = actor::upsert_remote(&mut conn, &new).await?;
        // Its key may have changed: the next signature looks it up afresh.
        data.crypto.forget_signer(&json.public_key.id);
        Ok(stored)
    }
}

impl ApActor for Actor {
    fn public_key_pem(&self) -> &str {
        &self.public_key
    }

    fn private_key_pem(&self) -> Option<String> {
        self.private_key.clone()
    }

    fn inbox(&self) -> Url {
        // Stored URLs were checked before they were stored.
        Url::parse(&self.inbox_url).unwrap_or_else(|_| self.ap_id.0.clone())
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
    }
}
