//! Media: the images people upload (story covers). The row describes a file under
//! `data_dir/media/`, named by a hash of its bytes; the same bytes are stored once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::media;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = media, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Media {
    pub id: i64,
    pub uploader_id: i64,
    /// `{sha256 of the bytes, hex}.{jpg|png}`: the name on disk and in the URL.
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = media)]
pub struct NewMedia<'a> {
    pub uploader_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: NaiveDateTime,
}

/// Records a stored file. The same file stored again (same bytes, so the same name) keeps its
/// first row, which is returned.
pub async fn insert(conn: &mut Conn, new: &NewMedia<'_>) -> Result<Media> {
    run!(conn, |c| diesel::insert_into(media::table)
        .values(new)
        .on_conflict(media::file_name)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(run!(conn, |c| media::table
        .filter(media::file_name.eq(new.file_name))
        .select(Media::as_select())
        .first(c)
        .await)?)
}

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Media>> {
    Ok(run!(conn, |c| media::table
        .find(id)
        .select(Media::as_select())
        .first(c)
        .await
        .optional())?)
}

pub async fn find_by_file_name(conn: &mut Conn, file_name: &str) -> Result<Option<Media>> {
    Ok(run!(conn, |c| media::table
        .filter(media::file_name.eq(file_name))
        .select(Media::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The rows with these ids, in no particular order; ids without a row are left out.
pub async fn find_many(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Media>> {
    Ok(run!(conn, |c| media::table
        .filter(media::id.eq_any(ids))
        .select(Media::as_select())
        .load(c)
        .await)?)
}

/// Deletes every upload of this person (their account was deleted with its content); stories
/// lose the covers among them. Returns how many rows went.
pub async fn delete_by_uploader(conn: &mut Conn, uploader_id: i64) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        media::table.filter(media::uploader_id.eq(uploader_id))
    )
    .execute(c)
    .await)?)
}
