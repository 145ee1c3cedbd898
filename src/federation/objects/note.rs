//! Comments as `Note`s with `inReplyTo` (the story or the comment answered). Ours are public
//! replies addressed to the initiative's followers and the person answered; from elsewhere we
//! keep public replies to our stories and comments (a Mastodon reply becomes a comment).

use activitypub_federation::protocol::helpers::deserialize_skip_error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::Value;

use super::{
    PUBLIC, Tag, deserialize_attribution, deserialize_loose_url, deserialize_one_or_many,
    ensure_same_origin, truncate,
};
use crate::db::actor::Actor;
use crate::db::comment::{Comment, NewComment};
use crate::db::story::Visibility;
use crate::db::types::DbUrl;
use crate::db::{Conn, ScopedFutureExt, actor, comment, inbox as seen, notification, now, story};
use crate::error::{Error, Result};
use crate::federation::client::check_remote;
use crate::federation::{inbox, outbox};
use crate::service::text;
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_loose_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    #[serde(deserialize_with = "deserialize_attribution")]
    pub attributed_to: Url,
    #[serde(default)]
    pub content: String,
    /// A content warning, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_reply_to: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
    #[serde(
        default,
        deserialize_with = "deserialize_one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Tag>,
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
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub replies: Option<Url>,
}

impl NoteJson {
    pub fn is_public(&self) -> bool {
        self.to.iter().chain(&self.cc).any(|a| super::is_public(a))
    }

    /// Actors this note mentions.
    pub fn mentions(&self) -> Vec<Url> {
        self.tag
            .iter()
            .filter(|t| t.kind == "Mention")
            .filter_map(|t| t.href.clone())
            .collect()
    }
}

/// Our comment as a `Note`: as public as its story, to the initiative's followers and the
/// person answered, mentioning them.
pub async fn to_json(state: &AppState, conn: &mut Conn, reply: &Comment) -> Result<NoteJson> {
    let author = actor::get(conn, reply.author_id).await?;
    let story = story::get(conn, reply.story_id).await?;
    let initiative = actor::get(conn, story.initiative_id).await?;
    let (in_reply_to, answered) = match reply.parent_id {
        Some(parent) => {
            let parent = comment::get(conn, parent).await?;
            (
                parent.ap_id.0.clone(),
                actor::get(conn, parent.author_id).await?,
            )
        }
        None => (
            story.ap_id.0.clone(),
            actor::get(conn, story.author_id).await?,
        ),
    };
    let followers = state.urls.followers(&initiative.ap_id).to_string();
    // A reply is as public as the story it is under.
    let (to, mut cc) = if story.visibility() == Visibility::Public {
        (
            vec![PUBLIC.to_owned()],
            vec![followers, initiative.ap_id.to_string()],
        )
    } else {
        (vec![followers], vec![initiative.ap_id.to_string()])
    };
    let mut tag = Vec::new();
    if answered.id != author.id {
        cc.push(answered.ap_id.to_string());
        tag.push(Tag {
            kind: "Mention".into(),
            href: Some(answered.ap_id.0.clone()),
            name: Some(format!("@{}", answered.handle())),
        });
    }
    Ok(NoteJson {
        kind: "Note".into(),
        id: reply.ap_id.0.clone(),
        url: Some(
            reply
                .url
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .unwrap_or_else(|| reply.ap_id.0.clone()),
        ),
        attributed_to: author.ap_id.0.clone(),
        content: reply.content.clone(),
        summary: None,
        in_reply_to: Some(in_reply_to),
        to,
        cc,
        tag,
        published: Some(reply.published_at.and_utc()),
        updated: reply.updated_at.map(|u| u.and_utc()),
        audience: Some(initiative.ap_id.0.clone()),
        replies: Some(state.urls.replies(&reply.ap_id)),
    })
}

