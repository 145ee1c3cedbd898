//! Storage of theme groups, their moderators and posts, on both backends.

use chrono::Duration;

use super::*;
use crate::db::actor;
use crate::db::group_post::{self, NewGroupPost};
use crate::db::tests::remote_person;
use crate::db::types::DbUrl;
use crate::db::{follow as follows, now};
use crate::service::account::{self, NewAccount};
use crate::service::theme_group::{self as groups, GroupProfile};
use crate::test_both_backends;
use crate::testing::TestDb;

test_both_backends!(groups_keep_moderators_posts_and_directory_facts);

async fn groups_keep_moderators_posts_and_directory_facts(db: TestDb) {
    let state = db.state().await;
    let mut conn = state.db.conn().await.unwrap();
    let conn = &mut conn;
    let anna = account::create(
        &state,
        conn,
        NewAccount {
            username: "anna".into(),
            password: Some("zorg-in-de-regio".into()),
            admin: true,
            approved: true,
            signup_answer: None,
        },
    )
    .await
    .unwrap()
    .person;
    let profile = GroupProfile {
        name: "Zorgnetwerk".into(),
        summary: Some("Over zorg".into()),
        rules: Some("Wees aardig".into()),
        themes: vec!["Zorg".into(), "Eenzaamheid".into()],
        location: Some(crate::service::initiative::Location {
            name: "Oss".into(),
            latitude: Some(51.76),
            longitude: Some(5.52),
        }),
        local_only: None,
    };
    let group = groups::create(&state, conn, "zorg", profile, Some(&anna))
        .await
        .unwrap();
    let at = now();
    let bert = actor::upsert_remote(
        conn,
        &remote_person(at, "https://elders.example/u/bert", "bert", false),
    )
    .await
    .unwrap();

    // Moderators: local and remote, each once, in order.
    assert!(
        add_moderator(conn, group.id, bert.id, at + Duration::seconds(1))
            .await
            .unwrap()
    );
    assert!(!add_moderator(conn, group.id, bert.id, at).await.unwrap());
    let names: Vec<String> = moderators(conn, group.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.username.clone())
        .collect();
    assert_eq!(names, ["anna", "bert"]);
    assert!(is_moderator(conn, group.id, bert.id).await.unwrap());
    assert!(remove_moderator(conn, group.id, bert.id).await.unwrap());
    assert!(!is_moderator(conn, group.id, bert.id).await.unwrap());

    // Posts: stored once, newest first, removed ones left out, locks kept.
    let post = |ap_id: &'static str, minutes: i64| NewGroupPost {
        group_id: group.id,
        ap_id: DbUrl(url::Url::parse(ap_id).unwrap()),
        author_id: bert.id,
        kind: "Article",
        name: Some("Koffie"),
        summary: None,
        content: "<p>Koffie</p>",
        url: None,
        in_reply_to: None,
        activity: "{}",
        published_at: at,
        accepted_at: at + Duration::minutes(minutes),
    };
    let first = group_post::insert(conn, &post("https://elders.example/a/1", 1))
        .await
        .unwrap()
        .expect("stored");
    assert!(
        group_post::insert(conn, &post("https://elders.example/a/1", 1))
            .await
            .unwrap()
            .is_none(),
        "a repeat stores nothing"
    );
    let second = group_post::insert(conn, &post("https://elders.example/a/2", 2))
        .await
        .unwrap()
        .expect("stored");
    let listed: Vec<i64> = group_post::list(conn, group.id, false, 10)
        .await
        .unwrap()
        .iter()
        .map(|(p, _)| p.id)
        .collect();
    assert_eq!(listed, [second.id, first.id]);
    assert!(group_post::set_locked(conn, first.id, true).await.unwrap());
    assert!(!group_post::set_locked(conn, first.id, true).await.unwrap());
    assert!(group_post::get(conn, first.id).await.unwrap().locked);
    assert!(group_post::mark_removed(conn, second.id, at).await.unwrap());
    assert!(!group_post::mark_removed(conn, second.id, at).await.unwrap());
    let listed = group_post::list(conn, group.id, false, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0.id, first.id);

    // The directory's view: themes, place, followers and the last post still there.
    follows::upsert(conn, bert.id, group.id, None, follows::state::ACCEPTED, at)
        .await
        .unwrap();
    let found = discoverable_local(conn).await.unwrap();
    assert_eq!(found.len(), 1);
    let entry = &found[0];
    assert_eq!(entry.actor.id, group.id);
    assert_eq!(entry.themes, ["Eenzaamheid", "Zorg"]);
    assert_eq!(entry.group.location_name.as_deref(), Some("Oss"));
    assert_eq!(entry.group.latitude, Some(51.76));
    assert_eq!(entry.follower_count, 1);
    assert_eq!(entry.last_post_at, Some(first.accepted_at));
}
