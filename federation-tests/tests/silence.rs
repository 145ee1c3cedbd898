//! Silence between real nodes: Bert on Heeten replies to a story on Oss; once Oss silences
//! Heeten, visitors of the story page who are not logged in no longer see the reply, and Oss's
//! network search no longer lists Heeten's initiative, while federation goes on (a new reply
//! still arrives, people logged in still get it); lifting the silence shows both again.

use std::time::Duration;

use kwartier::service::audit::Who;
use kwartier::service::directory::{peers, sync};
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

/// The ids network search on Oss finds for `q`, over HTTP (no login).
async fn network_search(url: &str) -> Vec<String> {
    let body: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
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
    // Oss indexes Heeten's directory: Heeten's initiative is found.
    bert.create_initiative("buurtkamer", "Buurtkamer Heeten")
        .await;
    let buurtkamer = heeten.url("/i/buurtkamer");
    peers::add_seed(&oss.state, &heeten.state.config.domain)
        .await
        .unwrap();
    sync::round(&oss.state).await.unwrap();
    let search = oss.url("/api/v1/directory/search?q=buurtkamer");
    assert_eq!(network_search(&search).await, vec![buurtkamer.clone()]);

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
    assert!(network_search(&search).await.is_empty());
    assert!(
        !page_for_visitors(&oss.url("/netwerk?q=buurtkamer"))
            .await
            .contains("Buurtkamer Heeten")
    );

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
