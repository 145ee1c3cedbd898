//! The AVG/GDPR data export: everything this node stores about a local person, as a ZIP with
//! one machine-readable `kwartier-export.json` (account, profile, memberships, stories,
//! comments, group posts, likes, follows, notifications, API tokens by label, uploads) and
//! their uploaded files under `media/`. Built in an anonymous temporary file under the data
//! directory (it can be large), which the caller streams and which vanishes when closed.

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::PathBuf;

use chrono::{NaiveDateTime, Utc};
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::token::Authenticated;
use crate::db::actor::{self, Actor};
use crate::db::{Conn, comment, personal_data, story};
use crate::error::{Error, Result};
use crate::state::AppState;

/// The JSON document's name inside the ZIP.
pub const JSON_NAME: &str = "kwartier-export.json";
/// Bumped when the JSON's shape changes incompatibly.
pub const FORMAT: &str = "kwartier-export/1";

/// A finished export: the ZIP in a temporary file, rewound, and its length.
pub struct Export {
    pub file: std::fs::File,
    pub len: u64,
    /// A file name for the download: `kwartier-USERNAME-YYYYMMDD.zip`.
    pub file_name: String,
}

/// Builds the export of the authenticated person.
pub async fn export(state: &AppState, conn: &mut Conn, auth: &Authenticated) -> Result<Export> {
    let document = document(state, conn, auth).await?;
    let uploads = personal_data::media_of(conn, auth.person.id).await?;
    let media_dir = super::media::directory(&state.config);
    let files: Vec<(String, PathBuf)> = uploads
        .iter()
        .map(|m| {
            (
                format!("media/{}", m.file_name),
                media_dir.join(&m.file_name),
            )
        })
        .collect();
    let scratch = state.config.data_dir.join("tmp");
    let json = serde_json::to_vec_pretty(&document)?;
    let (file, len) = tokio::task::spawn_blocking(move || write_zip(&scratch, &json, &files))
        .await
        .map_err(|e| Error::internal("building the export", e))??;
    Ok(Export {
        file,
        len,
        file_name: format!(
            "kwartier-{}-{}.zip",
            auth.person.username,
            Utc::now().format("%Y%m%d")
        ),
    })
}

fn write_zip(
    scratch: &std::path::Path,
    json: &[u8],
    files: &[(String, PathBuf)],
) -> Result<(std::fs::File, u64)> {
    let failed = |e: &dyn std::fmt::Display| Error::internal("writing the export", e);
    std::fs::create_dir_all(scratch).map_err(|e| failed(&e))?;
    let file = tempfile::tempfile_in(scratch).map_err(|e| failed(&e))?;
    let mut zip = ZipWriter::new(file);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    // Images are compressed already.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip.start_file(JSON_NAME, deflated)
        .map_err(|e| failed(&e))?;
    zip.write_all(json).map_err(|e| failed(&e))?;
    for (name, path) in files {
        let mut source = match std::fs::File::open(path) {
            Ok(source) => source,
            // A file lost on disk leaves its row in the JSON, and nothing here.
            Err(err) => {
                tracing::warn!(error = %err, file = %path.display(), "upload missing from the export");
                continue;
            }
        };
        zip.start_file(name.as_str(), stored.large_file(true))
            .map_err(|e| failed(&e))?;
        std::io::copy(&mut source, &mut zip).map_err(|e| failed(&e))?;
    }
    let mut file = zip.finish().map_err(|e| failed(&e))?;
    let len = file.stream_position().map_err(|e| failed(&e))?;
    file.rewind().map_err(|e| failed(&e))?;
    Ok((file, len))
}

fn time(at: NaiveDateTime) -> Value {
    json!(at.and_utc())
}

fn opt_time(at: Option<NaiveDateTime>) -> Value {
    at.map_or(Value::Null, time)
}

