//! Storage tests: every one runs on SQLite and on PostgreSQL (when a server is configured).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

use super::actor::{self, NewActor, kind};
use super::api_token::{self, NewApiToken};
use super::local_account::{self, NewLocalAccount};
use super::types::DbUrl;
use super::*;
use crate::service::account::{self, NewAccount};
use crate::service::token;
use crate::test_both_backends;
use crate::testing::TestDb;

test_both_backends!(
    migrations_apply_once,
    a_newer_schema_is_refused,
    users_are_unique_ignoring_case,
    failed_transactions_leave_nothing_behind,
    nested_transactions_roll_back_to_the_savepoint,
    foreign_keys_are_enforced,
    node_settings_are_made_once_and_renamed_by_configuration,
    tokens_are_stored_hashed_and_authenticate,
    timestamps_read_back_as_written,
    concurrent_writers_all_succeed,
);

/// A person's row (remote, or local with a stand-in key), for storage tests.
pub(in crate::db) fn remote_person<'a>(
    at: chrono::NaiveDateTime,
    ap_id: &str,
    username: &'a str,
    local: bool,
) -> NewActor<'a> {
    NewActor {
        ap_id: DbUrl(u(ap_id)),
        username,
        display_name: None,
        inbox_url: "https://elders.example/inbox",
        shared_inbox_url: None,
        public_key: "-----BEGIN PUBLIC KEY-----",
        private_key: local.then_some("-----BEGIN PRIVATE KEY-----"),
        local,
        actor_type: kind::PERSON,
        summary: None,
        url: None,
        followers_url: None,
        icon_url: None,
        image_url: None,
        manually_approves_followers: false,
        discoverable: true,
        public_key_id: None,
        created_at: at,
        updated_at: at,
        last_refreshed_at: at,
    }
}

fn u(s: &str) -> ::url::Url {
    ::url::Url::parse(s).unwrap()
}

async fn count_people(conn: &mut Conn) -> i64 {
    run!(conn, |c| schema::actor::table
        .count()
        .get_result::<i64>(c)
        .await)
    .unwrap()
}

async fn migrations_apply_once(test: TestDb) {
    let db = Db::connect(&test.url, 2).await.unwrap();
    let first = db.migrate().await.unwrap();
    assert_eq!(first.applied, crate::testing::migration_names());
    let second = db.migrate().await.unwrap();
    assert!(second.applied.is_empty(), "{second:?}");
}

async fn a_newer_schema_is_refused(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000')",
    )
    .await
    .unwrap();
    match db.migrate().await {
        Err(Error::Config(message)) => {
            assert!(message.contains("20991231000000"), "{message}");
            assert!(message.contains("newer"), "{message}");
        }
        other => panic!("a newer schema was accepted: {other:?}"),
    }
}

async fn users_are_unique_ignoring_case(test: TestDb) {
    let state = test.state().await;
    let mut conn = state.db.conn().await.unwrap();
    let new = |name: &str| NewAccount {
        username: name.to_owned(),
        password: Some("een goed wachtwoord".into()),
        admin: false,
        approved: true,
        signup_answer: None,
    };
    let created = account::create(&state, &mut conn, new("anna"))
        .await
        .unwrap();
    assert_eq!(
        created.person.ap_id.as_str(),
        "http://localhost:8080/u/anna"
    );
    assert!(created.person.private_key.is_some());
    assert!(created.generated_password.is_none());
    match account::create(&state, &mut conn, new("anna")).await {
        Err(Error::Conflict(message)) => assert!(message.contains("anna"), "{message}"),
        other => panic!("duplicate accepted: {other:?}"),
    }
    // The index, not only the service's check, guards the handle regardless of case.
    let at = now();
    let upper = remote_person(at, "http://localhost:8080/u/Anna", "Anna", true);
    assert!(matches!(
        actor::insert(&mut conn, &upper).await,
        Err(Error::Conflict(_))
    ));
    // A remote Anna elsewhere is someone else.
    let remote = remote_person(at, "https://elders.example/users/anna", "anna", false);
    actor::insert(&mut conn, &remote).await.unwrap();
    // Anna, the remote Anna, and the node actor.
    assert_eq!(count_people(&mut conn).await, 3);
}

