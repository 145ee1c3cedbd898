//! Following across nodes: a person on one node follows an initiative on another, is accepted,
//! and unfollows; initiatives that approve followers by hand.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(
    following_an_initiative_across_nodes,
    followers_approved_by_hand
);

const DEADLINE: Duration = Duration::from_secs(20);

async fn followers_of(node: &TestNode, handle: &str) -> i64 {
    let response: serde_json::Value =
        reqwest::get(node.url(&format!("/api/v1/initiatives/{handle}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    response["followers"].as_i64().unwrap()
}

async fn following_an_initiative_across_nodes(db: TestDb) {
    let other = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&other, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    let bert = heeten.user_with_token("bert").await;

    let (status, created) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk", "summary": "Samen tuinieren", "themes": ["groen"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["id"], oss.url("/i/moestuin"));
    let (status, _) = anna
        .patch(
            "/api/v1/initiatives/moestuin",
            json!({
                "name": "Moestuin De Kolk", "summary": "Samen tuinieren", "themes": ["groen", "Eenzaamheid"],
                "neighbourhood": "Kolkwijk", "website": "https://moestuin.example/",
                "location": {"name": "De Kolk, Oss", "latitude": 51.765, "longitude": 5.518},
                "icon": "https://moestuin.example/logo.png", "image": "https://moestuin.example/tuin.jpg",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // What Mastodon, Lemmy and Mobilizon see of the initiative.
    let group: serde_json::Value = reqwest::Client::new()
        .get(oss.url("/i/moestuin"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(group["type"], "Group");
    assert_eq!(group["kind"], "Initiative");
    assert_eq!(group["preferredUsername"], "moestuin");
    assert_eq!(group["icon"]["url"], "https://moestuin.example/logo.png");
    assert_eq!(group["image"]["url"], "https://moestuin.example/tuin.jpg");
    assert_eq!(group["location"]["name"], "De Kolk, Oss");
    assert_eq!(group["location"]["latitude"], 51.765);
    assert_eq!(group["endpoints"]["sharedInbox"], oss.url("/inbox"));
    assert_eq!(group["attributedTo"], oss.url("/i/moestuin/moderators"));
    let fields: Vec<&str> = group["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["Contactpersoon", "Buurt", "Thema's", "Website"]);
    assert!(
        group["attachment"][0]["value"]
            .as_str()
            .unwrap()
            .contains(&oss.url("/u/anna"))
    );
    let tags: Vec<&str> = group["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["#Eenzaamheid", "#groen"]);
    let moderators: serde_json::Value = reqwest::Client::new()
        .get(oss.url("/i/moestuin/moderators"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moderators["orderedItems"], json!([oss.url("/u/anna")]));

    let (status, follow) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{follow}");
    assert_eq!(follow["id"], oss.url("/i/moestuin"));
    eventually("the follow is accepted on Oss", DEADLINE, || async {
        (followers_of(&oss, "moestuin").await == 1).then_some(())
    })
    .await;
    // Heeten learns of the Accept.
    let target = oss.url("/i/moestuin");
    eventually("Heeten records the Accept", DEADLINE, || async {
        (heeten.follow_state("bert", &target).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;

    let (status, _) = bert
        .delete(&format!(
            "/api/v1/follows?target={}",
            oss.url("/i/moestuin")
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("the unfollow reaches Oss", DEADLINE, || async {
        (followers_of(&oss, "moestuin").await == 0).then_some(())
    })
    .await;
}

async fn followers_approved_by_hand(db: TestDb) {
    let other = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&other, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    let bert = heeten.user_with_token("bert").await;
    let carla = heeten.user_with_token("carla").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "buurtkamer", "name": "Buurtkamer", "manually_approves_followers": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    for person in [&bert, &carla] {
        let (status, body) = person
            .post(
                "/api/v1/follows",
                json!({"target": oss.handle("buurtkamer")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["state"], "pending");
    }
    let pending = eventually("both requests arrive", DEADLINE, || async {
        let (_, list) = anna
            .get("/api/v1/initiatives/buurtkamer/followers?state=pending")
            .await;
        (list.as_array()?.len() == 2).then_some(list)
    })
    .await;
    assert_eq!(followers_of(&oss, "buurtkamer").await, 0);

    // Only members may decide.
    let (status, _) = bert
        .post(
            &format!("{}/api/v1/initiatives/buurtkamer/followers/1", oss.url("")),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "bert's token is for another node"
    );

    for entry in pending.as_array().unwrap() {
        let approve = entry["handle"].as_str().unwrap().starts_with("bert@");
        let path = format!(
            "/api/v1/initiatives/buurtkamer/followers/{}",
            entry["follower_id"]
        );
        let (status, body) = anna.post(&path, json!({"approve": approve})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    assert_eq!(followers_of(&oss, "buurtkamer").await, 1);
    let (_, accepted) = anna.get("/api/v1/initiatives/buurtkamer/followers").await;
    assert_eq!(accepted.as_array().unwrap().len(), 1);
    assert!(
        accepted[0]["handle"].as_str().unwrap().starts_with("bert@"),
        "{accepted}"
    );

    // Heeten hears both answers: bert accepted, carla's request gone.
    let target = oss.url("/i/buurtkamer");
    eventually("Heeten hears the answers", DEADLINE, || async {
        let bert = heeten.follow_state("bert", &target).await;
        let carla = heeten.follow_state("carla", &target).await;
        (bert.as_deref() == Some("accepted") && carla.is_none()).then_some(())
    })
    .await;
}
