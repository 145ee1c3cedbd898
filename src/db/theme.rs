//! Themes: the hashtags initiatives and stories are organised by (zorg, groen, energie…).
//! A theme is stored once per node by its lowercase slug, with the name as first written.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{actor_theme, story_theme, theme};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = theme, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Theme {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// The themes with these `(slug, name)` pairs, made where missing. Order follows the input.
pub async fn ensure(conn: &mut Conn, themes: &[(String, String)]) -> Result<Vec<Theme>> {
    let mut out = Vec::with_capacity(themes.len());
    for (slug, name) in themes {
        run!(conn, |c| diesel::insert_into(theme::table)
            .values((theme::slug.eq(slug), theme::name.eq(name)))
            .on_conflict(theme::slug)
            .do_nothing()
            .execute(c)
            .await)?;
        out.push(run!(conn, |c| theme::table
            .filter(theme::slug.eq(slug))
            .select(Theme::as_select())
            .first(c)
            .await)?);
    }
    Ok(out)
}

/// Replaces an actor's themes.
pub async fn set_for_actor(conn: &mut Conn, actor_id: i64, themes: &[Theme]) -> Result<()> {
    run!(conn, |c| diesel::delete(
        actor_theme::table.filter(actor_theme::actor_id.eq(actor_id))
    )
    .execute(c)
    .await)?;
    // One row at a time: diesel-async cannot batch-insert on SQLite, and there are few themes.
    for theme in themes {
        run!(conn, |c| diesel::insert_into(actor_theme::table)
            .values((
                actor_theme::actor_id.eq(actor_id),
                actor_theme::theme_id.eq(theme.id)
            ))
            .execute(c)
            .await)?;
    }
    Ok(())
}

pub async fn for_actor(conn: &mut Conn, actor_id: i64) -> Result<Vec<Theme>> {
    Ok(run!(conn, |c| actor_theme::table
        .inner_join(theme::table)
        .filter(actor_theme::actor_id.eq(actor_id))
        .order(theme::slug)
        .select(Theme::as_select())
        .load(c)
        .await)?)
}

/// Replaces a story's themes.
pub async fn set_for_story(conn: &mut Conn, story_id: i64, themes: &[Theme]) -> Result<()> {
    run!(conn, |c| diesel::delete(
        story_theme::table.filter(story_theme::story_id.eq(story_id))
    )
    .execute(c)
    .await)?;
    for theme in themes {
        run!(conn, |c| diesel::insert_into(story_theme::table)
            .values((
                story_theme::story_id.eq(story_id),
                story_theme::theme_id.eq(theme.id)
            ))
            .execute(c)
            .await)?;
    }
    Ok(())
}

pub async fn for_story(conn: &mut Conn, story_id: i64) -> Result<Vec<Theme>> {
    Ok(run!(conn, |c| story_theme::table
        .inner_join(theme::table)
        .filter(story_theme::story_id.eq(story_id))
        .order(theme::slug)
        .select(Theme::as_select())
        .load(c)
        .await)?)
}

/// The themes of several stories at once, as `(story id, theme)` pairs ordered by slug.
pub async fn for_stories(conn: &mut Conn, story_ids: &[i64]) -> Result<Vec<(i64, Theme)>> {
    Ok(run!(conn, |c| story_theme::table
        .inner_join(theme::table)
        .filter(story_theme::story_id.eq_any(story_ids))
        .order(theme::slug)
        .select((story_theme::story_id, Theme::as_select()))
        .load(c)
        .await)?)
}

pub async fn find_by_slug(conn: &mut Conn, slug: &str) -> Result<Option<Theme>> {
    let slug = slug.to_lowercase();
    Ok(run!(conn, |c| theme::table
        .filter(theme::slug.eq(&slug))
        .select(Theme::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Themes that some actor or story on this node carries, by name.
pub async fn in_use(conn: &mut Conn) -> Result<Vec<Theme>> {
    let on_actors = actor_theme::table.select(actor_theme::theme_id);
    let on_stories = story_theme::table.select(story_theme::theme_id);
    Ok(run!(conn, |c| theme::table
        .filter(theme::id.eq_any(on_actors).or(theme::id.eq_any(on_stories)))
        .order(theme::slug)
        .select(Theme::as_select())
        .load(c)
        .await)?)
}
