//! A node killed with SIGKILL while it delivers, then started again: everything it had queued
//! arrives, nothing twice. The node under test is a real `kwartier serve` process.

#[allow(dead_code)] // shared with interop.rs and browser.rs, which use more of it
mod node_process;

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

use node_process::{NodeProcess, free_address, user_token};

test_both_backends!(a_node_killed_mid_delivery_loses_nothing_and_repeats_nothing);

const DEADLINE: Duration = Duration::from_secs(60);
const COMMENTS: usize = 25;

async fn comments(api: &Api, path: &str) -> Vec<Value> {
    let (status, thread) = api.get(path).await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    thread.as_array().cloned().unwrap_or_default()
}

async fn a_node_killed_mid_delivery_loses_nothing_and_repeats_nothing(db: TestDb) {
    // Oss, in this process, hosts the initiative and its story.
    let oss_db = TestDb::sqlite();
    let oss = TestNode::start(&oss_db, "Oss").await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Heeten is a separate process on the database under test, with a person who comments.
    let database = &db.url;
    let addr = free_address();
    let token = user_token(database, addr, "bert");
    let heeten = NodeProcess::start(database, addr);
    let bert = Api::new(&heeten.base_url(), &token);

    // Bert follows the initiative, gets its story, then comments many times, quickly.
    let (status, _) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    eventually("Oss accepts bert", DEADLINE, || async {
        let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
        (initiative["followers"] == 1).then_some(())
    })
    .await;
    let (status, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Wie helpt er mee?", "content": "Zaterdag wieden we samen."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let story_id = story["id"].as_str().expect("story id").to_owned();
    let oss_thread = format!("{}/comments", story["api_url"].as_str().expect("api url"));

    let heeten_story = eventually("the story reaches Heeten", DEADLINE, || async {
        let (_, timeline) = bert.get("/api/v1/timeline").await;
        timeline
            .as_array()?
            .iter()
            .find(|s| s["id"] == story_id.as_str())
            .cloned()
    })
    .await;
    let heeten_thread = format!(
        "{}/comments",
        heeten_story["api_url"].as_str().expect("api url")
    );
    for n in 0..COMMENTS {
        let (status, body) = bert
            .post(&heeten_thread, json!({"content": format!("Reactie {n}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Killed while those deliveries are under way.
    heeten.kill();
    let before = comments(&anna, &oss_thread).await.len();

    let heeten = NodeProcess::start(database, addr);
    let arrived = eventually(
        "every comment reaches Oss after the restart",
        DEADLINE,
        || async {
            let thread = comments(&anna, &oss_thread).await;
            (thread.len() >= COMMENTS).then_some(thread)
        },
    )
    .await;
    drop(heeten);

    assert_eq!(
        arrived.len(),
        COMMENTS,
        "duplicates arrived (had {before} before the kill)"
    );
    let mut texts: Vec<String> = arrived
        .iter()
        .map(|c| kwartier::service::text::plain_text(c["content"].as_str().unwrap_or_default()))
        .collect();
    texts.sort();
    texts.dedup();
    assert_eq!(
        texts.len(),
        COMMENTS,
        "each comment exactly once: {texts:?}"
    );
}
