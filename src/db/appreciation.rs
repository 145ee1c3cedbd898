//! Appreciation: a `Like` of a story or a comment, from anyone. Counted, never shown as a list.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::appreciation;
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

/// What was appreciated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Story(i64),
    Comment(i64),
}

/// Records a like; a repeated like by the same actor of the same thing changes nothing.
pub async fn add(
    conn: &mut Conn,
    ap_id: &DbUrl,
    actor_id: i64,
    target: Target,
    at: NaiveDateTime,
) -> Result<()> {
    let (story_id, comment_id) = match target {
        Target::Story(id) => (Some(id), None),
        Target::Comment(id) => (None, Some(id)),
    };
    run!(conn, |c| diesel::insert_into(appreciation::table)
        .values((
            appreciation::ap_id.eq(ap_id),
            appreciation::actor_id.eq(actor_id),
            appreciation::story_id.eq(story_id),
            appreciation::comment_id.eq(comment_id),
            appreciation::created_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}

/// Takes back the like with this id, if it was the actor's.
pub async fn remove(conn: &mut Conn, ap_id: &url::Url, actor_id: i64) -> Result<bool> {
    let ap_id = DbUrl(ap_id.clone());
    let removed = run!(conn, |c| diesel::delete(
        appreciation::table
            .filter(appreciation::ap_id.eq(&ap_id))
            .filter(appreciation::actor_id.eq(actor_id))
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// Takes back the actor's like of `target`, whatever its id was.
pub async fn remove_by_target(conn: &mut Conn, actor_id: i64, target: Target) -> Result<bool> {
    let removed = run!(conn, |c| match target {
        Target::Story(id) =>
            diesel::delete(
                appreciation::table
                    .filter(appreciation::actor_id.eq(actor_id))
                    .filter(appreciation::story_id.eq(id))
            )
            .execute(c)
            .await,
        Target::Comment(id) =>
            diesel::delete(
                appreciation::table
                    .filter(appreciation::actor_id.eq(actor_id))
                    .filter(appreciation::comment_id.eq(id))
            )
            .execute(c)
            .await,
    })?;
    Ok(removed > 0)
}

/// The id of the actor's like of `target`, if they like it.
pub async fn find(conn: &mut Conn, actor_id: i64, target: Target) -> Result<Option<DbUrl>> {
    Ok(run!(conn, |c| match target {
        Target::Story(id) => appreciation::table
            .filter(appreciation::actor_id.eq(actor_id))
            .filter(appreciation::story_id.eq(id))
            .select(appreciation::ap_id)
            .first(c)
            .await
            .optional(),
        Target::Comment(id) => appreciation::table
            .filter(appreciation::actor_id.eq(actor_id))
            .filter(appreciation::comment_id.eq(id))
            .select(appreciation::ap_id)
            .first(c)
            .await
            .optional(),
    })?)
}

pub async fn count(conn: &mut Conn, target: Target) -> Result<i64> {
    Ok(run!(conn, |c| match target {
        Target::Story(id) =>
            appreciation::table
                .filter(appreciation::story_id.eq(id))
                .count()
                .get_result(c)
                .await,
        Target::Comment(id) =>
            appreciation::table
                .filter(appreciation::comment_id.eq(id))
                .count()
                .get_result(c)
                .await,
    })?)
}
