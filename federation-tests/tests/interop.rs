//! Interop with ActivityPub servers nobody here wrote, installed from package registries:
//! [bovine](https://pypi.org/project/bovine/) (Python, PyPI) and
//! [Fedify 1.5.9](https://www.npmjs.com/package/@fedify/fedify) (Node, npm).
//!
//! Each peer is a small script under `peers/` that runs as a real HTTP server on
//! `localhost:PORT` against a node run as the README runs it (`kwartier serve --development`,
//! a process of its own), and reports what it did as JSON lines on
//! stdout (`{"event":"accepted",…}`). With its own library doing the work, each peer looks
//! the initiative up by WebFinger, fetches it with a signed GET, follows it and verifies our
//! signed `Accept`, verifies both `Announce`s of a story we publish (the FEP-1b12 one around
//! `Create(Article)` and the plain one with the article's id, which it fetches signed), and
//! replies with a public `Create(Note)`. The reply must then show up under the story here:
//! in its `replies` collection and in the API. A followers-only story last checks that the
//! peer's signed GETs verify here: only a follower may fetch it.
//!
//! A theme group gets a member on the Fedify peer too: it joins the group by WebFinger and
//! `Follow`, and receives both `Announce`s of a story an initiative on another node shares to
//! the group.
//!
//! The test installs the peers itself, once: a virtualenv from `peers/bovine/requirements.txt`
//! under `peers/bovine/.venv`, and `npm ci` from `peers/fedify/package-lock.json`. Without
//! python3 or Node, or when installing fails (no network), it prints `SKIPPED …` on stderr and
//! passes; CI fails on any skip.

