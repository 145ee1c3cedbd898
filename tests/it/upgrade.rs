//! Upgrades: a database as the first kwartier left it (only the first migration, filled through
//! that schema's tables) is brought up to date by `kwartier serve` itself, and everything in it
//! is still there over HTTP; a database of a newer kwartier is refused and left as it was.

use kwartier::db::Db;
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, fetch_activity_json, migration_names};
use reqwest::StatusCode;
use sha2::{Digest as _, Sha256};

use crate::cli::Kwartier;

test_both_backends!(
    a_database_of_the_first_schema_is_upgraded_with_its_data,
    a_database_of_a_newer_kwartier_is_refused_and_left_untouched,
);

const DOMAIN: &str = "kwartier.oss.example";
const TOKEN: &str = "kwt_een-token-uit-de-eerste-versie";
const PASSWORD: &str = "buurtkamer-2026";

/// Only the first migration, with a node, one person with an account, and an API token, all
/// written as the first schema has them (`person`, not yet `actor`).
async fn first_schema(db: &TestDb) -> (Db, kwartier::federation::keys::Keypair) {
    let pool = Db::connect(&db.url, 2).await.expect("connect");
    pool.migrate_oldest(1).await.expect("the first migration");
    let schema = pool.schema_version().await.unwrap().expect("a schema");
    assert_eq!(schema.name, migration_names()[0]);
    let keys = kwartier::federation::keys::generate().expect("a key pair");
    let password_hash = kwartier::service::password::hash(PASSWORD.into())
        .await
        .expect("a hash");
    let token_hash: String = Sha256::digest(TOKEN.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let at = "2026-11-22 10:00:00";
    let mut conn = pool.conn().await.expect("connection");
    conn.batch_execute(&format!(
        "INSERT INTO node_settings (id, name, registration_mode, created_at, updated_at) \
           VALUES (1, 'Gemeente Oss', 'closed', '{at}', '{at}'); \
         INSERT INTO person (ap_id, username, display_name, inbox_url, public_key, private_key, \
             local, created_at, updated_at, last_refreshed_at) \
           VALUES ('https://{DOMAIN}/u/anna', 'anna', 'Anna de Vries', \
             'https://{DOMAIN}/u/anna/inbox', '{}', '{}', TRUE, '{at}', '{at}', '{at}'); \
         INSERT INTO local_account (person_id, password_hash, admin, created_at) \
           SELECT id, '{password_hash}', TRUE, '{at}' FROM person WHERE username = 'anna'; \
         INSERT INTO api_token (account_id, label, token_hash, created_at) \
           SELECT id, 'oud', '{token_hash}', '{at}' FROM local_account;",
        keys.public_pem, keys.private_pem
    ))
    .await
    .expect("data in the first schema");
    drop(conn);
    (pool, keys)
}

async fn a_database_of_the_first_schema_is_upgraded_with_its_data(db: TestDb) {
    let (pool, keys) = first_schema(&db).await;
    pool.close();

    // `kwartier serve` brings the schema up to date before it serves.
    let node = Kwartier::on(&db).with("KWARTIER_DOMAIN", DOMAIN);
    let server = node.serve();
    let person = fetch_activity_json(&server.url("/u/anna")).await;
    assert_eq!(person["id"], format!("https://{DOMAIN}/u/anna"));
    assert_eq!(person["type"], "Person");
    assert_eq!(person["name"], "Anna de Vries");
    assert_eq!(
        person["publicKey"]["publicKeyPem"],
        keys.public_pem.as_str()
    );
    assert_eq!(person["publicKey"]["owner"], person["id"]);
    let key_id = person["publicKey"]["id"].as_str().expect("a key id");
    assert!(
        key_id.starts_with(&format!("https://{DOMAIN}/u/anna")),
        "{key_id}"
    );

    let response = reqwest::get(server.url(&format!(
        "/.well-known/webfinger?resource=acct:anna@{DOMAIN}"
    )))
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The old account and token work, and the account uses what later versions added.
    let anna = Api::new(&server.base, TOKEN);
    let (status, me) = anna.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "anna");
    assert_eq!(me["admin"], true);
    let initiative = anna.create_initiative("moestuin", "Buurtmoestuin").await;
    let group = fetch_activity_json(&server.url("/i/moestuin")).await;
    assert_eq!(group["id"], initiative["id"]);
    server.stop();

    // `serve` left nothing for `migrate` to do, and the password set in the first version still logs in.
    assert_eq!(
        node.ok(&["migrate"]),
        format!(
            "database schema is up to date ({})\n",
            db.url.backend_name()
        )
    );
    let pool = Db::connect(&db.url, 1).await.unwrap();
    let mut conn = pool.conn().await.unwrap();
    let (_, account) = kwartier::service::account::find(&mut conn, "anna")
        .await
        .unwrap();
    assert!(
        kwartier::service::password::verify(PASSWORD.into(), account.password_hash)
            .await
            .unwrap()
    );
}

async fn a_database_of_a_newer_kwartier_is_refused_and_left_untouched(db: TestDb) {
    let (pool, _) = first_schema(&db).await;
    let mut conn = pool.conn().await.unwrap();
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000')",
    )
    .await
    .unwrap();
    drop(conn);
    let tables = pool.table_count().await.unwrap();
    pool.close();

    let node = Kwartier::on(&db).with("KWARTIER_DOMAIN", DOMAIN);
    for args in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"]] {
        let line = node.fails(args);
        assert!(
            line.contains("20991231000000") && line.contains("newer version"),
            "{args:?}: {line}"
        );
    }
    // Not one later migration ran: the same tables, the first schema's `person` still there.
    let pool = Db::connect(&db.url, 1).await.unwrap();
    assert_eq!(pool.table_count().await.unwrap(), tables);
    let schema = pool.schema_version().await.unwrap().expect("a schema");
    assert_eq!(schema.version, "20991231000000");
    let mut conn = pool.conn().await.unwrap();
    conn.batch_execute("SELECT ap_id FROM person")
        .await
        .unwrap();
}
