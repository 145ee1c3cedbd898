//! Theme groups (networks): local `Group` actors with `kwartier:kind = "Network"` that people
//! and initiatives from any node join by following. The actor row holds what every actor has;
//! this table adds the rules and an optional place. `group_moderator` lists the moderators of
//! our groups and, as their `Add`/`Remove` told us, of remote groups our people follow.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::schema::{
    actor, actor_theme, follow, group_moderator, group_post, story_group, theme, theme_group,
};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = theme_group, primary_key(actor_id), check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ThemeGroup {
    pub actor_id: i64,
    /// Markdown.
    pub rules: String,
    pub location_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = theme_group, treat_none_as_null = true)]
pub struct ThemeGroupFields<'a> {
    pub rules: &'a str,
    pub location_name: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub updated_at: NaiveDateTime,
}

pub async fn insert(
    conn: &mut Conn,
    actor_id: i64,
    fields: &ThemeGroupFields<'_>,
) -> Result<ThemeGroup> {
    let created_at = fields.updated_at;
    Ok(run!(conn, |c| diesel::insert_into(theme_group::table)
        .values((
            theme_group::actor_id.eq(actor_id),
            theme_group::created_at.eq(created_at),
            fields
        ))
        .returning(ThemeGroup::as_returning())
        .get_result(c)
        .await)?)
}

/// The theme group of this actor, if the actor is one of our theme groups.
pub async fn find(conn: &mut Conn, actor_id: i64) -> Result<Option<ThemeGroup>> {
    Ok(run!(conn, |c| theme_group::table
        .find(actor_id)
        .select(ThemeGroup::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Our theme groups that are not deleted, by name.
pub async fn list_local(conn: &mut Conn) -> Result<Vec<(Actor, ThemeGroup)>> {
    Ok(run!(conn, |c| theme_group::table
        .inner_join(actor::table)
        .filter(actor::deleted_at.is_null())
        .order(actor::username)
        .select((Actor::as_select(), ThemeGroup::as_select()))
        .load(c)
        .await)?)
}

/// Makes a person a moderator of the group; whether they were not one yet.
pub async fn add_moderator(
    conn: &mut Conn,
    group_id: i64,
    person_id: i64,
    at: NaiveDateTime,
) -> Result<bool> {
    let added = run!(conn, |c| diesel::insert_into(group_moderator::table)
        .values((
            group_moderator::group_id.eq(group_id),
            group_moderator::person_id.eq(person_id),
            group_moderator::created_at.eq(at),
        ))
        .on_conflict((group_moderator::group_id, group_moderator::person_id))
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(added > 0)
}

/// Takes a person's moderation away; whether they were a moderator.
pub async fn remove_moderator(conn: &mut Conn, group_id: i64, person_id: i64) -> Result<bool> {
    let removed = run!(conn, |c| diesel::delete(
        group_moderator::table.find((group_id, person_id))
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// The group's moderators, in the order they became one.
pub async fn moderators(conn: &mut Conn, group_id: i64) -> Result<Vec<Actor>> {
    Ok(run!(conn, |c| group_moderator::table
        .inner_join(actor::table.on(actor::id.eq(group_moderator::person_id)))
        .filter(group_moderator::group_id.eq(group_id))
        .order((group_moderator::created_at, actor::id))
        .select(Actor::as_select())
        .load(c)
        .await)?)
}

pub async fn is_moderator(conn: &mut Conn, group_id: i64, person_id: i64) -> Result<bool> {
    Ok(run!(conn, |c| group_moderator::table
        .find((group_id, person_id))
        .count()
        .get_result::<i64>(c)
        .await)?
        > 0)
}

/// A local group as the node directory publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoverableGroup {
    pub actor: Actor,
    pub group: ThemeGroup,
    /// Theme names.
    pub themes: Vec<String>,
    pub follower_count: i64,
    /// When it last accepted a post.
    pub last_post_at: Option<NaiveDateTime>,
}

/// Our discoverable theme groups (not deleted), by handle, for the node directory: with their
/// themes, place and coordinates (in `group`), accepted follower count and last post time.
pub async fn discoverable_local(conn: &mut Conn) -> Result<Vec<DiscoverableGroup>> {
    let groups: Vec<(Actor, ThemeGroup)> = run!(conn, |c| theme_group::table
        .inner_join(actor::table)
        .filter(actor::deleted_at.is_null())
        .filter(actor::local.eq(true))
        .filter(actor::discoverable.eq(true))
        // Local-only spaces stay out of the directory.
        .filter(actor::local_only.eq(false))
        .order(actor::username)
        .select((Actor::as_select(), ThemeGroup::as_select()))
        .load(c)
        .await)?;
    let ids: Vec<i64> = groups.iter().map(|(a, _)| a.id).collect();
    let themes: Vec<(i64, String)> = run!(conn, |c| actor_theme::table
        .inner_join(theme::table)
        .filter(actor_theme::actor_id.eq_any(&ids))
        .order(theme::name)
        .select((actor_theme::actor_id, theme::name))
        .load(c)
        .await)?;
    let followers: Vec<(i64, i64)> = run!(conn, |c| follow::table
        .filter(follow::followee_id.eq_any(&ids))
        .filter(follow::state.eq(super::follow::state::ACCEPTED))
        .group_by(follow::followee_id)
        .select((follow::followee_id, diesel::dsl::count_star()))
        .load(c)
        .await)?;
    let last_posts: Vec<(i64, Option<NaiveDateTime>)> = run!(conn, |c| group_post::table
        .filter(group_post::group_id.eq_any(&ids))
        .filter(group_post::removed_at.is_null())
        .group_by(group_post::group_id)
        .select((
            group_post::group_id,
            diesel::dsl::max(group_post::accepted_at)
        ))
        .load(c)
        .await)?;
    Ok(groups
        .into_iter()
        .map(|(actor, group)| DiscoverableGroup {
            themes: themes
                .iter()
                .filter(|(id, _)| *id == actor.id)
                .map(|(_, name)| name.clone())
                .collect(),
            follower_count: followers
                .iter()
                .find(|(id, _)| *id == actor.id)
                .map_or(0, |(_, n)| *n),
            last_post_at: last_posts
                .iter()
                .find(|(id, _)| *id == actor.id)
                .and_then(|(_, at)| *at),
            actor,
            group,
        })
        .collect())
}

/// Shares a story to groups (ours or elsewhere).
pub async fn share_story(conn: &mut Conn, story_id: i64, group_ids: &[i64]) -> Result<()> {
    for group_id in group_ids {
        run!(conn, |c| diesel::insert_into(story_group::table)
            .values((
                story_group::story_id.eq(story_id),
                story_group::group_id.eq(group_id),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// The groups a story was shared to.
pub async fn groups_of_story(conn: &mut Conn, story_id: i64) -> Result<Vec<Actor>> {
    Ok(run!(conn, |c| story_group::table
        .inner_join(actor::table.on(actor::id.eq(story_group::group_id)))
        .filter(story_group::story_id.eq(story_id))
        .order(actor::id)
        .select(Actor::as_select())
        .load(c)
        .await)?)
}

#[cfg(test)]
mod tests;
