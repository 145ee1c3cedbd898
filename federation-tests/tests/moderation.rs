//! Moderation between nodes: Oss runs the initiative, bert on Heeten comments, carla on
//! Deventer follows. When an owner removes bert's comment, Oss sends the owner's `Delete` to
//! Heeten, which accepts it because the owner is in the initiative's moderators collection,
//! and announces it to Deventer, which accepts it from the initiative.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(an_owner_removes_a_comment_from_elsewhere);

const DEADLINE: Duration = Duration::from_secs(20);

async fn fetch_status(url: &str) -> StatusCode {
    reqwest::Client::new()
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .status()
}

async fn follow(node: &TestNode, who: &str, api: &Api, oss: &TestNode) {
    let (status, body) = api
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let initiative = oss.url("/i/moestuin");
    eventually("the follow is accepted", DEADLINE, || async {
        (node.follow_state(who, &initiative).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
}

/// The story with this title in the person's timeline, if it is there.
async fn in_timeline(api: &Api, title: &str) -> Option<Value> {
    let (_, timeline) = api.get("/api/v1/timeline").await;
    timeline
        .as_array()?
        .iter()
        .find(|s| s["title"] == title)
        .cloned()
}

async fn an_owner_removes_a_comment_from_elsewhere(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        bert,
        carla,
        heeten_db: _heeten_db,
        deventer_db: _deventer_db,
    } = ThreeNodes::start(&db).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    follow(&heeten, "bert", &bert, &oss).await;
    follow(&deventer, "carla", &carla, &oss).await;

    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Oogstfeest", "content": "Zaterdag oogsten we samen."}),
        )
        .await;
    let api_url = story["api_url"].as_str().unwrap().to_owned();
    let at_heeten = eventually("the story reaches Heeten", DEADLINE, || {
        in_timeline(&bert, "Oogstfeest")
    })
    .await;
    let at_deventer = eventually("the story reaches Deventer", DEADLINE, || {
        in_timeline(&carla, "Oogstfeest")
    })
    .await;

    let heeten_story = at_heeten["api_url"].as_str().unwrap();
    let (status, comment) = bert
        .post(
            &format!("{heeten_story}/comments"),
            json!({"content": "Koop mijn **spam**!"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let comment_id = comment["id"].as_str().unwrap().to_owned();
    let on_oss = eventually("bert's comment reaches Oss", DEADLINE, || async {
        let (_, thread) = anna.get(&format!("{api_url}/comments")).await;
        thread.as_array()?.first().cloned()
    })
    .await;
    assert_eq!(on_oss["id"], comment_id);
    let deventer_story = at_deventer["api_url"].as_str().unwrap().to_owned();
    eventually(
        "Oss announces bert's comment to Deventer",
        DEADLINE,
        || async {
            let (_, thread) = carla.get(&format!("{deventer_story}/comments")).await;
            (thread.as_array()?.first()?["id"] == comment_id.as_str()).then_some(())
        },
    )
    .await;

    // Heeten stops following, so only the owner's own Delete can reach it (Heeten ignores
    // announces of groups nobody there follows).
    let target = oss.handle("moestuin").replace('@', "%40");
    let (status, body) = bert
        .delete(&format!("/api/v1/follows?target={target}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(fetch_status(&comment_id).await, StatusCode::OK);

    // Someone who is not an owner may not remove it.
    let oss_comment = on_oss["comment_id"].as_i64().unwrap();
    let (status, _) = oss
        .user_with_token("dirk")
        .await
        .delete(&format!("/api/v1/comments/{oss_comment}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = anna
        .delete(&format!("/api/v1/comments/{oss_comment}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, thread) = anna.get(&format!("{api_url}/comments")).await;
    assert_eq!(thread[0]["deleted"], true);

    // Heeten, bert's own server, takes the removal and serves a tombstone.
    eventually("the removal reaches Heeten", DEADLINE, || async {
        (fetch_status(&comment_id).await == StatusCode::GONE).then_some(())
    })
    .await;
    let (_, thread) = bert.get(&format!("{heeten_story}/comments")).await;
    assert_eq!(thread[0]["deleted"], true, "{thread}");
    // Deventer, a follower, gets it through the initiative's Announce.
    eventually(
        "the announced removal reaches Deventer",
        DEADLINE,
        || async {
            let (_, thread) = carla.get(&format!("{deventer_story}/comments")).await;
            (thread.as_array()?.first()?["deleted"] == true).then_some(())
        },
    )
    .await;
}
