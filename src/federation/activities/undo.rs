//! `Undo`: someone takes back an earlier activity of theirs. We act on undone `Follow`s (and,
//! later, `Like`s); sent when our person unfollows someone elsewhere.

use activitypub_federation::config::Data;
use serde_json::Value;

use super::{Activity, Incoming, id_of, type_of};
use crate::db::ScopedFutureExt;
use crate::db::actor::{self, Actor};
use crate::db::{appreciation, follow};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::state::AppState;

/// `actor` takes back `undone` (embedded).
pub fn undo(state: &AppState, actor: &Actor, undone: Value, to: &Actor) -> Activity {
    let mut activity = Activity::new(state, "Undo", &actor.ap_id, undone);
    activity.to = vec![to.ap_id.to_string()];
    activity
}

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    // Only embedded objects say what was undone without a fetch; a bare id is looked up.
    let undone_actor = activity.object.get("actor").and_then(id_of);
    if undone_actor.as_ref().is_some_and(|a| *a != *signer.ap_id) {
        return Err(Error::BadRequest(
            "an actor can only undo its own activities".into(),
        ));
    }
    let undone_id = id_of(&activity.object);
    let mut conn = data.db.conn().await?;
    match type_of(&activity.object) {
        Some("Follow") | None => {
            let by_id = match &undone_id {
                Some(id) => follow::find_by_ap_id(&mut conn, id).await?,
                None => None,
            };
            let found = match by_id {
                Some(found) => Some(found),
                None => match activity.object.get("object").and_then(id_of) {
                    Some(target) => match actor::find_by_ap_id(&mut conn, &target).await? {
                        Some(followee) => follow::find(&mut conn, signer.id, followee.id).await?,
                        None => None,
                    },
                    None => None,
                },
            };
            let Some(found) = found.filter(|f| f.follower_id == signer.id) else {
                return Ok(());
            };
            inbox::apply(data, &mut conn, &activity.id, move |conn| {
                async move { follow::delete(conn, found.id).await }.scope_boxed()
            })
            .await
        }
        Some("Like") => {
            let actor_id = signer.id;
            let target = match activity.object.get("object").and_then(id_of) {
                Some(object) => super::like::target(&mut conn, &object).await?,
                None => None,
            };
            inbox::apply(data, &mut conn, &activity.id, move |conn| {
                async move {
                    let removed = match &undone_id {
                        Some(id) => appreciation::remove(conn, id, actor_id).await?,
                        None => false,
                    };
                    if let (false, Some(target)) = (removed, target) {
                        appreciation::remove_by_target(conn, actor_id, target).await?;
                    }
                    Ok(())
                }
                .scope_boxed()
            })
            .await
        }
        // Undo of something we do not keep (Announce, Block, …): nothing to take back.
        Some(_) => Ok(()),
    }
}
