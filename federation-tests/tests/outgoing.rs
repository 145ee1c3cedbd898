//! What a node sends to servers that are not Kwartier nodes, seen from a small fake server:
//! fetches are signed by the node's own actor (GoToSocial and others refuse unsigned ones), and
//! an inbox that answers 410 Gone is given up at once and shows in `kwartier admin deliveries`.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kwartier::db::DatabaseUrl;
use kwartier::federation::{keys, signatures};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, eventually};
use serde_json::json;

test_both_backends!(
    fetches_are_signed_by_the_node_actor,
    a_gone_inbox_is_given_up_and_reported
);

/// A server at `localhost:PORT` that serves one actor, only to requests signed with the key it
/// was told to expect, and answers deliveries with `inbox_status`.
#[derive(Clone)]
struct Fake {
    base: String,
    expected_key: Arc<Mutex<Option<(String, String)>>>,
    public_pem: String,
    verified_gets: Arc<Mutex<usize>>,
    inbox_status: StatusCode,
}

impl Fake {
    async fn start(inbox_status: StatusCode) -> Fake {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let fake = Fake {
            base: format!("http://localhost:{port}"),
            expected_key: Arc::default(),
            public_pem: keys::generate().expect("key").public_pem,
            verified_gets: Arc::default(),
            inbox_status,
        };
        let app = Router::new()
            .route("/users/kat", get(actor))
            .route(
                "/inbox",
                post(|State(fake): State<Fake>| async move { fake.inbox_status }),
            )
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }
}

async fn actor(State(fake): State<Fake>, uri: Uri, headers: HeaderMap) -> Response {
    let Some((key_id, public_pem)) = fake.expected_key.lock().expect("lock").clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let verified = signatures::parse("GET", uri.path(), &headers, false)
        .ok()
        .filter(|signature| {
            signature.key_id() == key_id
                && signatures::KeyCache::default()
                    .verify(signature, &public_pem)
                    .is_ok()
        });
    if verified.is_none() {
        return (StatusCode::UNAUTHORIZED, "sign your fetches").into_response();
    }
    *fake.verified_gets.lock().expect("lock") += 1;
    let id = format!("{}/users/kat", fake.base);
    let body = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id, "type": "Person", "preferredUsername": "kat",
        "inbox": format!("{}/inbox", fake.base),
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": fake.public_pem},
    });
    (
        [("content-type", "application/activity+json")],
        body.to_string(),
    )
        .into_response()
}

async fn fetches_are_signed_by_the_node_actor(db: TestDb) {
    let fake = Fake::start(StatusCode::ACCEPTED).await;
    let oss = TestNode::start(&db, "Oss").await;
    let node_actor = &oss.state.node_actor;
    *fake.expected_key.lock().expect("lock") = Some((
        node_actor.public_key_id.clone().expect("node key id"),
        node_actor.public_key.clone(),
    ));
    let anna = oss.user_with_token("anna").await;
    let (status, body) = anna
        .post(
            "/api/v1/follows",
            json!({"target": format!("{}/users/kat", fake.base)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["handle"],
        format!("kat@{}", fake.base.trim_start_matches("http://"))
    );
    assert!(*fake.verified_gets.lock().expect("lock") >= 1);

    // With another key expected, the same fetch is refused, and so is the follow.
    *fake.expected_key.lock().expect("lock") = Some((
        format!("{}/actor#main-key", fake.base),
        fake.public_pem.clone(),
    ));
    let fresh = TestDb::sqlite();
    let elsewhere = TestNode::start(&fresh, "Heeten").await;
    let bert = elsewhere.user_with_token("bert").await;
    let (status, body) = bert
        .post(
            "/api/v1/follows",
            json!({"target": format!("{}/users/kat", fake.base)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
}

async fn a_gone_inbox_is_given_up_and_reported(db: TestDb) {
    let fake = Fake::start(StatusCode::GONE).await;
    let oss = TestNode::start(&db, "Oss").await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    oss.add_remote_follower(
        "moestuin",
        &format!("{}/users/kat", fake.base),
        &format!("{}/inbox", fake.base),
    )
    .await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Oogstfeest", "content": "Zaterdag is het feest."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let peer = fake.base.trim_start_matches("http://").to_owned();
    eventually(
        "both announces are given up",
        Duration::from_secs(20),
        || async {
            let mut conn = oss.state.db.conn().await.ok()?;
            let counts = kwartier::db::delivery::counts_by_peer(&mut conn)
                .await
                .ok()?;
            counts
                .iter()
                .any(|(host, state, count)| *host == peer && state == "failed" && *count == 2)
                .then_some(())
        },
    )
    .await;

    let database = match &db.url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let output = Command::new(env!("CARGO_BIN_EXE_kwartier-node"))
        .env_clear()
        .env("KWARTIER_DATABASE_URL", database)
        .args(["admin", "deliveries"])
        .output()
        .expect("run kwartier admin deliveries");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stdout);
    let line = report
        .lines()
        .find(|l| l.starts_with(&peer))
        .unwrap_or_else(|| panic!("no line for {peer} in:\n{report}"));
    assert!(
        line.contains("pending=0") && line.contains("failed=2"),
        "{line}"
    );
}
