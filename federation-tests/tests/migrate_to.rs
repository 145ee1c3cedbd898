//! A node moved from SQLite to PostgreSQL with `kwartier admin migrate-to` keeps federating as
//! itself: same actors, same keys, same followers. The moved node is a real `kwartier` process
//! (stopped, migrated and started again as an operator would); the node that follows it runs
//! in this process.

#[allow(dead_code)] // shared with crash.rs, interop.rs and browser.rs, which use more of it
mod node_process;

use std::time::Duration;

use kwartier::testing::{Api, TestDb, TestNode, eventually, fetch_activity_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

use node_process::{NodeProcess, free_address, kwartier, run_ok, user_token};

const DEADLINE: Duration = Duration::from_secs(60);

/// The story titled `title` in `api`'s timeline, once it has arrived.
async fn arrives(api: &Api, title: &str) -> Value {
    eventually(
        &format!("{title:?} reaches the follower"),
        DEADLINE,
        || async { api.in_timeline(title).await },
    )
    .await
}

/// What other servers know a node's actors by: ids and public keys.
async fn identity(base: &str) -> Vec<(Value, Value)> {
    let mut actors = Vec::new();
    for path in ["/actor", "/i/moestuin", "/u/bert"] {
        let actor = fetch_activity_json(&format!("{base}{path}")).await;
        actors.push((actor["id"].clone(), actor["publicKey"].clone()));
    }
    actors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_moved_to_postgres_keeps_its_identity_and_followers() {
    let Some(postgres) = TestDb::postgres("migrate_to::a_node_moved_to_postgres").await else {
        return;
    };
    // Oss runs here, with anna, who follows an initiative on Heeten.
    let oss_db = TestDb::sqlite();
    let oss = TestNode::start(&oss_db, "Oss").await;
    let anna = oss.user_with_token("anna").await;

    // Heeten is a `kwartier serve` process on SQLite, where bert runs the initiative.
    let sqlite = TestDb::sqlite();
    let addr = free_address();
    let token = user_token(&sqlite.url, addr, "bert");
    let heeten = NodeProcess::start(&sqlite.url, addr);
    let bert = Api::new(&heeten.base_url(), &token);
    bert.create_initiative("moestuin", "Moestuin De Kolk").await;
    let handle = format!("@moestuin@localhost:{}", addr.port());
    let (status, body) = anna
        .post("/api/v1/follows", json!({"target": handle}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    eventually("Heeten accepts anna", DEADLINE, || async {
        let (_, initiative) = bert.get("/api/v1/initiatives/moestuin").await;
        (initiative["followers"] == 1).then_some(())
    })
    .await;
    bert.publish(
        "moestuin",
        json!({"title": "Voor de verhuizing", "content": "Nog op SQLite."}),
    )
    .await;
    arrives(&anna, "Voor de verhuizing").await;
    let before = identity(&heeten.base_url()).await;

    // The operator's steps: stop the node, copy, start it on PostgreSQL.
    heeten.stop();
    let postgres_url = match &postgres.url {
        kwartier::db::DatabaseUrl::Postgres(url) => url.clone(),
        kwartier::db::DatabaseUrl::Sqlite(_) => unreachable!("TestDb::postgres"),
    };
    let copied = run_ok(kwartier(&sqlite.url, addr).args(["admin", "migrate-to", &postgres_url]));
    assert!(copied.contains("the counts match"), "{copied}");
    drop(sqlite); // From here on Heeten cannot fall back to its old database.
    let heeten = NodeProcess::start(&postgres.url, addr);

    // Same actors, same keys, as other servers see them.
    let after = identity(&heeten.base_url()).await;
    assert_eq!(before, after);
    assert!(
        after.iter().all(|(_, key)| key["publicKeyPem"]
            .as_str()
            .is_some_and(|pem| pem.contains("BEGIN PUBLIC KEY"))),
        "{after:?}"
    );

    // Anna is still a follower: a new story reaches her, signed with the same keys.
    let (_, initiative) = bert.get("/api/v1/initiatives/moestuin").await;
    assert_eq!(initiative["followers"], 1, "{initiative}");
    let published = bert
        .publish(
            "moestuin",
            json!({"title": "Na de verhuizing", "content": "Nu op PostgreSQL."}),
        )
        .await;
    let story = arrives(&anna, "Na de verhuizing").await;

    // And what she writes back reaches Heeten.
    let thread = format!("{}/comments", story["api_url"].as_str().expect("api_url"));
    let (status, body) = anna
        .post(&thread, json!({"content": "Goed overgekomen!"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let heeten_thread = format!(
        "{}/comments",
        published["api_url"].as_str().expect("api_url")
    );
    eventually("anna's comment reaches Heeten", DEADLINE, || async {
        let (_, comments) = bert.get(&heeten_thread).await;
        comments
            .as_array()?
            .iter()
            .any(|c| {
                c["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Goed overgekomen")
            })
            .then_some(())
    })
    .await;
    heeten.stop();
    oss.stop().await;
}
