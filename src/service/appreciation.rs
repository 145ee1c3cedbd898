//! Appreciation from our own people: liking a story they can see, wherever it was published,
//! and taking it back.

use super::story as stories;
use crate::db::actor::Actor;
use crate::db::appreciation::{self, Target};
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::Result;
use crate::events::{self, Event};
use crate::state::AppState;

pub async fn like(state: &AppState, conn: &mut Conn, person: &Actor, story_id: i64) -> Result<()> {
    let found = stories::visible(conn, story_id, Some(person)).await?;
    if appreciation::find(conn, person.id, Target::Story(found.id))
        .await?
        .is_some()
    {
        return Ok(());
    }
    let like_id = state.urls.activity(&uuid::Uuid::new_v4());
    conn.transaction(|conn| {
        async move {
            appreciation::add(
                conn,
                &like_id.clone().into(),
                person.id,
                Target::Story(found.id),
                now(),
            )
            .await?;
            let event = Event::Appreciated {
                person_id: person.id,
                story_id: found.id,
                like_id,
            };
            events::emit(state, conn, event).await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

pub async fn unlike(
    state: &AppState,
    conn: &mut Conn,
    person: &Actor,
    story_id: i64,
) -> Result<()> {
    let found = stories::visible(conn, story_id, Some(person)).await?;
    let Some(like_id) = appreciation::find(conn, person.id, Target::Story(found.id)).await? else {
        return Ok(());
    };
    conn.transaction(|conn| {
        async move {
            appreciation::remove(conn, &like_id, person.id).await?;
            let event = Event::AppreciationWithdrawn {
                person_id: person.id,
                story_id: found.id,
                like_id: like_id.0,
            };
            events::emit(state, conn, event).await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}
