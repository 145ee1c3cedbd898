//! `Add` and `Remove` with a group's moderators collection as `target` (Lemmy's mod changes):
//! from a remote group our people follow, they update our copy of its moderators. Anything
//! else added or removed is ignored.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::Value;
use url::Url;

use super::{Incoming, id_of};
use crate::db::actor::{Actor, kind};
use crate::db::{ScopedFutureExt, follow, now, theme_group};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::state::AppState;

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    if signer.actor_type != kind::GROUP {
        return Ok(());
    }
    let target = activity.target.as_ref().and_then(id_of);
    let moderators = data.urls.collection(&signer.ap_id, "moderators");
    if target.as_ref() != Some(&moderators) && !names_moderators(data, signer, target).await? {
        return Ok(());
    }
    {
        let mut conn = data.db.conn().await?;
        if !follow::has_local_follower(&mut conn, signer.id).await? {
            return Ok(());
        }
    }
    let person_id =
        id_of(&activity.object).ok_or_else(|| Error::BadRequest("names no person".into()))?;
    let person = ObjectId::<Actor>::from(person_id).dereference(data).await?;
    if person.actor_type != kind::PERSON {
        return Err(Error::BadRequest("only people moderate groups".into()));
    }
    let added = activity.kind == "Add";
    let (group_id, person_id) = (signer.id, person.id);
    let mut conn = data.db.conn().await?;
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move {
            if added {
                theme_group::add_moderator(conn, group_id, person_id, now()).await?;
            } else {
                theme_group::remove_moderator(conn, group_id, person_id).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// Whether `target` is the moderators collection the group itself names (Lemmy's live at
/// `{community}/moderators` too, but others may differ).
async fn names_moderators(
    data: &Data<AppState>,
    group: &Actor,
    target: Option<Url>,
) -> Result<bool> {
    let Some(target) = target else {
        return Ok(false);
    };
    if target.origin() != group.ap_id.origin() {
        return Ok(false);
    }
    let fetched: Value =
        activitypub_federation::fetch::fetch_object_http::<AppState, Value>(&group.ap_id, data)
            .await?
            .object;
    Ok(["moderators", "attributedTo"]
        .iter()
        .filter_map(|key| fetched.get(*key).and_then(id_of))
        .any(|url| url == target))
}