/// The JSON document: what is stored, in plain field names, with ActivityPub ids to name
/// things across the network.
async fn document(state: &AppState, conn: &mut Conn, auth: &Authenticated) -> Result<Value> {
    let (person, account) = (&auth.person, &auth.account);
    let id = person.id;
    let stories = personal_data::stories_by(conn, id).await?;
    let comments = personal_data::comments_by(conn, id).await?;
    let posts = personal_data::group_posts_by(conn, id).await?;
    let mut actor_ids: Vec<i64> = stories.iter().map(|s| s.initiative_id).collect();
    actor_ids.extend(posts.iter().map(|p| p.group_id));
    let actors = actor::get_many(conn, actor_ids).await?;
    let ap_id_of = |actors: &HashMap<i64, Actor>, id: i64| {
        actors
            .get(&id)
            .map_or(Value::Null, |a| json!(a.ap_id.to_string()))
    };
    let mut story_ids: HashMap<i64, String> = HashMap::new();
    let mut comment_ids: HashMap<i64, String> = HashMap::new();
    let mut comments_json = Vec::with_capacity(comments.len());
    for c in &comments {
        let on = match story_ids.get(&c.story_id) {
            Some(known) => known.clone(),
            None => {
                let found = story::get(conn, c.story_id).await?.ap_id.to_string();
                story_ids.insert(c.story_id, found.clone());
                found
            }
        };
        let in_reply_to = match c.parent_id {
            None => Value::Null,
            Some(parent) => match comment_ids.get(&parent) {
                Some(known) => json!(known),
                None => {
                    let found = comment::get(conn, parent).await?.ap_id.to_string();
                    comment_ids.insert(parent, found.clone());
                    json!(found)
                }
            },
        };
        comments_json.push(json!({
            "id": c.ap_id.to_string(),
            "story": on,
            "in_reply_to": in_reply_to,
            "content_html": c.content,
            "source_markdown": c.source,
            "language": c.language,
            "published_at": time(c.published_at),
            "updated_at": opt_time(c.updated_at),
            "hidden_by_moderator_at": opt_time(c.hidden_at),
        }));
    }
    let uploads = personal_data::media_of(conn, id).await?;
    let media_json: Vec<Value> = uploads
        .iter()
        .map(|m| {
            json!({
                "file": format!("media/{}", m.file_name),
                "url": state.urls.media(&m.file_name).to_string(),
                "content_type": m.content_type,
                "bytes": m.byte_size,
                "width": m.width,
                "height": m.height,
                "uploaded_at": time(m.created_at),
            })
        })
        .collect();
    let memberships = personal_data::memberships(conn, id).await?;
    let moderated = personal_data::moderated_groups(conn, id).await?;
    let likes = personal_data::appreciations_by(conn, id).await?;
    let following = personal_data::follows_of(conn, id, true).await?;
    let followers = personal_data::follows_of(conn, id, false).await?;
    let notifications = personal_data::notifications_of(conn, id).await?;
    let tokens = crate::db::api_token::list_for_account(conn, account.id).await?;
    let follows_json = |rows: &[personal_data::FollowOf]| -> Vec<Value> {
        rows.iter()
            .map(|f| json!({ "actor": f.other, "state": f.state, "since": time(f.created_at) }))
            .collect()
    };
    Ok(json!({
        "format": FORMAT,
        "exported_at": Utc::now(),
        "node": state.urls.authority(),
        "account": {
            "username": person.username,
            "handle": format!("@{}", person.handle()),
            "id": person.ap_id.to_string(),
            "created_at": time(account.created_at),
            "last_active_at": opt_time(account.last_active_at),
            "admin": account.admin,
            "moderator": account.moderator,
            "approved": account.approved,
            "signup_answer": account.signup_answer,
        },
        "profile": {
            "display_name": person.display_name,
            "summary_html": person.summary,
            "url": person.url,
            "avatar": person.icon_url,
            "header": person.image_url,
            "manually_approves_followers": person.manually_approves_followers,
            "discoverable": person.discoverable,
        },
        "initiatives": memberships.iter().map(|(initiative, role, since)| json!({
            "initiative": initiative, "role": role, "since": time(*since),
        })).collect::<Vec<_>>(),
        "moderated_groups": moderated.iter().map(|(group, since)| json!({
            "group": group, "since": time(*since),
        })).collect::<Vec<_>>(),
        "stories": stories.iter().map(|s| json!({
            "id": s.ap_id.to_string(),
            "initiative": ap_id_of(&actors, s.initiative_id),
            "title": s.title,
            "summary": s.summary,
            "source_markdown": s.source,
            "content_html": s.content,
            "language": s.language,
            "visibility": s.visibility,
            "pinned": s.pinned,
            "published_at": time(s.published_at),
            "updated_at": opt_time(s.updated_at),
            "cover_media_id": s.cover_media_id,
            "cover_alt": s.cover_alt,
        })).collect::<Vec<_>>(),
        "comments": comments_json,
        "group_posts": posts.iter().map(|p| json!({
            "id": p.ap_id.to_string(),
            "group": ap_id_of(&actors, p.group_id),
            "type": p.kind,
            "name": p.name,
            "summary": p.summary,
            "content_html": p.content,
            "published_at": time(p.published_at),
        })).collect::<Vec<_>>(),
        "appreciations": likes.iter().map(|l| json!({
            "id": l.ap_id, "story": l.story, "comment": l.comment, "at": time(l.created_at),
        })).collect::<Vec<_>>(),
        "following": follows_json(&following),
        "followers": follows_json(&followers),
        "notifications": notifications.iter().map(|(kind, comment, at, read)| json!({
            "kind": kind, "comment": comment, "at": time(*at), "read_at": opt_time(*read),
        })).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| json!({
            "label": t.label, "created_at": time(t.created_at), "last_used_at": opt_time(t.last_used_at),
        })).collect::<Vec<_>>(),
        "media": media_json,
    }))
}

/// The ZIP as a download, streamed from its temporary file.
impl axum::response::IntoResponse for Export {
    fn into_response(self) -> axum::response::Response {
        use axum::http::header;
        use tokio::io::AsyncReadExt;
        let file = Some(tokio::fs::File::from_std(self.file));
        let chunks = futures_util::stream::unfold(file, |file| async move {
            let mut file = file?;
            let mut buffer = vec![0u8; 64 * 1024];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok(axum::body::Bytes::from(buffer)), Some(file)))
                }
                Err(err) => Some((Err(err), None)),
            }
        });
        let disposition = format!("attachment; filename=\"{}\"", self.file_name);
        (
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (header::CONTENT_LENGTH, self.len.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            axum::body::Body::from_stream(chunks),
        )
            .into_response()
    }
}
