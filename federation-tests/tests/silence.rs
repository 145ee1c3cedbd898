//! Silence between real nodes: Bert on Heeten replies to a story on Oss; once Oss silences
//! Heeten, visitors of the story page who are not logged in no longer see the reply, while
//! federation goes on (a new reply still arrives, people logged in still get it) and lifting
//! the silence shows it again.

use std::time::Duration;

use kwartier::service::audit::Who;
use kwartier::service::federation_policy::{Severity, actions};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(silenced_servers_are_not_shown_to_visitors);

const DEADLINE: Duration = Duration::from_secs(20);

async fn page_for_visitors(url: &str) -> String {
    let page = reqwest::Client::new()
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

async fn silenced_servers_are_not_shown_to_visitors(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        anna,
        bert,
        heeten_db: _h,
        deventer_db: _d,
        ..
    } = ThreeNodes::start(&db).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let moestuin = oss.url("/i/moestuin");
    let (status, body) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    heeten.until_accepted("bert", &moestuin).await;
    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Zaaidag", "content": "Kom zaaien.", "visibility": "public"}),
        )
        .await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let api_url = story["api_url"].as_str().unwrap().to_owned();
    let copy = eventually("the story reaches Heeten", DEADLINE, || async {
        bert.in_timeline("Zaaidag").await
    })
    .await;
    let heeten_story = copy["api_url"].as_str().unwrap().to_owned();
    let reply = |text: &'static str| {
        let (bert, heeten_story) = (&bert, &heeten_story);
        async move {
            let (status, body) = bert
                .post(
                    &format!("{heeten_story}/comments"),
                    json!({ "content": text }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    };
    let replies_on_oss = |n: usize| {
        let (anna, api_url) = (&anna, &api_url);
        async move {
            eventually("the replies reach Oss", DEADLINE, || async {
                let (_, thread) = anna.get(&format!("{api_url}/comments")).await;
                (thread.as_array()?.len() == n).then_some(())
            })
            .await
        }
    };
    reply("Ik neem pompoensoep mee").await;
    replies_on_oss(1).await;
    assert!(page_for_visitors(&story_id).await.contains("pompoensoep"));

    // Oss silences Heeten: visitors no longer see the reply; federation goes on.
    let heeten_domain = heeten.state.config.domain.clone();
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        actions::block(
            &mut conn,
            &Who::Cli,
            actions::Block {
                domain: &heeten_domain,
                severity: Severity::Silence,
                reason: None,
                private_reason: None,
            },
        )
        .await
        .unwrap();
    }
    let html = page_for_visitors(&story_id).await;
    assert!(!html.contains("pompoensoep"), "{html}");
    assert!(html.contains("Zaaidag"));
    reply("En brood").await;
    replies_on_oss(2).await;
    assert!(!page_for_visitors(&story_id).await.contains("brood"));

    // Lifting the silence shows both again.
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        actions::unblock(&mut conn, &Who::Cli, &heeten_domain)
            .await
            .unwrap();
    }
    let html = page_for_visitors(&story_id).await;
    assert!(
        html.contains("pompoensoep") && html.contains("brood"),
        "{html}"
    );
}
