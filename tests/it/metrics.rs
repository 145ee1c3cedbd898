//! Prometheus metrics on `metrics_listen`, read as Prometheus reads them: requests counted by
//! route pattern, inbox activities by type and result, the delivery backlog of a peer that is
//! down, the pool; and `/metrics` exists only on the metrics address.

use std::net::SocketAddr;
use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(metrics_count_what_happens_and_live_only_on_their_address);

/// A node that serves metrics on a port of its own.
pub async fn node_with_metrics(db: &TestDb, name: &str) -> TestNode {
    TestNode::start_with(db, name, ([127, 0, 0, 1], 0).into(), |config| {
        config.metrics_listen = Some(([127, 0, 0, 1], 0).into());
    })
    .await
}

/// `http://localhost:PORT` where nothing listens: a peer that is down.
pub async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://localhost:{port}")
}

/// Makes `initiative` (by a new user with a token) and gives it a follower at `peer` (a base
/// URL), then publishes a story: one delivery is queued to that peer.
pub async fn queue_delivery_to(node: &TestNode, initiative: &str, peer: &str) {
    let anna = node.user_with_token(&format!("{initiative}_maker")).await;
    let (status, body) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": initiative, "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    node.add_remote_follower(
        initiative,
        &format!("{peer}/users/volger"),
        &format!("{peer}/inbox"),
    )
    .await;
    let (status, body) = anna
        .post(
            &format!("/api/v1/initiatives/{initiative}/stories"),
            json!({"title": "Oogstfeest", "content": "Zaterdag oogsten we samen."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn scrape(addr: SocketAddr) -> String {
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/plain"), "{kind}");
    response.text().await.expect("body")
}

/// One sample's labels, parsed from `{a="x",b="y"}`.
fn labels(text: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(if escaped == 'n' { '\n' } else { escaped });
                    }
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        labels.push((key.trim_start_matches(',').trim().to_owned(), value));
        rest = &after[end..];
    }
    labels
}

/// The value of the sample `name` with exactly these labels, if the text has it.
fn sample(text: &str, name: &str, wanted: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, set) = match series.split_once('{') {
                Some((metric, set)) => (metric, labels(set.strip_suffix('}')?)),
                None => (series, Vec::new()),
            };
            let mut set = set;
            set.sort();
            let mut wanted: Vec<(String, String)> = wanted
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            wanted.sort();
            (metric == name && set == wanted).then(|| value.parse().ok())?
        })
}

fn value(text: &str, name: &str, wanted: &[(&str, &str)]) -> f64 {
    sample(text, name, wanted).unwrap_or(0.0)
}

