//! Installing what a test runs that is not Rust (interop peers, the browser harness, linters
//! for the deployment files) from
//! package registries, once per test process and only when its lock file changed. Without the
//! runtime, or when installing fails (no network), the test prints `SKIPPED …` on stderr and
//! passes; CI fails on any skip.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// What `install` gave (once per test process), or `None` after saying on stderr, past the
/// harness's capture, why `what` is skipped.
pub fn installed(
    what: &str,
    cell: &'static OnceLock<Result<PathBuf, String>>,
    install: fn() -> Result<PathBuf, String>,
) -> Option<PathBuf> {
    match cell.get_or_init(install) {
        Ok(program) => Some(program.clone()),
        Err(why) => {
            let _ = std::io::stderr().write_all(format!("SKIPPED {what}: {why}\n").as_bytes());
            None
        }
    }
}

/// Runs a set-up command; when it fails, the error says which and how.
pub fn run(command: &mut Command) -> Result<String, String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command:?} could not start: {e}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
    Err(format!(
        "{command:?} failed ({}):\n{}",
        output.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

/// Whether `marker` holds exactly `expected`: what the last successful install installed.
pub fn up_to_date(marker: &Path, expected: &str) -> bool {
    std::fs::read_to_string(marker).is_ok_and(|found| found == expected)
}

/// A virtualenv at `dir/.venv` with the pinned `dir/requirements.txt` installed by pip, for
/// `who`; its `bin` directory. Needs python3 with venv; reinstalls only when the file changed.
pub fn pip_venv(dir: &Path, who: &str) -> Result<PathBuf, String> {
    let requirements_file = dir.join("requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_file)
        .unwrap_or_else(|e| panic!("{requirements_file:?}: {e}"));
    let venv = dir.join(".venv");
    let bin = venv.join("bin");
    let marker = venv.join("kwartier-installed.txt");
    if bin.join("python").exists() && up_to_date(&marker, &requirements) {
        return Ok(bin);
    }
    run(Command::new("python3").arg("--version"))
        .map_err(|e| format!("installing {who} needs python3, which is not available: {e}"))?;
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv))?;
    run(Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .args(["--timeout", "30", "--retries", "2", "--requirement"])
        .arg(&requirements_file))
    .map_err(|e| format!("installing {who}: {e}"))?;
    std::fs::write(&marker, requirements).map_err(|e| format!("writing {marker:?}: {e}"))?;
    Ok(bin)
}

/// `npm ci` from `dir/package-lock.json` into `dir/node_modules` for `who`, which needs Node.js
/// 20 or newer; the `node` to run.
pub fn npm_ci(dir: &Path, who: &str) -> Result<PathBuf, String> {
    let lock = std::fs::read_to_string(dir.join("package-lock.json"))
        .unwrap_or_else(|e| panic!("{dir:?}/package-lock.json: {e}"));
    let version = run(Command::new("node").arg("--version"))
        .map_err(|e| format!("Node.js is not available: {e}"))?;
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("cannot read the Node.js version {version:?}"))?;
    if major < 20 {
        return Err(format!(
            "{who} needs Node.js 20 or newer, found {}",
            version.trim()
        ));
    }
    let marker = dir.join("node_modules").join(".kwartier-installed.json");
    if !up_to_date(&marker, &lock) {
        run(Command::new("npm").current_dir(dir).args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ]))
        .map_err(|e| format!("npm ci in {dir:?}: {e}"))?;
        std::fs::write(&marker, lock).map_err(|e| format!("writing {marker:?}: {e}"))?;
    }
    Ok(PathBuf::from("node"))
}
