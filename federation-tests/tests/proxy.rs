//! The reverse-proxy configurations in `deploy/`: nginx and Caddy accept them as shipped, they
//! keep what HTTP signatures cover (the request URI, `Host` with its port, the body), and
//! signed federation works through them — over HTTP/1.1, and over HTTPS with HTTP/2, where a
//! `Host` header sent next to `:authority` once made nginx answer 400.
//!
//! Heeten sits behind the proxy (its domain is the proxy's address); Oss is a real `kwartier`
//! process that trusts the test CA through `SSL_CERT_FILE`, as its HTTP client (rustls with
//! the platform verifier) reads it. Development nodes name themselves with `http://` ids, so
//! the HTTPS leg is a delivery that Oss is pointed at `https://` for by hand.

#[allow(dead_code)] // shared with interop.rs and browser.rs, which use more of it
mod install;
#[allow(dead_code)] // shared with crash.rs, interop.rs and browser.rs
mod node_process;
mod reverse_proxy;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kwartier::db::actor::{self, NewActor};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, eventually};
use reqwest::{StatusCode, Version};
use serde_json::json;

use node_process::{NodeProcess, free_address, user_token};
use reverse_proxy::{Certs, Kind, Ports, Proxy};

test_both_backends!(
    signed_federation_through_nginx,
    signed_federation_through_caddy
);

const DEADLINE: Duration = Duration::from_secs(30);

fn ports() -> Ports {
    Ports {
        tls: free_address().port(),
        plain: free_address().port(),
        redirect: free_address().port(),
    }
}

#[test]
fn nginx_accepts_the_shipped_configuration() {
    let Some(nginx) = reverse_proxy::program(Kind::Nginx) else {
        return;
    };
    let dir = reverse_proxy::work_dir();
    let certs = Certs::make(dir.path());
    let upstream = SocketAddr::from(([127, 0, 0, 1], 8080));
    let site = dir.path().join("kwartier.conf");
    let webroot = dir.path().join("webroot");
    std::fs::write(
        &site,
        reverse_proxy::nginx_site(ports(), &certs, &webroot, upstream),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        reverse_proxy::nginx_conf(dir.path(), &site),
    )
    .unwrap();
    let output = Command::new(nginx)
        .arg("-t")
        .args(reverse_proxy::nginx_args(dir.path()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "nginx -t: {stderr}");
    assert!(stderr.contains("test is successful"), "{stderr}");
}

#[test]
fn caddy_accepts_the_shipped_caddyfile() {
    let Some(caddy) = reverse_proxy::program(Kind::Caddy) else {
        return;
    };
    let dir = reverse_proxy::work_dir();
    // As shipped: automatic TLS for kwartier.example.nl (validating obtains no certificate).
    let mut command = Command::new(caddy);
    reverse_proxy::caddy_env(&mut command, dir.path());
    let output = command
        .args(["validate", "--adapter", "caddyfile", "--config"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/caddy/Caddyfile"))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "caddy validate: {all}");
    assert!(all.contains("Valid configuration"), "{all}");
}

/// `9m`, `9MiB`, `9MB` in bytes (both proxies count a megabyte as 1024 × 1024).
fn size(value: &str) -> usize {
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    let unit = value[digits.len()..].to_ascii_lowercase();
    let factor = match unit.as_str() {
        "k" | "kib" | "kb" => 1024,
        "m" | "mib" | "mb" => 1024 * 1024,
        other => panic!("unit {other:?}"),
    };
    digits.parse::<usize>().unwrap() * factor
}

/// The directive's values in a configuration file, comments left out.
fn values<'a>(file: &'a str, directive: &str) -> Vec<&'a str> {
    file.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix(directive))
        .filter(|rest| rest.starts_with([' ', '\t']))
        .map(|rest| rest.trim().trim_end_matches(';'))
        .collect()
}

#[test]
fn the_shipped_files_keep_what_signatures_cover() {
    let nginx = reverse_proxy::NGINX_SITE;
    // No path after the upstream: nginx passes the request URI as it came.
    assert_eq!(values(nginx, "proxy_pass"), ["http://127.0.0.1:8080"]);
    assert!(values(nginx, "proxy_set_header").contains(&"Host $http_host"));
    assert!(values(nginx, "proxy_request_buffering").is_empty());
    let caddy = reverse_proxy::CADDYFILE;
    assert_eq!(values(caddy, "reverse_proxy"), ["127.0.0.1:8080"]);
    assert!(
        values(caddy, "header_up").is_empty(),
        "Caddy keeps Host itself"
    );

    // The node's largest body passes: an 8 MiB picture in a form of up to 256 KiB more.
    let node = kwartier::service::media::MAX_BYTES + 256 * 1024;
    for limit in [
        size(values(nginx, "client_max_body_size")[0]),
        size(values(caddy, "max_size")[0]),
    ] {
        assert!(
            (node..node + 1024 * 1024).contains(&limit),
            "{limit} for {node}"
        );
    }
}

