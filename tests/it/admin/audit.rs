//! The audit log: actions are recorded with who, what and why; admins read and export it; no
//! request and no query can change or delete an entry.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kwartier::db::Conn;
use kwartier::db::schema::audit_log;
use kwartier::service::audit::{self, Action, Who};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use crate::web::{Browser, user};

test_both_backends!(
    admins_read_the_log_and_nobody_can_change_it,
    the_admin_pages_are_for_staff_only,
);

async fn admins_read_the_log_and_nobody_can_change_it(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin = node.admin_with_token("beheer").await;
    let member = node.user_with_token("anna").await;
    let mut conn = node.state.db.conn().await.expect("connection");
    for (action, target) in [
        ("domain.block", "spam.example"),
        ("account.suspend", "@dirk"),
    ] {
        audit::record(
            &mut conn,
            &Who::Cli,
            Action::new(action, target)
                .because(Some("  herhaalde spam  "))
                .with(json!({"severity": "suspend"})),
        )
        .await
        .expect("record");
    }

    let (status, body) = admin.get("/api/v1/admin/audit?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["action"], "account.suspend");
    assert_eq!(items[0]["actor"], "cli");
    assert_eq!(items[0]["reason"], "herhaalde spam");
    assert_eq!(items[0]["detail"]["severity"], "suspend");
    let before = body["next_before"].as_i64().expect("a next page");
    let (_, older) = admin
        .get(&format!("/api/v1/admin/audit?before={before}"))
        .await;
    assert_eq!(older["items"][0]["target"], "spam.example");
    assert!(older["next_before"].is_null(), "{older}");

    let (status, _) = member.get("/api/v1/admin/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = reqwest::get(node.url("/api/v1/admin/audit")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // No method changes it, with the admin's own token.
    let id = items[0]["id"].as_i64().unwrap();
    for path in [
        "/api/v1/admin/audit".to_owned(),
        format!("/api/v1/admin/audit/{id}"),
    ] {
        let (status, _) = admin.delete(&path).await;
        assert!(
            matches!(
                status,
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
            ),
            "DELETE {path}: {status}"
        );
        let (status, _) = admin.patch(&path, json!({"reason": "nooit gebeurd"})).await;
        assert!(
            matches!(
                status,
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
            ),
            "PATCH {path}: {status}"
        );
    }
    // Nor does the database let the application do it.
    let updated = match &mut conn {
        Conn::Sqlite(c) => diesel::update(audit_log::table)
            .set(audit_log::reason.eq("nooit gebeurd"))
            .execute(&mut **c)
            .await
            .map(|_| ()),
        Conn::Postgres(c) => diesel::update(audit_log::table)
            .set(audit_log::reason.eq("nooit gebeurd"))
            .execute(&mut **c)
            .await
            .map(|_| ()),
    };
    let err = updated.expect_err("an update is refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    let deleted = match &mut conn {
        Conn::Sqlite(c) => diesel::delete(audit_log::table).execute(&mut **c).await,
        Conn::Postgres(c) => diesel::delete(audit_log::table).execute(&mut **c).await,
    };
    assert!(deleted.is_err(), "a delete is refused");
    let (_, after) = admin.get("/api/v1/admin/audit").await;
    assert_eq!(after["items"].as_array().unwrap().len(), 2);
    assert_eq!(after["items"][0]["reason"], "herhaalde spam");

    // The export holds every entry, oldest first, one JSON object a line.
    let mut out = Vec::new();
    assert_eq!(audit::export(&mut conn, &mut out).await.unwrap(), 2);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0]["action"], "domain.block");
    assert_eq!(lines[1]["action"], "account.suspend");
}

async fn the_admin_pages_are_for_staff_only(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");

    let mut visitor = Browser::new(&node.url(""), "nl");
    let page = visitor.get("/admin").await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert!(page.location().starts_with("/login"), "{}", page.location());

    let mut anna = Browser::new(&node.url(""), "nl");
    anna.log_in("anna", &password).await;
    assert_eq!(anna.get("/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(anna.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    assert!(!anna.get("/").await.html.contains("href=\"/admin\""));

    for (lang, title) in [("nl", "Logboek"), ("en", "Audit log")] {
        let mut admin = Browser::new(&node.url(""), lang);
        admin.log_in("beheer", &admin_password).await;
        assert!(admin.get("/").await.html.contains("href=\"/admin\""));
        let index = admin.get("/admin").await;
        assert_eq!(index.status, StatusCode::OK);
        assert!(
            index.texts("h2 a").contains(&title.to_owned()),
            "{}",
            index.html
        );
        let mut conn = node.state.db.conn().await.expect("connection");
        audit::record(
            &mut conn,
            &Who::Cli,
            Action::new("peer.seed", "heeten.example"),
        )
        .await
        .unwrap();
        let log = admin.get("/admin/audit").await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(
            log.texts("td").contains(&"heeten.example".to_owned()),
            "{}",
            log.html
        );
        let export = admin.get("/admin/audit/export").await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.html.contains("\"peer.seed\""));
    }
}