/// A public reply from elsewhere to a story or comment we have becomes a comment; the people
/// answered and mentioned here are notified. When the story is ours, `create` (the activity
/// that brought it) is announced on to the initiative's followers, as FEP-1b12 groups do.
pub async fn receive_reply(
    data: &Data<AppState>,
    json: NoteJson,
    activity_id: &Url,
    create: Option<Value>,
) -> Result<()> {
    let Some(target) = json.in_reply_to.clone() else {
        return Ok(());
    };
    check_remote(&json.id, data.config.development)?;
    ensure_same_origin("the author", &json.attributed_to, &json.id)?;
    if !json.is_public() {
        // Replies meant for a few people are not shown to everyone under a story.
        return Ok(());
    }
    let mut conn = data.db.conn().await?;
    if seen::is_buried(&mut conn, &json.id).await? {
        return Ok(());
    }
    let (found_story, parent) = match story::find_by_ap_id(&mut conn, &target).await? {
        Some(found) => (found, None),
        None => match comment::find_by_ap_id(&mut conn, &target).await? {
            Some(parent) => (story::get(&mut conn, parent.story_id).await?, Some(parent)),
            None => return Ok(()),
        },
    };
    if found_story.is_deleted() || found_story.visibility() == Visibility::Local {
        return Ok(());
    }
    // Never hold a connection while fetching: the fetch needs one of its own.
    drop(conn);
    let author = ObjectId::<Actor>::from(json.attributed_to.clone())
        .dereference(data)
        .await?;
    let mut conn = data.db.conn().await?;
    let content = truncate(&text::sanitize(&json.content), 20_000);
    let mut mentioned = Vec::new();
    for url in json.mentions().iter().filter(|u| data.urls.is_local(u)) {
        if let Some(local) = actor::find_by_ap_id(&mut conn, url).await? {
            mentioned.push(local.id);
        }
    }
    let answered = match &parent {
        Some(parent) => parent.author_id,
        None => found_story.author_id,
    };
    let url = json.url.as_ref().map(Url::as_str);
    let ap_id = DbUrl(json.id.clone());
    let published = json.published.map_or_else(now, |p| p.naive_utc());
    let announce =
        create.filter(|_| found_story.local && found_story.visibility() == Visibility::Public);
    inbox::apply(data, &mut conn, activity_id, move |conn| {
        async move {
            let new = NewComment {
                story_id: found_story.id,
                parent_id: parent.as_ref().map(|p| p.id),
                author_id: author.id,
                content: &content,
                source: None,
                language: None,
                url,
                published_at: published,
                updated_at: None,
            };
            let Some(stored) = comment::insert_remote(conn, &ap_id, &new).await? else {
                return Ok(());
            };
            let at = now();
            if actor::get(conn, answered).await?.local && answered != author.id {
                notification::add(conn, answered, notification::kind::REPLY, stored.id, at).await?;
            }
            for local in mentioned {
                notification::add(conn, local, notification::kind::MENTION, stored.id, at).await?;
            }
            if let Some(create) = announce {
                let initiative = actor::get(conn, found_story.initiative_id).await?;
                outbox::announce(data, conn, &initiative, create, true).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// A comment's author changed its text.
pub async fn receive_update(
    data: &Data<AppState>,
    signer: &Actor,
    json: NoteJson,
    activity_id: &Url,
) -> Result<()> {
    if json.attributed_to != *signer.ap_id {
        return Err(Error::BadRequest(
            "only its author can change a comment".into(),
        ));
    }
    let mut conn = data.db.conn().await?;
    let Some(existing) = comment::find_by_ap_id(&mut conn, &json.id).await? else {
        // Not a reply we kept: maybe it is one now.
        return receive_reply(data, json, activity_id, None).await;
    };
    if existing.author_id != signer.id || existing.local || existing.deleted_at.is_some() {
        return Ok(());
    }
    let content = truncate(&text::sanitize(&json.content), 20_000);
    inbox::apply(data, &mut conn, activity_id, move |conn| {
        async move { comment::update_content(conn, existing.id, &content, None, now()).await }
            .scope_boxed()
    })
    .await
}
