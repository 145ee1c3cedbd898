//! Test support (feature `testing`, also on in this crate's own tests): throwaway databases on
//! both backends and whole nodes on port 0.
//!
//! PostgreSQL tests run when `KWARTIER_TEST_POSTGRES_URL` names a server (any database on it;
//! each test gets a database of its own, dropped afterwards). Without it they say that they
//! are skipped, on stderr, past the test harness's output capture.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{
    Brand, Config, DEFAULT_BRAND_COLOR, DeliveryConfig, DirectoryConfig, LogFormat,
};
use crate::db::{DatabaseUrl, Db};
use crate::service::account::{self, CreatedAccount, NewAccount};
use crate::state::AppState;

/// Names the PostgreSQL server for storage tests: `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_ENV: &str = "KWARTIER_TEST_POSTGRES_URL";

/// Runs each named `async fn NAME(db: TestDb)` twice: as `NAME::sqlite` and `NAME::postgres`.
/// On the multi-threaded runtime, as in production: a SQLite query cancelled mid-way (a client
/// hanging up) waits for its blocking task, which the single-threaded test runtime cannot do.
#[macro_export]
macro_rules! test_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::testing::TestDb::sqlite()).await
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres(module_path!()).await {
                    super::$name(db).await
                }
            }
        }
    )+};
}

/// The names of the migrations in the source tree, oldest first.
pub fn migration_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations directory")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: DatabaseUrl,
    dir: TempDir,
    /// Held for its `Drop`: removes the PostgreSQL database.
    _postgres: Option<DropDatabase>,
}

impl TestDb {
    /// A SQLite file in a fresh temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        TestDb {
            url: DatabaseUrl::Sqlite(dir.path().join("kwartier.db")),
            dir,
            _postgres: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a note on stderr) when no server is set.
    /// Panics when a server is set but cannot be reached: that must fail, not skip.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(server) = std::env::var(POSTGRES_ENV) else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test} on PostgreSQL: {POSTGRES_ENV} is not set"
            );
            return None;
        };
        Some(TestDb::postgres_on(server).await)
    }

    async fn postgres_on(server: String) -> TestDb {
        let name = format!("kwartier_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&server)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={server} cannot be reached: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let mut url = url::Url::parse(&server).expect("KWARTIER_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        TestDb {
            url: DatabaseUrl::Postgres(url.to_string()),
            dir: tempfile::tempdir().expect("temporary directory"),
            _postgres: Some(DropDatabase { server, name }),
        }
    }

    /// Another fresh, empty database on the same backend (and server): a second node's, or
    /// the target of a restore.
    pub async fn empty_like(&self) -> TestDb {
        match &self._postgres {
            None => TestDb::sqlite(),
            Some(DropDatabase { server, .. }) => {
                let server = server.clone();
                TestDb::postgres_on(server).await
            }
        }
    }

    /// A directory that lives as long as the database, for a node's other files.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Connects and migrates, like a starting node.
    pub async fn open(&self) -> Db {
        let db = Db::connect(&self.url, 4)
            .await
            .expect("connect to test database");
        db.migrate().await.expect("migrate test database");
        db
    }

    /// A node's state on this database, without serving it.
    pub async fn state(&self) -> AppState {
        let listen = SocketAddr::from(([127, 0, 0, 1], 8080));
        AppState::open(self.config(listen, "Kwartier"))
            .await
            .expect("open node state")
    }

    /// A node configuration on this database: development mode, listening on `listen`,
    /// reachable as `localhost:PORT`.
    pub fn config(&self, listen: SocketAddr, node_name: &str) -> Config {
        Config {
            domain: format!("localhost:{}", listen.port()),
            listen,
            admin_listen: None,
            metrics_listen: None,
            database: self.url.clone(),
            data_dir: self.data_dir(),
            node_name: Some(node_name.to_owned()),
            brand: Brand {
                color: DEFAULT_BRAND_COLOR.to_owned(),
                logo: None,
            },
            development: true,
            log_format: LogFormat::Human,
            database_max_connections: 4,
            // Fast retries, so tests of peers that are down finish quickly.
            delivery: DeliveryConfig {
                retry_first: Duration::from_millis(100),
                retry_max: Duration::from_secs(1),
                give_up_after: Duration::from_secs(60),
                concurrency: 8,
            },
            // Tests never reach outside: no geocoder, no map tiles unless a test sets them.
            search: crate::config::SearchConfig {
                geocoder_url: None,
                map_tile_url: None,
                map_attribution: String::new(),
            },
            // Tests run directory sync rounds themselves, when they want them; every synced
            // node is due again at once.
            directory: DirectoryConfig {
                sync: false,
                sync_interval: Duration::from_millis(1),
                ..DirectoryConfig::default()
            },
            // Tests fetch shared blocklists themselves, when they want them.
            blocklist_fetch_interval: Duration::ZERO,
            warnings: Vec::new(),
        }
    }
}

