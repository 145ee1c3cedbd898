//! Local-only content on the web and in the API: people signed in here see it, anonymous
//! visitors and anonymous API calls do not (as Hometown does); new content starts as the node's
//! default visibility.

use kwartier::db::node_settings;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use kwartier::testing::Api;

use super::{Browser, user};

/// The API as an existing user.
async fn api_for(node: &TestNode, username: &str) -> Api {
    let mut conn = node.state.db.conn().await.expect("connection");
    let token = kwartier::service::token::create(&mut conn, username, "test")
        .await
        .expect("token");
    Api::for_token(node, &token)
}

test_both_backends!(
    local_visitors_see_local_only_content,
    new_content_follows_the_default_visibility,
);

async fn local_visitors_see_local_only_content(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let anna = api_for(&node, "anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "buurtkamer", "name": "Buurtkamer", "local_only": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let story = anna
        .publish(
            "buurtkamer",
            json!({"title": "Koffie op dinsdag", "content": "Welkom."}),
        )
        .await;
    assert_eq!(story["local_only"], true, "{story}");
    let story_path = url::Url::parse(story["id"].as_str().unwrap())
        .unwrap()
        .path()
        .to_owned();

    let mut anonymous = Browser::new(&node.url(""), "nl");
    assert_eq!(
        anonymous.get("/i/buurtkamer").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous.get(&story_path).await.status,
        StatusCode::NOT_FOUND
    );
    let (status, _) = reqwest::get(node.url("/api/v1/initiatives/buurtkamer"))
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);

    let mut browser = Browser::new(&node.url(""), "nl");
    browser.log_in("anna", &password).await;
    let page = browser.get("/i/buurtkamer").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Koffie op dinsdag"));
    let page = browser.get(&story_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Koffie op dinsdag"));
    let (status, seen) = anna.get("/api/v1/initiatives/buurtkamer").await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["local_only"], true);
}

async fn new_content_follows_the_default_visibility(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let anna = api_for(&node, "anna").await;
    anna.create_initiative("moestuin", "Moestuin").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.log_in("anna", &password).await;
    let form = browser.get("/dashboard/i/moestuin/stories/new").await;
    assert_eq!(
        form.attr("input[name=visibility][checked]", "value")
            .as_deref(),
        Some("public")
    );

    let mut conn = node.state.db.conn().await.unwrap();
    node_settings::set_default_visibility(&mut conn, true)
        .await
        .unwrap();
    drop(conn);
    let form = browser.get("/dashboard/i/moestuin/stories/new").await;
    assert_eq!(
        form.attr("input[name=visibility][checked]", "value")
            .as_deref(),
        Some("local")
    );
    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Voorzichtig", "content": "Hier."}),
        )
        .await;
    assert_eq!(story["visibility"], "local", "{story}");
    let (status, group) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "zonnedak", "name": "Zonnedak"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(group["local_only"], true, "{group}");
    let public = anna
        .publish(
            "moestuin",
            json!({"title": "Toch openbaar", "content": "Voor iedereen.", "local_only": false}),
        )
        .await;
    assert_eq!(public["visibility"], "public", "{public}");
}
