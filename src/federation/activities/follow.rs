//! `Follow`: someone elsewhere follows one of our actors, or one of our people follows someone
//! elsewhere.

use activitypub_federation::config::Data;
use serde_json::Value;
use url::Url;

use super::{Activity, Incoming, id_of};
use crate::db::ScopedFutureExt;
use crate::db::actor::{self, Actor};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::service::follow as follows;
use crate::state::AppState;

/// Our person `follower` asks to follow `followee`; `id` is the follow's own id.
pub fn follow(id: &Url, follower: &Actor, followee: &Actor) -> Activity {
    let mut activity = Activity::new_with_id(
        id.clone(),
        "Follow",
        &follower.ap_id,
        Value::String(followee.ap_id.to_string()),
    );
    activity.to = vec![followee.ap_id.to_string()];
    activity
}

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    let target = id_of(&activity.object)
        .ok_or_else(|| Error::BadRequest("Follow names no object".into()))?;
    if !data.urls.is_local(&target) {
        return Err(Error::BadRequest(format!(
            "{target} is not an actor on this node"
        )));
    }
    let mut conn = data.db.conn().await?;
    let followee = actor::find_by_ap_id(&mut conn, &target)
        .await?
        .filter(|a| a.local)
        .ok_or_else(|| Error::NotFound(format!("actor {target}")))?;
    let follower = signer.clone();
    let follow_id = activity.id.clone();
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move { follows::receive(data, conn, &follower, &followee, &follow_id).await }
            .scope_boxed()
    })
    .await
}
