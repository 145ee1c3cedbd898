//! Everything stored about one person, across tables: what their AVG/GDPR export holds, who
//! knew them (the servers their account's `Delete` goes to), and the bulk changes that delete
//! an account here or forget a remote one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::comment::Comment;
use super::group_post::GroupPost;
use super::media::Media;
use super::schema::{
    actor, appreciation, comment, delivery, follow, group_moderator, group_post, initiative_member,
    local_account, media, notification, outgoing_activity, story,
};
use super::story::Story;
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

/// The person's stories (authored by them), newest first, deleted ones left out.
pub async fn stories_by(conn: &mut Conn, author_id: i64) -> Result<Vec<Story>> {
    Ok(run!(conn, |c| story::table
        .filter(story::author_id.eq(author_id))
        .filter(story::deleted_at.is_null())
        .order(story::id.desc())
        .select(Story::as_select())
        .load(c)
        .await)?)
}

/// The person's comments, newest first, deleted ones left out.
pub async fn comments_by(conn: &mut Conn, author_id: i64) -> Result<Vec<Comment>> {
    Ok(run!(conn, |c| comment::table
        .filter(comment::author_id.eq(author_id))
        .filter(comment::deleted_at.is_null())
        .order(comment::id.desc())
        .select(Comment::as_select())
        .load(c)
        .await)?)
}

/// The person's posts in theme groups, removed ones left out.
pub async fn group_posts_by(conn: &mut Conn, author_id: i64) -> Result<Vec<GroupPost>> {
    Ok(run!(conn, |c| group_post::table
        .filter(group_post::author_id.eq(author_id))
        .filter(group_post::removed_at.is_null())
        .order(group_post::id.desc())
        .select(GroupPost::as_select())
        .load(c)
        .await)?)
}

/// One like by the person: its id, when, and the id of the story or comment liked.
pub struct Liked {
    pub ap_id: String,
    pub created_at: NaiveDateTime,
    pub story: Option<String>,
    pub comment: Option<String>,
}

pub async fn appreciations_by(conn: &mut Conn, actor_id: i64) -> Result<Vec<Liked>> {
    let rows: Vec<(DbUrl, NaiveDateTime, Option<DbUrl>, Option<DbUrl>)> = run!(conn, |c| {
        appreciation::table
            .left_join(story::table)
            .left_join(comment::table)
            .filter(appreciation::actor_id.eq(actor_id))
            .order(appreciation::id.desc())
            .select((
                appreciation::ap_id,
                appreciation::created_at,
                story::ap_id.nullable(),
                comment::ap_id.nullable(),
            ))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(ap_id, created_at, story, comment)| Liked {
            ap_id: ap_id.to_string(),
            created_at,
            story: story.map(|s| s.to_string()),
            comment: comment.map(|c| c.to_string()),
        })
        .collect())
}

/// One follow the person is part of: the other actor's id, its state, since when.
pub struct FollowOf {
    pub other: String,
    pub state: String,
    pub created_at: NaiveDateTime,
}

/// Whom the person follows (`following`) or who follows them.
pub async fn follows_of(conn: &mut Conn, actor_id: i64, following: bool) -> Result<Vec<FollowOf>> {
    let rows: Vec<(DbUrl, String, NaiveDateTime)> = if following {
        run!(conn, |c| follow::table
            .inner_join(actor::table.on(actor::id.eq(follow::followee_id)))
            .filter(follow::follower_id.eq(actor_id))
            .order(follow::id)
            .select((actor::ap_id, follow::state, follow::created_at))
            .load(c)
            .await)?
    } else {
        run!(conn, |c| follow::table
            .inner_join(actor::table.on(actor::id.eq(follow::follower_id)))
            .filter(follow::followee_id.eq(actor_id))
            .order(follow::id)
            .select((actor::ap_id, follow::state, follow::created_at))
            .load(c)
            .await)?
    };
    Ok(rows
        .into_iter()
        .map(|(other, state, created_at)| FollowOf {
            other: other.to_string(),
            state,
            created_at,
        })
        .collect())
}

/// The person's roles in initiatives: (initiative id, role, since).
pub async fn memberships(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<(String, String, NaiveDateTime)>> {
    let rows: Vec<(DbUrl, String, NaiveDateTime)> = run!(conn, |c| initiative_member::table
        .inner_join(actor::table.on(actor::id.eq(initiative_member::initiative_id)))
        .filter(initiative_member::person_id.eq(person_id))
        .order(initiative_member::created_at)
        .select((
            actor::ap_id,
            initiative_member::role,
            initiative_member::created_at
        ))
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, role, at)| (id.to_string(), role, at))
        .collect())
}

/// The theme groups the person moderates: (group id, since).
pub async fn moderated_groups(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<(String, NaiveDateTime)>> {
    let rows: Vec<(DbUrl, NaiveDateTime)> = run!(conn, |c| group_moderator::table
        .inner_join(actor::table.on(actor::id.eq(group_moderator::group_id)))
        .filter(group_moderator::person_id.eq(person_id))
        .order(group_moderator::created_at)
        .select((actor::ap_id, group_moderator::created_at))
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, at)| (id.to_string(), at))
        .collect())
}