async fn failed_transactions_leave_nothing_behind(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    let at = now();
    let result: Result<()> = conn
        .transaction(|conn| {
            async move {
                let person = actor::insert(
                    conn,
                    &remote_person(at, "https://a.example/u/x", "x", false),
                )
                .await?;
                // A second account for the same person breaks the unique constraint.
                for _ in 0..2 {
                    let new = NewLocalAccount {
                        person_id: person.id,
                        password_hash: "x",
                        admin: false,
                        created_at: at,
                        approved: true,
                        signup_answer: None,
                        invite_id: None,
                    };
                    local_account::insert(conn, &new).await?;
                }
                Ok(())
            }
            .scope_boxed()
        })
        .await;
    assert!(matches!(result, Err(Error::Conflict(_))), "{result:?}");
    assert_eq!(count_people(&mut conn).await, 0);
    // The connection is usable again afterwards.
    actor::insert(
        &mut conn,
        &remote_person(at, "https://a.example/u/y", "y", false),
    )
    .await
    .unwrap();
    assert_eq!(count_people(&mut conn).await, 1);
}

async fn nested_transactions_roll_back_to_the_savepoint(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    let at = now();
    conn.transaction(|conn| {
        async move {
            actor::insert(
                conn,
                &remote_person(at, "https://a.example/u/kept", "kept", false),
            )
            .await?;
            let inner: Result<()> = conn
                .transaction(|conn| {
                    async move {
                        actor::insert(
                            conn,
                            &remote_person(at, "https://a.example/u/gone", "gone", false),
                        )
                        .await?;
                        Err(Error::BadRequest("changed my mind".into()))
                    }
                    .scope_boxed()
                })
                .await;
            assert!(inner.is_err());
            Ok(())
        }
        .scope_boxed()
    })
    .await
    .unwrap();
    assert!(
        actor::find_by_ap_id(&mut conn, &u("https://a.example/u/kept"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        actor::find_by_ap_id(&mut conn, &u("https://a.example/u/gone"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn foreign_keys_are_enforced(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    let orphan = NewLocalAccount {
        person_id: 4242,
        password_hash: "x",
        admin: false,
        created_at: now(),
        approved: true,
        signup_answer: None,
        invite_id: None,
    };
    let result = local_account::insert(&mut conn, &orphan).await;
    assert!(
        result.is_err(),
        "an account without a person was stored: {result:?}"
    );
}

async fn node_settings_are_made_once_and_renamed_by_configuration(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    let first = node_settings::ensure(&mut conn, None).await.unwrap();
    assert_eq!(first.name, node_settings::DEFAULT_NAME);
    assert_eq!(
        first.registration_mode(),
        node_settings::RegistrationMode::Closed
    );
    let renamed = node_settings::ensure(&mut conn, Some("Gemeente Oss"))
        .await
        .unwrap();
    assert_eq!(renamed.name, "Gemeente Oss");
    assert_eq!(renamed.created_at, first.created_at);
    let kept = node_settings::ensure(&mut conn, None).await.unwrap();
    assert_eq!(kept.name, "Gemeente Oss");
    assert_eq!(kept.updated_at, renamed.updated_at);
}

async fn tokens_are_stored_hashed_and_authenticate(test: TestDb) {
    let state = test.state().await;
    let mut conn = state.db.conn().await.unwrap();
    let created = account::create(
        &state,
        &mut conn,
        NewAccount {
            username: "wijkteam".into(),
            password: None,
            admin: true,
            approved: true,
            signup_answer: None,
        },
    )
    .await
    .unwrap();
    let secret = token::create(&mut conn, "wijkteam", "script")
        .await
        .unwrap();
    assert!(secret.starts_with(token::PREFIX));
    let stored = api_token::list_for_account(&mut conn, created.account.id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].label, "script");
    assert!(
        !stored[0]
            .token_hash
            .contains(&secret[token::PREFIX.len()..])
    );
    assert_eq!(stored[0].last_used_at, None);

    let auth = token::authenticate(&mut conn, &secret).await.unwrap();
    assert_eq!(auth.person.username, "wijkteam");
    assert!(auth.account.admin);
    let used = api_token::list_for_account(&mut conn, created.account.id)
        .await
        .unwrap();
    assert!(used[0].last_used_at.is_some());
    assert_eq!(
        local_account::count_active_since(&mut conn, created.account.created_at)
            .await
            .unwrap(),
        1
    );

    for wrong in [
        "",
        "kwt_",
        "kwt_nietgoed",
        &secret.to_uppercase(),
        &format!("{secret}x"),
    ] {
        assert!(
            matches!(
                token::authenticate(&mut conn, wrong).await,
                Err(Error::Unauthorized)
            ),
            "{wrong}"
        );
    }
    assert!(matches!(
        token::create(&mut conn, "niemand", "x").await,
        Err(Error::NotFound(_))
    ));
    // Hashes are unique: the same hash cannot be stored twice.
    let duplicate = NewApiToken {
        account_id: created.account.id,
        label: "copy",
        token_hash: &stored[0].token_hash,
        created_at: now(),
    };
    assert!(matches!(
        api_token::insert(&mut conn, &duplicate).await,
        Err(Error::Conflict(_))
    ));
}

async fn timestamps_read_back_as_written(test: TestDb) {
    let db = test.open().await;
    let mut conn = db.conn().await.unwrap();
    let at = now();
    let person = actor::insert(
        &mut conn,
        &remote_person(at, "https://a.example/u/t", "t", false),
    )
    .await
    .unwrap();
    assert_eq!(person.created_at, at);
    let found = actor::find_by_ap_id(&mut conn, &u("https://a.example/u/t"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.created_at, at);
}

async fn concurrent_writers_all_succeed(test: TestDb) {
    let db = test.open().await;
    let writers = (0..8).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut conn = db.conn().await?;
            conn.transaction(|conn| {
                async move {
                    // Read, then write: the pattern that fails under SQLite's deferred BEGIN.
                    let before = actor::find_by_ap_id(conn, &u("https://a.example/u/none")).await?;
                    assert!(before.is_none());
                    let ap_id = format!("https://a.example/u/w{i}");
                    actor::insert(conn, &remote_person(now(), &ap_id, &format!("w{i}"), false))
                        .await?;
                    Ok(())
                }
                .scope_boxed()
            })
            .await
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap().unwrap();
    }
    let mut conn = db.conn().await.unwrap();
    assert_eq!(count_people(&mut conn).await, 8);
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

/// Tables, columns and nullability as the database itself reports them.
async fn columns(db: &Db) -> Vec<ColumnInfo> {
    let mut conn = db.conn().await.unwrap();
    let mut columns = match &mut conn {
        Conn::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, \
             CAST(p.\"notnull\" OR p.pk > 0 AS BIGINT) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations'",
        )
        .load::<ColumnInfo>(&mut **c)
        .await
        .unwrap(),
        Conn::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text, column_name::text, \
             CAST(is_nullable = 'NO' AS INT)::BIGINT AS not_null \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'",
        )
        .load::<ColumnInfo>(&mut **c)
        .await
        .unwrap(),
    };
    columns.sort();
    columns
}

#[tokio::test]
async fn both_migration_trees_hold_the_same_migrations() {
    let names = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{backend}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let mut files: Vec<String> = std::fs::read_dir(entry.path())
                .unwrap()
                .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            assert_eq!(
                files,
                ["down.sql", "up.sql"],
                "{backend}/{:?}",
                entry.file_name()
            );
            entry.file_name().to_string_lossy().into_owned()
        })
        .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[tokio::test]
async fn both_backends_get_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite();
    let sqlite_columns = columns(&sqlite.open().await).await;
    assert!(
        sqlite_columns
            .iter()
            .any(|c| c.table_name == "api_token" && c.column_name == "token_hash")
    );
    let Some(postgres) = TestDb::postgres("both_backends_get_the_same_tables_and_columns").await
    else {
        return;
    };
    assert_eq!(sqlite_columns, columns(&postgres.open().await).await);
}

#[tokio::test]
async fn every_sqlite_connection_is_set_up() {
    #[derive(QueryableByName)]
    struct Pragmas {
        #[diesel(sql_type = Text)]
        journal_mode: String,
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
        #[diesel(sql_type = BigInt)]
        busy_timeout: i64,
    }
    let test = TestDb::sqlite();
    let db = test.open().await;
    // Hold several connections at once so the pool has to make new ones.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(db.conn().await.unwrap());
    }
    for conn in &mut held {
        let Conn::Sqlite(c) = conn else {
            panic!("not sqlite")
        };
        let pragmas = diesel::sql_query(
            "SELECT j.journal_mode AS journal_mode, f.foreign_keys AS foreign_keys, \
             b.timeout AS busy_timeout FROM pragma_journal_mode j, pragma_foreign_keys f, \
             pragma_busy_timeout b",
        )
        .get_result::<Pragmas>(&mut **c)
        .await
        .unwrap();
        assert_eq!(pragmas.journal_mode, "wal");
        assert_eq!(pragmas.foreign_keys, 1);
        assert_eq!(pragmas.busy_timeout, 5000);
    }
}

#[tokio::test]
async fn an_unreachable_database_is_reported_at_connect() {
    let url = DatabaseUrl::parse("postgres://kwartier:geheim@localhost:1/kwartier").unwrap();
    match Db::connect(&url, 1).await {
        Err(Error::Unavailable(message)) => {
            assert!(message.contains("localhost:1"), "{message}");
            assert!(!message.contains("geheim"), "{message}");
        }
        Err(other) => panic!("wrong error: {other:?}"),
        Ok(_) => panic!("connected to nothing"),
    }
}
