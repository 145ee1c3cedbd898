//! Moderating comments on the story page: members hide and show again, owners remove for good,
//! visitors see a placeholder, others may do neither.

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use super::browser::Browser;
use super::user;

test_both_backends!(members_hide_and_owners_remove_comments);

/// A user with a password for the browser and a token for the API.
async fn person(node: &TestNode, name: &str) -> (String, Api) {
    let password = user(node, name).await;
    let mut conn = node.state.db.conn().await.expect("connection");
    let token = kwartier::service::token::create(&mut conn, name, "test")
        .await
        .expect("token");
    (password, Api::for_token(node, &token))
}

async fn members_hide_and_owners_remove_comments(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let (anna_password, anna) = person(&node, "anna").await;
    let (carla_password, _) = person(&node, "carla").await;
    let (dirk_password, dirk_api) = person(&node, "dirk").await;
    anna.create_initiative("dewilg", "De Wilg").await;
    let (status, added) = anna
        .post(
            "/api/v1/initiatives/dewilg/members",
            json!({"username": "carla"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{added}");
    let story = anna
        .publish("dewilg", json!({"title": "Oogst", "content": "Tomaten."}))
        .await;
    let story_url = story["url"].as_str().unwrap().to_owned();
    let path = url::Url::parse(&story_url).unwrap().path().to_owned();
    let api_url = story["api_url"].as_str().unwrap();
    let (status, rude) = dirk_api
        .post(
            &format!("{api_url}/comments"),
            json!({"content": "Wat een **onzin**."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rude}");
    let id = rude["comment_id"].as_i64().unwrap();
    let hide = format!("/comments/{id}/hide");
    let unhide = format!("/comments/{id}/unhide");
    let remove = format!("/comments/{id}/remove");
    let replies = || async {
        let response = reqwest::Client::new()
            .get(format!("{}/replies?page=1", story["id"].as_str().unwrap()))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<serde_json::Value>().await.unwrap()["totalItems"].clone()
    };
    assert_eq!(replies().await, 1);

    // Someone outside the initiative sees no buttons and may not use them.
    let mut dirk = Browser::new(&node.url(""), "nl");
    dirk.log_in("dirk", &dirk_password).await;
    let page = dirk.get(&path).await;
    assert!(page.attr(".comment__moderation form", "action").is_none());
    assert_eq!(dirk.post(&hide, &[]).await.status, StatusCode::FORBIDDEN);

    // A member hides it: visitors see the placeholder, members the text and a way back.
    let mut carla = Browser::new(&node.url(""), "nl");
    carla.log_in("carla", &carla_password).await;
    let page = carla.get(&path).await;
    let selector = format!("#comment-{id} form[action=\"{hide}\"]");
    assert!(page.attr(&selector, "method").is_some(), "{}", page.html);
    assert!(
        page.attr(&format!("form[action=\"{remove}\"]"), "method")
            .is_none(),
        "members do not remove"
    );
    let hidden = carla.post(&hide, &[]).await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.html);
    assert_eq!(hidden.location(), format!("{path}#comment-{id}"));
    let page = carla.get(&path).await;
    let shown = page.text(&format!("#comment-{id}"));
    assert!(shown.contains("Verborgen door de beheerders"), "{shown}");
    assert!(shown.contains("onzin"), "{shown}");
    assert!(shown.contains("Weer tonen"), "{shown}");

    let mut visitor = Browser::new(&node.url(""), "nl");
    let page = visitor.get(&path).await;
    let shown = page.text(&format!("#comment-{id}"));
    assert!(shown.contains("Verborgen door de beheerders"), "{shown}");
    assert!(!page.html.contains("onzin"), "the text stays hidden");
    assert_eq!(
        replies().await,
        0,
        "hidden comments leave the replies collection"
    );
    let (_, thread) = dirk_api.get(&format!("{api_url}/comments")).await;
    assert_eq!(thread[0]["content"], "", "nor does the API show it");
    assert_eq!(dirk.post(&unhide, &[]).await.status, StatusCode::FORBIDDEN);

    // And shows it again.
    carla.get(&path).await;
    let shown_again = carla.post(&unhide, &[]).await;
    assert_eq!(shown_again.status, StatusCode::SEE_OTHER);
    let page = visitor.get(&path).await;
    assert!(page.text(&format!("#comment-{id}")).contains("onzin"));
    assert!(!page.html.contains("Verborgen door de beheerders"));
    assert_eq!(replies().await, 1);

    // Only an owner removes, after confirming; for good.
    assert_eq!(carla.post(&remove, &[]).await.status, StatusCode::FORBIDDEN);
    let mut anna_browser = Browser::new(&node.url(""), "nl");
    anna_browser.log_in("anna", &anna_password).await;
    let page = anna_browser.get(&path).await;
    let confirm = page.text(&format!("#comment-{id} details"));
    assert!(confirm.contains("voorgoed verwijderen"), "{confirm}");
    let removed = anna_browser.post(&remove, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    let page = visitor.get(&path).await;
    assert!(page.text(&format!("#comment-{id}")).contains("verwijderd"));
    assert!(!page.html.contains("onzin"));
    assert_eq!(replies().await, 0);
    let response = reqwest::Client::new()
        .get(rude["id"].as_str().unwrap())
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::GONE);
    anna_browser.get(&path).await;
    assert_eq!(anna_browser.post(&hide, &[]).await.status, StatusCode::GONE);
}
