//! Stories between three nodes: Oss publishes, Heeten follows, Deventer does not. Creation,
//! edits and deletion reach followers; followers-only stories reach only followers; local-only
//! stories never leave Oss; replies thread back to the story; likes count.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(a_story_lives_and_dies_across_three_nodes);

const DEADLINE: Duration = Duration::from_secs(20);

/// The story with this title in the person's timeline, if it is there.
async fn in_timeline(api: &Api, title: &str) -> Option<Value> {
    let (status, timeline) = api.get("/api/v1/timeline").await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    timeline
        .as_array()?
        .iter()
        .find(|s| s["title"] == title)
        .cloned()
}

async fn fetch_json(url: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn publish(api: &Api, title: &str, visibility: &str) -> Value {
    let (status, story) = api
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({
                "title": title,
                "content": format!("Het verhaal van **{title}**, voor iedereen uit de buurt."),
                "themes": ["groen", "Moestuin"],
                "visibility": visibility,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    story
}

async fn a_story_lives_and_dies_across_three_nodes(db: TestDb) {
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

    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let initiative = oss.url("/i/moestuin");
    eventually("bert's follow is accepted", DEADLINE, || async {
        (heeten.follow_state("bert", &initiative).await.as_deref() == Some("accepted"))
            .then_some(())
    })
    .await;

    // A public story reaches the follower, as an Article with its themes.
    let story = publish(&anna, "Oogstfeest", "public").await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let api_url = story["api_url"].as_str().unwrap().to_owned();
    let (status, article) = fetch_json(&story_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "Oogstfeest");
    assert_eq!(article["audience"], initiative);
    assert!(
        article["content"]
            .as_str()
            .unwrap()
            .contains("<strong>Oogstfeest</strong>"),
        "{article}"
    );
    let at_heeten = eventually("the story reaches Heeten", DEADLINE, || {
        in_timeline(&bert, "Oogstfeest")
    })
    .await;
    assert_eq!(at_heeten["id"], story_id);
    assert_eq!(at_heeten["local"], false);
    let mut themes: Vec<String> = at_heeten["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    themes.sort();
    assert_eq!(themes, vec!["Moestuin".to_owned(), "groen".to_owned()]);

    // An edit follows.
    let (status, edited) = anna
        .patch(&api_url, json!({"title": "Oogstfeest 2026"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let heeten_copy = eventually("the edit reaches Heeten", DEADLINE, || {
        in_timeline(&bert, "Oogstfeest 2026")
    })
    .await;

    // Followers-only: Heeten yes, unsigned fetches and Deventer no.
    let private = publish(&anna, "Alleen voor volgers", "followers").await;
    eventually("the followers-only story reaches Heeten", DEADLINE, || {
        in_timeline(&bert, "Alleen voor volgers")
    })
    .await;
    let (status, _) = fetch_json(private["id"].as_str().unwrap()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "unsigned fetch of a followers-only story"
    );

    // Local-only: never leaves. A public story published after it arrives first; by then the
    // local one would have been there too.
    let local = publish(&anna, "Alleen in Oss", "local").await;
    publish(&anna, "Na het lokale verhaal", "public").await;
    eventually("the marker story reaches Heeten", DEADLINE, || {
        in_timeline(&bert, "Na het lokale verhaal")
    })
    .await;
    assert!(
        in_timeline(&bert, "Alleen in Oss").await.is_none(),
        "a local-only story left Oss"
    );
    let (status, _) = fetch_json(local["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // As on Hometown, people signed in here see it; anonymous visitors do not.
    let page = reqwest::get(local["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND, "signed out");
    let (status, seen) = anna.get(local["api_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "local people see it: {seen}");
    assert_eq!(seen["title"], "Alleen in Oss");
    assert_eq!(seen["local_only"], true);

    // Deventer follows nobody and got nothing.
    let (_, timeline) = carla.get("/api/v1/timeline").await;
    assert_eq!(timeline, json!([]));
    let mut conn = deventer.state.db.conn().await.unwrap();
    assert!(
        kwartier::db::story::find_by_ap_id(&mut conn, &url::Url::parse(&story_id).unwrap())
            .await
            .unwrap()
            .is_none(),
        "Deventer stored a story it never asked for"
    );

    // Bert replies from Heeten; the reply threads back under the story on Oss.
    let heeten_story = heeten_copy["api_url"].as_str().unwrap();
    let (status, comment) = bert
        .post(
            &format!("{heeten_story}/comments"),
            json!({"content": "Ik neem **pompoensoep** mee!"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let thread = eventually("bert's reply reaches Oss", DEADLINE, || async {
        let (_, thread) = anna.get(&format!("{api_url}/comments")).await;
        (thread.as_array()?.len() == 1).then_some(thread)
    })
    .await;
    assert_eq!(thread[0]["id"], comment["id"]);
    assert!(
        thread[0]["content"]
            .as_str()
            .unwrap()
            .contains("pompoensoep")
    );
    assert_eq!(thread[0]["in_reply_to"], Value::Null);
    let (status, replies) = fetch_json(&format!("{story_id}/replies?page=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replies["totalItems"], 1);
    // Bert's reply lives on Heeten: Oss lists it by id, as Heeten serves it.
    assert_eq!(replies["orderedItems"][0], comment["id"]);
    let (status, served) = fetch_json(comment["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served["inReplyTo"], story_id);
    // People reading the story on Oss's web page see the reply from Heeten, by its author.
    let page = reqwest::Client::new()
        .get(story_id.clone())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<strong>pompoensoep</strong>"), "{html}");
    assert!(
        html.contains(&format!("href=\"{}\"", heeten.url("/u/bert"))),
        "{html}"
    );
    assert!(html.contains("1 reactie"), "{html}");

    // Anna answers bert's comment; the answer threads under it on Heeten too.
    let bert_comment_on_oss = thread[0]["comment_id"].as_i64().unwrap();
    let (status, answer) = anna
        .post(
            &format!("{api_url}/comments"),
            json!({"content": "Heerlijk, tot zaterdag!", "in_reply_to": bert_comment_on_oss}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let heeten_thread = eventually("anna's answer reaches Heeten", DEADLINE, || async {
        let (_, thread) = bert.get(&format!("{heeten_story}/comments")).await;
        (thread.as_array()?.len() == 2).then_some(thread)
    })
    .await;
    let bert_comment_on_heeten = heeten_thread[0]["comment_id"].as_i64().unwrap();
    assert_eq!(heeten_thread[1]["id"], answer["id"]);
    assert_eq!(heeten_thread[1]["in_reply_to"], bert_comment_on_heeten);

    // Appreciation from Heeten counts on Oss, and can be taken back.
    let (status, _) = bert
        .post(&format!("{heeten_story}/appreciation"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("the like reaches Oss", DEADLINE, || async {
        let (_, story) = anna.get(&api_url).await;
        (story["appreciation"] == 1).then_some(())
    })
    .await;
    let (status, _) = bert.delete(&format!("{heeten_story}/appreciation")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("the unlike reaches Oss", DEADLINE, || async {
        let (_, story) = anna.get(&api_url).await;
        (story["appreciation"] == 0).then_some(())
    })
    .await;

    // Deletion: a tombstone on Oss, gone from Heeten.
    let (status, _) = anna.delete(&api_url).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, tombstone) = fetch_json(&story_id).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(tombstone["type"], "Tombstone");
    eventually("the deletion reaches Heeten", DEADLINE, || async {
        in_timeline(&bert, "Oogstfeest 2026")
            .await
            .is_none()
            .then_some(())
    })
    .await;
}
