//! The state every handler shares: database pool, configuration, URL builder, keys and the
//! outgoing HTTP client. No globals, so several nodes can run in one process (the federation
//! tests do).

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::db::actor::Actor;
use crate::db::exclusive::Lock;
use crate::delivery;
use crate::error::Result;
use crate::federation::client;
use crate::federation::keys::KeyPool;
use crate::federation::signatures::KeyCache;
use crate::federation::urls::Urls;
use crate::metrics::Metrics;
use crate::service::directory::place::Places;
use crate::service::node;
use crate::web::LoginLimits;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub urls: Urls,
    /// Spare key pairs for new actors.
    pub keys: KeyPool,
    /// Parsed keys for signing and verifying.
    pub crypto: KeyCache,
    /// For every request to another server.
    pub http: reqwest::Client,
    /// This node's `Application` actor: signs fetches, stands for the node.
    pub node_actor: Arc<Actor>,
    /// Wakes the delivery worker after something was queued.
    pub deliveries: delivery::Waker,
    /// Login attempts per address and account.
    pub login_limits: LoginLimits,
    /// Geocoder answers for network-wide search.
    pub places: Places,
    /// What Prometheus reads on `metrics_listen`.
    pub metrics: Metrics,
}

impl AppState {
    /// Opens the database, brings its schema up to date and makes sure the node's settings and
    /// actor exist. Everything a node needs before it can serve.
    pub async fn open(config: Config) -> Result<AppState> {
        let db = Db::connect(&config.database, config.database_max_connections).await?;
        let urls = Urls::new(&config);
        let keys = KeyPool::new();
        // Processes that start together on one PostgreSQL database take turns here: one
        // migrates and makes the node's actor (and its keys), the others find them made.
        let startup = db.exclusive(Lock::Startup).await?;
        let prepared = async {
            let report = db.migrate_holding(&startup).await?;
            for name in &report.applied {
                tracing::info!(migration = %name, "applied database migration");
            }
            let mut conn = db.conn().await?;
            crate::db::node_settings::ensure(&mut conn, config.node_name.as_deref()).await?;
            node::ensure_actor(&mut conn, &urls, &keys).await
        }
        .await;
        startup.release().await;
        let node_actor = prepared?;
        Ok(AppState {
            http: client::build(&config)?,
            config: Arc::new(config),
            urls,
            keys,
            crypto: KeyCache::default(),
            node_actor: Arc::new(node_actor),
            deliveries: delivery::Waker::default(),
            login_limits: LoginLimits::default(),
            places: Places::default(),
            metrics: Metrics::new(),
            db,
        })
    }
}
