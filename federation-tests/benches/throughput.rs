//! Throughput and memory, measured in one run on this machine (`cargo bench -p federation-tests`):
//!
//! - **inbox**: signed `Like` activities per second through the whole front door (HTTP, Digest,
//!   signature, parsing, dedupe and effect in one transaction), against the *limit*: the same
//!   signature verifications and the same inserts done directly, with the same concurrency;
//! - **delivery**: deliveries per second from the outbox to many inboxes (signed at send time,
//!   HTTP, recording each outcome), against the *limit*: signing the same requests, nothing else;
//! - **idle memory**: resident memory of a `kwartier serve` process doing nothing.
//!
//! It prints each rate, the ratio to its limit, and whether the target holds (at least half of
//! each limit; idle memory under 30 MB). It is a benchmark, not a test: it fails nobody.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kwartier::db::appreciation::{self, Target};
use kwartier::db::{ScopedFutureExt, inbox, now};
use kwartier::federation::signatures;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

const CONCURRENCY: usize = 16;
const INBOX_ACTIVITIES: usize = 2_000;
const FOLLOWERS: usize = 100;
const STORIES: usize = 20;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // `cargo bench -p federation-tests -- delivery` runs only the parts named.
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| named.is_empty() || named.iter().any(|n| n == part);
    runtime.block_on(async {
        println!(
            "Kwartier throughput on this machine ({} cores)",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        if wanted("inbox") {
            inbox_throughput().await;
        }
        if wanted("delivery") {
            delivery_throughput().await;
        }
    });
    if wanted("idle") {
        idle_memory();
    }
}

fn report(what: &str, rate: f64, limit: f64) {
    let ratio = rate / limit;
    let verdict = if ratio >= 0.5 {
        "meets the target (>= 0.5)"
    } else {
        "BELOW the target (>= 0.5)"
    };
    println!("{what:<10} {rate:>9.0}/s   limit {limit:>9.0}/s   ratio {ratio:.2}   {verdict}");
}