async fn metrics_count_what_happens_and_live_only_on_their_address(db: TestDb) {
    let heeten_db = TestDb::sqlite();
    let oss = node_with_metrics(&db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    let metrics = oss.state.config.metrics_listen.expect("a metrics address");
    let client = reqwest::Client::new();

    // Only the metrics address serves /metrics, and only that.
    let public = client.get(oss.url("/metrics")).send().await.expect("GET");
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let other = client
        .get(format!("http://{metrics}/healthz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let text = scrape(metrics).await;
    assert_eq!(
        value(
            &text,
            "kwartier_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0,
        "{text}"
    );
    assert_eq!(value(&text, "kwartier_database_up", &[]), 1.0, "{text}");
    assert_eq!(
        value(&text, "kwartier_db_pool_max_connections", &[]),
        4.0,
        "{text}"
    );
    assert!(
        sample(&text, "kwartier_db_pool_connections", &[("state", "idle")]).is_some(),
        "{text}"
    );

    // N requests to one route count N under its pattern, never under the raw path.
    oss.create_user("anna", false).await;
    oss.create_user("bert", false).await;
    let route = [("method", "GET"), ("route", "/u/{name}"), ("status", "2xx")];
    let timed = [("method", "GET"), ("route", "/u/{name}")];
    let before = scrape(metrics).await;
    const N: usize = 5;
    for n in 0..N {
        let name = if n % 2 == 0 { "anna" } else { "bert" };
        let response = client
            .get(oss.url(&format!("/u/{name}")))
            .header("accept", "application/activity+json")
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let missing = client.get(oss.url("/nergens/1")).send().await.expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let after = scrape(metrics).await;
    assert_eq!(
        value(&after, "kwartier_http_requests_total", &route)
            - value(&before, "kwartier_http_requests_total", &route),
        N as f64,
        "{after}"
    );
    assert_eq!(
        value(
            &after,
            "kwartier_http_request_duration_seconds_count",
            &timed
        ) - value(
            &before,
            "kwartier_http_request_duration_seconds_count",
            &timed
        ),
        N as f64,
        "{after}"
    );
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "4xx")];
    assert_eq!(
        value(&after, "kwartier_http_requests_total", &unmatched)
            - value(&before, "kwartier_http_requests_total", &unmatched),
        1.0,
        "{after}"
    );
    assert!(!after.contains("/u/anna"), "a raw path became a label");
    assert!(!after.contains("/nergens"), "a raw path became a label");

    // A signed Follow is accepted; one signed by someone else than its actor is not.
    heeten.create_user("bert", false).await;
    let maker = oss.user_with_token("maker").await;
    let (status, body) = maker
        .post(
            "/api/v1/initiatives",
            json!({"handle": "buurthuis", "name": "Buurthuis De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let follow = |n: u32, actor: &str| {
        serde_json::to_vec(&json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": heeten.url(&format!("/activities/follow-{n}")),
            "type": "Follow",
            "actor": actor,
            "object": oss.url("/i/buurthuis"),
        }))
        .expect("JSON")
    };
    let accepted = [("type", "Follow"), ("result", "accepted")];
    let forged = [("type", "Follow"), ("result", "rejected_signature")];
    let before = scrape(metrics).await;
    let inbox = oss.url("/i/buurthuis/inbox");
    let response = heeten
        .deliver_as("bert", &inbox, &follow(1, &heeten.url("/u/bert")))
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let response = heeten
        .deliver_as("bert", &inbox, &follow(2, &heeten.url("/u/carla")))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let after = scrape(metrics).await;
    for (labels, rose) in [(&accepted, 1.0), (&forged, 1.0)] {
        assert_eq!(
            value(&after, "kwartier_inbox_activities_total", labels)
                - value(&before, "kwartier_inbox_activities_total", labels),
            rose,
            "{labels:?}: {after}"
        );
    }

    // A peer that is down: its backlog and the age of its oldest delivery show, and the
    // failed attempts are counted as retries.
    let down = closed_port().await;
    let peer = down.trim_start_matches("http://").to_owned();
    queue_delivery_to(&oss, "moestuin", &down).await;
    let on_peer = [("peer", peer.as_str())];
    let text = eventually(
        "the backlog to the peer that is down shows, with an age",
        Duration::from_secs(20),
        || async {
            let text = scrape(metrics).await;
            (value(&text, "kwartier_delivery_pending", &on_peer) > 0.0
                && value(
                    &text,
                    "kwartier_delivery_oldest_pending_age_seconds",
                    &on_peer,
                ) > 0.0
                && value(&text, "kwartier_peer_consecutive_failures", &on_peer) > 0.0
                && value(
                    &text,
                    "kwartier_delivery_attempts_total",
                    &[("result", "retry")],
                ) > 0.0)
                .then_some(text)
        },
    )
    .await;
    assert!(
        value(
            &text,
            "kwartier_delivery_oldest_pending_age_seconds",
            &on_peer
        ) < 60.0,
        "{text}"
    );
    // Heeten received its Accept: that delivery counts as delivered.
    eventually(
        "the Accept to Heeten is delivered",
        Duration::from_secs(20),
        || async {
            let text = scrape(metrics).await;
            (value(
                &text,
                "kwartier_delivery_attempts_total",
                &[("result", "delivered")],
            ) >= 1.0)
                .then_some(())
        },
    )
    .await;
}

#[test]
fn samples_are_read_by_name_and_exact_labels() {
    let text = "# HELP x_total X.\n# TYPE x_total counter\n\
        x_total{method=\"GET\",route=\"/i/{handle}\",status=\"2xx\"} 7\n\
        x_total{method=\"GET\",route=\"/i/{handle}\",status=\"4xx\"} 2\n\
        y 3\n";
    let route = [
        ("route", "/i/{handle}"),
        ("method", "GET"),
        ("status", "2xx"),
    ];
    assert_eq!(sample(text, "x_total", &route), Some(7.0));
    assert_eq!(sample(text, "x_total", &route[..2]), None);
    assert_eq!(sample(text, "y", &[]), Some(3.0));
    assert_eq!(sample(text, "z", &[]), None);
}
