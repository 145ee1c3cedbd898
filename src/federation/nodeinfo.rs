//! NodeInfo 2.1 (<https://nodeinfo.diaspora.software/>): what software this node runs, whether
//! it takes sign-ups, and how many people use it. Crawlers and other servers read it.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::db::local_account;
use crate::db::node_settings::{self, RegistrationMode};
use crate::error::Result;
use crate::state::AppState;

pub const SCHEMA_2_1: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";
const CONTENT_TYPE_2_1: &str =
    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/nodeinfo", get(discovery))
        .route("/nodeinfo/2.1", get(nodeinfo))
}

#[derive(Serialize)]
struct Discovery {
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Link {
    rel: &'static str,
    href: String,
}

/// FEP-2677: where to find the node's `Application` actor.
pub const APPLICATION_ACTOR: &str = "https://www.w3.org/ns/activitystreams#Application";

async fn discovery(State(state): State<AppState>) -> Json<Discovery> {
    Json(Discovery {
        links: vec![
            Link {
                rel: SCHEMA_2_1,
                href: state.urls.nodeinfo().to_string(),
            },
            Link {
                rel: APPLICATION_ACTOR,
                href: state.urls.node_actor().to_string(),
            },
        ],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    version: &'static str,
    software: Software,
    protocols: [&'static str; 1],
    services: Services,
    open_registrations: bool,
    usage: Usage,
    metadata: Metadata,
}

#[derive(Serialize)]
struct Software {
    name: &'static str,
    version: &'static str,
    repository: &'static str,
    homepage: &'static str,
}

#[derive(Serialize)]
struct Services {
    inbound: [&'static str; 0],
    outbound: [&'static str; 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Usage {
    users: Users,
    local_posts: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Users {
    total: i64,
    active_month: i64,
    active_halfyear: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    node_name: String,
    node_description: String,
}

async fn nodeinfo(State(state): State<AppState>) -> Result<impl IntoResponse> {
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    let now = crate::db::now();
    let users = Users {
        total: local_account::count(&mut conn).await?,
        active_month: local_account::count_active_since(
            &mut conn,
            now - chrono::TimeDelta::days(30),
        )
        .await?,
        active_halfyear: local_account::count_active_since(
            &mut conn,
            now - chrono::TimeDelta::days(180),
        )
        .await?,
    };
    let info = NodeInfo {
        version: "2.1",
        software: Software {
            name: "kwartier",
            version: env!("CARGO_PKG_VERSION"),
            repository: env!("CARGO_PKG_REPOSITORY"),
            homepage: env!("CARGO_PKG_REPOSITORY"),
        },
        protocols: ["activitypub"],
        services: Services {
            inbound: [],
            outbound: [],
        },
        open_registrations: settings.registration_mode() == RegistrationMode::Open,
        usage: Usage {
            users,
            local_posts: crate::db::story::count_local(&mut conn).await?,
        },
        metadata: Metadata {
            node_name: settings.name,
            node_description: settings.description,
        },
    };
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE_2_1)], Json(info)))
}
