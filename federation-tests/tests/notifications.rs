//! Notifications over the API: a reply from another node notifies the story's author, a
//! `Mention` tag in it notifies the person named, and a comment written here notifies the
//! person answered and the people it mentions, never its own author.

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(replies_and_mentions_notify_the_people_here);

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn notifications(api: &Api) -> Vec<Value> {
    let (status, list) = api.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().cloned().unwrap_or_default()
}

async fn replies_and_mentions_notify_the_people_here(db: TestDb) {
    let heeten_db = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    let carla = oss.user_with_token("carla").await;
    let dirk = oss.user_with_token("dirk").await;
    heeten.create_user("bert", false).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Oogstfeest", "content": "Zaterdag is het feest."}),
        )
        .await;
    let story_id = story["id"].as_str().expect("story id");
    let api_url = story["api_url"].as_str().expect("api url");
    assert!(notifications(&anna).await.is_empty());

    // Bert replies from Heeten and mentions carla.
    let bert = heeten.url("/u/bert");
    let note_id = heeten.url("/notes/1");
    let create = serde_json::to_vec(&json!({
        "id": heeten.url("/activities/create-1"), "type": "Create", "actor": bert, "to": [PUBLIC],
        "object": {
            "id": note_id, "type": "Note", "attributedTo": bert, "inReplyTo": story_id,
            "to": [PUBLIC], "cc": [oss.url("/u/carla")],
            "content": "<p>Ik kom! Carla, jij ook?</p>",
            "tag": [{"type": "Mention", "href": oss.url("/u/carla"), "name": "@carla"}],
        },
    }))
    .expect("json");
    let delivered = heeten.deliver_as("bert", &oss.url("/inbox"), &create).await;
    assert_eq!(delivered.status(), StatusCode::ACCEPTED);

    let for_anna = notifications(&anna).await;
    assert_eq!(for_anna.len(), 1, "{for_anna:?}");
    assert_eq!(for_anna[0]["kind"], "reply");
    assert_eq!(for_anna[0]["comment"]["id"], note_id.as_str());
    assert_eq!(for_anna[0]["story_api_url"], api_url);
    assert_eq!(for_anna[0]["read"], false);
    let for_carla = notifications(&carla).await;
    assert_eq!(for_carla.len(), 1, "{for_carla:?}");
    assert_eq!(for_carla[0]["kind"], "mention");
    assert_eq!(for_carla[0]["comment"]["id"], note_id.as_str());

    // Anna answers bert here, mentioning dirk twice, carla in full and herself: dirk and carla
    // hear of it, once each; anna does not; bert is on Heeten.
    let bert_comment = for_anna[0]["comment"]["comment_id"].clone();
    let (status, answer) = anna
        .post(
            &format!("{api_url}/comments"),
            json!({
                "content": format!("Fijn! @dirk en @Dirk, @carla@{} en ik (@anna) ook.", oss.state.config.domain),
                "in_reply_to": bert_comment,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let for_dirk = notifications(&dirk).await;
    assert_eq!(for_dirk.len(), 1, "{for_dirk:?}");
    assert_eq!(for_dirk[0]["kind"], "mention");
    assert_eq!(for_dirk[0]["comment"]["id"], answer["id"]);
    let for_carla = notifications(&carla).await;
    assert_eq!(for_carla.len(), 2, "{for_carla:?}");
    assert_eq!(for_carla[0]["comment"]["id"], answer["id"], "newest first");
    assert_eq!(notifications(&anna).await.len(), 1, "no note to oneself");

    // Without a token there is nothing to see.
    let anonymous = Api::new(&oss.url(""), "");
    let (status, _) = anonymous.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
