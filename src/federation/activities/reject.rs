//! `Reject`: a follow is turned down, by us (sent) or by someone our person asked to follow
//! (received).

use activitypub_federation::config::Data;

use super::accept::{answered_follow, embedded_follow};
use super::{Activity, Incoming};
use crate::db::ScopedFutureExt;
use crate::db::actor::Actor;
use crate::db::follow::{self, Follow};
use crate::error::Result;
use crate::federation::inbox;
use crate::state::AppState;

/// `followee` (ours) turns down `follower`'s follow.
pub fn reject(state: &AppState, followee: &Actor, follower: &Actor, follow: &Follow) -> Activity {
    let mut activity = Activity::new(
        state,
        "Reject",
        &followee.ap_id,
        embedded_follow(follower, followee, follow),
    );
    activity.to = vec![follower.ap_id.to_string()];
    activity
}

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    let mut conn = data.db.conn().await?;
    let Some(follow) = answered_follow(data, &mut conn, signer, &activity).await? else {
        return Ok(());
    };
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move { follow::delete(conn, follow.id).await }.scope_boxed()
    })
    .await
}
