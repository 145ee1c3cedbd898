//! The reverse-proxy configurations shipped in `deploy/` (nginx and Caddy), run as the operator
//! runs them, with only ports, certificate paths and the upstream address changed; and a test
//! certificate authority (made with the `openssl` command) for their TLS.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::install;

/// How long a proxy may take to listen.
const START: Duration = Duration::from_secs(20);

/// The shipped nginx server blocks.
pub const NGINX_SITE: &str = include_str!("../../../deploy/nginx/kwartier.conf");
/// The shipped Caddyfile.
pub const CADDYFILE: &str = include_str!("../../../deploy/caddy/Caddyfile");

/// Where the shipped files send requests, and where their certificates are.
const UPSTREAM: &str = "127.0.0.1:8080";
const FULLCHAIN: &str = "/etc/letsencrypt/live/kwartier.example.nl/fullchain.pem";
const PRIVKEY: &str = "/etc/letsencrypt/live/kwartier.example.nl/privkey.pem";

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Nginx,
    Caddy,
}

/// The proxy's program, or `None` after printing `SKIPPED …` (CI installs both).
pub fn program(kind: Kind) -> Option<PathBuf> {
    static NGINX: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    static CADDY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match kind {
        Kind::Nginx => {
            install::installed("the nginx tests", &NGINX, || tools("nginx", "nginx-light"))
        }
        Kind::Caddy => install::installed("the Caddy tests", &CADDY, || tools("caddy", "caddy")),
    }
}

/// `proxy` and `openssl`, which must both answer for their version.
fn tools(proxy: &str, package: &str) -> Result<PathBuf, String> {
    for (tool, version) in [(proxy, version_arg(proxy)), ("openssl", "version")] {
        install::run(Command::new(tool).arg(version)).map_err(|e| {
            format!("{tool} is not installed (apt-get install {package} openssl): {e}")
        })?;
    }
    Ok(PathBuf::from(proxy))
}

fn version_arg(program: &str) -> &'static str {
    if program == "nginx" { "-v" } else { "version" }
}

/// A test CA and a certificate for `localhost` that it signed, as PEM files in a directory.
pub struct Certs {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Certs {
    pub fn make(dir: &Path) -> Certs {
        let path = |name: &str| dir.join(name).display().to_string();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        openssl(
            Command::new("openssl")
                .args(["req", "-x509"])
                .args(ec)
                .args(["-days", "2", "-subj", "/CN=Kwartier test CA"])
                .args(["-keyout", &path("ca.key"), "-out", &path("ca.pem")]),
        );
        openssl(
            Command::new("openssl")
                .arg("req")
                .args(ec)
                .args(["-subj", "/CN=localhost"])
                .args(["-keyout", &path("key.pem"), "-out", &path("cert.csr")]),
        );
        std::fs::write(
            dir.join("cert.ext"),
            "subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write cert.ext");
        openssl(
            Command::new("openssl")
                .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
                .args(["-in", &path("cert.csr"), "-extfile", &path("cert.ext")])
                .args(["-CA", &path("ca.pem"), "-CAkey", &path("ca.key")])
                .args(["-out", &path("cert.pem")]),
        );
        Certs {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    /// An HTTP client that trusts the test CA only.
    pub fn client(&self) -> reqwest::Client {
        let pem = std::fs::read(&self.ca).expect("read the CA");
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("the CA")])
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }
}

fn openssl(command: &mut Command) {
    if let Err(e) = install::run(command.stderr(Stdio::piped())) {
        panic!("making a test certificate: {e}");
    }
}

/// `text` with `from` replaced by `to`, which must be there: when the shipped file changes
/// shape, the test says so instead of testing something else.
pub fn substitute(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "{from:?} is no longer in the shipped file"
    );
    text.replace(from, to)
}

/// Where one proxy listens.
#[derive(Clone, Copy)]
pub struct Ports {
    /// The TLS port (:443 in production), HTTP/2 and HTTP/1.1.
    pub tls: u16,
    /// Plain HTTP to the node (nginx: the :443 server block listens here too, without TLS;
    /// Caddy: the site block again, for an `http://` address), for HTTP/1.1 without TLS.
    pub plain: u16,
    /// nginx's :80 server block (the redirect and the ACME webroot).
    pub redirect: u16,
}

/// The shipped nginx file for a test: ports, certificate paths, the webroot and the upstream
/// changed; IPv6 listeners dropped (the machine may have no IPv6).
pub fn nginx_site(ports: Ports, certs: &Certs, webroot: &Path, upstream: SocketAddr) -> String {
    let site = substitute(NGINX_SITE, "    listen [::]:80;\n", "");
    let site = substitute(&site, "    listen [::]:443 ssl http2;\n", "");
    let site = substitute(
        &site,
        "listen 80;",
        &format!("listen 127.0.0.1:{};", ports.redirect),
    );
    let site = substitute(
        &site,
        "listen 443 ssl http2;",
        &format!(
            "listen 127.0.0.1:{} ssl http2;\n    listen 127.0.0.1:{};",
            ports.tls, ports.plain
        ),
    );
    let site = substitute(&site, FULLCHAIN, &certs.cert.display().to_string());
    let site = substitute(&site, PRIVKEY, &certs.key.display().to_string());
    let site = substitute(
        &site,
        "root /var/www/certbot;",
        &format!("root {};", webroot.display()),
    );
    substitute(
        &site,
        &format!("proxy_pass http://{UPSTREAM};"),
        &format!("proxy_pass http://{upstream};"),
    )
}

