//! `Delete`: an author removes a comment or story, an initiative removes one from its midst, a
//! moderator of the initiative removes a comment under its stories (Lemmy's removal: a
//! `Delete` whose actor is a moderator rather than the author, checked against the group's
//! moderators collection, also for our own people's comments), or an account is deleted. A `Delete` for something we never had is remembered, so that its
//! `Create`, arriving late, is ignored: the deletion wins.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use serde_json::Value;

use super::{Activity, Incoming, id_of};
use crate::db::actor::{self, Actor};
use crate::db::{ScopedFutureExt, comment, inbox as seen, now, personal_data, story};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::federation::objects::PUBLIC;
use crate::federation::objects::ensure_same_origin;
use crate::state::AppState;

/// The `Delete` of a local person's account, as Mastodon sends it: the person is both actor
/// and object, addressed to the public. Signed with the person's key, which is dropped once it
/// is delivered.
pub fn delete_person(state: &AppState, person: &Actor) -> Activity {
    let object = person.ap_id.to_string().into();
    let mut activity = Activity::new(state, "Delete", &person.ap_id, object);
    activity.to = vec![PUBLIC.into()];
    activity
}

/// A remote person deleting their own account (signed by them: the inbox checked that the
/// signer is the activity's actor) is forgotten here with their comments, likes and group
/// posts; a `Delete` of an actor by anyone else changes nothing.
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
    let signer = signer.clone();
    let via = via.cloned();
    let mut conn = data.db.conn().await?;
    // A comment goes when its author, the group it was posted in (announcing), or one of that
    // group's moderators (Lemmy's removal) deletes it; only the last two reach our own.
    if let Some(found) = comment::find_by_ap_id(&mut conn, &object_id).await? {
        let group_id = story::get(&mut conn, found.story_id).await?.initiative_id;
        let group = actor::get(&mut conn, group_id).await?;
        let allowed = (!found.local && found.author_id == signer.id)
            || via.as_ref().is_some_and(|g| g.id == group.id)
            || moderates(data, &group, &signer).await?;
        if !allowed {
            if found.local {
                return Err(Error::BadRequest(
                    "objects of this node are not deleted from elsewhere".into(),
                ));
            }
            return Ok(());
        }
        return inbox::apply(data, &mut conn, &activity.id, move |conn| {
            async move { comment::mark_deleted(conn, found.id, now()).await }.scope_boxed()
        })
        .await;
    }
    if data.urls.is_local(&object_id) {
        return Err(Error::BadRequest(
            "objects of this node are not deleted from elsewhere".into(),
        ));
    }
    if object_id == *signer.ap_id {
        if let Some(key_id) = &signer.public_key_id {
            data.crypto.forget_signer(key_id);
        }
        return inbox::apply(data, &mut conn, &activity.id, move |conn| {
            async move { personal_data::forget_remote_actor(conn, signer.id, now()).await }
                .scope_boxed()
        })
        .await;
    }
    let may_remove = |author_id: i64, group_id: Option<i64>| {
        author_id == signer.id || via.as_ref().is_some_and(|g| Some(g.id) == group_id)
    };
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

/// Whether `person` moderates the remote `group`: listed in the moderators collection the
/// group's own server serves (named by the group's `moderators` or `attributedTo`). Our own
/// initiatives have only our people as members, so no one from elsewhere moderates them.
async fn moderates(data: &Data<AppState>, group: &Actor, person: &Actor) -> Result<bool> {
    if group.local || person.local || group.actor_type != actor::kind::GROUP {
        return Ok(false);
    }
    let fetched = fetch_object_http::<AppState, Value>(&group.ap_id.0, data)
        .await?
        .object;
    let Some(collection) = ["moderators", "attributedTo"]
        .iter()
        .filter_map(|key| fetched.get(*key).and_then(id_of))
        .find(|url| url.origin() == group.ap_id.origin())
    else {
        return Ok(false);
    };
    let listed = fetch_object_http::<AppState, Value>(&collection, data)
        .await?
        .object;
    let mut items: Vec<Value> = Vec::new();
    for key in ["orderedItems", "items"] {
        if let Some(Value::Array(found)) = listed.get(key) {
            items.extend(found.iter().cloned());
        }
        if let Some(Value::Array(found)) = listed.get("first").and_then(|page| page.get(key)) {
            items.extend(found.iter().cloned());
        }
    }
    Ok(items.iter().filter_map(id_of).any(|id| id == *person.ap_id))
}
