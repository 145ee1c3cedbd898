//! `Delete`: an author removes a comment or story, an initiative removes one from its midst, or
//! an account is deleted. A `Delete` for something we never had is remembered, so that its
//! `Create`, arriving late, is ignored: the deletion wins.

use activitypub_federation::config::Data;

use super::{Incoming, id_of};
use crate::db::actor::{self, Actor};
use crate::db::{ScopedFutureExt, comment, inbox as seen, now, story};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::federation::objects::ensure_same_origin;
use crate::state::AppState;

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    receive_from(data, signer, activity, None).await
}

/// `via` is the initiative that announced the deletion; it may remove what was posted in it.
pub async fn receive_from(
    data: &Data<AppState>,
    signer: &Actor,
    activity: Incoming,
    via: Option<&Actor>,
) -> Result<()> {
    let object_id = id_of(&activity.object)
        .ok_or_else(|| Error::BadRequest("Delete names no object".into()))?;
    if data.urls.is_local(&object_id) {
        return Err(Error::BadRequest(
            "objects of this node are not deleted from elsewhere".into(),
        ));
    }
    let signer = signer.clone();
    let via = via.cloned();
    let mut conn = data.db.conn().await?;
    if object_id == *signer.ap_id {
        if let Some(key_id) = &signer.public_key_id {
            data.crypto.forget_signer(key_id);
        }
        return inbox::apply(data, &mut conn, &activity.id, move |conn| {
            async move {
                let at = now();
                actor::mark_deleted(conn, signer.id, at).await?;
                crate::db::follow::delete_all_of(conn, signer.id).await
            }
            .scope_boxed()
        })
        .await;
    }
    let may_remove = |author_id: i64, group_id: Option<i64>| {
        author_id == signer.id || via.as_ref().is_some_and(|g| Some(g.id) == group_id)
    };
    if let Some(found) = comment::find_by_ap_id(&mut conn, &object_id).await? {
        let group_id = story::get(&mut conn, found.story_id).await?.initiative_id;
        if found.local || !may_remove(found.author_id, Some(group_id)) {
            return Ok(());
        }
        return inbox::apply(data, &mut conn, &activity.id, move |conn| {
            async move { comment::mark_deleted(conn, found.id, now()).await }.scope_boxed()
        })
        .await;
    }
    if let Some(found) = story::find_by_ap_id(&mut conn, &object_id).await? {
        if found.local || !may_remove(found.author_id, Some(found.initiative_id)) {
            return Ok(());
        }
        return inbox::apply(data, &mut conn, &activity.id, move |conn| {
            async move { story::mark_deleted(conn, found.id, now()).await }.scope_boxed()
        })
        .await;
    }
    // Not here (yet): remember it, so that it never appears. Only for the sender's own objects.
    ensure_same_origin("deleted object", &object_id, &activity.actor)?;
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move { seen::bury(conn, &object_id, now()).await }.scope_boxed()
    })
    .await
}