/// Many distinct signed `Like`s of one story, posted to the shared inbox by `CONCURRENCY`
/// clients at once.
async fn inbox_throughput() {
    let (oss_db, heeten_db) = (TestDb::sqlite(), TestDb::sqlite());
    let oss = TestNode::start(&oss_db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    heeten.create_user("bert", false).await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Oogstfeest", "content": "Feest."}),
        )
        .await;
    let story_id = story["id"].as_str().expect("story").to_owned();
    let inbox_url = oss.url("/inbox");
    let bert = heeten.url("/u/bert");

    // Signed in advance: signing is the sender's cost, not the receiver's.
    let mut requests = Vec::with_capacity(INBOX_ACTIVITIES + 1);
    for n in 0..=INBOX_ACTIVITIES {
        let body = serde_json::to_vec(&json!({
            "id": heeten.url(&format!("/activities/like-{n}")), "type": "Like", "actor": bert, "object": story_id,
        }))
        .expect("json");
        requests.push(heeten.signed_request("bert", &inbox_url, &body).await);
    }
    // The first one makes Oss fetch and keep bert's key, as happens once per sender.
    let client = reqwest::Client::new();
    let first = client.execute(requests.remove(0)).await.expect("post");
    assert_eq!(first.status(), StatusCode::ACCEPTED);

    let start = Instant::now();
    let accepted = AtomicUsize::new(0);
    futures_util::stream::iter(requests)
        .for_each_concurrent(CONCURRENCY, |request| {
            let client = client.clone();
            let accepted = &accepted;
            async move {
                if client
                    .execute(request)
                    .await
                    .is_ok_and(|r| r.status() == StatusCode::ACCEPTED)
                {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .await;
    let rate = accepted.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    assert_eq!(
        accepted.load(Ordering::Relaxed),
        INBOX_ACTIVITIES,
        "some activities were refused"
    );

    // The limit: verify the same signatures and make the same inserts, nothing else.
    let mut conn = oss.state.db.conn().await.expect("conn");
    let liker =
        kwartier::db::actor::find_by_ap_id(&mut conn, &url::Url::parse(&bert).expect("url"))
            .await
            .expect("lookup")
            .expect("bert is known");
    let story =
        kwartier::db::story::find_by_ap_id(&mut conn, &url::Url::parse(&story_id).expect("url"))
            .await
            .expect("lookup")
            .expect("story");
    drop(conn);
    let mut signed = Vec::with_capacity(INBOX_ACTIVITIES);
    for n in 0..INBOX_ACTIVITIES {
        let body = format!(r#"{{"n":{n}}}"#);
        let request = heeten
            .signed_request("bert", &inbox_url, body.as_bytes())
            .await;
        signed.push(request.headers().clone());
    }
    let cache = signatures::KeyCache::default();
    let start = Instant::now();
    futures_util::stream::iter(signed.into_iter().enumerate())
        .for_each_concurrent(CONCURRENCY, |(n, headers)| {
            let (state, cache, public_key) = (&oss.state, &cache, &liker.public_key);
            let (liker_id, story_id) = (liker.id, story.id);
            async move {
                let parsed = signatures::parse("POST", "/inbox", &headers, true).expect("parse");
                cache.verify(&parsed, public_key).expect("verify");
                let mut conn = state.db.conn().await.expect("conn");
                let id = url::Url::parse(&format!("https://limit.example/{n}")).expect("url");
                conn.transaction(|conn| {
                    async move {
                        inbox::claim(conn, &id, now()).await?;
                        appreciation::add(
                            conn,
                            &id.clone().into(),
                            liker_id,
                            Target::Story(story_id),
                            now(),
                        )
                        .await
                    }
                    .scope_boxed()
                })
                .await
                .expect("insert");
            }
        })
        .await;
    let limit = INBOX_ACTIVITIES as f64 / start.elapsed().as_secs_f64();
    report("inbox", rate, limit);
}

/// Stories announced to `FOLLOWERS` followers with their own inboxes on a fast local server.
async fn delivery_throughput() {
    // The fake inbox tells the moment the last delivery arrives.
    let expected = FOLLOWERS * STORIES * 2;
    let received = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(tokio::sync::Notify::new());
    let (counter, last) = (Arc::clone(&received), Arc::clone(&all_in));
    let app = axum::Router::new().route(
        "/inbox/{n}",
        axum::routing::post(move || {
            let (counter, last) = (Arc::clone(&counter), Arc::clone(&last));
            async move {
                if counter.fetch_add(1, Ordering::Relaxed) + 1 == expected {
                    last.notify_one();
                }
                StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let fake = format!(
        "http://localhost:{}",
        listener.local_addr().expect("addr").port()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let db = TestDb::sqlite();
    let oss = TestNode::start_with(
        &db,
        "Oss",
        SocketAddr::from(([127, 0, 0, 1], 0)),
        |config| {
            config.delivery.concurrency = CONCURRENCY;
        },
    )
    .await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for n in 0..FOLLOWERS {
        oss.add_remote_follower(
            "moestuin",
            &format!("{fake}/users/f{n}"),
            &format!("{fake}/inbox/{n}"),
        )
        .await;
    }
    let start = Instant::now();
    for n in 0..STORIES {
        let (status, _) = anna
            .post(
                "/api/v1/initiatives/moestuin/stories",
                json!({"title": format!("Verhaal {n}"), "content": "Tekst."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    tokio::time::timeout(Duration::from_secs(600), all_in.notified())
        .await
        .expect("every delivery is made within ten minutes");
    let rate = expected as f64 / start.elapsed().as_secs_f64();

    // The limit: signing as many requests, with the same concurrency, and nothing else.
    let node = Arc::clone(&oss.state.node_actor);
    let crypto = oss.state.crypto.clone();
    let url = url::Url::parse(&format!("{fake}/inbox/0")).expect("url");
    let body = vec![b'x'; 1_500];
    let start = Instant::now();
    futures_util::stream::iter(0..expected)
        .for_each_concurrent(CONCURRENCY, |_| {
            let (node, crypto, url, body) =
                (Arc::clone(&node), crypto.clone(), url.clone(), body.clone());
            async move {
                tokio::task::spawn_blocking(move || {
                    crypto
                        .sign(
                            "POST",
                            &url,
                            Some(&body),
                            (&reqwest::header::CONTENT_TYPE, "application/activity+json"),
                            node.public_key_id.as_deref().expect("key id"),
                            node.private_key.as_deref().expect("key"),
                        )
                        .expect("sign")
                })
                .await
                .expect("join");
            }
        })
        .await;
    let limit = expected as f64 / start.elapsed().as_secs_f64();
    report("delivery", rate, limit);
}

/// Resident memory of `kwartier serve` once it has started and sat idle for a moment.
fn idle_memory() {
    let dir = tempfile_dir();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kwartier-node"))
        .env_clear()
        .env("KWARTIER_DATA_DIR", &dir)
        .env("KWARTIER_LISTEN", addr.to_string())
        .env("KWARTIER_DOMAIN", format!("localhost:{}", addr.port()))
        .env("KWARTIER_LOG_FORMAT", "json")
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start kwartier serve");
    let healthy = (0..300).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(addr).is_ok()
    });
    assert!(healthy, "kwartier serve did not start");
    // Let start-up work (the spare key pair) finish, then measure.
    std::thread::sleep(Duration::from_secs(3));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let mb = rss_kb / 1024.0;
    let verdict = if mb < 30.0 {
        "meets the target (< 30 MB)"
    } else {
        "ABOVE the target (< 30 MB)"
    };
    println!("idle       {mb:>9.1} MB resident                         {verdict}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kwartier-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
