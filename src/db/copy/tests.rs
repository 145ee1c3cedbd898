//! The SQLite-to-PostgreSQL copy on real databases of both kinds: run when
//! `KWARTIER_TEST_POSTGRES_URL` names a server, otherwise they say they are skipped.

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryDsl as _, QueryableByName, SelectableHelper as _};
use diesel_async::RunQueryDsl as _;
use reqwest::StatusCode;
use serde_json::json;

use super::{CopyReport, sqlite_to_postgres};
use crate::db::actor::Actor;
use crate::db::comment::Comment;
use crate::db::follow::Follow;
use crate::db::initiative::Initiative;
use crate::db::invite::Invite;
use crate::db::local_account::LocalAccount;
use crate::db::schema;
use crate::db::story::Story;
use crate::db::{Conn, Db};
use crate::error::Error;
use crate::run;
use crate::testing::{TestDb, TestNode};

async fn copy(source: &TestDb, target: &TestDb) -> crate::Result<CopyReport> {
    let source = Db::connect(&source.url, 2).await.expect("source");
    let target = Db::connect(&target.url, 2).await.expect("target");
    let mut tables = Vec::new();
    let report =
        sqlite_to_postgres(&source, &target, &mut |t, n| tables.push((t.to_owned(), n))).await;
    if let Ok(report) = &report {
        assert_eq!(
            tables.len(),
            report.tables.len(),
            "progress for every table"
        );
    }
    report
}

