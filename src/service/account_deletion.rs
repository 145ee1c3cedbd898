//! Deleting a local account (AVG/GDPR), by the person (with their password) or by an admin
//! (with a reason), in one transaction with its audit entry:
//!
//! - every server that knew the person gets a `Delete` of their actor, signed with their key
//!   (kept until that is delivered, then dropped); servers that never heard of them get nothing;
//! - their stories, comments and group posts stay, shown as by a deleted account, or, when the
//!   node's `account_deletion_content` setting is `remove`, are deleted here and everywhere they
//!   were delivered (with their uploads);
//! - their likes, follows, memberships, notifications, sessions, tokens and the account itself go;
//! - the actor stays as a tombstone (410 Gone) so that the username is never given out again.
//!
//! The last admin cannot be deleted.

use serde_json::json;

use super::account::find;
use super::audit::{self, Action, Who};
use super::password;
use super::token::Authenticated;
use crate::db::actor::Actor;
use crate::db::initiative;
use crate::db::local_account::{self, LocalAccount};
use crate::db::node_settings::{self, DeletedContent};
use crate::db::{Conn, ScopedFutureExt, comment, group_post, now, personal_data, story};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

/// Deletes the caller's own account once `password` is theirs.
pub async fn delete_own(
    state: &AppState,
    conn: &mut Conn,
    auth: &Authenticated,
    given_password: &str,
) -> Result<()> {
    // The account as stored now (a session may hold an older copy).
    let (person, account) = find(conn, &auth.person.username).await?;
    if given_password.is_empty()
        || !password::verify(given_password.to_owned(), account.password_hash.clone()).await?
    {
        return Err(Error::invalid("password", "is not your password"));
    }
    let who = Who::of(auth);
    delete(state, conn, &who, person, account, None).await
}

/// An admin deletes `username`'s account; the reason is required and goes into the audit log.
pub async fn delete_by_admin(
    state: &AppState,
    conn: &mut Conn,
    who: &Who,
    username: &str,
    reason: Option<&str>,
) -> Result<()> {
    let reason = audit::require_reason(reason)?.to_owned();
    let (person, account) = find(conn, username).await?;
    delete(state, conn, who, person, account, Some(reason)).await
}

async fn delete(
    state: &AppState,
    conn: &mut Conn,
    who: &Who,
    person: Actor,
    account: LocalAccount,
    reason: Option<String>,
) -> Result<()> {
    if account.admin && local_account::count_admins(conn).await? <= 1 {
        return Err(Error::invalid(
            "username",
            "this is the only admin: make someone else admin first",
        ));
    }
    let content = node_settings::get(conn).await?.deleted_content();
    let uploads = personal_data::media_of(conn, person.id).await?;
    let who = who.clone();
    let person_id = person.id;
    let target = format!("@{}", person.username);
    let by_self = matches!(&who, Who::Account { id, .. } if *id == account.id);
    conn.transaction(|conn| {
        async move {
            let mut removed = json!(null);
            if content == DeletedContent::Remove {
                removed = remove_content(state, conn, person_id).await?;
            }
            hand_over_contact(conn, person_id).await?;
            events::emit(state, conn, Event::AccountDeleted { person_id }).await?;
            personal_data::end_local_account(conn, person_id, now()).await?;
            if content == DeletedContent::Remove {
                crate::db::media::delete_by_uploader(conn, person_id).await?;
            }
            let action = Action::new("account.delete", &target)
                .because(reason.as_deref())
                .with(json!({
                    "by": if by_self { "self" } else { "admin" },
                    "content": content.as_str(),
                    "removed": removed,
                }));
            audit::record(conn, &who, action).await
        }
        .scope_boxed()
    })
    .await?;
    if content == DeletedContent::Remove {
        remove_files(state, conn, &uploads).await;
    }
    // Nobody elsewhere knew them: nothing to sign any more.
    personal_data::drop_key_when_delivered(conn, &[person.id]).await?;
    state.deliveries.wake();
    tracing::info!(person = %person.ap_id, content = content.as_str(), "account deleted");
    Ok(())
}

/// Initiatives this person was the contact for get another member as contact, an owner first.
/// One without other members keeps the deleted person until an admin or new member acts.
async fn hand_over_contact(conn: &mut Conn, person_id: i64) -> Result<()> {
    for (group, _) in initiative::of_member(conn, person_id).await? {
        if initiative::get(conn, group.id).await?.contact_person_id != person_id {
            continue;
        }
        let next = initiative::members(conn, group.id)
            .await?
            .into_iter()
            .find(|(member, _)| member.id != person_id && member.deleted_at.is_none());
        if let Some((member, _)) = next {
            initiative::set_contact(conn, group.id, member.id, now()).await?;
        }
    }
    Ok(())
}

/// Deletes the person's stories, comments and group posts, each announced as its own deletion
/// would be; returns how many of each.
async fn remove_content(
    state: &AppState,
    conn: &mut Conn,
    person_id: i64,
) -> Result<serde_json::Value> {
    let at = now();
    let stories = personal_data::stories_by(conn, person_id).await?;
    for found in &stories {
        story::mark_deleted(conn, found.id, at).await?;
        let was = found.visibility();
        let event = Event::StoryDeleted {
            story_id: found.id,
            was,
        };
        events::emit(state, conn, event).await?;
    }
    let comments = personal_data::comments_by(conn, person_id).await?;
    for found in &comments {
        comment::mark_deleted(conn, found.id, at).await?;
        let event = Event::CommentDeleted {
            comment_id: found.id,
        };
        events::emit(state, conn, event).await?;
    }
    let posts = personal_data::group_posts_by(conn, person_id).await?;
    for post in &posts {
        if group_post::mark_removed(conn, post.id, at).await? {
            // Removed by its author: the `Delete` is theirs, announced by the group.
            let event = Event::GroupPostRemoved {
                post_id: post.id,
                moderator_id: person_id,
            };
            events::emit(state, conn, event).await?;
        }
    }
    Ok(json!({
        "stories": stories.len(),
        "comments": comments.len(),
        "group_posts": posts.len(),
    }))
}

/// Deletes the files of removed uploads that no other row still names.
async fn remove_files(state: &AppState, conn: &mut Conn, uploads: &[crate::db::media::Media]) {
    let dir = super::media::directory(&state.config);
    for upload in uploads {
        match crate::db::media::find_by_file_name(conn, &upload.file_name).await {
            Ok(None) => {}
            Ok(Some(_)) => continue,
            Err(err) => {
                tracing::warn!(error = %err, file = %upload.file_name, "cannot check an upload");
                continue;
            }
        }
        if let Err(err) = tokio::fs::remove_file(dir.join(&upload.file_name)).await
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %err, file = %upload.file_name, "cannot delete an upload");
        }
    }
}
