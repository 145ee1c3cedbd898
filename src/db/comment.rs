//! Comments: replies to a story or to another comment, ours and from anywhere (a Mastodon reply
//! to a story becomes a comment). Threaded by `parent_id`; deleted ones stay as tombstones,
//! hidden ones stay whole but out of the `replies` collections.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::comment;
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = comment, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Comment {
    pub id: i64,
    pub ap_id: DbUrl,
    /// The story the thread belongs to.
    pub story_id: i64,
    /// The comment this replies to; `None` for a reply to the story itself.
    pub parent_id: Option<i64>,
    pub author_id: i64,
    /// Sanitized HTML.
    pub content: String,
    /// Markdown, for our own comments.
    pub source: Option<String>,
    pub language: Option<String>,
    /// The HTML page of a remote comment.
    pub url: Option<String>,
    pub local: bool,
    pub published_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    /// When a member of the initiative hid it (moderation, kept on this node).
    pub hidden_at: Option<NaiveDateTime>,
    /// Who hid it.
    pub hidden_by: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = comment)]
pub struct NewComment<'a> {
    pub story_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub content: &'a str,
    pub source: Option<&'a str>,
    pub language: Option<&'a str>,
    pub url: Option<&'a str>,
    pub published_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
}

/// Inserts our own comment; its id becomes part of its ActivityPub id.
pub async fn insert_local(
    conn: &mut Conn,
    new: &NewComment<'_>,
    ap_id_for: impl Fn(i64) -> url::Url,
) -> Result<Comment> {
    let placeholder = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let inserted: Comment = run!(conn, |c| diesel::insert_into(comment::table)
        .values((
            new,
            comment::ap_id.eq(&placeholder),
            comment::local.eq(true)
        ))
        .returning(Comment::as_returning())
        .get_result(c)
        .await)?;
    let ap_id = DbUrl(ap_id_for(inserted.id));
    Ok(run!(conn, |c| diesel::update(
        comment::table.find(inserted.id)
    )
    .set(comment::ap_id.eq(&ap_id))
    .returning(Comment::as_returning())
    .get_result(c)
    .await)?)
}

/// A comment from elsewhere; an id we already have is left alone (`None`).
pub async fn insert_remote(
    conn: &mut Conn,
    ap_id: &DbUrl,
    new: &NewComment<'_>,
) -> Result<Option<Comment>> {
    Ok(run!(conn, |c| diesel::insert_into(comment::table)
        .values((new, comment::ap_id.eq(ap_id), comment::local.eq(false)))
        .on_conflict(comment::ap_id)
        .do_nothing()
        .returning(Comment::as_returning())
        .get_result(c)
        .await
        .optional())?)
}

pub async fn update_content(
    conn: &mut Conn,
    id: i64,
    content: &str,
    source: Option<&str>,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(comment::table.find(id))
        .set((
            comment::content.eq(content),
            comment::source.eq(source),
            comment::updated_at.eq(at)
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Marks a comment deleted and empties it; replies to it keep their place in the thread.
pub async fn mark_deleted(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(comment::table.find(id))
        .set((
            comment::deleted_at.eq(at),
            comment::content.eq(""),
            comment::source.eq(None::<String>)
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Hides a comment (`Some(by)`) or shows it again (`None`).
pub async fn set_hidden(
    conn: &mut Conn,
    id: i64,
    hidden: Option<(i64, NaiveDateTime)>,
) -> Result<()> {
    run!(conn, |c| diesel::update(comment::table.find(id))
        .set((
            comment::hidden_by.eq(hidden.map(|(by, _)| by)),
            comment::hidden_at.eq(hidden.map(|(_, at)| at))
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Comment> {
    Ok(run!(conn, |c| comment::table
        .find(id)
        .select(Comment::as_select())
        .first(c)
        .await)?)
}

pub async fn find_by_ap_id(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<Comment>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| comment::table
        .filter(comment::ap_id.eq(&ap_id))
        .select(Comment::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Direct replies to a story (`parent` = `None`) or to a comment, oldest first, neither deleted
/// nor hidden.
pub async fn replies(
    conn: &mut Conn,
    story_id: i64,
    parent: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Comment>> {
    let thread = comment::table
        .filter(comment::story_id.eq(story_id))
        .filter(comment::deleted_at.is_null())
        .filter(comment::hidden_at.is_null())
        .order((comment::published_at, comment::id))
        .limit(limit)
        .offset(offset);
    // `as_select` is chosen per backend, so it stays inside each arm.
    Ok(run!(conn, |c| match parent {
        Some(parent) =>
            thread
                .filter(comment::parent_id.eq(parent))
                .select(Comment::as_select())
                .load(c)
                .await,
        None =>
            thread
                .filter(comment::parent_id.is_null())
                .select(Comment::as_select())
                .load(c)
                .await,
    })?)
}

pub async fn count_replies(conn: &mut Conn, story_id: i64, parent: Option<i64>) -> Result<i64> {
    let thread = comment::table
        .filter(comment::story_id.eq(story_id))
        .filter(comment::deleted_at.is_null())
        .filter(comment::hidden_at.is_null())
        .count();
    Ok(run!(conn, |c| match parent {
        Some(parent) =>
            thread
                .filter(comment::parent_id.eq(parent))
                .get_result(c)
                .await,
        None =>
            thread
                .filter(comment::parent_id.is_null())
                .get_result(c)
                .await,
    })?)
}

/// The whole thread under a story, oldest first, deleted comments included as tombstones.
pub async fn thread(conn: &mut Conn, story_id: i64) -> Result<Vec<Comment>> {
    Ok(run!(conn, |c| comment::table
        .filter(comment::story_id.eq(story_id))
        .order((comment::published_at, comment::id))
        .select(Comment::as_select())
        .load(c)
        .await)?)
}