/// Points `actor` (an id) on the node with database `db` at `inbox`, as if it had said so.
async fn reroute(db: &TestDb, actor_id: &str, inbox: &str) {
    let db = db.open().await;
    let mut conn = db.conn().await.unwrap();
    let found = actor::find_by_ap_id(&mut conn, &url::Url::parse(actor_id).unwrap())
        .await
        .unwrap()
        .expect("the actor is known");
    let now = chrono::Utc::now().naive_utc();
    actor::upsert_remote(
        &mut conn,
        &NewActor {
            ap_id: found.ap_id.clone(),
            username: &found.username,
            display_name: found.display_name.as_deref(),
            inbox_url: inbox,
            shared_inbox_url: None,
            public_key: &found.public_key,
            private_key: None,
            local: false,
            actor_type: &found.actor_type,
            summary: found.summary.as_deref(),
            url: found.url.as_deref(),
            followers_url: found.followers_url.as_deref(),
            icon_url: found.icon_url.as_deref(),
            image_url: found.image_url.as_deref(),
            manually_approves_followers: found.manually_approves_followers,
            discoverable: found.discoverable,
            public_key_id: found.public_key_id.as_deref(),
            created_at: found.created_at,
            updated_at: now,
            last_refreshed_at: now,
        },
    )
    .await
    .unwrap();
}

async fn signed_federation_through_nginx(db: TestDb) {
    federation_through(Kind::Nginx, db).await;
}

async fn signed_federation_through_caddy(db: TestDb) {
    federation_through(Kind::Caddy, db).await;
}

async fn federation_through(kind: Kind, db: TestDb) {
    let Some(program) = reverse_proxy::program(kind) else {
        return;
    };
    let dir = reverse_proxy::work_dir();
    let certs = Certs::make(dir.path());
    let ports = ports();

    // Heeten, behind the proxy: its domain is the proxy's plain port.
    let heeten = TestNode::start_with(
        &db,
        "Heeten",
        SocketAddr::from(([127, 0, 0, 1], 0)),
        |config| config.domain = format!("localhost:{}", ports.plain),
    )
    .await;
    let proxy = Proxy::start(kind, &program, dir.path(), ports, &certs, heeten.addr);

    // Oss, a real process that trusts the test CA.
    let oss_db = TestDb::sqlite();
    let oss_addr = free_address();
    let token = user_token(&oss_db.url, oss_addr, "bert");
    let oss = NodeProcess::start_with(&oss_db.url, oss_addr, |command| {
        command.env("SSL_CERT_FILE", &certs.ca);
    });
    let bert = Api::new(&oss.base_url(), &token);
    bert.create_initiative("buurtkamer", "Buurtkamer").await;

    // The proxy speaks HTTP/2 over TLS to a rustls client, as the node's own client is.
    let tls = certs.client();
    let nodeinfo = tls
        .get(format!(
            "https://localhost:{}/.well-known/nodeinfo",
            ports.tls
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(nodeinfo.status(), StatusCode::OK);
    assert_eq!(nodeinfo.version(), Version::HTTP_2);
    if let Kind::Nginx = kind {
        // What the old signing code did: a Host header of its own next to `:authority`.
        let doubled = tls
            .get(format!(
                "https://localhost:{}/.well-known/nodeinfo",
                ports.tls
            ))
            .header(reqwest::header::HOST, format!("localhost:{}", ports.tls))
            .send()
            .await
            .unwrap();
        assert_eq!(doubled.version(), Version::HTTP_2);
        assert_eq!(doubled.status(), StatusCode::BAD_REQUEST, "duplicate host");
    }

    // Anna on Heeten follows the initiative on Oss. Oss fetches her (a signed GET) and sends
    // its signed Accept through the proxy over HTTP/1.1; Heeten takes it only when the
    // signature verifies.
    let anna = heeten.user_with_token("anna").await;
    let target = format!("@buurtkamer@localhost:{}", oss_addr.port());
    let (status, body) = anna
        .post("/api/v1/follows", json!({"target": target}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let buurtkamer = format!("{}/i/buurtkamer", oss.base_url());
    eventually("Heeten takes Oss's Accept", DEADLINE, || async {
        (heeten.follow_state("anna", &buurtkamer).await.as_deref() == Some("accepted"))
            .then_some(())
    })
    .await;

    // From now on Oss delivers to Anna over HTTPS, through the proxy's TLS port: its own
    // client, its own signature, HTTP/2.
    let inbox = format!("https://localhost:{}/u/anna/inbox", ports.tls);
    reroute(&oss_db, &heeten.url("/u/anna"), &inbox).await;
    bert.publish(
        "buurtkamer",
        json!({"title": "Koffieochtend", "content": "Elke dinsdag koffie in de buurtkamer.", "visibility": "public"}),
    )
    .await;
    eventually("the story reaches Anna over HTTPS", DEADLINE, || {
        anna.in_timeline("Koffieochtend")
    })
    .await;

    if let Kind::Nginx = kind {
        let log = proxy.access_log();
        assert!(
            log.contains("\"POST /u/anna/inbox HTTP/2.0\" 202"),
            "the delivery went over HTTP/2:\n{log}"
        );
        assert!(
            log.contains("\"POST /inbox HTTP/1.1\" 202")
                || log.contains("\"POST /u/anna/inbox HTTP/1.1\" 202"),
            "the Accept went over HTTP/1.1:\n{log}"
        );
        redirect_and_acme_challenge(&proxy, ports).await;
    }
}

/// nginx's :80 block: the ACME webroot answers, everything else goes to https.
async fn redirect_and_acme_challenge(proxy: &Proxy, ports: Ports) {
    let challenge = proxy.dir.join("webroot/.well-known/acme-challenge");
    std::fs::create_dir_all(&challenge).unwrap();
    std::fs::write(challenge.join("token123"), "token123.key").unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://localhost:{}", ports.redirect);
    let token = client
        .get(format!("{base}/.well-known/acme-challenge/token123"))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    assert_eq!(token.text().await.unwrap(), "token123.key");
    let page = client
        .get(format!("{base}/u/anna?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(page.headers()["location"], "https://localhost/u/anna?x=1");
}