/// Drops a test's PostgreSQL database when the test ends, also when it fails.
struct DropDatabase {
    server: String,
    name: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = AsyncPgConnection::establish(&server)
                    .await
                    .map_err(std::io::Error::other)?;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(std::io::Error::other)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "note: test database {} was not dropped",
                self.name
            );
        }
    }
}

/// A running node on `127.0.0.1:0`, reachable as `http://localhost:PORT`. Stops when dropped.
pub struct TestNode {
    pub state: AppState,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<crate::Result<()>>>,
}

impl TestNode {
    pub async fn start(db: &TestDb, node_name: &str) -> TestNode {
        TestNode::start_at(db, node_name, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a node on a given address: to bring a stopped node back where it was.
    pub async fn start_at(db: &TestDb, node_name: &str, addr: SocketAddr) -> TestNode {
        TestNode::start_with(db, node_name, addr, |_| {}).await
    }

    /// Starts a node with its configuration changed by `adjust` (production mode, say).
    pub async fn start_with(
        db: &TestDb,
        node_name: &str,
        addr: SocketAddr,
        adjust: impl FnOnce(&mut Config),
    ) -> TestNode {
        let listener = TcpListener::bind(addr)
            .await
            .expect("bind the test node's address");
        let addr = listener.local_addr().expect("local address");
        let mut config = db.config(addr, node_name);
        adjust(&mut config);
        // An admin address (port 0 for any) is bound here, and the config says where it is.
        let admin = match config.admin_listen {
            Some(admin_addr) => {
                let admin = TcpListener::bind(admin_addr)
                    .await
                    .expect("bind the admin address");
                config.admin_listen = Some(admin.local_addr().expect("admin address"));
                Some(admin)
            }
            None => None,
        };
        // Likewise the metrics address.
        let metrics = match config.metrics_listen {
            Some(metrics_addr) => {
                let metrics = TcpListener::bind(metrics_addr)
                    .await
                    .expect("bind the metrics address");
                config.metrics_listen = Some(metrics.local_addr().expect("metrics address"));
                Some(metrics)
            }
            None => None,
        };
        let state = AppState::open(config).await.expect("open test node");
        let (stop, stopped) = oneshot::channel::<()>();
        let listeners = crate::server::Listeners {
            public: listener,
            admin,
            metrics,
        };
        let task = tokio::spawn(crate::server::serve_on(
            state.clone(),
            listeners,
            async move {
                let _ = stopped.await;
            },
        ));
        TestNode {
            state,
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://localhost:PORT/PATH`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.state.config.domain)
    }

    pub async fn create_user(&self, username: &str, admin: bool) -> CreatedAccount {
        let mut conn = self.state.db.conn().await.expect("connection");
        account::create(
            &self.state,
            &mut conn,
            NewAccount {
                username: username.to_owned(),
                password: None,
                admin,
                approved: true,
                signup_answer: None,
            },
        )
        .await
        .expect("create user")
    }

    /// A new user with an API token, for calling the API as them.
    pub async fn user_with_token(&self, username: &str) -> Api {
        self.account_with_token(username, false).await
    }

    /// A new administrator of this node with an API token.
    pub async fn admin_with_token(&self, username: &str) -> Api {
        self.account_with_token(username, true).await
    }

    async fn account_with_token(&self, username: &str, admin: bool) -> Api {
        self.create_user(username, admin).await;
        let mut conn = self.state.db.conn().await.expect("connection");
        let token = crate::service::token::create(&mut conn, username, "test")
            .await
            .expect("token");
        Api {
            base: self.url(""),
            token,
            client: reqwest::Client::new(),
        }
    }

    /// `@name@localhost:PORT`
    pub fn handle(&self, name: &str) -> String {
        format!("@{name}@{}", self.state.config.domain)
    }

    /// The state of the follow of `follower` (a local username) towards the actor with id
    /// `target`, if there is one.
    pub async fn follow_state(&self, follower: &str, target: &str) -> Option<String> {
        let mut conn = self.state.db.conn().await.ok()?;
        let follower = crate::db::actor::find_local(&mut conn, follower)
            .await
            .ok()??;
        let target = crate::db::actor::find_by_ap_id(&mut conn, &url::Url::parse(target).ok()?)
            .await
            .ok()??;
        let row = crate::db::follow::find(&mut conn, follower.id, target.id)
            .await
            .ok()??;
        Some(row.state)
    }

    /// Waits until `follower` (a local username) is an accepted follower of `target` (an id).
    pub async fn until_accepted(&self, follower: &str, target: &str) {
        eventually(
            &format!("{follower} follows {target}"),
            Duration::from_secs(20),
            || async {
                (self.follow_state(follower, target).await.as_deref() == Some("accepted"))
                    .then_some(())
            },
        )
        .await;
    }

    /// Row counts of what received activities change: received ids, follows, stories, comments,
    /// appreciation, tombstones. Equal before and after means nothing was stored.
    pub async fn effects(&self) -> [i64; 6] {
        use crate::db::schema::{
            appreciation, comment, follow, received_activity, remote_tombstone, story,
        };
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut conn = self.state.db.conn().await.expect("connection");
        let conn = &mut conn;
        [
            crate::run!(conn, |c| received_activity::table
                .count()
                .get_result(c)
                .await),
            crate::run!(conn, |c| follow::table.count().get_result(c).await),
            crate::run!(conn, |c| story::table.count().get_result(c).await),
            crate::run!(conn, |c| comment::table.count().get_result(c).await),
            crate::run!(conn, |c| appreciation::table.count().get_result(c).await),
            crate::run!(conn, |c| remote_tombstone::table
                .count()
                .get_result(c)
                .await),
        ]
        .map(|count: diesel::QueryResult<i64>| count.expect("count"))
    }

    /// The last answer (status) of every delivery queued to `inbox`, oldest first; `None` for
    /// one not answered yet.
    pub async fn delivery_statuses(&self, inbox: &str) -> Vec<Option<i32>> {
        use crate::db::schema::delivery;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut conn = self.state.db.conn().await.expect("connection");
        let conn = &mut conn;
        crate::run!(conn, |c| delivery::table
            .filter(delivery::inbox_url.eq(inbox))
            .order(delivery::id)
            .select(delivery::last_status)
            .load(c)
            .await)
        .expect("deliveries")
    }

    /// Signs and POSTs `body` to `url` as the local actor `username`, the way another server
    /// delivers an activity.
    pub async fn deliver_as(&self, username: &str, url: &str, body: &[u8]) -> reqwest::Response {
        let request = self.signed_request(username, url, body).await;
        reqwest::Client::new()
            .execute(request)
            .await
            .expect("deliver")
    }

    /// A POST of `body` to `url`, signed as the local actor `username`, not yet sent.
    pub async fn signed_request(&self, username: &str, url: &str, body: &[u8]) -> reqwest::Request {
        let mut conn = self.state.db.conn().await.expect("connection");
        let actor = crate::db::actor::find_local(&mut conn, username)
            .await
            .expect("lookup")
            .expect("the signer exists");
        let target = url::Url::parse(url).expect("inbox URL");
        let headers = self
            .state
            .crypto
            .sign(
                "POST",
                &target,
                Some(body),
                (&reqwest::header::CONTENT_TYPE, "application/activity+json"),
                actor.public_key_id.as_deref().expect("key id"),
                actor.private_key.as_deref().expect("private key"),
            )
            .expect("sign");
        reqwest::Client::new()
            .post(target)
            .headers(headers)
            .header(reqwest::header::CONTENT_TYPE, "application/activity+json")
            .body(body.to_vec())
            .build()
            .expect("request")
    }

    /// Makes a remote actor (id `actor_url`, inbox `inbox_url`) an accepted follower of the
    /// local actor `followee`, as if it had followed: for followers on servers that are not
    /// Kwartier nodes (a fake inbox, an unreachable address).
    pub async fn add_remote_follower(&self, followee: &str, actor_url: &str, inbox_url: &str) {
        add_remote_follower(&self.state.db, followee, actor_url, inbox_url).await;
    }

    /// Makes the theme group `handle` (themed `zorg`), with the local user `moderator` as its
    /// moderator when given.
    pub async fn create_group(
        &self,
        handle: &str,
        moderator: Option<&str>,
    ) -> crate::db::actor::Actor {
        use crate::service::theme_group::{self, GroupProfile};
        let mut conn = self.state.db.conn().await.expect("connection");
        let moderator = match moderator {
            Some(name) => Some(
                crate::db::actor::find_local(&mut conn, name)
                    .await
                    .expect("lookup")
                    .expect("the moderator exists"),
            ),
            None => None,
        };
        let profile = GroupProfile {
            name: format!("Netwerk {handle}"),
            summary: Some("Mantelzorg en buurtzorg in de regio.".into()),
            rules: Some("Blijf vriendelijk.".into()),
            themes: vec!["zorg".into()],
            location: None,
            local_only: None,
        };
        theme_group::create(&self.state, &mut conn, handle, profile, moderator.as_ref())
            .await
            .expect("create the group")
    }

    /// The ActivityPub id of a local user.
    pub async fn ap_id_of(&self, username: &str) -> String {
        let mut conn = self.state.db.conn().await.expect("connection");
        let (person, _) = account::find(&mut conn, username)
            .await
            .expect("user exists");
        person.ap_id.to_string()
    }

    /// Stops serving and waits until the server has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}

/// The JSON API as one user calls it.
/// The federation tests' usual network: Oss on the test's database, Heeten and Deventer on
/// SQLite databases of their own, and a user with a token on each (anna, bert, carla). Bind
/// every field: the databases must outlive their nodes.
pub struct ThreeNodes {
    pub oss: TestNode,
    pub heeten: TestNode,
    pub deventer: TestNode,
    pub anna: Api,
    pub bert: Api,
    pub carla: Api,
    pub heeten_db: TestDb,
    pub deventer_db: TestDb,
}

impl ThreeNodes {
    pub async fn start(db: &TestDb) -> ThreeNodes {
        let (heeten_db, deventer_db) = (TestDb::sqlite(), TestDb::sqlite());
        let oss = TestNode::start(db, "Oss").await;
        let heeten = TestNode::start(&heeten_db, "Heeten").await;
        let deventer = TestNode::start(&deventer_db, "Deventer").await;
        ThreeNodes {
            anna: oss.user_with_token("anna").await,
            bert: heeten.user_with_token("bert").await,
            carla: deventer.user_with_token("carla").await,
            oss,
            heeten,
            deventer,
            heeten_db,
            deventer_db,
        }
    }
}

pub struct Api {
    base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Api {
    /// The API of `node` with an existing token (after the node was restarted, say).
    pub fn for_token(node: &TestNode, token: &str) -> Api {
        Api::new(&node.url(""), token)
    }

    /// The API at `base` (`http://localhost:PORT`), e.g. of a node in another process.
    pub fn new(base: &str, token: &str) -> Api {
        Api {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    /// Creates the initiative `handle` named `name`, failing the test unless it is created.
    pub async fn create_initiative(&self, handle: &str, name: &str) -> serde_json::Value {
        let body = serde_json::json!({"handle": handle, "name": name});
        let (status, created) = self.post("/api/v1/initiatives", body).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
        created
    }

    /// The initiative `handle` joins the theme group `group` (`@group@node`), failing the
    /// test unless the request is taken.
    pub async fn join_group(&self, handle: &str, group: &str) {
        let path = format!("/api/v1/initiatives/{handle}/groups");
        let (status, body) = self.post(&path, serde_json::json!({"group": group})).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }

    /// Publishes a story for the initiative `handle`, failing the test unless it is created.
    pub async fn publish(&self, handle: &str, story: serde_json::Value) -> serde_json::Value {
        let path = format!("/api/v1/initiatives/{handle}/stories");
        let (status, published) = self.post(&path, story).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{published}");
        published
    }

    /// Sends a request and returns the status and the JSON body (`null` when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status();
        let text = response.text().await.expect("API body");
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, json)
    }

    /// Uploads `bytes` to `POST /api/v1/media`, saying they are `content_type`.
    pub async fn upload(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/media", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        let status = response.status();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// The story with this title in the caller's timeline, if it is there.
    pub async fn in_timeline(&self, title: &str) -> Option<serde_json::Value> {
        let (_, timeline) = self.get("/api/v1/timeline").await;
        timeline
            .as_array()?
            .iter()
            .find(|s| s["title"] == title)
            .cloned()
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }
}

/// The ActivityPub JSON at `url`, as another server fetches it (unsigned).
pub async fn fetch_activity_json(url: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(url)
        .header(reqwest::header::ACCEPT, "application/activity+json")
        .send()
        .await
        .expect("fetch");
    let status = response.status();
    assert!(status.is_success(), "{url}: {status}");
    response.json().await.expect("ActivityPub JSON")
}

/// Waits until `check` returns `Some`, polling every 50 ms, failing the test with `what` after
/// `deadline`. For conditions that come true through federation, never a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if start.elapsed() > deadline {
            panic!("timed out after {deadline:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// [`TestNode::add_remote_follower`] on a database of a node that runs elsewhere (in other
/// processes, say).
pub async fn add_remote_follower(db: &Db, followee: &str, actor_url: &str, inbox_url: &str) {
    use crate::db::actor::{self, NewActor, kind};
    let mut conn = db.conn().await.expect("connection");
    let at = crate::db::now();
    let username = actor_url.rsplit('/').next().unwrap_or("remote").to_owned();
    let remote = actor::upsert_remote(
        &mut conn,
        &NewActor {
            ap_id: crate::db::types::DbUrl(url::Url::parse(actor_url).expect("actor URL")),
            username: &username,
            display_name: None,
            inbox_url,
            shared_inbox_url: None,
            public_key: "-----BEGIN PUBLIC KEY-----",
            private_key: None,
            local: false,
            actor_type: kind::PERSON,
            summary: None,
            url: None,
            followers_url: None,
            icon_url: None,
            image_url: None,
            manually_approves_followers: false,
            discoverable: false,
            public_key_id: None,
            created_at: at,
            updated_at: at,
            last_refreshed_at: at,
        },
    )
    .await
    .expect("store the remote actor");
    let local = actor::find_local(&mut conn, followee)
        .await
        .expect("lookup")
        .expect("the followee exists");
    crate::db::follow::upsert(
        &mut conn,
        remote.id,
        local.id,
        None,
        crate::db::follow::state::ACCEPTED,
        at,
    )
    .await
    .expect("follow");
}