/// The person's notifications: (kind, the comment's id, when, read when).
pub async fn notifications_of(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<(String, String, NaiveDateTime, Option<NaiveDateTime>)>> {
    let rows: Vec<(String, DbUrl, NaiveDateTime, Option<NaiveDateTime>)> = run!(conn, |c| {
        notification::table
            .inner_join(comment::table)
            .filter(notification::recipient_id.eq(person_id))
            .order(notification::id.desc())
            .select((
                notification::kind,
                comment::ap_id,
                notification::created_at,
                notification::read_at,
            ))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, at, read)| (kind, id.to_string(), at, read))
        .collect())
}

/// The files the person uploaded.
pub async fn media_of(conn: &mut Conn, person_id: i64) -> Result<Vec<Media>> {
    Ok(run!(conn, |c| media::table
        .filter(media::uploader_id.eq(person_id))
        .order(media::id)
        .select(Media::as_select())
        .load(c)
        .await)?)
}

/// The inboxes of every server that knew a local person: their followers and those they
/// follow, the inboxes anything they signed was queued for, those queued an activity that
/// names them (an initiative announcing their story or comment, an `Accept` of their follow),
/// and the remote people who commented on or liked their stories and comments. Servers that
/// never heard of them are not in it. Several inboxes of one server may be in it; see
/// [`one_inbox_per_server`].
pub async fn inboxes_that_knew(
    conn: &mut Conn,
    person_id: i64,
    ap_id: &DbUrl,
) -> Result<Vec<String>> {
    let mut inboxes: Vec<String> = Vec::new();
    // Followers and followees elsewhere.
    let followed: Vec<(String, Option<String>)> = run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::followee_id)))
        .filter(follow::follower_id.eq(person_id))
        .filter(actor::local.eq(false))
        .select((actor::inbox_url, actor::shared_inbox_url))
        .load(c)
        .await)?;
    let followers: Vec<(String, Option<String>)> = run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::follower_id)))
        .filter(follow::followee_id.eq(person_id))
        .filter(actor::local.eq(false))
        .select((actor::inbox_url, actor::shared_inbox_url))
        .load(c)
        .await)?;
    inboxes.extend(
        followed
            .into_iter()
            .chain(followers)
            .map(|(inbox, shared)| shared.unwrap_or(inbox)),
    );
    // What they signed went there.
    let signed: Vec<String> = run!(conn, |c| delivery::table
        .inner_join(outgoing_activity::table)
        .filter(outgoing_activity::actor_id.eq(person_id))
        .select(delivery::inbox_url)
        .distinct()
        .load(c)
        .await)?;
    inboxes.extend(signed);
    // What names them (as a JSON string: the quotes keep `/u/ann` from matching `/u/anna`).
    let pattern = format!("%\"{}\"%", escape_like(ap_id.as_str()));
    let naming: Vec<String> = run!(conn, |c| delivery::table
        .inner_join(outgoing_activity::table)
        .filter(outgoing_activity::body.like(&pattern).escape('\\'))
        .select(delivery::inbox_url)
        .distinct()
        .load(c)
        .await)?;
    inboxes.extend(naming);
    // Remote people who answered or liked them.
    let commenters: Vec<(String, Option<String>)> = run!(conn, |c| comment::table
        .inner_join(story::table)
        .inner_join(actor::table.on(actor::id.eq(comment::author_id)))
        .filter(story::author_id.eq(person_id))
        .filter(actor::local.eq(false))
        .select((actor::inbox_url, actor::shared_inbox_url))
        .distinct()
        .load(c)
        .await)?;
    let story_likers: Vec<(String, Option<String>)> = run!(conn, |c| appreciation::table
        .inner_join(story::table)
        .inner_join(actor::table.on(actor::id.eq(appreciation::actor_id)))
        .filter(story::author_id.eq(person_id))
        .filter(actor::local.eq(false))
        .select((actor::inbox_url, actor::shared_inbox_url))
        .distinct()
        .load(c)
        .await)?;
    let comment_likers: Vec<(String, Option<String>)> = run!(conn, |c| appreciation::table
        .inner_join(comment::table)
        .inner_join(actor::table.on(actor::id.eq(appreciation::actor_id)))
        .filter(comment::author_id.eq(person_id))
        .filter(actor::local.eq(false))
        .select((actor::inbox_url, actor::shared_inbox_url))
        .distinct()
        .load(c)
        .await)?;
    inboxes.extend(
        commenters
            .into_iter()
            .chain(story_likers)
            .chain(comment_likers)
            .map(|(inbox, shared)| shared.unwrap_or(inbox)),
    );
    Ok(one_inbox_per_server(inboxes))
}

