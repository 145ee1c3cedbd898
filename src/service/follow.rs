//! Following: remote people following our initiatives and people (accepted at once unless the
//! actor approves followers by hand), and our people following actors anywhere.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use url::Url;

use crate::db::actor::{self, Actor};
use crate::db::follow::{self, Follow, state};
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

/// A `Follow` arrived for a local actor.
pub async fn receive(
    state: &AppState,
    conn: &mut Conn,
    follower: &Actor,
    followee: &Actor,
    follow_ap_id: &Url,
) -> Result<()> {
    if followee.local_only && !follower.local {
        // A local-only space has no followers elsewhere: turned down, and forgotten if known.
        if let Some(known) = follow::find(conn, follower.id, followee.id).await? {
            follow::delete(conn, known.id).await?;
        }
        let event = Event::FollowRejected {
            follower_id: follower.id,
            followee_id: followee.id,
            follow_ap_id: Some(follow_ap_id.clone()),
        };
        return events::emit(state, conn, event).await;
    }
    let new_state = if followee.manually_approves_followers {
        state::PENDING
    } else {
        state::ACCEPTED
    };
    let row = follow::upsert(
        conn,
        follower.id,
        followee.id,
        Some(&follow_ap_id.clone().into()),
        new_state,
        now(),
    )
    .await?;
    if row.accepted() {
        // Also when already accepted: the follower's server may have missed our Accept.
        events::emit(state, conn, Event::FollowAccepted { follow_id: row.id }).await?;
    }
    Ok(())
}

/// A member approves (`true`) or turns down a pending follower of `followee`.
pub async fn decide(
    state: &AppState,
    conn: &mut Conn,
    followee: &Actor,
    follower_id: i64,
    approve: bool,
) -> Result<()> {
    let row = follow::find(conn, follower_id, followee.id)
        .await?
        .ok_or_else(|| Error::NotFound("follow request".into()))?;
    conn.transaction(|conn| {
        async move {
            if approve {
                follow::set_state(conn, row.id, state::ACCEPTED, now()).await?;
                events::emit(state, conn, Event::FollowAccepted { follow_id: row.id }).await
            } else {
                follow::delete(conn, row.id).await?;
                let event = Event::FollowRejected {
                    follower_id: row.follower_id,
                    followee_id: row.followee_id,
                    follow_ap_id: row.ap_id.map(|u| u.0),
                };
                events::emit(state, conn, event).await
            }
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// Our person follows `target`: at once when it is local, else by sending a `Follow` that the
/// target's server answers.
pub async fn follow(
    state: &AppState,
    conn: &mut Conn,
    follower: &Actor,
    target: &Actor,
) -> Result<Follow> {
    if follower.id == target.id {
        return Err(Error::invalid("target", "you cannot follow yourself"));
    }
    if target.local {
        let new_state = if target.manually_approves_followers {
            state::PENDING
        } else {
            state::ACCEPTED
        };
        return follow::upsert(conn, follower.id, target.id, None, new_state, now()).await;
    }
    let ap_id = state.urls.activity(&uuid::Uuid::new_v4()).into();
    let row = conn
        .transaction(|conn| {
            async move {
                let row = follow::upsert(
                    conn,
                    follower.id,
                    target.id,
                    Some(&ap_id),
                    state::PENDING,
                    now(),
                )
                .await?;
                if !row.accepted() {
                    events::emit(state, conn, Event::FollowRequested { follow_id: row.id }).await?;
                }
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(row)
}

/// Our person stops following `target`.
pub async fn unfollow(
    state: &AppState,
    conn: &mut Conn,
    follower: &Actor,
    target: &Actor,
) -> Result<()> {
    let Some(row) = follow::find(conn, follower.id, target.id).await? else {
        return Err(Error::NotFound(format!("follow of {}", target.handle())));
    };
    let remote = !target.local;
    conn.transaction(|conn| {
        async move {
            follow::delete(conn, row.id).await?;
            if remote {
                let event = Event::Unfollowed {
                    follower_id: row.follower_id,
                    followee_id: row.followee_id,
                    follow_ap_id: row.ap_id.map(|u| u.0),
                };
                events::emit(state, conn, event).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// Finds an actor anywhere by `@name@host`, `name@host` or URL; ours from the database, others
/// by WebFinger or by fetching the URL.
pub async fn resolve(data: &Data<AppState>, query: &str) -> Result<Actor> {
    let query = query.trim();
    if query.starts_with("https://") || query.starts_with("http://") {
        let url =
            Url::parse(query).map_err(|e| Error::invalid("target", format!("not a URL: {e}")))?;
        if data.urls.is_local(&url) {
            let mut conn = data.db.conn().await?;
            return actor::find_by_ap_id(&mut conn, &url)
                .await?
                .ok_or_else(|| Error::NotFound(format!("actor {url}")));
        }
        return ObjectId::<Actor>::from(url).dereference(data).await;
    }
    let handle = query.trim_start_matches('@');
    let Some((name, host)) = handle.split_once('@') else {
        return Err(Error::invalid("target", "give @name@server or a URL"));
    };
    if host.eq_ignore_ascii_case(&data.urls.authority()) {
        let mut conn = data.db.conn().await?;
        return actor::find_local(&mut conn, name)
            .await?
            .ok_or_else(|| Error::NotFound(format!("actor @{handle}")));
    }
    webfinger_resolve_actor::<AppState, Actor>(handle, data).await
}
