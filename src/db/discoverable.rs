//! What this node lists in its own directory: its discoverable local initiatives, with their
//! themes, follower counts and last activity, each read for all of them in one grouped query.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::initiative::Initiative;
use super::schema::{actor, actor_theme, follow, initiative, story, theme};
use super::story::Visibility;
use crate::error::Result;
use crate::run;

/// A discoverable initiative with what its directory entry shows besides its profile.
#[derive(Debug, Clone)]
pub struct Listed {
    pub group: Actor,
    pub details: Initiative,
    /// Theme names, by name.
    pub themes: Vec<String>,
    pub followers: i64,
    /// Its latest public story (published or edited), if any.
    pub last_story_at: Option<NaiveDateTime>,
}

/// Every local initiative that is discoverable and not deleted, by id.
pub async fn initiatives(conn: &mut Conn) -> Result<Vec<Listed>> {
    let rows: Vec<(Actor, Initiative)> = run!(conn, |c| initiative::table
        .inner_join(actor::table.on(actor::id.eq(initiative::actor_id)))
        .filter(actor::local.eq(true))
        .filter(actor::deleted_at.is_null())
        .filter(actor::discoverable.eq(true))
        // Local-only spaces stay out of the directory.
        .filter(actor::local_only.eq(false))
        .order(actor::id)
        .select((Actor::as_select(), Initiative::as_select()))
        .load(c)
        .await)?;
    let ids: Vec<i64> = rows.iter().map(|(a, _)| a.id).collect();
    let themes: Vec<(i64, String)> = run!(conn, |c| actor_theme::table
        .inner_join(theme::table.on(theme::id.eq(actor_theme::theme_id)))
        .filter(actor_theme::actor_id.eq_any(&ids))
        .order((actor_theme::actor_id, theme::name))
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
    let stories: Vec<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        run!(conn, |c| story::table
            .filter(story::initiative_id.eq_any(&ids))
            .filter(story::visibility.eq(Visibility::Public.as_str()))
            .filter(story::deleted_at.is_null())
            .filter(story::hidden_at.is_null())
            .group_by(story::initiative_id)
            .select((
                story::initiative_id,
                diesel::dsl::max(story::published_at),
                diesel::dsl::max(story::updated_at),
            ))
            .load(c)
            .await)?;
    let mut themes_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in themes {
        themes_of.entry(id).or_default().push(name);
    }
    let followers: HashMap<i64, i64> = followers.into_iter().collect();
    let stories: HashMap<i64, Option<NaiveDateTime>> = stories
        .into_iter()
        .map(|(id, published, updated)| (id, published.max(updated)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(group, details)| Listed {
            themes: themes_of.remove(&group.id).unwrap_or_default(),
            followers: followers.get(&group.id).copied().unwrap_or(0),
            last_story_at: stories.get(&group.id).copied().flatten(),
            group,
            details,
        })
        .collect())
}
