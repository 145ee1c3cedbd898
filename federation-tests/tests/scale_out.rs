//! Scale-out on PostgreSQL: two `kwartier serve` processes of one node, on one database and one
//! domain, behind a round-robin proxy, share the web traffic and the delivery queue. They start
//! together on an empty database; one is killed with SIGKILL while both are delivering; every
//! follower still gets every activity, and nothing twice that was not in flight when the
//! process died. PostgreSQL only: a SQLite database belongs to one process.

#[allow(dead_code)] // shared with crash.rs, interop.rs and browser.rs, which use more of it
mod node_process;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use futures_util::future::join_all;
use kwartier::db::delivery::{self, state};
use kwartier::db::exclusive::Lock;
use kwartier::db::{DatabaseUrl, Db};
use kwartier::testing::{Api, TestDb, TestNode, add_remote_follower, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use node_process::{NodeProcess, free_address, user_token, user_with_password};

const DEADLINE: Duration = Duration::from_secs(90);
/// Followers on Kwartier nodes (in this process), and counting inboxes.
const NODES: [&str; 3] = ["Heeten", "Deventer", "Zwolle"];
const INBOXES: usize = 4;
/// Each counting inbox answers this many deliveries at once and holds the rest until the
/// test lets them through: the kill is sure to come while deliveries are under way.
const ANSWERED_AT_ONCE: usize = 5;
/// Stories and comments written in each phase: both processes up, one killed, both again.
const PHASES: [(usize, usize); 3] = [(12, 12), (6, 4), (6, 4)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_web_and_deliveries_and_survive_a_kill() {
    let Some(db) = TestDb::postgres("scale_out::two_processes_share_web_and_deliveries").await
    else {
        return;
    };

    // One domain, two processes: the proxy listens on the domain's port.
    let proxy = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let public = proxy.local_addr().expect("proxy address");
    let upstreams = [free_address(), free_address()];
    let served = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    tokio::spawn(round_robin(proxy, upstreams, Arc::clone(&served)));

    // Both start at the same time on an empty database: one migrates and makes the node's
    // actor, the other waits for it.
    let (p1, p2) = tokio::join!(
        start(&db.url, upstreams[0], public),
        start(&db.url, upstreams[1], public)
    );
    let mut p1 = Some(p1);
    let shared = db.open().await;
    let base = format!("http://localhost:{}", public.port());
    let anna = Web::new(&base, &user_token(&db.url, public, "anna"));
    let dirk = Web::new(&base, &user_token(&db.url, public, "dirk"));
    user_with_password(&db.url, public, "carla", "een lang wachtwoord");
    let (status, body) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Followers: people on three Kwartier nodes, and four counting inboxes.
    let mut nodes = Vec::new();
    for name in NODES {
        let node_db = TestDb::sqlite();
        let node = TestNode::start(&node_db, name).await;
        let person = node.user_with_token("bert").await;
        let handle = format!("moestuin@localhost:{}", public.port());
        let (status, body) = person
            .post("/api/v1/follows", json!({"target": handle}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        nodes.push((node_db, node, person));
    }
    let (gate, held) = watch::channel(false);
    let mut inboxes = Vec::new();
    for n in 0..INBOXES {
        let inbox = CountingInbox::start(held.clone()).await;
        add_remote_follower(
            &shared,
            "moestuin",
            &format!("{}/actor/{n}", inbox.base),
            &inbox.url(),
        )
        .await;
        inboxes.push(inbox);
    }
    eventually("every follower is accepted", DEADLINE, || async {
        let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
        (initiative["followers"] == NODES.len() + INBOXES).then_some(())
    })
    .await;
    for (_, node, _) in &nodes {
        node.until_accepted("bert", &format!("{base}/i/moestuin"))
            .await;
    }

    // A person logs in on one process and is known on the other: sessions live in the database.
    let session = log_in(upstreams[0], public, "carla", "een lang wachtwoord").await;
    assert_signed_in(upstreams[1], &session, "carla").await;

    // Phase 1: both up, stories and comments through the proxy, all at once.
    let first = publish(&anna, "Verhaal 0").await;
    let thread = format!("{}/comments", first["api_url"].as_str().expect("api url"));
    let before = counts(&served);
    let (stories, comments) = PHASES[0];
    write(&anna, &dirk, &thread, 1..=stories, 0..comments).await;
    let after = counts(&served);
    assert!(
        after[0] > before[0] && after[1] > before[1],
        "both processes served requests: {before:?} -> {after:?}"
    );

    // Kill one process while deliveries are under way: some arrived, some are held.
    let queued = fake_deliveries(&shared, &inboxes).await;
    eventually("deliveries are under way", DEADLINE, || async {
        let arrived: usize = inboxes.iter().map(CountingInbox::arrivals).sum();
        let delivered = fake_deliveries(&shared, &inboxes)
            .await
            .iter()
            .any(|d| d.state == state::DELIVERED);
        (arrived > INBOXES * ANSWERED_AT_ONCE && delivered).then_some(())
    })
    .await;
    let mut logged = Vec::new();
    if let Some(p1) = p1.take() {
        logged.extend(p1.kill());
    }
    let killed_at = Instant::now();
    let at_kill = fake_deliveries(&shared, &inboxes).await;
    let delivered = at_kill
        .iter()
        .filter(|d| d.state == state::DELIVERED)
        .count();
    assert!(
        delivered > 0 && delivered < queued.len(),
        "killed mid-delivery: {delivered} of {} delivered",
        queued.len()
    );
    // Only what was claimed and not yet recorded when it died may arrive twice.
    let in_flight: BTreeSet<(String, String)> = at_kill
        .iter()
        .filter(|d| d.state == state::PENDING && d.claimed)
        .map(|d| (d.inbox.clone(), d.activity.clone()))
        .collect();
    assert!(
        !in_flight.is_empty(),
        "deliveries were under way at the kill"
    );
    gate.send_replace(true);

    // Phase 2: one process down; the proxy sends everything to the other, nothing fails.
    let (stories, comments) = PHASES[1];
    let offset = PHASES[0].0;
    write(
        &anna,
        &dirk,
        &thread,
        offset + 1..=offset + stories,
        PHASES[0].1..PHASES[0].1 + comments,
    )
    .await;

    // Phase 3: the killed one is back and takes its share again.
    let p1 = start(&db.url, upstreams[0], public).await;
    let before = counts(&served);
    let (stories, comments) = PHASES[2];
    let offset = PHASES[0].0 + PHASES[1].0;
    let from = PHASES[0].1 + PHASES[1].1;
    write(
        &anna,
        &dirk,
        &thread,
        offset + 1..=offset + stories,
        from..from + comments,
    )
    .await;
    let after = counts(&served);
    assert!(
        after[0] > before[0] && after[1] > before[1],
        "both processes served requests after the restart: {before:?} -> {after:?}"
    );
    let session = log_in(upstreams[1], public, "carla", "een lang wachtwoord").await;
    assert_signed_in(upstreams[0], &session, "carla").await;

    // Everything arrives: nothing pending anywhere, nothing given up.
    eventually("every delivery is done", DEADLINE, || async {
        let mut conn = shared.conn().await.expect("connection");
        let open = delivery::counts_by_peer(&mut conn).await.expect("counts");
        open.iter()
            .all(|(_, status, _)| status != state::PENDING)
            .then_some(())
    })
    .await;
    // Outcomes are recorded by the process that sent them; a failure to record (a deadlock
    // between the two processes, say) would send them again once their lease ran out.
    logged.extend(p1.logged());
    logged.extend(p2.logged());
    let unrecorded: Vec<&String> = logged
        .iter()
        .filter(|line| line.contains("could not record deliveries"))
        .collect();
    assert!(unrecorded.is_empty(), "{unrecorded:#?}");
    let mut conn = shared.conn().await.expect("connection");
    let failed = delivery::counts_by_peer(&mut conn).await.expect("counts");
    assert!(failed.is_empty(), "deliveries given up: {failed:?}");
    drop(conn);

    let story_count = 1 + PHASES.iter().map(|p| p.0).sum::<usize>();
    let comment_count = PHASES.iter().map(|p| p.1).sum::<usize>();
    // At the counting inboxes: every activity queued for them, once, or twice at most when it
    // was in flight in the killed process.
    let settled = fake_deliveries(&shared, &inboxes).await;
    for inbox in &inboxes {
        let expected: BTreeSet<String> = settled
            .iter()
            .filter(|d| d.inbox == inbox.url())
            .map(|d| d.activity.clone())
            .collect();
        // Every story is announced twice (FEP-1b12 and a boost), every comment at least once.
        assert!(
            expected.len() >= 2 * story_count + comment_count,
            "{} activities queued for {}",
            expected.len(),
            inbox.url()
        );
        let received = inbox.received();
        let ids: BTreeSet<String> = received.keys().cloned().collect();
        assert_eq!(ids, expected, "{} got exactly what was queued", inbox.url());
        for (id, times) in received {
            let repeat_allowed = in_flight.contains(&(inbox.url(), id.clone()));
            let row = |all: &[Queued]| {
                all.iter()
                    .find(|d| d.inbox == inbox.url() && d.activity == id)
                    .map(|d| (d.state.clone(), d.claimed, d.attempts, d.last_error.clone()))
            };
            let arrivals: Vec<(String, Duration)> = inbox
                .received
                .lock()
                .expect("received")
                .iter()
                .filter(|(arrived, _, _)| *arrived == id)
                .map(|(_, date, at)| (date.clone(), at.elapsed()))
                .collect();
            assert!(
                times == 1 || (times == 2 && repeat_allowed),
                "{id} reached {} {times} times (in flight at the kill: {repeat_allowed}; \
                 at the kill {:?}, now {:?}; arrivals (date, ago) {arrivals:?}; killed {:?} ago)",
                inbox.url(),
                row(&at_kill),
                row(&settled),
                killed_at.elapsed(),
            );
        }
    }
    // On the Kwartier nodes: every story and every comment once.
    for (_, node, person) in &nodes {
        let timeline = eventually("every story reaches the node", DEADLINE, || async {
            let all = timeline(person).await;
            (all.len() >= story_count).then_some(all)
        })
        .await;
        let titles: Vec<&str> = timeline
            .iter()
            .filter_map(|s| s["title"].as_str())
            .collect();
        let distinct: BTreeSet<&str> = titles.iter().copied().collect();
        assert_eq!(titles.len(), story_count, "{}: {titles:?}", node.url(""));
        assert_eq!(distinct.len(), story_count, "{}: {titles:?}", node.url(""));
        let copy = timeline
            .iter()
            .find(|s| s["title"] == "Verhaal 0")
            .expect("the first story");
        let path = format!("{}/comments", copy["api_url"].as_str().expect("api url"));
        let thread = eventually("every comment reaches the node", DEADLINE, || async {
            let (status, thread) = person.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{thread}");
            let thread = thread.as_array().cloned().unwrap_or_default();
            (thread.len() >= comment_count).then_some(thread)
        })
        .await;
        let texts: Vec<String> = thread
            .iter()
            .map(|c| kwartier::service::text::plain_text(c["content"].as_str().unwrap_or("")))
            .collect();
        let distinct: BTreeSet<&String> = texts.iter().collect();
        assert_eq!(texts.len(), comment_count, "{}: {texts:?}", node.url(""));
        assert_eq!(distinct.len(), comment_count, "{}: {texts:?}", node.url(""));
    }
    drop((p1, p2));
}

/// The advisory locks that let one process at a time migrate, or run a scheduled round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_at_a_time_holds_a_lock() {
    let Some(db) = TestDb::postgres("scale_out::one_process_at_a_time_holds_a_lock").await else {
        return;
    };
    // Two pools stand for two processes.
    let first = Db::connect(&db.url, 2).await.expect("connect");
    let second = Db::connect(&db.url, 2).await.expect("connect");
    let held = first.exclusive(Lock::DirectorySync).await.expect("lock");
    assert!(
        second
            .try_exclusive(Lock::DirectorySync)
            .await
            .expect("try")
            .is_none(),
        "held by the first"
    );
    let other = second
        .try_exclusive(Lock::BlocklistFetch)
        .await
        .expect("try");
    assert!(other.is_some(), "another lock is free");
    held.release().await;
    let taken = second
        .try_exclusive(Lock::DirectorySync)
        .await
        .expect("try");
    assert!(taken.is_some(), "free once released");
    // A holder that goes away without releasing (a failed round, a killed process) frees it.
    drop(taken);
    eventually("a dropped lock is free", DEADLINE, || async {
        first
            .try_exclusive(Lock::DirectorySync)
            .await
            .expect("try")
            .map(|_| ())
    })
    .await;
    // Migrating waits for the startup lock instead of racing.
    let startup = first.exclusive(Lock::Startup).await.expect("lock");
    let migrating = tokio::spawn(async move { second.migrate().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !migrating.is_finished(),
        "migrating waits for the startup lock"
    );
    startup.release().await;
    let report = migrating.await.expect("task").expect("migrate");
    assert!(!report.applied.is_empty(), "then migrates");
}

/// Starts a process of the node without blocking the test's runtime.
async fn start(database: &DatabaseUrl, listen: SocketAddr, public: SocketAddr) -> NodeProcess {
    let database = database.clone();
    tokio::task::spawn_blocking(move || NodeProcess::start_behind(&database, listen, public))
        .await
        .expect("start kwartier serve")
}

/// The proxy at the node's domain: each connection goes to the next process in turn, or to
/// the other when that one does not answer (as nginx's `proxy_next_upstream error` does).
async fn round_robin(
    listener: TcpListener,
    upstreams: [SocketAddr; 2],
    served: Arc<[AtomicUsize; 2]>,
) {
    let mut turn = 0;
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            continue;
        };
        turn = (turn + 1) % upstreams.len();
        let first = turn;
        let served = Arc::clone(&served);
        tokio::spawn(async move {
            for pick in [first, 1 - first] {
                if let Ok(mut upstream) = TcpStream::connect(upstreams[pick]).await {
                    served[pick].fetch_add(1, Ordering::Relaxed);
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    return;
                }
            }
        });
    }
}

fn counts(served: &[AtomicUsize; 2]) -> [usize; 2] {
    [
        served[0].load(Ordering::Relaxed),
        served[1].load(Ordering::Relaxed),
    ]
}

/// The API through a client that opens a new connection for every request, so the proxy
/// spreads them over both processes.
struct Web {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Web {
    fn new(base: &str, token: &str) -> Web {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("HTTP client");
        Web {
            base: base.to_owned(),
            token: token.to_owned(),
            client,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request through the proxy");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.client.get(self.url(path))).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.client.post(self.url(path)).json(&body))
            .await
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }
}

async fn publish(anna: &Web, title: &str) -> Value {
    let (status, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": title, "content": format!("Over {title}.")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    story
}

/// Stories by anna and comments by dirk on the first story, all at once.
async fn write(
    anna: &Web,
    dirk: &Web,
    thread: &str,
    stories: std::ops::RangeInclusive<usize>,
    comments: std::ops::Range<usize>,
) {
    let stories = join_all(stories.map(|n| async move {
        publish(anna, &format!("Verhaal {n}")).await;
    }));
    let comments = join_all(comments.map(|n| async move {
        let (status, body) = dirk
            .post(thread, json!({"content": format!("Reactie {n}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }));
    tokio::join!(stories, comments);
}

/// Logs in on one process (as if the proxy sent the request there); returns the session cookie.
async fn log_in(process: SocketAddr, public: SocketAddr, user: &str, password: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = client
        .post(format!("http://{process}/login"))
        .header("cookie", "csrf=scale-out-test")
        .header("origin", format!("http://localhost:{}", public.port()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("csrf", "scale-out-test")
                .append_pair("username", user)
                .append_pair("password", password)
                .finish(),
        )
        .send()
        .await
        .expect("log in");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "logged in");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

async fn assert_signed_in(process: SocketAddr, session: &str, user: &str) {
    let response = reqwest::Client::new()
        .get(format!("http://{process}/dashboard"))
        .header("cookie", session)
        .send()
        .await
        .expect("dashboard");
    assert_eq!(response.status(), StatusCode::OK, "signed in on {process}");
    let page = response.text().await.expect("page");
    assert!(
        page.contains(user),
        "the dashboard on {process} is {user}'s"
    );
}

/// Every story in the person's timeline, page by page.
async fn timeline(person: &Api) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let (status, stories) = person.get(&format!("/api/v1/timeline?page={page}")).await;
        assert_eq!(status, StatusCode::OK, "{stories}");
        let stories = stories.as_array().cloned().unwrap_or_default();
        if stories.is_empty() {
            break;
        }
        all.extend(stories);
    }
    all
}

/// One delivery to a counting inbox, as the database has it.
struct Queued {
    inbox: String,
    activity: String,
    state: String,
    /// Claimed by a process, whose lease has not lapsed.
    claimed: bool,
    /// Attempts and the last error, for the messages of failed assertions.
    attempts: i32,
    last_error: Option<String>,
}

async fn fake_deliveries(shared: &Db, inboxes: &[CountingInbox]) -> Vec<Queued> {
    let mut conn = shared.conn().await.expect("connection");
    let now = kwartier::db::now();
    let mut all = Vec::new();
    for inbox in inboxes {
        for (d, activity) in delivery::to_inbox(&mut conn, &inbox.url())
            .await
            .expect("deliveries")
        {
            all.push(Queued {
                inbox: d.inbox_url,
                activity: activity.ap_id.0.to_string(),
                state: d.state,
                claimed: d.locked_until.is_some_and(|until| until > now),
                attempts: d.attempts,
                last_error: d.last_error,
            });
        }
    }
    all
}

/// An activity id that arrived, with the request's `Date` and when it arrived.
type Arrival = (String, String, Instant);

/// An inbox that counts what arrives by activity id; after its first few it holds each
/// request until `held` turns true.
struct CountingInbox {
    base: String,
    received: Arc<Mutex<Vec<Arrival>>>,
}

#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Arrival>>>,
    held: watch::Receiver<bool>,
}

impl CountingInbox {
    async fn start(held: watch::Receiver<bool>) -> CountingInbox {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind inbox");
        let addr = listener.local_addr().expect("address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/inbox", axum::routing::post(take))
            .with_state(Inbox {
                received: Arc::clone(&received),
                held,
            });
        tokio::spawn(async move { axum::serve(listener, app).await });
        CountingInbox {
            base: format!("http://localhost:{}", addr.port()),
            received,
        }
    }

    fn url(&self) -> String {
        format!("{}/inbox", self.base)
    }

    fn arrivals(&self) -> usize {
        self.received.lock().map(|r| r.len()).unwrap_or_default()
    }

    /// How often each activity id arrived.
    fn received(&self) -> BTreeMap<String, usize> {
        let mut times = BTreeMap::new();
        for (id, _, _) in self.received.lock().expect("received").iter() {
            *times.entry(id.clone()).or_default() += 1;
        }
        times
    }
}

async fn take(
    State(inbox): State<Inbox>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> AxumStatus {
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|activity| activity["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let arrived = {
        let mut received = inbox.received.lock().expect("received");
        received.push((id, date, Instant::now()));
        received.len()
    };
    if arrived > ANSWERED_AT_ONCE {
        let mut held = inbox.held.clone();
        let _ = held.wait_for(|open| *open).await;
    }
    AxumStatus::ACCEPTED
}
