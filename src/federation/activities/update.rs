//! `Update`: an actor changed its profile, an author edited a comment or a story.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;

use super::create::{initiative_of, parse};
use super::{Incoming, id_of, trusted, type_of};
use crate::db::actor::Actor;
use crate::error::{Error, Result};
use crate::federation::objects::article::{self, ArticleJson, STORY_TYPES};
use crate::federation::objects::note::{self, NoteJson};
use crate::state::AppState;

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    receive_from(data, signer, activity, None).await
}

pub async fn receive_from(
    data: &Data<AppState>,
    author: &Actor,
    activity: Incoming,
    via: Option<&Actor>,
) -> Result<()> {
    let object_id = id_of(&activity.object)
        .ok_or_else(|| Error::BadRequest("Update names no object".into()))?;
    if object_id == *author.ap_id {
        // A profile change: fetch the actor afresh from its own server rather than trust a copy.
        ObjectId::<Actor>::from(object_id)
            .dereference_forced(data)
            .await?;
        return Ok(());
    }
    let object = trusted(data, &activity.object, &activity.actor).await?;
    match type_of(&object) {
        Some("Note") => {
            let json: NoteJson = parse(object)?;
            note::receive_update(data, author, json, &activity.id).await
        }
        Some(kind) if STORY_TYPES.contains(&kind) => {
            let json: ArticleJson = parse(object)?;
            if json.attributed_to != *author.ap_id {
                return Err(Error::BadRequest(
                    "only its author can change a story".into(),
                ));
            }
            let Some(group) = initiative_of(data, &json, via).await? else {
                return Ok(());
            };
            article::store_remote(data, json, &group, &activity.id).await
        }
        _ => Ok(()),
    }
}