/// A node with people, an initiative with a place, a story, a thread, and a follower,
/// made through the API, and then the awkward cases only SQL makes: a reply whose
/// parent has the higher id, a deleted row at the top of a table, doubles that JSON would
/// round, and an invite that both names its maker and let an account in (a cycle of
/// foreign keys between two tables).
async fn filled_node() -> TestDb {
    let db = TestDb::sqlite();
    let node = TestNode::start(&db, "Oss").await;
    let anna = node.admin_with_token("anna").await;
    let bert = node.user_with_token("bert").await;
    let (status, body) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk", "themes": ["groen"],
                   "location": {"name": "De Kolk", "latitude": 51.765, "longitude": 5.518}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = bert
        .post(
            "/api/v1/follows",
            json!({"target": node.handle("moestuin")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Oogstfeest", "content": "Zaterdag **oogsten** we.", "visibility": "public"}),
        )
        .await;
    let thread = format!("{}/comments", story["api_url"].as_str().expect("api_url"));
    let (status, body) = bert.post(&thread, json!({"content": "Ik kom!"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    node.stop().await;

    let db_handle = db.open().await;
    let mut conn = db_handle.conn().await.expect("connection");
    conn.batch_execute(
        "INSERT INTO comment (id, ap_id, story_id, parent_id, author_id, content, local, published_at) \
           SELECT 1001, 'http://elders.example/c/1001', story_id, NULL, author_id, 'ouder', 0, '2026-12-01 10:00:00.123456' \
           FROM comment LIMIT 1; \
         INSERT INTO comment (id, ap_id, story_id, parent_id, author_id, content, local, published_at) \
           SELECT 1000, 'http://elders.example/c/1000', story_id, 1001, author_id, 'jonger', 0, '2026-12-01 10:00:01' \
           FROM comment LIMIT 1; \
         INSERT INTO comment (id, ap_id, story_id, parent_id, author_id, content, local, published_at) \
           SELECT 2000, 'http://elders.example/c/2000', story_id, NULL, author_id, 'weg', 0, '2026-12-01 10:00:02' \
           FROM comment LIMIT 1; \
         DELETE FROM comment WHERE id = 2000; \
         UPDATE initiative SET latitude = 0.1 + 0.2, longitude = 5.123456789012345; \
         INSERT INTO invite (code, created_by, max_uses, uses, created_at) \
           SELECT 'uitnodiging', id, 3, 1, '2026-12-01 08:00:00' FROM local_account \
           WHERE person_id = (SELECT id FROM actor WHERE username = 'anna'); \
         UPDATE local_account SET invite_id = (SELECT max(id) FROM invite) \
           WHERE person_id = (SELECT id FROM actor WHERE username = 'bert');",
    )
    .await
    .expect("awkward rows");
    db
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn number(conn: &mut Conn, sql: &str) -> i64 {
    run!(conn, |c| diesel::sql_query(sql).get_result::<N>(c).await)
        .expect(sql)
        .n
}

/// Every row of the tables that carry a node's identity and content, read through the
/// application's own models, so that both backends are read the way the node reads them.
#[derive(PartialEq)]
struct Contents {
    actors: Vec<Actor>,
    accounts: Vec<LocalAccount>,
    invites: Vec<Invite>,
    initiatives: Vec<Initiative>,
    follows: Vec<Follow>,
    stories: Vec<Story>,
    comments: Vec<Comment>,
}

async fn contents(db: &Db) -> Contents {
    use schema::*;
    let mut conn = db.conn().await.expect("connection");
    Contents {
        actors: run!(&mut conn, |c| actor::table
            .order(actor::id)
            .select(Actor::as_select())
            .load(c)
            .await)
        .expect("actors"),
        accounts: run!(&mut conn, |c| local_account::table
            .order(local_account::id)
            .select(LocalAccount::as_select())
            .load(c)
            .await)
        .expect("accounts"),
        invites: run!(&mut conn, |c| invite::table
            .order(invite::id)
            .select(Invite::as_select())
            .load(c)
            .await)
        .expect("invites"),
        initiatives: run!(&mut conn, |c| initiative::table
            .order(initiative::actor_id)
            .select(Initiative::as_select())
            .load(c)
            .await)
        .expect("initiatives"),
        follows: run!(&mut conn, |c| follow::table
            .order(follow::id)
            .select(Follow::as_select())
            .load(c)
            .await)
        .expect("follows"),
        stories: run!(&mut conn, |c| story::table
            .order(story::id)
            .select(Story::as_select())
            .load(c)
            .await)
        .expect("stories"),
        comments: run!(&mut conn, |c| comment::table
            .order(comment::id)
            .select(Comment::as_select())
            .load(c)
            .await)
        .expect("comments"),
    }
}

/// Rows in all of the target's tables together.
async fn rows_in(db: &Db) -> i64 {
    let mut conn = db.conn().await.expect("connection");
    let Conn::Postgres(pg) = &mut conn else {
        panic!("not PostgreSQL")
    };
    let tables = super::pg_tables(pg).await.expect("tables");
    let mut total = 0;
    for table in tables.iter().filter(|t| *t != super::MIGRATIONS_TABLE) {
        total += number(
            &mut conn,
            &format!("SELECT count(*) AS n FROM {}", super::quote(table)),
        )
        .await;
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_arrives_exactly_and_ids_are_never_reused() {
    let Some(target) = TestDb::postgres("copy::everything_arrives_exactly").await else {
        return;
    };
    let source = filled_node().await;
    let report = copy(&source, &target).await.expect("copy");
    for table in &report.tables {
        assert_eq!(table.sqlite, table.postgres, "{table:?}");
    }
    let count = |name: &str| {
        report
            .tables
            .iter()
            .find(|t| t.table == name)
            .map(|t| t.postgres)
    };
    assert_eq!(count("comment"), Some(3), "{:?}", report.tables);
    assert!(count("actor") >= Some(4), "{:?}", report.tables);
    assert_eq!(count("__diesel_schema_migrations"), None);

    let (source_db, target_db) = (source.open().await, target.open().await);
    let (before, after) = (contents(&source_db).await, contents(&target_db).await);
    assert!(!before.actors.is_empty() && before.actors.iter().any(|a| a.private_key.is_some()));
    // Field by field where it matters most, then everything.
    for (a, b) in before.actors.iter().zip(&after.actors) {
        assert_eq!(a.ap_id, b.ap_id);
        assert_eq!(a.public_key, b.public_key, "{}", a.ap_id);
        assert!(a.private_key == b.private_key, "private key of {}", a.ap_id);
    }
    assert_eq!(before.initiatives, after.initiatives);
    assert_eq!(after.initiatives[0].latitude, Some(0.1 + 0.2));
    assert_eq!(before.comments, after.comments);
    assert_eq!(before.accounts, after.accounts);
    assert_eq!(before.invites, after.invites);
    assert!(before == after, "the copy differs from the original");

    let mut conn = target_db.conn().await.expect("connection");
    let invited = number(
        &mut conn,
        "SELECT count(*) AS n FROM local_account a JOIN invite i ON i.id = a.invite_id \
         WHERE i.created_by IS NOT NULL",
    )
    .await;
    assert_eq!(invited, 1, "the invite/account cycle arrived whole");

    // The next comment gets an id SQLite never gave out (2000 was deleted there).
    let next = number(
        &mut conn,
        "SELECT nextval(pg_get_serial_sequence('comment', 'id')) AS n",
    )
    .await;
    assert_eq!(next, 2001);
    let next_actor = number(
        &mut conn,
        "SELECT nextval(pg_get_serial_sequence('actor', 'id')) AS n",
    )
    .await;
    assert!(next_actor > after.actors.iter().map(|a| a.id).max().unwrap_or(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_with_rows_or_other_tables_is_refused_and_nothing_is_written() {
    let Some(target) = TestDb::postgres("copy::a_target_with_rows_is_refused").await else {
        return;
    };
    let source = TestDb::sqlite();
    let source_db = source.open().await;
    let mut conn = source_db.conn().await.expect("connection");
    conn.batch_execute("INSERT INTO theme (slug, name) VALUES ('groen', 'Groen')")
        .await
        .expect("source row");

    // A database of something else.
    let target_db = Db::connect(&target.url, 2).await.expect("target");
    let mut pg = target_db.conn().await.expect("connection");
    pg.batch_execute("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')")
        .await
        .expect("other table");
    match copy(&source, &target).await {
        Err(Error::Conflict(message)) => assert!(message.contains("notes"), "{message}"),
        other => panic!("not refused: {:?}", other.map(|r| r.tables)),
    }
    let tables = number(
        &mut pg,
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    assert_eq!(
        tables, 1,
        "nothing was migrated into someone else's database"
    );
    pg.batch_execute("DROP TABLE notes").await.expect("drop");

    // A Kwartier database that has a row already.
    target.open().await;
    pg.batch_execute("INSERT INTO theme (slug, name) VALUES ('zorg', 'Zorg')")
        .await
        .expect("target row");
    match copy(&source, &target).await {
        Err(Error::Conflict(message)) => {
            assert!(
                message.contains("theme") && message.contains("not empty"),
                "{message}"
            )
        }
        other => panic!("not refused: {:?}", other.map(|r| r.tables)),
    }
    assert_eq!(rows_in(&target_db).await, 1);
    #[derive(QueryableByName)]
    struct Slug {
        #[diesel(sql_type = Text)]
        slug: String,
    }
    let slugs = run!(&mut pg, |c| diesel::sql_query("SELECT slug FROM theme")
        .load::<Slug>(c)
        .await)
    .expect("slugs");
    assert_eq!(
        slugs.into_iter().map(|s| s.slug).collect::<Vec<_>>(),
        ["zorg"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_mid_copy_leaves_the_target_without_rows() {
    let Some(target) = TestDb::postgres("copy::a_failure_mid_copy").await else {
        return;
    };
    let source = filled_node().await;
    let source_db = source.open().await;
    let target_db = Db::connect(&target.url, 1).await.expect("target");

    // A comment whose story is gone: SQLite let it in with its checks off, PostgreSQL will not.
    // Every table before and after it has been read and loaded when the foreign keys are
    // checked, at the very end.
    let mut conn = source_db.conn().await.expect("connection");
    conn.batch_execute(
        "PRAGMA foreign_keys = OFF; \
         INSERT INTO comment (id, ap_id, story_id, author_id, content, local, published_at) \
           SELECT 3000, 'http://elders.example/c/3000', 999999, author_id, 'wees', 0, '2026-12-01 10:00:00' \
           FROM comment LIMIT 1; \
         PRAGMA foreign_keys = ON;",
    )
    .await
    .expect("orphan");
    let failed = copy(&source, &target).await.expect_err("copy must fail");
    let message = failed.to_string();
    assert!(
        message.contains("nothing was copied") && message.contains("foreign key"),
        "{message}"
    );
    assert_eq!(rows_in(&target_db).await, 0);

    // A timestamp PostgreSQL cannot read, in a table loaded halfway through.
    conn.batch_execute(
        "DELETE FROM comment WHERE id = 3000; \
         UPDATE story SET published_at = 'gisteren' WHERE id = (SELECT min(id) FROM story);",
    )
    .await
    .expect("bad timestamp");
    let failed = copy(&source, &target).await.expect_err("copy must fail");
    let message = failed.to_string();
    assert!(
        message.contains("nothing was copied") && message.contains("story"),
        "{message}"
    );
    assert_eq!(rows_in(&target_db).await, 0);

    // Fixed at the source, the same target takes the copy.
    conn.batch_execute(
        "UPDATE story SET published_at = '2026-12-01 09:00:00' WHERE published_at = 'gisteren'",
    )
    .await
    .expect("fix");
    let report = copy(&source, &target).await.expect("copy after the fix");
    assert_eq!(rows_in(&target_db).await, report.rows());
    assert!(report.rows() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_behind_or_ahead_of_this_binary_is_refused() {
    let Some(target) = TestDb::postgres("copy::a_source_behind_or_ahead").await else {
        return;
    };
    let source = TestDb::sqlite();
    let source_db = source.open().await;
    let target_db = Db::connect(&target.url, 1).await.expect("target");
    let mut conn = source_db.conn().await.expect("connection");
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('99991231000000')",
    )
    .await
    .expect("a newer migration");
    match copy(&source, &target).await {
        Err(Error::Config(message)) => assert!(message.contains("newer"), "{message}"),
        other => panic!("not refused: {:?}", other.map(|r| r.tables)),
    }
    conn.batch_execute(
        "DELETE FROM __diesel_schema_migrations WHERE version = '99991231000000'; \
         DELETE FROM __diesel_schema_migrations \
         WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
    )
    .await
    .expect("forget a migration");
    match copy(&source, &target).await {
        Err(Error::Config(message)) => assert!(message.contains("kwartier migrate"), "{message}"),
        other => panic!("not refused: {:?}", other.map(|r| r.tables)),
    }
    let mut pg = target_db.conn().await.expect("connection");
    let tables = number(
        &mut pg,
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    assert_eq!(tables, 0, "the target was not touched");
}