/// A minimal nginx.conf around `site`: everything under `dir`, in the foreground.
pub fn nginx_conf(dir: &Path, site: &Path) -> String {
    let d = dir.display();
    format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n    access_log {d}/access.log;\n    client_body_temp_path {d}/body;\n    \
         proxy_temp_path {d}/proxy;\n    include {};\n}}\n",
        site.display()
    )
}

/// The arguments that point nginx at a test's directory: prefix, main file, early error log.
pub fn nginx_args(dir: &Path) -> Vec<String> {
    vec![
        "-p".into(),
        format!("{}/", dir.display()),
        "-c".into(),
        dir.join("nginx.conf").display().to_string(),
        "-e".into(),
        dir.join("error.log").display().to_string(),
    ]
}

/// The shipped Caddyfile for a test, its site block twice: for `localhost` on the TLS port with
/// the test certificate instead of automatic TLS, and for `http://localhost` on the plain port
/// (Caddy takes no `tls` in a block with an `http://` address). A global options block keeps
/// Caddy off ports 80 and 2019 and away from the machine's trust store.
pub fn caddyfile(ports: Ports, certs: &Certs, upstream: SocketAddr) -> String {
    let site = substitute(
        CADDYFILE,
        &format!("reverse_proxy {UPSTREAM}"),
        &format!("reverse_proxy {upstream}"),
    );
    let tls = substitute(
        &site,
        "kwartier.example.nl {",
        &format!(
            "localhost:{} {{\n\ttls {} {}",
            ports.tls,
            certs.cert.display(),
            certs.key.display()
        ),
    );
    let plain = substitute(
        &site,
        "kwartier.example.nl {",
        &format!("http://localhost:{} {{", ports.plain),
    );
    format!(
        "{{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n\t\
         http_port {}\n\thttps_port {}\n}}\n\n{tls}\n{plain}",
        ports.plain, ports.tls
    )
}

/// Caddy's state (certificates, autosave) in `dir`, never in the user's home.
pub fn caddy_env(command: &mut Command, dir: &Path) {
    command
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
}

/// A running proxy; stopped when dropped.
pub struct Proxy {
    child: Child,
    pub dir: PathBuf,
}

impl Proxy {
    /// Starts the shipped configuration of `kind` in `dir`, in front of `upstream`, and waits
    /// until it listens on every port.
    pub fn start(
        kind: Kind,
        program: &Path,
        dir: &Path,
        ports: Ports,
        certs: &Certs,
        upstream: SocketAddr,
    ) -> Proxy {
        let log = std::fs::File::create(dir.join("proxy.log")).expect("proxy log");
        let mut command = Command::new(program);
        let listening = match kind {
            Kind::Nginx => {
                let webroot = dir.join("webroot");
                std::fs::create_dir_all(&webroot).expect("webroot");
                let site = dir.join("kwartier.conf");
                std::fs::write(&site, nginx_site(ports, certs, &webroot, upstream))
                    .expect("write the site");
                std::fs::write(dir.join("nginx.conf"), nginx_conf(dir, &site))
                    .expect("write nginx.conf");
                command.args(nginx_args(dir));
                vec![ports.tls, ports.plain, ports.redirect]
            }
            Kind::Caddy => {
                let file = dir.join("Caddyfile");
                std::fs::write(&file, caddyfile(ports, certs, upstream)).expect("write Caddyfile");
                caddy_env(&mut command, dir);
                command.args(["run", "--adapter", "caddyfile", "--config"]);
                command.arg(&file);
                vec![ports.tls, ports.plain]
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{program:?} could not start: {e}"));
        let mut proxy = Proxy {
            child,
            dir: dir.to_owned(),
        };
        let deadline = Instant::now() + START;
        for port in listening {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                let exited = proxy.child.try_wait().expect("proxy status");
                if exited.is_some() || Instant::now() > deadline {
                    panic!(
                        "{kind:?} does not listen on {port} ({exited:?}):\n{}",
                        proxy.log()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        proxy
    }

    /// What the proxy printed, and nginx's error log.
    pub fn log(&self) -> String {
        ["proxy.log", "error.log"]
            .iter()
            .filter_map(|name| std::fs::read_to_string(self.dir.join(name)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// nginx's access log.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Proxy {
    /// SIGTERM first: nginx's master then stops its workers, which SIGKILL would leave behind
    /// holding the ports.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory that nginx's workers (`nobody` when the tests run as root) can enter.
pub fn work_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kwartier-proxy-")
        .tempdir()
        .expect("temp dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    dir
}
