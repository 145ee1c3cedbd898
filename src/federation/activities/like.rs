//! `Like`: appreciation of one of our stories or comments.

use activitypub_federation::config::Data;
use url::Url;

use super::{Incoming, id_of};
use crate::db::actor::Actor;
use crate::db::appreciation::{self, Target};
use crate::db::{Conn, ScopedFutureExt, comment, now, story};
use crate::error::{Error, Result};
use crate::federation::inbox;
use crate::state::AppState;

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    let object =
        id_of(&activity.object).ok_or_else(|| Error::BadRequest("Like names no object".into()))?;
    let mut conn = data.db.conn().await?;
    let Some(target) = target(&mut conn, &object).await? else {
        return Ok(());
    };
    let actor_id = signer.id;
    let like_id = activity.id.clone();
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move { appreciation::add(conn, &like_id.into(), actor_id, target, now()).await }
            .scope_boxed()
    })
    .await
}

/// The story or comment of ours a like is for.
pub async fn target(conn: &mut Conn, object: &Url) -> Result<Option<Target>> {
    if let Some(found) = story::find_by_ap_id(conn, object).await? {
        return Ok((!found.is_deleted()).then_some(Target::Story(found.id)));
    }
    if let Some(found) = comment::find_by_ap_id(conn, object).await? {
        return Ok(found
            .deleted_at
            .is_none()
            .then_some(Target::Comment(found.id)));
    }
    Ok(None)
}
