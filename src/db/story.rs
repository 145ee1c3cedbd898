//! Stories: what initiatives publish (ActivityPub `Article`). Ours, and those that arrive from
//! initiatives our people follow. A deleted story keeps its row as a tombstone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::lower;
use super::schema::{follow, story, story_theme};
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

/// Who may see a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Everyone, everywhere.
    Public,
    /// The initiative's followers only.
    Followers,
    /// Visitors of this node only: never delivered, never served to other servers.
    Local,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Followers => "followers",
            Visibility::Local => "local",
        }
    }

    pub fn parse(value: &str) -> Option<Visibility> {
        match value {
            "public" => Some(Visibility::Public),
            "followers" => Some(Visibility::Followers),
            "local" => Some(Visibility::Local),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = story, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Story {
    pub id: i64,
    pub ap_id: DbUrl,
    /// The initiative (a `Group` actor) it was published in.
    pub initiative_id: i64,
    pub author_id: i64,
    pub title: String,
    /// Plain text teaser.
    pub summary: String,
    /// Markdown (empty for remote stories).
    pub source: String,
    /// Sanitized HTML.
    pub content: String,
    pub language: String,
    pub visibility: String,
    pub pinned: bool,
    pub local: bool,
    /// The HTML page of a remote story.
    pub url: Option<String>,
    pub published_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    /// The cover image (an upload here), if it has one.
    pub cover_media_id: Option<i64>,
    /// The cover's alternative text; present whenever the cover is.
    pub cover_alt: Option<String>,
    /// Hidden by a moderator (a report): stored, but shown to nobody.
    pub hidden_at: Option<NaiveDateTime>,
}

impl Story {
    pub fn visibility(&self) -> Visibility {
        // The column's CHECK constraint allows nothing else.
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Local)
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// What an author writes; replaced as a whole on update, so a cover left out is removed.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = story, treat_none_as_null = true)]
pub struct StoryFields<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub source: &'a str,
    pub content: &'a str,
    pub language: &'a str,
    pub visibility: &'a str,
    pub cover_media_id: Option<i64>,
    pub cover_alt: Option<&'a str>,
}

/// Inserts a local story; its id becomes part of its ActivityPub id, made by `ap_id_for`.
pub async fn insert_local(
    conn: &mut Conn,
    initiative_id: i64,
    author_id: i64,
    fields: &StoryFields<'_>,
    at: NaiveDateTime,
    ap_id_for: impl Fn(i64) -> url::Url,
) -> Result<Story> {
    let placeholder = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let inserted: Story = run!(conn, |c| diesel::insert_into(story::table)
        .values((
            fields,
            story::ap_id.eq(&placeholder),
            story::initiative_id.eq(initiative_id),
            story::author_id.eq(author_id),
            story::local.eq(true),
            story::published_at.eq(at),
        ))
        .returning(Story::as_returning())
        .get_result(c)
        .await)?;
    let ap_id = DbUrl(ap_id_for(inserted.id));
    Ok(run!(conn, |c| diesel::update(
        story::table.find(inserted.id)
    )
    .set(story::ap_id.eq(&ap_id))
    .returning(Story::as_returning())
    .get_result(c)
    .await)?)
}

/// A remote story as it arrived; an id we already have is left alone. Returns the stored row
/// when it was new.
#[allow(clippy::too_many_arguments)]
pub async fn insert_remote(
    conn: &mut Conn,
    ap_id: &DbUrl,
    initiative_id: i64,
    author_id: i64,
    fields: &StoryFields<'_>,
    url: Option<&str>,
    published_at: NaiveDateTime,
    updated_at: Option<NaiveDateTime>,
) -> Result<Option<Story>> {
    Ok(run!(conn, |c| diesel::insert_into(story::table)
        .values((
            fields,
            story::ap_id.eq(ap_id),
            story::initiative_id.eq(initiative_id),
            story::author_id.eq(author_id),
            story::local.eq(false),
            story::url.eq(url),
            story::published_at.eq(published_at),
            story::updated_at.eq(updated_at),
        ))
        .on_conflict(story::ap_id)
        .do_nothing()
        .returning(Story::as_returning())
        .get_result(c)
        .await
        .optional())?)
}

pub async fn update(
    conn: &mut Conn,
    id: i64,
    fields: &StoryFields<'_>,
    at: NaiveDateTime,
) -> Result<Story> {
    Ok(run!(conn, |c| diesel::update(story::table.find(id))
        .set((fields, story::updated_at.eq(at)))
        .returning(Story::as_returning())
        .get_result(c)
        .await)?)
}

/// Marks a story deleted and empties it; the row stays as a tombstone.
pub async fn mark_deleted(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(story::table.find(id))
        .set((
            story::deleted_at.eq(at),
            story::title.eq(""),
            story::summary.eq(""),
            story::source.eq(""),
            story::content.eq(""),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Story> {
    Ok(run!(conn, |c| story::table
        .find(id)
        .select(Story::as_select())
        .first(c)
        .await)?)
}

pub async fn find_by_ap_id(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<Story>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| story::table
        .filter(story::ap_id.eq(&ap_id))
        .select(Story::as_select())
        .first(c)
        .await
        .optional())?)
}

/// An initiative's stories with one of `visibilities`, newest first, not deleted.
pub async fn for_initiative(
    conn: &mut Conn,
    initiative_id: i64,
    visibilities: &[&str],
    limit: i64,
    offset: i64,
) -> Result<Vec<Story>> {
    Ok(run!(conn, |c| story::table
        .filter(story::initiative_id.eq(initiative_id))
        .filter(story::visibility.eq_any(visibilities))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .order((story::published_at.desc(), story::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Story::as_select())
        .load(c)
        .await)?)
}

pub async fn count_for_initiative(
    conn: &mut Conn,
    initiative_id: i64,
    visibilities: &[&str],
) -> Result<i64> {
    Ok(run!(conn, |c| story::table
        .filter(story::initiative_id.eq(initiative_id))
        .filter(story::visibility.eq_any(visibilities))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .count()
        .get_result(c)
        .await)?)
}

/// Pinned stories of an initiative that everyone may see.
pub async fn pinned_public(conn: &mut Conn, initiative_id: i64) -> Result<Vec<Story>> {
    Ok(run!(conn, |c| story::table
        .filter(story::initiative_id.eq(initiative_id))
        .filter(story::pinned.eq(true))
        .filter(story::visibility.eq(Visibility::Public.as_str()))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .order(story::published_at.desc())
        .select(Story::as_select())
        .load(c)
        .await)?)
}

pub async fn set_pinned(conn: &mut Conn, id: i64, pinned: bool) -> Result<()> {
    run!(conn, |c| diesel::update(story::table.find(id))
        .set(story::pinned.eq(pinned))
        .execute(c)
        .await)?;
    Ok(())
}

/// Stories from the initiatives a person follows (and the person's own initiatives' stories
/// are in there when they follow them), newest first.
pub async fn timeline(
    conn: &mut Conn,
    person_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<Story>> {
    let followed = follow::table
        .filter(follow::follower_id.eq(person_id))
        .filter(follow::state.eq(super::follow::state::ACCEPTED))
        .select(follow::followee_id);
    Ok(run!(conn, |c| story::table
        .filter(story::initiative_id.eq_any(followed))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .order((story::published_at.desc(), story::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Story::as_select())
        .load(c)
        .await)?)
}

/// Which public stories a page or feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    /// Every initiative on this node.
    Node,
    /// One initiative (its actor id).
    Initiative(i64),
    /// Stories with this theme (its id).
    Theme(i64),
}

/// Local public stories that are not deleted, newest first: what pages and feeds list.
pub async fn public_local(conn: &mut Conn, scope: FeedScope, limit: i64) -> Result<Vec<Story>> {
    // Built inside `run!`: a boxed query belongs to one backend.
    Ok(run!(conn, |c| {
        let mut query = story::table
            .filter(story::local.eq(true))
            .filter(story::visibility.eq(Visibility::Public.as_str()))
            .filter(story::deleted_at.is_null())
            .filter(story::hidden_at.is_null())
            .order((story::published_at.desc(), story::id.desc()))
            .limit(limit)
            .select(Story::as_select())
            .into_boxed();
        match scope {
            FeedScope::Node => {}
            FeedScope::Initiative(id) => query = query.filter(story::initiative_id.eq(id)),
            FeedScope::Theme(id) => {
                let tagged = story_theme::table
                    .filter(story_theme::theme_id.eq(id))
                    .select(story_theme::story_id);
                query = query.filter(story::id.eq_any(tagged));
            }
        }
        query.load(c).await
    })?)
}

/// Local stories not deleted, for NodeInfo.
pub async fn count_local(conn: &mut Conn) -> Result<i64> {
    // What stays here (local-only stories, and those of local-only initiatives) is not counted.
    Ok(run!(conn, |c| story::table
        .inner_join(
            super::schema::actor::table.on(super::schema::actor::id.eq(story::initiative_id))
        )
        .filter(super::schema::actor::local_only.eq(false))
        .filter(story::visibility.ne(Visibility::Local.as_str()))
        .filter(story::local.eq(true))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .count()
        .get_result(c)
        .await)?)
}

/// Public stories published here whose title or teaser contains `text`, ignoring case.
pub async fn search_public_local(conn: &mut Conn, text: &str, limit: i64) -> Result<Vec<Story>> {
    let pattern = like_pattern(text);
    Ok(run!(conn, |c| story::table
        .filter(story::local.eq(true))
        .filter(story::visibility.eq(Visibility::Public.as_str()))
        .filter(story::deleted_at.is_null())
        .filter(story::hidden_at.is_null())
        .filter(
            lower(story::title)
                .like(&pattern)
                .escape('\\')
                .or(lower(story::summary).like(&pattern).escape('\\'))
        )
        .order((story::published_at.desc(), story::id.desc()))
        .limit(limit)
        .select(Story::as_select())
        .load(c)
        .await)?)
}

/// `%text%` in lowercase, with LIKE's wildcards in `text` taken literally.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// Hides a story (moderation) or shows it again (`None`).
pub async fn set_hidden(conn: &mut Conn, id: i64, at: Option<NaiveDateTime>) -> Result<()> {
    run!(conn, |c| diesel::update(story::table.find(id))
        .set(story::hidden_at.eq(at))
        .execute(c)
        .await)?;
    Ok(())
}
