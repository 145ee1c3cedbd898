//! A node outside development mode never fetches from or delivers to loopback or private
//! addresses, whatever name points there; with the development switch on, it may (that is how
//! every other federation test runs).

use std::net::SocketAddr;
use std::time::Duration;

use kwartier::db::{actor, delivery};
use kwartier::testing::{TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::json;

async fn production_node(db: &TestDb) -> TestNode {
    TestNode::start_with(db, "Oss", SocketAddr::from(([127, 0, 0, 1], 0)), |config| {
        config.development = false;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_nodes_do_not_fetch_from_private_addresses() {
    let (db, elsewhere_db) = (TestDb::sqlite(), TestDb::sqlite());
    let elsewhere = TestNode::start(&elsewhere_db, "Heeten").await;
    elsewhere.create_user("bert", false).await;
    let oss = production_node(&db).await;
    let anna = oss.user_with_token("anna").await;

    let port = elsewhere.addr.port();
    for target in [
        elsewhere.url("/u/bert"),
        "https://localhost/u/bert".to_owned(),
        format!("https://localhost:{port}/u/bert"),
        format!("@bert@localhost:{port}"),
        "@bert@localhost".to_owned(),
    ] {
        let (status, body) = anna
            .post("/api/v1/follows", json!({"target": target}))
            .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{target}: {status} {body}"
        );
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{target}: {body}"
        );
    }
    let mut conn = oss.state.db.conn().await.unwrap();
    let bert = url::Url::parse(&elsewhere.url("/u/bert")).unwrap();
    assert!(
        actor::find_by_ap_id(&mut conn, &bert)
            .await
            .unwrap()
            .is_none(),
        "bert was fetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_nodes_do_not_deliver_to_private_addresses() {
    let db = TestDb::sqlite();
    let oss = production_node(&db).await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // A follower whose inbox name resolves to loopback (as an attacker's DNS would arrange).
    oss.add_remote_follower(
        "moestuin",
        "https://localhost/users/sneaky",
        "https://localhost/inbox",
    )
    .await;

    let (status, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Oogstfeest", "content": "Zaterdag is het feest."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    let refused = eventually(
        "the delivery attempt is refused",
        Duration::from_secs(20),
        || async {
            let mut conn = oss.state.db.conn().await.ok()?;
            let rows = delivery::counts_by_peer(&mut conn).await.ok()?;
            let peer = kwartier::db::peer::get(&mut conn, "localhost")
                .await
                .ok()??;
            (!rows.is_empty() && peer.consecutive_failures > 0).then_some(peer)
        },
    )
    .await;
    let error = refused.last_error.unwrap_or_default();
    assert!(
        error.contains("internal") || error.contains("local"),
        "{error}"
    );
}
