//! A `Create` that names one of our theme groups, in any of the ways servers address a group:
//! its `audience` (Lemmy, Kwartier), `to`/`cc` (FEP-1b12), or a `Mention` tag (Mastodon's
//! `@group@node`). The object is read here and handed to `service::theme_group::accept`, which
//! decides (membership, public, locked threads) and announces what it accepts. A refusal is a
//! 4xx and stores nothing.

use activitypub_federation::protocol::helpers::deserialize_skip_error;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::Incoming;
use crate::db::actor::{self, Actor};
use crate::db::theme_group;
use crate::error::{Error, Result};
use crate::federation::objects::{
    Tag, deserialize_attribution, deserialize_loose_url, deserialize_one_or_many, is_public,
    truncate,
};
use crate::service::text;
use crate::service::theme_group::{self as groups, Submission};
use crate::state::AppState;

/// What a group needs to know of a posted object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Posted {
    #[serde(rename = "type")]
    kind: String,
    id: Url,
    #[serde(deserialize_with = "deserialize_attribution")]
    attributed_to: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    name: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    content: Option<String>,
    #[serde(default, deserialize_with = "deserialize_loose_url")]
    url: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    in_reply_to: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    audience: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    cc: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    tag: Vec<Tag>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    published: Option<DateTime<Utc>>,
}

impl Posted {
    /// Every address the object and its activity name, mentions included.
    fn addresses<'a>(&'a self, activity: &'a Incoming) -> impl Iterator<Item = Url> + 'a {
        let listed = self
            .to
            .iter()
            .chain(&self.cc)
            .chain(&activity.to)
            .chain(&activity.cc)
            .filter_map(|a| Url::parse(a).ok());
        let mentioned = self
            .tag
            .iter()
            .filter(|t| t.kind == "Mention")
            .filter_map(|t| t.href.clone());
        self.audience
            .clone()
            .into_iter()
            .chain(listed)
            .chain(mentioned)
    }
}

/// Offers the created `object` (already trusted) to every theme group of ours it names.
pub async fn receive(
    data: &AppState,
    author: &Actor,
    activity: &Incoming,
    object: &Value,
) -> Result<()> {
    let Ok(posted) = serde_json::from_value::<Posted>(object.clone()) else {
        return Ok(());
    };
    let mut conn = data.db.conn().await?;
    let mut groups_named: Vec<Actor> = Vec::new();
    for address in posted.addresses(activity) {
        if !data.urls.is_local(&address) || groups_named.iter().any(|g| *g.ap_id == address) {
            continue;
        }
        if let Some(group) = actor::find_by_ap_id(&mut conn, &address).await?
            && group.local
            && group.deleted_at.is_none()
            && theme_group::find(&mut conn, group.id).await?.is_some()
        {
            groups_named.push(group);
        }
    }
    if groups_named.is_empty() {
        return Ok(());
    }
    if posted.attributed_to != *author.ap_id {
        return Err(Error::BadRequest(
            "the object's author is not the one creating it".into(),
        ));
    }
    let initiative = match &posted.audience {
        Some(audience) => actor::find_by_ap_id(&mut conn, audience).await?,
        None => None,
    };
    let public = activity.is_public() || posted.to.iter().chain(&posted.cc).any(|a| is_public(a));
    let content = truncate(
        &text::sanitize(posted.content.as_deref().unwrap_or_default()),
        100_000,
    );
    let create = json!({
        "id": activity.id,
        "type": "Create",
        "actor": activity.actor,
        "object": object,
        "to": activity.to,
        "cc": activity.cc,
    });
    let submission = Submission {
        ap_id: posted.id.clone(),
        author: author.clone(),
        initiative,
        kind: posted.kind.clone(),
        name: posted
            .name
            .as_deref()
            .map(|n| truncate(&text::plain_text(n), 300))
            .filter(|n| !n.is_empty()),
        summary: posted
            .summary
            .as_deref()
            .map(|s| truncate(&text::plain_text(s), 500))
            .filter(|s| !s.is_empty()),
        content,
        url: posted.url.clone(),
        in_reply_to: posted.in_reply_to.clone(),
        public,
        published: posted
            .published
            .map_or_else(crate::db::now, |p| p.naive_utc()),
        activity: serde_json::to_string(&create)?,
    };
    for group in groups_named {
        groups::accept(data, &mut conn, &group, submission.clone()).await?;
    }
    Ok(())
}
