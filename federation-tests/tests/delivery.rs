//! Reliable delivery: a follower's server that is down gets what it missed once it is back,
//! while healthy servers get theirs at once; the failing peer is counted and paused.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(a_peer_that_is_down_gets_everything_when_it_is_back);

const DEADLINE: Duration = Duration::from_secs(30);

async fn has_story(api: &Api, title: &str) -> bool {
    let (_, timeline) = api.get("/api/v1/timeline").await;
    timeline
        .as_array()
        .is_some_and(|t| t.iter().any(|s| s["title"] == title))
}

async fn follow(node: &TestNode, person: &Api, username: &str, target: &TestNode) {
    let (status, _) = person
        .post(
            "/api/v1/follows",
            json!({"target": target.handle("moestuin")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let initiative = target.url("/i/moestuin");
    eventually("the follow is accepted", DEADLINE, || async {
        (node.follow_state(username, &initiative).await.as_deref() == Some("accepted"))
            .then_some(())
    })
    .await;
}

async fn a_peer_that_is_down_gets_everything_when_it_is_back(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        bert,
        carla,
        heeten_db,
        deventer_db: _deventer_db,
    } = ThreeNodes::start(&db).await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    follow(&heeten, &bert, "bert", &oss).await;
    follow(&deventer, &carla, "carla", &oss).await;

    // Heeten goes down; Oss publishes three stories.
    let heeten_addr = heeten.addr;
    let heeten_peer = heeten.state.config.domain.clone();
    heeten.stop().await;
    for title in ["Zaaien", "Wieden", "Oogsten"] {
        let (status, body) = anna
            .post(
                "/api/v1/initiatives/moestuin/stories",
                json!({"title": title, "content": format!("Vandaag: {title}.")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    // Deventer, healthy, has them all while Heeten is still down.
    for title in ["Zaaien", "Wieden", "Oogsten"] {
        eventually("Deventer gets the story", DEADLINE, || async {
            has_story(&carla, title).await.then_some(())
        })
        .await;
    }
    // Oss keeps trying Heeten, counts the failures, and pauses it once they pile up.
    let failures = eventually("Oss records failures towards Heeten", DEADLINE, || async {
        let mut conn = oss.state.db.conn().await.ok()?;
        let peer = kwartier::db::peer::get(&mut conn, &heeten_peer)
            .await
            .ok()??;
        (peer.consecutive_failures >= kwartier::delivery::backoff::CIRCUIT_THRESHOLD)
            .then_some(peer)
    })
    .await;
    assert!(failures.circuit_open_until.is_some(), "{failures:?}");
    assert!(failures.last_error.is_some());

    // Heeten comes back where it was and gets everything it missed.
    let heeten = TestNode::start_at(&heeten_db, "Heeten", heeten_addr).await;
    let bert = Api::for_token(&heeten, &bert.token);
    for title in ["Zaaien", "Wieden", "Oogsten"] {
        eventually("Heeten catches up", DEADLINE, || async {
            has_story(&bert, title).await.then_some(())
        })
        .await;
    }
    let mut conn = oss.state.db.conn().await.unwrap();
    let peer = kwartier::db::peer::get(&mut conn, &heeten_peer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        peer.consecutive_failures, 0,
        "success resets the count: {peer:?}"
    );
    assert!(peer.last_success_at.is_some());
}

/// Counts deliveries per (inbox, activity): a stand-in for many followers' servers.
#[derive(Clone, Default)]
struct Counter(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(String, String), usize>>>,
);

async fn counting_inboxes() -> (String, Counter) {
    use axum::extract::{Path, State};
    let counter = Counter::default();
    let app = axum::Router::new()
        .route(
            "/inbox/{n}",
            axum::routing::post(
                |State(counter): State<Counter>, Path(n): Path<String>, body: String| async move {
                    let id = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    *counter.0.lock().expect("lock").entry((n, id)).or_default() += 1;
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(counter.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://localhost:{port}"), counter)
}

/// On PostgreSQL several processes deliver from one queue: each delivery is made once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgresql_share_the_queue_without_duplicates() {
    let Some(db) = TestDb::postgres("delivery::two_workers_on_postgresql_share_the_queue").await
    else {
        return;
    };
    let (fake, counter) = counting_inboxes().await;
    let oss = TestNode::start(&db, "Oss").await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    const FOLLOWERS: usize = 10;
    const STORIES: usize = 5;
    for n in 0..FOLLOWERS {
        oss.add_remote_follower(
            "moestuin",
            &format!("{fake}/users/f{n}"),
            &format!("{fake}/inbox/{n}"),
        )
        .await;
    }
    // A second process's worker on the same database and domain.
    let second = kwartier::state::AppState::open((*oss.state.config).clone())
        .await
        .expect("second state");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = kwartier::delivery::spawn(second, stopped);

    for n in 0..STORIES {
        let (status, body) = anna
            .post(
                "/api/v1/initiatives/moestuin/stories",
                json!({"title": format!("Verhaal {n}"), "content": "Tekst."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Two announces per story, to every follower's inbox.
    let expected = FOLLOWERS * STORIES * 2;
    eventually("every delivery is made", DEADLINE, || async {
        let mut conn = oss.state.db.conn().await.ok()?;
        let open = kwartier::db::delivery::counts_by_peer(&mut conn)
            .await
            .ok()?;
        let received = counter.0.lock().ok()?.len();
        (open.is_empty() && received == expected).then_some(())
    })
    .await;
    let _ = stop.send(true);
    worker.await.expect("worker");
    let counts = counter.0.lock().expect("lock");
    let repeated: Vec<_> = counts.iter().filter(|(_, times)| **times > 1).collect();
    assert!(
        repeated.is_empty(),
        "delivered more than once: {repeated:?}"
    );
    assert_eq!(counts.len(), expected);
}
