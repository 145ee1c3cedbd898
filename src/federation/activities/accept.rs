//! `Accept`: a follow is accepted, by us (sent) or by someone our person asked to follow
//! (received).

use activitypub_federation::config::Data;
use serde_json::json;

use super::{Activity, Incoming, id_of, type_of};
use crate::db::ScopedFutureExt;
use crate::db::actor::Actor;
use crate::db::follow::{self, Follow};
use crate::db::now;
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::state::AppState;

/// `followee` (ours) accepts `follower`'s follow.
pub fn accept(state: &AppState, followee: &Actor, follower: &Actor, follow: &Follow) -> Activity {
    let mut activity = Activity::new(
        state,
        "Accept",
        &followee.ap_id,
        embedded_follow(follower, followee, follow),
    );
    activity.to = vec![follower.ap_id.to_string()];
    activity
}

/// The `Follow` being answered, as Mastodon and Lemmy expect it inside `Accept` and `Reject`.
pub fn embedded_follow(follower: &Actor, followee: &Actor, follow: &Follow) -> serde_json::Value {
    json!({
        "id": follow.ap_id.as_ref().map(|id| id.to_string()),
        "type": "Follow",
        "actor": follower.ap_id.to_string(),
        "object": followee.ap_id.to_string(),
    })
}

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    let mut conn = data.db.conn().await?;
    let Some(follow) = answered_follow(data, &mut conn, signer, &activity).await? else {
        // Nothing of ours to accept: an old or unknown follow.
        return Ok(());
    };
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move { follow::set_state(conn, follow.id, follow::state::ACCEPTED, now()).await }
            .scope_boxed()
    })
    .await
}

/// Our follow of `signer` that an `Accept` or `Reject` answers: found by the follow's id, or by
/// the embedded follow's actor when the id is unknown.
pub async fn answered_follow(
    data: &Data<AppState>,
    conn: &mut crate::db::Conn,
    signer: &Actor,
    activity: &Incoming,
) -> Result<Option<Follow>> {
    if let Some(kind) = type_of(&activity.object).filter(|k| *k != "Follow") {
        return Err(Error::BadRequest(format!(
            "{} of a {kind} is not supported",
            activity.kind
        )));
    }
    let by_id = match id_of(&activity.object) {
        Some(id) => follow::find_by_ap_id(conn, &id).await?,
        None => None,
    };
    let found = match by_id {
        Some(found) => Some(found),
        None => {
            let follower = activity
                .object
                .get("actor")
                .and_then(super::id_of)
                .filter(|url| data.urls.is_local(url));
            match follower {
                Some(url) => match crate::db::actor::find_by_ap_id(conn, &url).await? {
                    Some(local) => follow::find(conn, local.id, signer.id).await?,
                    None => None,
                },
                None => None,
            }
        }
    };
    // Only the followed actor may answer.
    Ok(found.filter(|f| f.followee_id == signer.id))
}
