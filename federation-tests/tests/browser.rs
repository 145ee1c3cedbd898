//! The web front in a real browser: every page type, in Dutch and English, logged out and
//! logged in, in the system's headless Chromium with axe-core (WCAG 2.0 and 2.1, A and AA):
//! zero violations, the right `<html lang>`, status 200, no sideways scrolling at 320 px. Then
//! the keyboard-only flows. Screenshots go to `target/browser-artifacts/`.
//!
//! The browser side lives in `browser/` (`walk.mjs`, run with Node): this test seeds a node run
//! as the README runs it through the JSON API, hands `walk.mjs` the list of pages and flows,
//! and asserts on what it reports. To check a new page type, add a row to [`page_types`] (or,
//! for an admin page, to [`admin_page_types`]); for a new flow, add `browser/flows/NAME.mjs` and its name to [`FLOWS`].
//!
//! Needs `/usr/bin/chromium` (or `$CHROMIUM`), Node.js 20 and `npm`; installs `playwright-core`
//! and `axe-core` with `npm ci` on first run. Without them it prints `SKIPPED …` and passes; CI
//! fails on any skip. Pages that need logging in, and flows whose pages are not built yet, are
//! reported as skipped by `walk.mjs` and listed in this test's output.

#[allow(dead_code)] // shared with interop.rs, which installs with pip too
mod install;
#[allow(dead_code)] // shared with crash.rs and interop.rs
mod node_process;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use kwartier::testing::{Api, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use install::{installed, npm_ci};
use node_process::{
    NodeProcess, admin_with_password, free_address, kwartier, run_ok, token, user_with_password,
};

/// The languages every page is checked in.
const LANGUAGES: [&str; 2] = ["nl", "en"];
/// Languages whose pages still say `<html lang="nl">` because their translations do not exist
/// yet: `walk.mjs` reports a wrong `lang` there as an expected failure, and a right one as a
/// failure, so that this list is emptied as soon as it can be.
const UNTRANSLATED: &[&str] = &[];
/// Flows under `browser/flows/`, run once each page they need exists.
const FLOWS: &[&str] = &["publish-story"];
/// How long `walk.mjs` may take for everything.
const WALK: Duration = Duration::from_secs(300);

const USER: &str = "anna";
/// An administrator of the node, who walks the admin pages.
const ADMIN: &str = "beheer";
/// The theme group the initiative joins and shares its story to.
const GROUP: &str = "zorgnetwerk";
const PASSWORD: &str = "lange-wandeling-door-de-kolk";

/// What the seeded node holds that pages are found by.
struct Seeded {
    story_path: String,
}

impl Seeded {
    /// The story's number: the last segment of its path.
    fn story_id(&self) -> &str {
        self.story_path.rsplit('/').next().unwrap_or_default()
    }
}

/// Every page type, as `(name, path)`; the name is the screenshot's. Pages for people who
/// are logged in send visitors to the login page, which is then what gets checked.
fn page_types(seeded: &Seeded) -> Vec<(&'static str, String)> {
    vec![
        ("home", "/".into()),
        ("initiative", "/i/moestuin".into()),
        ("story", seeded.story_path.clone()),
        ("person", format!("/u/{USER}")),
        ("themes", "/themes".into()),
        ("theme", "/themes/groen".into()),
        ("search", "/search?q=oogst&theme=groen".into()),
        ("login", "/login".into()),
        ("signup", "/signup".into()),
        ("dashboard", "/dashboard".into()),
        ("new-initiative", "/dashboard/initiatives/new".into()),
        ("new-story", "/dashboard/i/moestuin/stories/new".into()),
        ("password", "/account/password".into()),
        ("export", "/account/export".into()),
        ("delete-account", "/account/delete".into()),
        ("embed-theme", "/embed/themes/groen".into()),
        (
            "embed-neighbourhood",
            "/embed/neighbourhoods/De%20Kolk".into(),
        ),
        ("edit-initiative", "/dashboard/i/moestuin/edit".into()),
        ("members", "/dashboard/i/moestuin/members".into()),
        (
            "edit-story",
            format!("/dashboard/stories/{}/edit", seeded.story_id()),
        ),
        (
            "delete-story",
            format!("/dashboard/stories/{}/delete", seeded.story_id()),
        ),
        ("network", "/netwerk?theme=groen".into()),
        ("network-map", "/netwerk/kaart?theme=groen".into()),
        // Theme groups: the list, and a group with a post, seen by its moderator too.
        ("groups", "/groepen".into()),
        ("group", format!("/g/{GROUP}")),
        ("about", "/over".into()),
        (
            "report",
            format!("/report?object=story:{}", seeded.story_id()),
        ),
    ]
}

/// The admin pages, walked logged in as [`ADMIN`] (in both languages).
fn admin_page_types() -> Vec<(&'static str, String)> {
    vec![
        ("admin", "/admin".into()),
        ("admin-accounts", "/admin/accounts".into()),
        ("admin-invites", "/admin/invites".into()),
        ("admin-settings", "/admin/settings".into()),
        ("admin-audit", "/admin/audit".into()),
        ("admin-federation", "/admin/federation".into()),
        ("admin-federation-health", "/admin/federation-health".into()),
        ("admin-reports", "/admin/reports".into()),
        // The report `seed` makes (the first on the node).
        ("admin-report", "/admin/reports/1".into()),
        ("admin-moderation-log", "/admin/moderation-log".into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_passes_axe_in_both_languages_logged_in_and_out() {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        say(&format!(
            "SKIPPED browser tests: no Chromium at {chromium:?} (apt-get install chromium, or set CHROMIUM)\n"
        ));
        return;
    }
    let Some(node_js) = installed("browser tests", &HARNESS, install_harness) else {
        return;
    };

    let db = TestDb::sqlite();
    let addr = free_address();
    user_with_password(&db.url, addr, USER, PASSWORD);
    admin_with_password(&db.url, addr, ADMIN, PASSWORD);
    run_ok(kwartier(&db.url, addr).args(["admin", "registration", "open"]));
    run_ok(kwartier(&db.url, addr).args([
        "admin",
        "invites",
        "create",
        "--max-uses",
        "5",
        "--note",
        "Buurthuis De Schakel",
    ]));
    run_ok(kwartier(&db.url, addr).args([
        "admin",
        "groups",
        "create",
        GROUP,
        "--name",
        "Zorgnetwerk",
        "--theme",
        "zorg",
        "--summary",
        "Mantelzorg en buurtzorg in de regio.",
        "--rules",
        "Wees **vriendelijk**.",
    ]));
    run_ok(kwartier(&db.url, addr).args(["admin", "groups", "moderators", "add", GROUP, USER]));
    let api_token = token(&db.url, addr, USER);
    let node = NodeProcess::start(&db.url, addr);
    let base = node.base_url();
    let seeded = seed(&Api::new(&base, &api_token), &base).await;
    seed_directory(&db, &base).await;

    let mut pages = Vec::new();
    for (name, path) in page_types(&seeded) {
        for lang in LANGUAGES {
            pages.push(json!({"name": name, "path": path, "lang": lang}));
            pages.push(json!({"name": name, "path": path, "lang": lang,
                "login": {"username": USER, "password": PASSWORD}}));
        }
    }
    for (name, path) in admin_page_types() {
        for lang in LANGUAGES {
            pages.push(json!({"name": name, "path": path, "lang": lang,
                "login": {"username": ADMIN, "password": PASSWORD}}));
        }
    }
    let artifacts = target_dir().join("browser-artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    let instructions = json!({
        "base": base,
        "artifacts": artifacts,
        "chromium": chromium,
        "untranslated": UNTRANSLATED,
        "pages": pages,
        "flows": FLOWS,
    });
    let (ok, results, summary) = walk(&node_js, &instructions).await;

    // Past the harness's capture: what was checked, skipped or expected to fail, and where
    // the screenshots are. Indented, so that CI's check for skipped tests (lines starting
    // with `SKIPPED`) is about missing tools, not about pages still to be built.
    let mut told = format!("browser tests, screenshots in {}:\n", artifacts.display());
    for line in summary.lines() {
        told.push_str(&format!("  {line}\n"));
    }
    say(&told);

    assert!(ok, "walk.mjs found problems:\n{summary}");
    assert_eq!(
        results.iter().filter(|r| r["page"].is_string()).count(),
        pages.len(),
        "one result per page:\n{summary}"
    );
    for result in &results {
        match result["status"].as_str() {
            Some("pass") => {}
            // Nothing is skipped but what is not built yet: logging in without a login form.
            Some("skipped") if result["page"].is_string() => {
                assert_ne!(result["as"], "visitor", "{result}");
                let reason = result["reason"].as_str().unwrap_or_default();
                assert!(reason.starts_with("/login answers 404"), "{result}");
            }
            Some("skipped") => assert!(result["flow"].is_string(), "{result}"),
            _ => panic!("{result}\n{summary}"),
        }
    }
}

/// An initiative with a story, themes and a comment, published through the API; the
/// initiative joins the theme group and shares the story to it.
async fn seed(api: &Api, base: &str) -> Seeded {
    let (status, initiative) = api
        .post(
            "/api/v1/initiatives",
            json!({
                "handle": "moestuin",
                "name": "Moestuin De Kolk",
                "summary": "Samen groente kweken op het braakliggende veld achter de school.",
                "themes": ["groen", "voedsel"],
                "neighbourhood": "De Kolk",
                "location": {"name": "Utrecht"},
                "website": "https://moestuin.example",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{initiative}");
    let group = format!(
        "{GROUP}@{}",
        url::Url::parse(base).expect("base").authority()
    );
    let (status, joined) = api
        .post(
            "/api/v1/initiatives/moestuin/groups",
            json!({"group": group}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let story = api
        .publish(
            "moestuin",
            json!({
                "title": "Oogstfeest",
                "summary": "Zaterdag vieren we de eerste oogst.",
                "content": "De eerste **pompoenen** zijn binnen. Iedereen uit de buurt is welkom!",
                "themes": ["groen"],
                "groups": [group],
            }),
        )
        .await;
    let api_url = story["api_url"].as_str().expect("api_url");
    let (status, comment) = api
        .post(
            &format!("{api_url}/comments"),
            json!({"content": "Ik neem soep mee."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let (status, report) = api
        .post(
            "/api/v1/reports",
            json!({"object": "@moestuin", "reason": "Testmelding voor de beheerpagina's"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let url = url::Url::parse(story["url"].as_str().expect("story url")).expect("story url");
    Seeded {
        story_path: url.path().to_owned(),
    }
}

/// Network search results: this node's initiative and two on other nodes, in the index as
/// syncing would put them there.
async fn seed_directory(db: &TestDb, base: &str) {
    use kwartier::db::directory::EntryFields;
    let conn_db = db.open().await;
    let mut conn = conn_db.conn().await.expect("connection");
    let domain = base.trim_start_matches("http://");
    let now = kwartier::db::now();
    let entries = [
        (
            format!("{base}/i/moestuin"),
            domain.to_owned(),
            "initiative",
            "Moestuin De Kolk",
            "Utrecht",
            52.09,
            5.12,
            vec!["groen", "voedsel"],
        ),
        (
            "https://oss.example/i/dewilg".into(),
            "oss.example".into(),
            "initiative",
            "Buurttuin De Wilg",
            "Oss",
            51.765,
            5.518,
            vec!["Natuur", "buurt"],
        ),
        (
            "https://heeten.example/g/groen".into(),
            "heeten.example".into(),
            "group",
            "Groene buurten Salland",
            "Heeten",
            52.33,
            6.27,
            vec!["green", "duurzaamheid"],
        ),
    ];
    for (ap_id, node, kind, name, place, lat, lon, themes) in entries {
        let handle = format!("{}@{node}", ap_id.rsplit('/').next().unwrap_or_default());
        let fields = EntryFields {
            url: Some(ap_id.clone()),
            ap_id,
            node,
            kind: kind.into(),
            name: name.into(),
            handle,
            summary: format!("{name}: samen het groen in de wijk onderhouden."),
            place_name: Some(place.into()),
            latitude: Some(lat),
            longitude: Some(lon),
            follower_count: 12,
            last_activity_at: Some(now),
            updated_at: now,
            synced_at: now,
        };
        let themes: Vec<String> = themes.into_iter().map(String::from).collect();
        kwartier::service::directory::index(&mut conn, &fields, &themes)
            .await
            .expect("index a directory entry");
    }
}

/// Runs `walk.mjs` with `instructions` on stdin: whether it succeeded, its JSON lines, and its
/// summary (stderr).
async fn walk(node_js: &Path, instructions: &Value) -> (bool, Vec<Value>, String) {
    let mut child = Command::new(node_js)
        .current_dir(harness_dir())
        .arg("walk.mjs")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start node walk.mjs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(instructions.to_string().as_bytes())
        .await
        .expect("write the instructions");
    drop(stdin);
    let output = tokio::time::timeout(WALK, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("walk.mjs did not finish within {WALK:?}"))
        .expect("wait for walk.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = String::from_utf8_lossy(&output.stderr).into_owned();
    let results = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("walk.mjs printed {line:?} ({e})\n{summary}"))
        })
        .collect();
    (output.status.success(), results, summary)
}

static HARNESS: OnceLock<Result<PathBuf, String>> = OnceLock::new();

fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// `npm ci` of the locked playwright-core and axe-core (no browser download); the `node`.
fn install_harness() -> Result<PathBuf, String> {
    npm_ci(&harness_dir(), "the browser harness")
}

/// The workspace's target directory: `$CARGO_TARGET_DIR`, else `target/` next to this package.
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// Writes on stderr past the test harness's capture.
fn say(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
