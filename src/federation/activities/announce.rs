//! `Announce`: an initiative (or any group) we follow passes something on: an activity of one of
//! its members (`Create`, `Update`, `Delete` of a story or comment; FEP-1b12) or an object
//! itself (how Mastodon-style boosts look). Announces from actors nobody here follows are
//! ignored.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;

use super::create::{self, parse};
use super::{Incoming, delete, id_of, trusted, type_of, update};
use crate::db::actor::Actor;
use crate::db::follow;
use crate::error::Result;
use crate::federation::objects::article::{self, ArticleJson, STORY_TYPES};
use crate::federation::objects::note::{self, NoteJson};
use crate::state::AppState;

/// Activities an announce may carry that we act on.
const CARRIED: &[&str] = &["Create", "Update", "Delete"];

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    {
        let mut conn = data.db.conn().await?;
        if !follow::has_local_follower(&mut conn, signer.id).await? {
            return Ok(());
        }
    }
    if id_of(&activity.object).is_some_and(|id| data.urls.is_local(&id)) {
        // Our own post, passed back by a group it was shared to: we have it.
        return Ok(());
    }
    let object = trusted(data, &activity.object, &activity.actor).await?;
    match type_of(&object) {
        Some(kind) if CARRIED.contains(&kind) => {
            let inner: Incoming = parse(object)?;
            // The inner activity's actor speaks for itself; its id was checked by `trusted`.
            crate::federation::objects::ensure_same_origin(
                "announced activity",
                &inner.id,
                &inner.actor,
            )?;
            let actor = ObjectId::<Actor>::from(inner.actor.clone())
                .dereference(data)
                .await?;
            match inner.kind.as_str() {
                "Create" => create::receive_from(data, &actor, inner, Some(signer)).await,
                "Update" => update::receive_from(data, &actor, inner, Some(signer)).await,
                _ => delete::receive_from(data, &actor, inner, Some(signer)).await,
            }
        }
        Some(kind) if STORY_TYPES.contains(&kind) => {
            let json: ArticleJson = parse(object)?;
            article::store_remote(data, json, signer, &activity.id).await
        }
        Some("Note") => {
            let json: NoteJson = parse(object)?;
            note::receive_reply(data, json, &activity.id, None).await
        }
        _ => Ok(()),
    }
}
