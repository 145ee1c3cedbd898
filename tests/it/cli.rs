//! The `kwartier` binary as an operator runs it: in a fresh directory, with a clean environment.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kwartier::db::DatabaseUrl;
use kwartier::test_both_backends;
use kwartier::testing::TestDb;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reqwest::StatusCode;
use serde_json::Value;

test_both_backends!(
    users_and_tokens_survive_a_restart,
    a_duplicate_user_is_refused_and_nothing_is_half_written,
    passwords_come_from_stdin_or_are_generated,
    an_unknown_user_gets_no_token,
    peers_are_seeded_listed_and_synced_from_the_command_line,
    admin_actions_are_in_the_audit_log,
    accounts_are_administered_from_the_command_line,
    invites_are_made_listed_and_withdrawn_from_the_command_line,
    settings_are_shown_and_changed_from_the_command_line,
    reports_are_resolved_from_the_command_line,
    the_env_file_configures_serve_and_admin_commands,
);

const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// `kwartier` in its own working directory with a clean environment.
pub(crate) struct Kwartier {
    pub(crate) dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Kwartier {
    /// In an empty directory, on the defaults (SQLite under ./data).
    fn fresh() -> Kwartier {
        Kwartier {
            dir: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    /// In an empty directory, on the given test database.
    pub(crate) fn on(db: &TestDb) -> Kwartier {
        let database = match &db.url {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        Kwartier::fresh().with("KWARTIER_DATABASE_URL", &database)
    }

    pub(crate) fn with(mut self, key: &str, value: &str) -> Kwartier {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kwartier"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kwartier");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "kwartier {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must fail with one line on stderr; returns that line.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        one_line_failure(&output, args)
    }

    /// Starts `kwartier serve` on a free port and waits until it answers.
    pub(crate) fn serve(&self) -> Server {
        let child = self
            .command(&["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kwartier serve");
        // From here on, dropping `server` (also by a panic) kills and reaps the process.
        let (lines, received) = mpsc::channel();
        let mut server = Server {
            child,
            base: String::new(),
            log: received,
        };
        let stderr = server.child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + STARTUP_DEADLINE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(line) = server.log.recv_timeout(left) else {
                panic!(
                    "kwartier serve did not start; it said:\n{}",
                    seen.join("\n")
                );
            };
            let listen = serde_json::from_str::<Value>(&line)
                .ok()
                .and_then(|entry| entry["fields"]["listen"].as_str().map(str::to_owned));
            seen.push(line);
            if let Some(listen) = listen {
                server.base = format!("http://{listen}");
                return server;
            }
        }
    }
}

fn one_line_failure(output: &Output, args: &[&str]) -> String {
    assert!(!output.status.success(), "kwartier {args:?} succeeded");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "kwartier {args:?} did not say one line:\n{stderr}"
    );
    assert!(lines[0].starts_with("kwartier: "), "{stderr}");
    lines[0].to_owned()
}

/// A running `kwartier serve`.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    log: mpsc::Receiver<String>,
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM, checks that the server shuts down cleanly and returns what it logged.
    pub(crate) fn stop(self) -> Vec<Value> {
        self.stop_with(Signal::SIGTERM)
    }

    /// Sends `signal`, checks that the server shuts down cleanly and returns what it logged.
    fn stop_with(mut self, signal: Signal) -> Vec<Value> {
        kill(Pid::from_raw(self.child.id() as i32), signal).unwrap();
        let status = self.child.wait().unwrap();
        let log: Vec<String> = self.log.try_iter().collect();
        assert!(
            status.success(),
            "exit {status} after {signal}:\n{}",
            log.join("\n")
        );
        assert!(
            log.iter().any(|line| line.contains("kwartier stopped")),
            "{log:?}"
        );
        log.iter()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn me(server: &Server, token: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(server.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_readme_run_command_serves_nodeinfo_with_data_under_data() {
    let kwartier = Kwartier::fresh();
    let server = kwartier.serve();
    let discovery: Value = reqwest::get(server.url("/.well-known/nodeinfo"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["links"][0]["href"],
        "https://localhost:8080/nodeinfo/2.1"
    );
    let info: Value = reqwest::get(server.url("/nodeinfo/2.1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["software"]["name"], "kwartier");
    assert_eq!(info["metadata"]["nodeName"], "Kwartier");
    server.stop();
    assert!(kwartier.dir.path().join("data/kwartier.db").is_file());
}

async fn users_and_tokens_survive_a_restart(db: TestDb) {
    let kwartier = Kwartier::on(&db).with("KWARTIER_NODE_NAME", "Gemeente Oss");
    let created = kwartier.ok(&["admin", "create-user", "anna", "--admin"]);
    assert!(
        created.starts_with("created user anna (admin)\n"),
        "{created}"
    );
    let token = kwartier.ok(&["admin", "create-token", "anna"]);
    let token = token.strip_suffix('\n').expect("one line");
    assert!(
        !token.contains(char::is_whitespace),
        "only the token is printed: {token:?}"
    );

    // Stopped once as Ctrl-C does, once as systemd does.
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let server = kwartier.serve();
        let (status, body) = me(&server, token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["username"], "anna");
        assert_eq!(body["admin"], true);
        let (status, _) = me(&server, "kwt_verkeerd").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        server.stop_with(signal);
    }
}

async fn a_duplicate_user_is_refused_and_nothing_is_half_written(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    kwartier.ok(&["admin", "create-user", "bert"]);
    let line = kwartier.fails(&["admin", "create-user", "bert", "--admin"]);
    assert_eq!(line, "kwartier: a user named \"bert\" already exists");
    let line = kwartier.fails(&["admin", "create-user", "Bert"]);
    assert!(line.contains("a-z, 0-9 and _"), "{line}");

    let db = db.open().await;
    let mut conn = db.conn().await.unwrap();
    assert_eq!(
        kwartier::db::local_account::count(&mut conn).await.unwrap(),
        1
    );
    let (_, account) = kwartier::service::account::find(&mut conn, "bert")
        .await
        .unwrap();
    assert!(!account.admin, "the failed --admin attempt changed nothing");
}

async fn passwords_come_from_stdin_or_are_generated(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    let output = kwartier.run_with_stdin(
        &["admin", "create-user", "carla", "--password-stdin"],
        "buurtkamer-2026\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "created user carla\n"
    );

    let output = kwartier.run_with_stdin(
        &["admin", "create-user", "dirk", "--password-stdin"],
        "kort\n",
    );
    let line = one_line_failure(&output, &["create-user dirk"]);
    assert!(line.contains("at least 10 characters"), "{line}");

    let generated = kwartier.ok(&["admin", "create-user", "eva"]);
    let password = generated
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed");
    assert_eq!(password.len(), 20);

    let db = db.open().await;
    let mut conn = db.conn().await.unwrap();
    for (user, password, right) in [
        ("carla", "buurtkamer-2026", true),
        ("carla", "buurtkamer-2026\n", false),
        ("eva", password, true),
    ] {
        let (_, account) = kwartier::service::account::find(&mut conn, user)
            .await
            .unwrap();
        let matches = kwartier::service::password::verify(password.into(), account.password_hash)
            .await
            .unwrap();
        assert_eq!(matches, right, "{user} with {password:?}");
    }
    assert!(
        kwartier::service::account::find(&mut conn, "dirk")
            .await
            .is_err()
    );
}

async fn an_unknown_user_gets_no_token(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    let line = kwartier.fails(&["admin", "create-token", "niemand"]);
    assert_eq!(line, "kwartier: user \"niemand\" not found");
}

#[test]
fn bad_configuration_is_one_line_and_writes_nothing() {
    struct Case {
        env: &'static [(&'static str, &'static str)],
        args: &'static [&'static str],
        /// The error line names this.
        names: &'static str,
    }
    let cases = [
        Case {
            env: &[("KWARTIER_LISTEN", "overal")],
            args: &["serve"],
            names: "KWARTIER_LISTEN: ",
        },
        Case {
            env: &[("KWARTIER_ADMIN_LISTEN", "127.0.0.1:8080")],
            args: &["serve"],
            names: "KWARTIER_ADMIN_LISTEN: ",
        },
        Case {
            env: &[("KWARTIER_DEVELOPMENT", "misschien")],
            args: &["migrate"],
            names: "KWARTIER_DEVELOPMENT: ",
        },
        Case {
            env: &[],
            args: &["--domain", "https://oss.nl/", "serve"],
            names: "--domain: ",
        },
        Case {
            env: &[("KWARTIER_DATABASE_URL", "mysql://root@localhost/kw")],
            args: &["serve"],
            names: "KWARTIER_DATABASE_URL: ",
        },
    ];
    for Case { env, args, names } in cases {
        let kwartier = env
            .iter()
            .fold(Kwartier::fresh(), |k, (key, value)| k.with(key, value));
        let line = kwartier.fails(args);
        assert!(line.starts_with(&format!("kwartier: {names}")), "{line}");
        assert_empty(kwartier.dir.path());
    }

    let kwartier = Kwartier::fresh();
    std::fs::write(
        kwartier.dir.path().join("kwartier.toml"),
        "listen = \"127.0.0.1:80",
    )
    .unwrap();
    let line = kwartier.fails(&["serve"]);
    assert!(line.contains("kwartier.toml"), "{line}");
    assert!(!kwartier.dir.path().join("data").exists());
}

#[test]
fn an_unreachable_database_is_one_line_and_writes_nothing() {
    let kwartier = Kwartier::fresh().with(
        "KWARTIER_DATABASE_URL",
        "postgres://kwartier:geheim@localhost:1/kwartier",
    );
    for args in [
        &["serve"][..],
        &["migrate"],
        &["admin", "create-token", "anna"],
    ] {
        let line = kwartier.fails(args);
        assert!(line.contains("localhost:1"), "{line}");
        assert!(line.contains("refused"), "{line}");
        assert!(!line.contains("geheim"), "{line}");
    }
    assert_empty(kwartier.dir.path());
}

#[test]
fn a_taken_port_is_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let kwartier = Kwartier::fresh();
    let line = kwartier.fails(&["serve", "--listen", &address]);
    assert!(
        line.contains(&address) && line.contains("KWARTIER_LISTEN"),
        "{line}"
    );
    assert_empty(kwartier.dir.path());
}

#[tokio::test]
async fn request_logs_are_json_with_the_request_id() {
    let server = Kwartier::fresh().serve();
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let log = server.stop();
    let entry = log
        .iter()
        .find(|entry| entry["span"]["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no log line for request {request_id}: {log:?}"));
    assert_eq!(entry["span"]["path"], "/healthz");
    assert_eq!(entry["fields"]["status"], 200);
}

#[test]
fn migrate_reports_what_it_applied() {
    let kwartier = Kwartier::fresh();
    let first = kwartier.ok(&["migrate"]);
    let applied: String = kwartier::testing::migration_names()
        .iter()
        .map(|name| format!("applied {name}\n"))
        .collect();
    assert_eq!(
        first,
        format!("{applied}database schema is up to date (sqlite)\n")
    );
    let second = kwartier.ok(&["migrate"]);
    assert_eq!(second, "database schema is up to date (sqlite)\n");
}

#[test]
fn version_and_help() {
    let kwartier = Kwartier::fresh();
    assert_eq!(
        kwartier.ok(&["--version"]),
        format!("kwartier {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = kwartier.ok(&["admin", "--help"]);
    assert!(
        help.contains("create-user") && help.contains("create-token"),
        "{help}"
    );
}

fn assert_empty(dir: &Path) {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(entries.is_empty(), "left behind: {entries:?}");
}

async fn peers_are_seeded_listed_and_synced_from_the_command_line(db: TestDb) {
    // The node's own name comes from KWARTIER_DOMAIN; the peer's is the argument.
    let kwartier = Kwartier::on(&db).with("KWARTIER_DOMAIN", "kwartier.oss.example");
    let out = kwartier.ok(&["admin", "peers", "add", "kwartier.raalte.example"]);
    assert_eq!(
        out,
        "kwartier.raalte.example added; it is synced in the next round\n"
    );
    let out = kwartier.ok(&["admin", "peers", "add", "kwartier.raalte.example"]);
    assert!(out.contains("is a seed already"), "{out}");
    let line = kwartier.fails(&["admin", "peers", "add", "kwartier.oss.example"]);
    assert!(line.contains("this node itself"), "{line}");
    let line = kwartier.fails(&["admin", "peers", "add", "10.0.0.1"]);
    assert!(line.contains("IP address"), "{line}");
    let list = kwartier.ok(&["admin", "peers", "list"]);
    assert!(list.starts_with("DOMAIN"), "{list}");
    assert!(list.contains("kwartier.raalte.example  seed"), "{list}");
    // A round now: the peer cannot be reached (the name does not resolve) and says why.
    let out = kwartier.ok(&["admin", "directory", "sync"]);
    assert!(out.contains("nodes synced: 0, failed: 1"), "{out}");
    assert!(out.contains("failed kwartier.raalte.example: "), "{out}");
    let list = kwartier.ok(&["admin", "peers", "list"]);
    assert!(
        list.contains("kwartier.raalte.example: remote server"),
        "{list}"
    );
}

async fn admin_actions_are_in_the_audit_log(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    assert!(kwartier.ok(&["admin", "audit", "list"]).contains("empty"));
    kwartier.ok(&["admin", "create-user", "beheer", "--admin"]);
    kwartier.ok(&[
        "admin",
        "registration",
        "approval",
        "--question",
        "Waar woont u?",
    ]);
    let list = kwartier.ok(&["admin", "audit", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].contains("cli") && lines[0].contains("node.registration"),
        "{list}"
    );
    assert!(lines[0].contains("approval"), "{list}");
    assert!(
        lines[1].contains("account.create") && lines[1].contains("@beheer"),
        "{list}"
    );
    let export = kwartier.ok(&["admin", "audit", "export"]);
    let rows: Vec<Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 2, "{export}");
    assert_eq!(rows[0]["action"], "account.create");
    assert_eq!(rows[0]["detail"]["admin"], true);
    assert_eq!(rows[1]["detail"]["question"], "Waar woont u?");
}

async fn accounts_are_administered_from_the_command_line(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    kwartier.ok(&["admin", "create-user", "beheer", "--admin"]);
    kwartier.ok(&["admin", "create-user", "anna"]);
    assert!(
        kwartier
            .ok(&["admin", "accounts", "list", "--pending"])
            .contains("no sign-ups")
    );
    let list = kwartier.ok(&["admin", "accounts", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("anna") && l.contains("member") && l.contains("active")),
        "{list}"
    );

    let line = kwartier.fails(&["admin", "accounts", "suspend", "anna", "--reason", " "]);
    assert!(line.contains("reason"), "{line}");
    kwartier.ok(&["admin", "accounts", "suspend", "anna", "--reason", "Spam"]);
    let list = kwartier.ok(&["admin", "accounts", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("anna") && l.contains("suspended") && l.contains("Spam")),
        "{list}"
    );
    let line = kwartier.fails(&[
        "admin", "accounts", "suspend", "anna", "--reason", "nog eens",
    ]);
    assert!(line.contains("already"), "{line}");
    kwartier.ok(&["admin", "accounts", "unsuspend", "anna"]);
    kwartier.ok(&["admin", "accounts", "role", "anna", "moderator"]);
    assert!(
        kwartier
            .ok(&["admin", "accounts", "list"])
            .lines()
            .any(|l| l.starts_with("anna") && l.contains("moderator"))
    );
    let line = kwartier.fails(&["admin", "accounts", "role", "beheer", "member"]);
    assert!(line.contains("only admin"), "{line}");
    let reset = kwartier.ok(&["admin", "accounts", "reset-password", "anna"]);
    assert!(reset.starts_with("new password for @anna: "), "{reset}");
    let line = kwartier.fails(&["admin", "accounts", "approve", "niemand"]);
    assert!(line.contains("not found"), "{line}");

    let audit = kwartier.ok(&["admin", "audit", "list"]);
    for action in [
        "account.suspend",
        "account.unsuspend",
        "account.role",
        "account.reset_password",
    ] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
}

async fn invites_are_made_listed_and_withdrawn_from_the_command_line(db: TestDb) {
    let kwartier = Kwartier::on(&db).with("KWARTIER_DOMAIN", "oss.example");
    assert_eq!(
        kwartier.ok(&["admin", "invites", "list"]).trim(),
        "no invites"
    );
    let link = kwartier.ok(&[
        "admin",
        "invites",
        "create",
        "--expires",
        "7d",
        "--max-uses",
        "3",
        "--note",
        "Wijkraad",
    ]);
    let link = link.trim();
    assert!(
        link.starts_with("https://oss.example/signup?invite="),
        "{link}"
    );
    let code = link.rsplit('=').next().expect("a code");
    let list = kwartier.ok(&["admin", "invites", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with(code)
            && l.contains("usable")
            && l.contains("0/3")
            && l.contains("Wijkraad")),
        "{list}"
    );
    let line = kwartier.fails(&["admin", "invites", "create", "--max-uses", "0"]);
    assert!(line.contains("max_uses"), "{line}");
    let output = kwartier.run(&["admin", "invites", "create", "--expires", "soon"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("'soon'"));
    kwartier.ok(&["admin", "invites", "revoke", code]);
    let list = kwartier.ok(&["admin", "invites", "list"]);
    assert!(list.contains("revoked"), "{list}");
    let line = kwartier.fails(&["admin", "invites", "revoke", code]);
    assert!(line.contains("already"), "{line}");
    let line = kwartier.fails(&["admin", "invites", "revoke", "nope"]);
    assert!(
        line.contains("not found") || line.contains("invite"),
        "{line}"
    );
    let log = kwartier.ok(&["admin", "audit", "list"]);
    assert!(
        log.contains("invite.create") && log.contains("invite.revoke"),
        "{log}"
    );
}

async fn settings_are_shown_and_changed_from_the_command_line(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    let rules = kwartier.dir.path().join("regels.txt");
    std::fs::write(&rules, "Wees vriendelijk.\nGeen reclame.\n").unwrap();
    let rules = rules.display().to_string();
    kwartier.ok(&[
        "admin",
        "settings",
        "profile",
        "--name",
        "Kwartier Oss",
        "--rules-file",
        &rules,
        "--contact-email",
        "kwartier@oss.nl",
        "--languages",
        "nl fy",
    ]);
    let shown = kwartier.ok(&["admin", "settings", "show"]);
    for line in [
        "name                 Kwartier Oss",
        "contact_email        kwartier@oss.nl",
        "languages            nl,fy",
        "rule                 Geen reclame.",
    ] {
        assert!(shown.contains(line), "{line:?} in {shown}");
    }
    let line = kwartier.fails(&["admin", "settings", "profile", "--contact-email", "nee"]);
    assert!(line.contains("contact_email"), "{line}");
    let line = kwartier.fails(&[
        "admin",
        "settings",
        "profile",
        "--rules-file",
        "/nergens/regels.txt",
    ]);
    assert!(line.contains("/nergens/regels.txt"), "{line}");

    // A name set in the configuration wins; the CLI says where to change it.
    let configured = Kwartier::on(&db).with("KWARTIER_NODE_NAME", "Gemeente Oss");
    let line = configured.fails(&["admin", "settings", "profile", "--name", "Iets anders"]);
    assert!(line.contains("KWARTIER_NODE_NAME"), "{line}");
    configured.ok(&["admin", "settings", "profile", "--description", "Voor Oss"]);
    let shown = configured.ok(&["admin", "settings", "show"]);
    assert!(
        shown.contains("name                 Gemeente Oss"),
        "{shown}"
    );
    let log = kwartier.ok(&["admin", "audit", "list"]);
    assert!(log.contains("node.profile"), "{log}");
}

async fn reports_are_resolved_from_the_command_line(db: TestDb) {
    let cli = Kwartier::on(&db);
    cli.ok(&["admin", "create-user", "anna"]);
    cli.ok(&["admin", "create-user", "bert"]);
    {
        let state = db.state().await;
        let mut conn = state.db.conn().await.expect("connection");
        let anna = kwartier::db::actor::find_local(&mut conn, "anna")
            .await
            .expect("query")
            .expect("anna");
        kwartier::service::report::report(
            &state,
            &mut conn,
            &anna,
            "@bert",
            Some("Scheldt mensen uit"),
            false,
        )
        .await
        .expect("a report");
    }
    let list = cli.ok(&["admin", "reports", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with('1')
            && l.contains("person")
            && l.contains("bert@")
            && l.contains("@anna")
            && l.contains("Scheldt mensen uit")),
        "{list}"
    );
    let line = cli.fails(&[
        "admin", "reports", "resolve", "1", "--action", "warn", "--note", " ",
    ]);
    assert!(line.contains("audit log"), "{line}");
    let output = cli.run(&[
        "admin", "reports", "resolve", "1", "--action", "ban", "--note", "x",
    ]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && said.contains("not an action"),
        "{said}"
    );
    let done = cli.ok(&[
        "admin",
        "reports",
        "resolve",
        "1",
        "--action",
        "warn",
        "--note",
        "Eerste waarschuwing",
    ]);
    assert!(done.contains("report 1 resolved: warn"), "{done}");
    assert!(!cli.ok(&["admin", "reports", "list"]).contains("Scheldt"));
    let all = cli.ok(&["admin", "reports", "list", "--all"]);
    assert!(all.contains("[warn: Eerste waarschuwing]"), "{all}");
    let audit = cli.ok(&["admin", "audit", "list"]);
    assert!(audit.contains("report.resolve"), "{audit}");
}

/// What an operator does with deploy/kwartier.env.example: copy it, change a line, and point
/// every command at it. The test database comes from the environment, which wins over the file.
async fn the_env_file_configures_serve_and_admin_commands(db: TestDb) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kwartier.env.example");
    let kwartier = Kwartier::on(&db);
    let data = kwartier.dir.path().join("data");
    let kwartier = kwartier.with("KWARTIER_DATA_DIR", &data.display().to_string());
    let shipped = example.display().to_string();
    let migrated = kwartier.ok(&["--env-file", &shipped, "migrate"]);
    assert!(
        migrated.contains("database schema is up to date"),
        "{migrated}"
    );

    let text = std::fs::read_to_string(&example).unwrap();
    let ours = kwartier.dir.path().join("kwartier.env");
    std::fs::write(
        &ours,
        text.replace("# KWARTIER_NODE_NAME=", "KWARTIER_NODE_NAME="),
    )
    .unwrap();
    let ours = ours.display().to_string();
    let shown = kwartier.ok(&["--env-file", &ours, "admin", "settings", "show"]);
    let name = shown
        .lines()
        .find(|l| l.starts_with("name "))
        .unwrap_or_default();
    assert!(name.ends_with("Kwartier Oss"), "{shown}");

    std::fs::write(
        kwartier.dir.path().join("typo.env"),
        "KWARTIER_DOMIAN=oss.example\n",
    )
    .unwrap();
    let refused = kwartier.fails(&["--env-file", "typo.env", "admin", "settings", "show"]);
    assert!(
        refused.contains("KWARTIER_DOMIAN in typo.env is not a Kwartier setting"),
        "{refused}"
    );
}
