//! A node killed with SIGKILL while it delivers, then started again: everything it had queued
//! arrives, nothing twice. The node under test is a real `kwartier serve` process.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kwartier::db::DatabaseUrl;
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(a_node_killed_mid_delivery_loses_nothing_and_repeats_nothing);

const DEADLINE: Duration = Duration::from_secs(60);
const COMMENTS: usize = 25;

/// `kwartier serve` as a child process on a fixed address, so it can come back on it.
struct NodeProcess {
    child: Child,
}

fn kwartier(database: &str, addr: SocketAddr) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kwartier-node"));
    command
        .env_clear()
        .env("KWARTIER_DATABASE_URL", database)
        .env("KWARTIER_DOMAIN", format!("localhost:{}", addr.port()))
        .env("KWARTIER_LISTEN", addr.to_string())
        .env("KWARTIER_DEVELOPMENT", "true")
        .env("KWARTIER_LOG_FORMAT", "json")
        .env("KWARTIER_DELIVERY_RETRY_FIRST", "100ms")
        .env("KWARTIER_DELIVERY_RETRY_MAX", "1s");
    command
}

fn run_ok(command: &mut Command) -> String {
    let output = command.output().expect("run kwartier");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

impl NodeProcess {
    fn start(database: &str, addr: SocketAddr) -> NodeProcess {
        let mut child = kwartier(database, addr)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kwartier serve");
        let stderr = child.stderr.take().expect("stderr");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let node = NodeProcess { child };
        let deadline = std::time::Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = received
                .recv_timeout(left)
                .expect("kwartier serve did not start");
            if line.contains("kwartier is serving") {
                return node;
            }
        }
    }

    fn kill(mut self) {
        // SIGKILL: no shutdown, no flushing, leases left behind.
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

async fn comments(api: &Api, path: &str) -> Vec<Value> {
    let (status, thread) = api.get(path).await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    thread.as_array().cloned().unwrap_or_default()
}

async fn a_node_killed_mid_delivery_loses_nothing_and_repeats_nothing(db: TestDb) {
    // Oss, in this process, hosts the initiative and its story.
    let oss_db = TestDb::sqlite();
    let oss = TestNode::start(&oss_db, "Oss").await;
    let anna = oss.user_with_token("anna").await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Heeten is a separate process on the database under test, with a person who comments.
    let database = match &db.url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let addr = free_address();
    run_ok(kwartier(&database, addr).args(["admin", "create-user", "bert"]));
    let token = run_ok(kwartier(&database, addr).args(["admin", "create-token", "bert"]));
    let heeten = NodeProcess::start(&database, addr);
    let bert = Api::new(&format!("http://localhost:{}", addr.port()), token.trim());

    // Bert follows the initiative, gets its story, then comments many times, quickly.
    let (status, _) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    eventually("Oss accepts bert", DEADLINE, || async {
        let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
        (initiative["followers"] == 1).then_some(())
    })
    .await;
    let (status, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Wie helpt er mee?", "content": "Zaterdag wieden we samen."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let story_id = story["id"].as_str().expect("story id").to_owned();
    let oss_thread = format!("{}/comments", story["api_url"].as_str().expect("api url"));

    let heeten_story = eventually("the story reaches Heeten", DEADLINE, || async {
        let (_, timeline) = bert.get("/api/v1/timeline").await;
        timeline
            .as_array()?
            .iter()
            .find(|s| s["id"] == story_id.as_str())
            .cloned()
    })
    .await;
    let heeten_thread = format!(
        "{}/comments",
        heeten_story["api_url"].as_str().expect("api url")
    );
    for n in 0..COMMENTS {
        let (status, body) = bert
            .post(&heeten_thread, json!({"content": format!("Reactie {n}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Killed while those deliveries are under way.
    heeten.kill();
    let before = comments(&anna, &oss_thread).await.len();

    let heeten = NodeProcess::start(&database, addr);
    let arrived = eventually(
        "every comment reaches Oss after the restart",
        DEADLINE,
        || async {
            let thread = comments(&anna, &oss_thread).await;
            (thread.len() >= COMMENTS).then_some(thread)
        },
    )
    .await;
    drop(heeten);

    assert_eq!(
        arrived.len(),
        COMMENTS,
        "duplicates arrived (had {before} before the kill)"
    );
    let mut texts: Vec<String> = arrived
        .iter()
        .map(|c| kwartier::service::text::plain_text(c["content"].as_str().unwrap_or_default()))
        .collect();
    texts.sort();
    texts.dedup();
    assert_eq!(
        texts.len(),
        COMMENTS,
        "each comment exactly once: {texts:?}"
    );
}
