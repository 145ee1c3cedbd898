//! A node as operators run it: the `kwartier` binary (built here as `kwartier-node`) in its own
//! process, on a fixed loopback address so that it can be killed and come back on it.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kwartier::db::DatabaseUrl;

/// How long a node may take to start serving.
const START: Duration = Duration::from_secs(60);

pub struct NodeProcess {
    child: Child,
    pub addr: SocketAddr,
    /// What it logs (JSON lines on stderr), from after it said it serves.
    log: mpsc::Receiver<String>,
}

/// `kwartier --development` on `database`, serving `localhost:PORT`, with nothing from the
/// environment but a short delivery retry schedule. Every command of one node gets the same
/// flags, as the README says: the development switch decides the scheme of its ids.
pub fn kwartier(database: &DatabaseUrl, addr: SocketAddr) -> Command {
    kwartier_behind(database, addr, addr)
}

/// [`kwartier`] listening on `listen` for the domain `localhost:PORT` of `public`: one of
/// several processes of one node behind a proxy at `public`.
pub fn kwartier_behind(database: &DatabaseUrl, listen: SocketAddr, public: SocketAddr) -> Command {
    let database = match database {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_kwartier-node"));
    command
        .env_clear()
        .env("KWARTIER_DATABASE_URL", database)
        .env("KWARTIER_DOMAIN", format!("localhost:{}", public.port()))
        .env("KWARTIER_LISTEN", listen.to_string())
        .env("KWARTIER_LOG_FORMAT", "json")
        .env("KWARTIER_DELIVERY_RETRY_FIRST", "100ms")
        .env("KWARTIER_DELIVERY_RETRY_MAX", "1s")
        // Network search never reaches outside in tests: no geocoder; map tiles from a port
        // where nothing listens, so the map's own parts still load and are checked.
        .env("KWARTIER_GEOCODER_URL", "")
        .env(
            "KWARTIER_MAP_TILE_URL",
            "http://localhost:9/{z}/{x}/{y}.png",
        )
        .arg("--development");
    command
}

/// Runs a `kwartier` command to its end and returns what it printed on stdout.
pub fn run_ok(command: &mut Command) -> String {
    let output = command.output().expect("run kwartier");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// A user with an API token on the node's database, made with the admin commands.
pub fn user_token(database: &DatabaseUrl, addr: SocketAddr, name: &str) -> String {
    run_ok(kwartier(database, addr).args(["admin", "create-user", name]));
    token(database, addr, name)
}

/// A user who logs in with `password`: `admin create-user NAME --password-stdin`.
pub fn user_with_password(database: &DatabaseUrl, addr: SocketAddr, name: &str, password: &str) {
    create_user(database, addr, &[name, "--password-stdin"], password);
}

/// An administrator with a known password: `admin create-user NAME --admin --password-stdin`.
pub fn admin_with_password(database: &DatabaseUrl, addr: SocketAddr, name: &str, password: &str) {
    create_user(
        database,
        addr,
        &[name, "--admin", "--password-stdin"],
        password,
    );
}

fn create_user(database: &DatabaseUrl, addr: SocketAddr, args: &[&str], password: &str) {
    let mut child = kwartier(database, addr)
        .args(["admin", "create-user"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kwartier");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    writeln!(stdin, "{password}").expect("write the password");
    drop(stdin);
    let output = child.wait_with_output().expect("wait for kwartier");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new API token for the user `name`: `admin create-token NAME`.
pub fn token(database: &DatabaseUrl, addr: SocketAddr, name: &str) -> String {
    run_ok(kwartier(database, addr).args(["admin", "create-token", name]))
        .trim()
        .to_owned()
}

impl NodeProcess {
    /// `kwartier serve --development`, as the README starts a node for trying federation;
    /// returns once it logs that it serves.
    pub fn start(database: &DatabaseUrl, addr: SocketAddr) -> NodeProcess {
        NodeProcess::start_with(database, addr, |_| {})
    }

    /// As [`NodeProcess::start`], with the command changed by `adjust` first (an environment
    /// variable more, say).
    pub fn start_with(
        database: &DatabaseUrl,
        addr: SocketAddr,
        adjust: impl FnOnce(&mut Command),
    ) -> NodeProcess {
        let mut command = kwartier(database, addr);
        adjust(&mut command);
        NodeProcess::serve(command, addr)
    }

    /// [`NodeProcess::start`] on `listen`, for the domain of `public` (see [`kwartier_behind`]).
    pub fn start_behind(
        database: &DatabaseUrl,
        listen: SocketAddr,
        public: SocketAddr,
    ) -> NodeProcess {
        NodeProcess::serve(kwartier_behind(database, listen, public), listen)
    }

    /// Runs `command serve`, listening on `addr`, until it says it serves.
    fn serve(mut command: Command, addr: SocketAddr) -> NodeProcess {
        let mut child = command
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
        let node = NodeProcess {
            child,
            addr,
            log: received,
        };
        let deadline = Instant::now() + START;
        let mut said = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = node.log.recv_timeout(left) else {
                panic!("kwartier serve did not start:\n{}", said.join("\n"));
            };
            if line.contains("kwartier is serving") {
                return node;
            }
            said.push(line);
        }
    }

    /// `http://localhost:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    /// SIGTERM, as systemd stops a node: it finishes what is in flight and exits cleanly.
    pub fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
        let status = self.child.wait().expect("reap");
        assert!(status.success(), "kwartier serve exited with {status}");
    }

    /// The lines it logged since it started serving (or since the last call).
    pub fn logged(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }

    /// SIGKILL: no shutdown, no flushing, leases left behind. Returns what it logged last.
    pub fn kill(mut self) -> Vec<String> {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
        // The reader thread ends with the pipe: whatever it still had comes in.
        let mut lines = Vec::new();
        while let Ok(line) = self.log.recv_timeout(Duration::from_secs(5)) {
            lines.push(line);
        }
        lines
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address nobody listens on right now.
pub fn free_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}
