//! Local-only content and spaces between real nodes: Oss has a public initiative that Heeten
//! follows and a local-only one. Local-only stories are never delivered nor served (signed or
//! not); the local-only initiative turns a remote Follow down and is absent from the directory
//! Heeten syncs; a delivered story made local-only is taken back with a `Delete`.

use std::time::Duration;

use kwartier::service::directory::{peers, sync};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use reqwest::header::ACCEPT;
use serde_json::{Value, json};

test_both_backends!(local_only_content_and_spaces_never_leave_the_node);

const DEADLINE: Duration = Duration::from_secs(20);
const AP: &str = "application/activity+json";

async fn publish(api: &Api, initiative: &str, title: &str, local_only: bool) -> Value {
    let (status, story) = api
        .post(
            &format!("/api/v1/initiatives/{initiative}/stories"),
            json!({"title": title, "content": format!("Over {title}."), "local_only": local_only}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    story
}

async fn unsigned_status(url: &str) -> StatusCode {
    reqwest::Client::new()
        .get(url)
        .header(ACCEPT, AP)
        .send()
        .await
        .unwrap()
        .status()
}

/// Fetches `url` as the node actor of `from` does: a signed GET.
async fn signed_status(from: &TestNode, url: &str) -> StatusCode {
    let node = &from.state.node_actor;
    let target = url::Url::parse(url).unwrap();
    let headers = from
        .state
        .crypto
        .sign(
            "GET",
            &target,
            None,
            (&ACCEPT, AP),
            node.public_key_id.as_deref().unwrap(),
            node.private_key.as_deref().unwrap(),
        )
        .unwrap();
    reqwest::Client::new()
        .get(target)
        .headers(headers)
        .header(ACCEPT, AP)
        .send()
        .await
        .unwrap()
        .status()
}

async fn local_only_content_and_spaces_never_leave_the_node(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        anna,
        bert,
        heeten_db: _heeten_db,
        deventer_db: _deventer_db,
        ..
    } = ThreeNodes::start(&db).await;

    let (status, open) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{open}");
    assert_eq!(open["local_only"], false);
    let (status, closed) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "buurtkamer", "name": "Buurtkamer", "local_only": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{closed}");
    assert_eq!(closed["local_only"], true);

    let (status, _) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let moestuin = oss.url("/i/moestuin");
    heeten.until_accepted("bert", &moestuin).await;

    // A local-only story of the public initiative stays; a public one after it arrives.
    let local = publish(&anna, "moestuin", "Alleen in Oss", true).await;
    assert_eq!(local["visibility"], "local");
    let public = publish(&anna, "moestuin", "Oogstfeest", false).await;
    eventually("the public story reaches Heeten", DEADLINE, || {
        bert.in_timeline("Oogstfeest")
    })
    .await;
    assert!(
        bert.in_timeline("Alleen in Oss").await.is_none(),
        "a local-only story left Oss"
    );
    let local_id = local["id"].as_str().unwrap();
    let public_id = public["id"].as_str().unwrap();
    assert_eq!(signed_status(&heeten, public_id).await, StatusCode::OK);
    assert_eq!(unsigned_status(local_id).await, StatusCode::NOT_FOUND);
    assert_eq!(
        signed_status(&heeten, local_id).await,
        StatusCode::NOT_FOUND
    );

    // The local-only initiative: no actor, no webfinger, no collections, no follows.
    let buurtkamer = oss.url("/i/buurtkamer");
    assert_eq!(unsigned_status(&buurtkamer).await, StatusCode::NOT_FOUND);
    assert_eq!(
        signed_status(&heeten, &buurtkamer).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        unsigned_status(&oss.url("/i/buurtkamer/outbox")).await,
        StatusCode::NOT_FOUND
    );
    let finger = reqwest::get(oss.url(&format!(
        "/.well-known/webfinger?resource=acct:{}",
        oss.handle("buurtkamer")
    )))
    .await
    .unwrap();
    assert_eq!(finger.status(), StatusCode::NOT_FOUND);
    let story_there = publish(&anna, "buurtkamer", "Koffie op dinsdag", false).await;
    assert_eq!(story_there["local_only"], true, "{story_there}");
    assert_eq!(
        unsigned_status(story_there["id"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND
    );
    // A Follow delivered straight to its inbox is turned down, and no follower is recorded.
    let bert_id = heeten.ap_id_of("bert").await;
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": heeten.url("/activities/follow-buurtkamer"),
        "type": "Follow",
        "actor": bert_id,
        "object": buurtkamer,
    });
    let response = heeten
        .deliver_as(
            "bert",
            &oss.url("/inbox"),
            &serde_json::to_vec(&follow).unwrap(),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(oss.follow_state("bert", &buurtkamer).await, None);
    let (status, followers) = anna.get("/api/v1/initiatives/buurtkamer/followers").await;
    assert_eq!(status, StatusCode::OK, "{followers}");
    assert!(
        !followers.to_string().contains(&bert_id),
        "bert follows a local-only initiative: {followers}"
    );

    // Heeten syncs Oss's directory: the public initiative is there, the local-only one not.
    peers::add_seed(&heeten.state, &oss.state.config.domain)
        .await
        .expect("seed Oss");
    let report = sync::round(&heeten.state).await.expect("a round");
    assert!(report.nodes_failed.is_empty(), "{report:?}");
    let mut conn = heeten.state.db.conn().await.unwrap();
    let listed = kwartier::db::directory::get(&mut conn, &moestuin)
        .await
        .unwrap();
    assert!(listed.is_some(), "the public initiative is listed");
    let hidden = kwartier::db::directory::get(&mut conn, &buurtkamer)
        .await
        .unwrap();
    assert!(hidden.is_none(), "a local-only initiative is listed");
    drop(conn);

    // The delivered story becomes local-only: Heeten drops it, fetches answer 404.
    let (status, edited) = anna
        .patch(
            public["api_url"].as_str().unwrap(),
            json!({"local_only": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["visibility"], "local");
    eventually("the Delete reaches Heeten", DEADLINE, || async {
        bert.in_timeline("Oogstfeest").await.is_none().then_some(())
    })
    .await;
    assert_eq!(unsigned_status(public_id).await, StatusCode::NOT_FOUND);
    // People of Oss still see both.
    let (status, seen) = anna.get(public["api_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
}
