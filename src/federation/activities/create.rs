//! `Create`: a reply (`Note`) to one of our stories or comments becomes a comment; a story
//! (`Article`, `Page`) in an initiative our people follow is kept for them. Also reached through
//! an initiative's `Announce`.

use activitypub_federation::config::Data;
use serde_json::{Value, json};

use super::{Incoming, trusted, type_of};
use crate::db::actor::{self, Actor};
use crate::db::follow;
use crate::error::{Error, Result};
use crate::federation::objects::article::{self, ArticleJson, STORY_TYPES};
use crate::federation::objects::note::{self, NoteJson};
use crate::state::AppState;

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    receive_from(data, signer, activity, None).await
}

/// `via` is the initiative that announced it, if it came that way.
pub async fn receive_from(
    data: &Data<AppState>,
    author: &Actor,
    activity: Incoming,
    via: Option<&Actor>,
) -> Result<()> {
    let object = trusted(data, &activity.object, &activity.actor).await?;
    if via.is_none() {
        // Posted to one of our theme groups: the group decides and announces.
        super::group_post::receive(data, author, &activity, &object).await?;
    }
    match type_of(&object) {
        Some("Note") => {
            let json: NoteJson = parse(object)?;
            if json.attributed_to != activity.actor {
                return Err(Error::BadRequest(
                    "the note's author is not the one creating it".into(),
                ));
            }
            let create = json!({
                "id": activity.id,
                "type": "Create",
                "actor": activity.actor,
                "object": json,
                "to": activity.to,
                "cc": activity.cc,
            });
            note::receive_reply(data, json, &activity.id, Some(create)).await
        }
        Some(kind) if STORY_TYPES.contains(&kind) => {
            let json: ArticleJson = parse(object)?;
            if json.attributed_to != *author.ap_id {
                return Err(Error::BadRequest(
                    "the story's author is not the one creating it".into(),
                ));
            }
            let Some(group) = initiative_of(data, &json, via).await? else {
                return Ok(());
            };
            article::store_remote(data, json, &group, &activity.id).await
        }
        // Other objects (events, questions, …) are not kept yet.
        _ => Ok(()),
    }
}

/// The followed initiative a story belongs to: the one that announced it, else its `audience`
/// when someone here follows that.
pub async fn initiative_of(
    data: &Data<AppState>,
    json: &ArticleJson,
    via: Option<&Actor>,
) -> Result<Option<Actor>> {
    if let Some(via) = via {
        return Ok(Some(via.clone()));
    }
    let Some(audience) = &json.audience else {
        return Ok(None);
    };
    let mut conn = data.db.conn().await?;
    let Some(group) = actor::find_by_ap_id(&mut conn, audience).await? else {
        return Ok(None);
    };
    Ok(follow::has_local_follower(&mut conn, group.id)
        .await?
        .then_some(group))
}

pub fn parse<T: serde::de::DeserializeOwned>(object: Value) -> Result<T> {
    serde_json::from_value(object).map_err(|e| Error::BadRequest(format!("unreadable object: {e}")))
}