mod install;
#[allow(dead_code)] // shared with crash.rs, which kills its nodes too
mod node_process;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use kwartier::testing::{Api, TestDb, TestNode, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use install::{installed, npm_ci, pip_venv};
use node_process::{NodeProcess, free_address, user_token};

/// How long one step may take: a peer's next report, or a condition on our side.
const STEP: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bovine_follows_an_initiative_and_replies_to_its_story() {
    let Some(python) = installed("interop with bovine", &BOVINE, install_bovine) else {
        return;
    };
    let script = peers_dir().join("bovine/peer.py");
    follow_story_reply("bovine", |node, handle| {
        let mut command = Command::new(&python);
        command.arg(&script).arg(node).arg(handle);
        command
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_follows_an_initiative_and_replies_to_its_story() {
    let Some(node_js) = installed("interop with fedify", &FEDIFY, install_fedify) else {
        return;
    };
    follow_story_reply("fedify", |node, handle| fedify(&node_js, node, handle, &[])).await;
}

/// Fedify actors made with `publicKeys: keys.map(…)` (RSA and Ed25519, as Fedify's own
/// integration examples do it) list their keys as an array under `publicKey`; the RSA one
/// verifies their signatures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_actor_with_a_public_key_array_follows_and_replies() {
    let Some(node_js) = installed("interop with fedify", &FEDIFY, install_fedify) else {
        return;
    };
    follow_story_reply("fedify --public-key-array", |node, handle| {
        fedify(&node_js, node, handle, &["--public-key-array"])
    })
    .await;
}

/// A theme group with a member from elsewhere: the Fedify peer joins the group
/// `zorgnetwerk` on Oss (WebFinger `zorgnetwerk@localhost:PORT`, then `Follow`); an initiative
/// on Heeten that joined too shares a story to the group; the peer gets both of the group's
/// `Announce`s of it, replies, and the group announces the reply as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_joins_a_theme_group_and_gets_a_members_story() {
    let Some(node_js) = installed("interop with fedify", &FEDIFY, install_fedify) else {
        return;
    };
    let (oss_db, heeten_db) = (TestDb::sqlite(), TestDb::sqlite());
    let oss = TestNode::start(&oss_db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    let bert = heeten.user_with_token("bert").await;
    oss.create_group("zorgnetwerk", None).await;
    let group = oss.url("/g/zorgnetwerk");
    let handle = oss.handle("zorgnetwerk");
    bert.create_initiative("buurtzorg", "Buurtzorg Heeten")
        .await;
    bert.join_group("buurtzorg", &handle).await;
    heeten.until_accepted("buurtzorg", &group).await;

    let base = oss.url("");
    let mut peer = Peer::spawn(
        "fedify (group)",
        fedify(&node_js, &base, handle.trim_start_matches('@'), &[]),
    );
    peer.expect("listening").await;
    let found = peer.expect("webfinger").await;
    assert_eq!(found["actor"], group, "WebFinger self link of the group");
    let fetched = peer.expect("actor").await;
    assert_eq!(fetched["type"], "Group", "{fetched}");
    peer.expect("followed").await;
    let accepted = peer.expect("accepted").await;
    assert_eq!(accepted["signer"], group, "the group accepts");

    let (status, story) = bert
        .post(
            "/api/v1/initiatives/buurtzorg/stories",
            json!({"title": "Koffieochtend", "content": "Iedere dinsdag koffie.", "groups": [handle]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    let story_id = story["id"].as_str().expect("story id").to_owned();
    let arrived = peer.expect_where("story", |e| e["id"] == story_id).await;
    assert_eq!(
        arrived["via"],
        json!(["create", "object"]),
        "both Announces"
    );

    // The peer is a member now: its reply is accepted and announced by the group.
    let replied = peer.expect("replied").await;
    let note_id = peer.str_field(&replied, "id");
    peer.expect_where("reply-announced", |e| {
        e["id"] == note_id && e["signer"] == group
    })
    .await;
    let (_, listed) = anna.get("/api/v1/groups/zorgnetwerk").await;
    let posts = listed["posts"].as_array().cloned().unwrap_or_default();
    assert!(posts.iter().any(|p| p["id"] == note_id), "{listed}");
    assert!(posts.iter().any(|p| p["id"] == story_id), "{listed}");
}

/// `node peer.mjs NODE HANDLE FLAGS…` in `peers/fedify`.
fn fedify(node_js: &Path, node: &str, handle: &str, flags: &[&str]) -> Command {
    let mut command = Command::new(node_js);
    command
        .current_dir(peers_dir().join("fedify"))
        .arg("peer.mjs")
        .arg(node)
        .arg(handle)
        .args(flags);
    command
}

/// The whole exchange with one peer; `command` starts it given our base URL and the
/// initiative's handle (`moestuin@localhost:PORT`).
async fn follow_story_reply(name: &str, command: impl FnOnce(&str, &str) -> Command) {
    // The node runs as the README starts it, with the development switch.
    let db = TestDb::sqlite();
    let addr = free_address();
    let token = user_token(&db.url, addr, "anna");
    let node = NodeProcess::start(&db.url, addr);
    let base = node.base_url();
    let anna = Api::new(&base, &token);
    let (status, body) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let initiative = format!("{base}/i/moestuin");
    let handle = format!("moestuin@localhost:{}", addr.port());
    let mut peer = Peer::spawn(name, command(&base, &handle));

    // 1-2. WebFinger, then the initiative itself with a signed GET.
    let listening = peer.expect("listening").await;
    let peer_actor = peer.str_field(&listening, "actor");
    let found = peer.expect("webfinger").await;
    assert_eq!(found["actor"], initiative, "{name}: WebFinger self link");
    let fetched = peer.expect("actor").await;
    assert_eq!(fetched["id"], initiative, "{name}: fetched actor");
    assert_eq!(fetched["type"], "Group", "{name}: fetched actor");
    assert_eq!(fetched["inbox"], format!("{base}/i/moestuin/inbox"));

    // 3. Follow, and our Accept, whose signature the peer's library verified.
    let followed = peer.expect("followed").await;
    let accepted = peer.expect("accepted").await;
    assert_eq!(
        accepted["signer"], initiative,
        "{name}: who signed the Accept"
    );
    assert_eq!(
        accepted["follow"], followed["id"],
        "{name}: the Accept's object"
    );
    eventually(&format!("{name} counts as a follower"), STEP, || async {
        let (_, found) = anna.get("/api/v1/initiatives/moestuin").await;
        (found["followers"] == 1).then_some(())
    })
    .await;

    // 4. A story reaches the peer both ways, signed by the initiative.
    let story = publish(&anna, "Oogstfeest", "public").await;
    let story_id = story["id"].as_str().expect("story id").to_owned();
    let api_url = story["api_url"].as_str().expect("story api_url").to_owned();
    let arrived = peer.expect_where("story", |e| e["id"] == story_id).await;
    assert_eq!(arrived["via"], json!(["create", "object"]), "{name}");

    // 5-6. The peer's reply shows up under the story.
    let replied = peer.expect("replied").await;
    let note_id = peer.str_field(&replied, "id");
    let reply = eventually(
        &format!("{name}'s reply in the story's replies collection"),
        STEP,
        || async {
            let (status, page) = fetch_json(&format!("{story_id}/replies?page=1")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page["orderedItems"]
                .as_array()?
                .iter()
                .find(|item| item["id"] == note_id || *item == note_id.as_str())
                .cloned()
        },
    )
    .await;
    if reply.is_object() {
        assert_eq!(reply["type"], "Note", "{reply}");
        assert_eq!(reply["inReplyTo"], story_id, "{reply}");
        assert_eq!(reply["attributedTo"], peer_actor, "{reply}");
    }
    let comment = eventually(
        &format!("{name}'s reply among the story's comments"),
        STEP,
        || async {
            let (status, comments) = anna.get(&format!("{api_url}/comments")).await;
            assert_eq!(status, StatusCode::OK, "{comments}");
            comments
                .as_array()?
                .iter()
                .find(|c| c["id"] == note_id)
                .cloned()
        },
    )
    .await;
    assert_eq!(comment["author"]["id"], peer_actor, "{comment}");
    assert!(
        comment["content"]
            .as_str()
            .unwrap_or("")
            .contains("Mooi verhaal"),
        "{comment}"
    );
    // The initiative passes the reply on to its followers (FEP-1b12), the peer among them.
    peer.expect_where("reply-announced", |e| e["id"] == note_id)
        .await;

    // A followers-only story: the peer can fetch it only if we verify its signed GET and
    // recognise it as a follower.
    let private = publish(&anna, "Alleen voor volgers", "followers").await;
    let private_id = private["id"].as_str().expect("story id").to_owned();
    peer.expect_where("story", |e| e["id"] == private_id).await;
}

async fn publish(api: &Api, title: &str, visibility: &str) -> Value {
    let (status, story) = api
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({
                "title": title,
                "content": format!("Het verhaal van **{title}**, voor iedereen uit de buurt."),
                "visibility": visibility,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    story
}

async fn fetch_json(url: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

// ---- a running peer ---------------------------------------------------------------------

/// A peer process: its JSON lines on stdout are events; its stderr is kept for failures.
/// Killed when dropped, also when the test fails.
struct Peer {
    name: String,
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    /// Events read but not asked for yet: peers may report things in either order.
    pending: VecDeque<Value>,
    /// Every line on stdout so far, with when it came, to show when something fails.
    transcript: Vec<String>,
    stderr: Arc<Mutex<Vec<String>>>,
    started: std::time::Instant,
}

impl Peer {
    fn spawn(name: &str, mut command: Command) -> Peer {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting the {name} peer ({command:?}): {e}"));
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut stderr_lines =
            BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&stderr);
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr_lines.next_line().await {
                if let Ok(mut kept) = kept.lock() {
                    kept.push(line);
                }
            }
        });
        Peer {
            name: name.to_owned(),
            child,
            stdout,
            pending: VecDeque::new(),
            transcript: Vec::new(),
            stderr,
            started: std::time::Instant::now(),
        }
    }

    async fn expect(&mut self, event: &str) -> Value {
        self.expect_where(event, |_| true).await
    }

    /// The first event named `event` for which `matches` holds, reported before or within
    /// [`STEP`]. Fails at once when the peer reports an error or exits.
    async fn expect_where(&mut self, event: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self
            .pending
            .iter()
            .position(|e| e["event"] == event && matches(e))
        {
            return self.pending.remove(at).expect("position is in range");
        }
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let line = match tokio::time::timeout_at(deadline, self.stdout.next_line()).await {
                Ok(Ok(Some(line))) => line,
                Ok(Ok(None)) => {
                    let status = tokio::time::timeout(Duration::from_secs(5), self.child.wait())
                        .await
                        .map(|s| format!("{s:?}"))
                        .unwrap_or_else(|_| "still running".into());
                    self.fail(&format!("closed its output ({status}) before {event:?}"));
                }
                Ok(Err(e)) => self.fail(&format!("gave unreadable output ({e}) before {event:?}")),
                Err(_) => self.fail(&format!("did not report {event:?} within {STEP:?}")),
            };
            let at = self.started.elapsed().as_secs_f64();
            self.transcript.push(format!("[{at:6.2}s] {line}"));
            let Ok(reported) = serde_json::from_str::<Value>(&line) else {
                continue; // not an event: kept in the transcript only
            };
            match reported["event"].as_str() {
                Some("error" | "bad-signature") => self.fail(&format!("reported {reported}")),
                Some(name) if name == event && matches(&reported) => return reported,
                _ => self.pending.push_back(reported),
            }
        }
    }

    /// A string field of an event the peer reported.
    fn str_field(&self, event: &Value, field: &str) -> String {
        match event[field].as_str() {
            Some(value) => value.to_owned(),
            None => self.fail(&format!("reported {event} without a string {field:?}")),
        }
    }

    fn fail(&self, what: &str) -> ! {
        let stderr = self
            .stderr
            .lock()
            .map(|lines| {
                let from = lines.len().saturating_sub(60);
                lines[from..].join("\n")
            })
            .unwrap_or_default();
        panic!(
            "the {} peer {what}\n--- its stdout so far:\n{}\n--- the end of its stderr:\n{stderr}",
            self.name,
            self.transcript.join("\n")
        );
    }
}

// ---- installing the peers ---------------------------------------------------------------

static BOVINE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
static FEDIFY: OnceLock<Result<PathBuf, String>> = OnceLock::new();

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// A virtualenv with the pinned bovine and aiohttp under `peers/bovine/.venv`; its python.
fn install_bovine() -> Result<PathBuf, String> {
    pip_venv(&peers_dir().join("bovine"), "bovine").map(|bin| bin.join("python"))
}

/// `npm ci` of the locked Fedify 1.5.9 under `peers/fedify/node_modules`; the `node` to run.
fn install_fedify() -> Result<PathBuf, String> {
    npm_ci(&peers_dir().join("fedify"), "Fedify 1.5.9")
}