/// One inbox per server (host and port): the shortest URL, which is its shared inbox when it
/// has one (`/inbox` rather than `/users/x/inbox`), so each server gets the activity once.
pub fn one_inbox_per_server(inboxes: Vec<String>) -> Vec<String> {
    let mut best: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for inbox in inboxes {
        let Ok(url) = url::Url::parse(&inbox) else {
            continue;
        };
        let server = crate::federation::urls::authority(&url);
        match best.get(&server) {
            Some(kept) if (kept.len(), kept.as_str()) <= (inbox.len(), inbox.as_str()) => {}
            _ => {
                best.insert(server, inbox);
            }
        }
    }
    best.into_values().collect()
}

/// `text` with the `LIKE` wildcards (and the escape character) escaped by `\`.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// Ends a local person's account here: the account row goes (with its sessions and tokens), and
/// so do their likes, follows, notifications, memberships and group moderator roles. The actor
/// stays as a tombstone: marked deleted, its profile emptied, so that the username stays taken.
/// Its private key stays until the `Delete` announcing it is delivered (see
/// [`drop_key_when_delivered`]).
pub async fn end_local_account(conn: &mut Conn, person_id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::delete(
        local_account::table.filter(local_account::person_id.eq(person_id))
    )
    .execute(c)
    .await)?;
    forget_ties(conn, person_id).await?;
    run!(conn, |c| diesel::delete(
        notification::table.filter(notification::recipient_id.eq(person_id))
    )
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::delete(
        initiative_member::table.filter(initiative_member::person_id.eq(person_id))
    )
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::delete(
        group_moderator::table.filter(group_moderator::person_id.eq(person_id))
    )
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::update(actor::table.find(person_id))
        .set((
            actor::deleted_at.eq(at),
            actor::updated_at.eq(at),
            actor::display_name.eq(None::<String>),
            actor::summary.eq(None::<String>),
            actor::icon_url.eq(None::<String>),
            actor::image_url.eq(None::<String>),
            actor::discoverable.eq(false),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Removes an actor's likes and follows (both ways).
async fn forget_ties(conn: &mut Conn, actor_id: i64) -> Result<()> {
    run!(conn, |c| diesel::delete(
        appreciation::table.filter(appreciation::actor_id.eq(actor_id))
    )
    .execute(c)
    .await)?;
    super::follow::delete_all_of(conn, actor_id).await
}

/// Forgets a remote actor whose account was deleted (its server sent `Delete` for it): marked
/// deleted, its follows and likes gone, its comments and stories emptied and marked deleted,
/// its posts in our theme groups removed.
pub async fn forget_remote_actor(conn: &mut Conn, actor_id: i64, at: NaiveDateTime) -> Result<()> {
    super::actor::mark_deleted(conn, actor_id, at).await?;
    forget_ties(conn, actor_id).await?;
    run!(conn, |c| diesel::update(
        comment::table
            .filter(comment::author_id.eq(actor_id))
            .filter(comment::local.eq(false))
            .filter(comment::deleted_at.is_null())
    )
    .set((
        comment::deleted_at.eq(at),
        comment::content.eq(""),
        comment::source.eq(None::<String>),
    ))
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::update(
        story::table
            .filter(story::author_id.eq(actor_id))
            .filter(story::local.eq(false))
            .filter(story::deleted_at.is_null())
    )
    .set(story::deleted_at.eq(at))
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::update(
        group_post::table
            .filter(group_post::author_id.eq(actor_id))
            .filter(group_post::removed_at.is_null())
    )
    .set(group_post::removed_at.eq(at))
    .execute(c)
    .await)?;
    Ok(())
}

/// Drops (empties) the private key of each of these actors that is a deleted local person with
/// nothing left to deliver: the last use of the key was signing the `Delete` of their account.
pub async fn drop_key_when_delivered(conn: &mut Conn, actor_ids: &[i64]) -> Result<usize> {
    let mut dropped = 0;
    for &id in actor_ids {
        let pending: i64 = run!(conn, |c| delivery::table
            .inner_join(outgoing_activity::table)
            .filter(outgoing_activity::actor_id.eq(id))
            .filter(delivery::state.eq(super::delivery::state::PENDING))
            .count()
            .get_result(c)
            .await)?;
        if pending > 0 {
            continue;
        }
        dropped += run!(conn, |c| diesel::update(
            actor::table
                .find(id)
                .filter(actor::local.eq(true))
                .filter(actor::deleted_at.is_not_null())
                .filter(actor::private_key.ne(""))
        )
        // Emptied rather than NULL: the table's CHECK wants every local actor to have the
        // column; an empty key signs nothing (delivery gives up on it).
        .set(actor::private_key.eq(""))
        .execute(c)
        .await)?;
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_inbox_per_server_prefers_the_shared_one() {
        let kept = one_inbox_per_server(vec![
            "https://a.example/users/x/inbox".into(),
            "https://a.example/inbox".into(),
            "http://localhost:8081/u/b/inbox".into(),
            "http://localhost:8082/inbox".into(),
            "not a url".into(),
        ]);
        assert_eq!(
            kept,
            vec![
                "https://a.example/inbox".to_owned(),
                "http://localhost:8081/u/b/inbox".to_owned(),
                "http://localhost:8082/inbox".to_owned(),
            ]
        );
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("a_b%c\\"), "a\\_b\\%c\\\\");
    }
}
