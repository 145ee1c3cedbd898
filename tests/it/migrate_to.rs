//! `kwartier admin migrate-to` as an operator runs it: a SQLite node copied into PostgreSQL,
//! and the refusals that leave a database untouched.

use kwartier::db::DatabaseUrl;
use kwartier::testing::TestDb;

use crate::cli::Kwartier;

fn postgres_url(db: &TestDb) -> String {
    match &db.url {
        DatabaseUrl::Postgres(url) => url.clone(),
        DatabaseUrl::Sqlite(_) => panic!("not PostgreSQL"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_node_moves_to_postgres_and_a_second_run_is_refused() {
    let Some(target) = TestDb::postgres("migrate_to::a_sqlite_node_moves_to_postgres").await else {
        return;
    };
    let source = TestDb::sqlite();
    let on_sqlite = Kwartier::on(&source);
    on_sqlite.ok(&["admin", "create-user", "anna", "--admin"]);
    let token = on_sqlite.ok(&["admin", "create-token", "anna"]);
    let url = postgres_url(&target);

    let output = on_sqlite.run(&["admin", "migrate-to", &url]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("actor: "), "progress per table: {stderr}");
    assert!(stdout.contains("the counts match"), "{stdout}");
    assert!(stdout.contains("media"), "{stdout}");
    assert!(
        stdout.contains(&format!("KWARTIER_DATABASE_URL={url} kwartier serve")),
        "{stdout}"
    );
    let api_token_line = stdout
        .lines()
        .find(|l| l.starts_with("api_token "))
        .expect("a line for api_token");
    assert!(
        api_token_line
            .split_whitespace()
            .eq(["api_token", "1", "1"]),
        "{api_token_line}"
    );

    // On PostgreSQL: anna is there, new rows get new ids, her old token is still hers.
    let on_postgres = Kwartier::on(&target);
    on_postgres.ok(&["admin", "create-user", "bert"]);
    let accounts = on_postgres.ok(&["admin", "accounts", "list"]);
    assert!(
        accounts.contains("anna") && accounts.contains("bert"),
        "{accounts}"
    );
    let db = target.open().await;
    let mut conn = db.conn().await.unwrap();
    let owner = kwartier::service::token::authenticate(&mut conn, token.trim())
        .await
        .expect("the token made on SQLite works on PostgreSQL");
    assert_eq!(owner.person.username, "anna");

    // Once copied, never again into the same database.
    let line = on_sqlite.fails(&["admin", "migrate-to", &url]);
    assert!(line.contains("not empty"), "{line}");
    assert_eq!(
        kwartier::db::local_account::count(&mut conn).await.unwrap(),
        2
    );
}

#[test]
fn only_a_postgres_url_from_a_sqlite_node_is_accepted() {
    let source = TestDb::sqlite();
    let kwartier = Kwartier::on(&source);
    let line = kwartier.fails(&["admin", "migrate-to", "sqlite://elders.db"]);
    assert!(line.contains("postgres://"), "{line}");
    let line = kwartier.fails(&["admin", "migrate-to", "mysql://localhost/kwartier"]);
    assert!(line.contains("target URL"), "{line}");
    // No node database where the configuration points: said so, and no file made.
    let line = kwartier.fails(&["admin", "migrate-to", "postgres://nobody@localhost:1/none"]);
    assert!(line.contains("no SQLite database"), "{line}");
    assert!(!source.data_dir().join("kwartier.db").exists());
}
