//! Shared blocklists on `/admin/federation`, with `kwartier admin domains subscriptions …` and
//! `… drafts …`, and over `/api/v1/admin/federation/subscriptions…`: Oss subscribes to Heeten's
//! published list over real HTTP; a fetch makes drafts and blocks nothing; approving blocks,
//! rejecting changes nothing; each is audited.

use kwartier::service::audit::{self, Who};
use kwartier::service::federation_policy::{Severity, actions};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use crate::cli::Kwartier;
use crate::web::{Browser, user};

test_both_backends!(subscriptions_make_drafts_that_admins_decide);

async fn block(node: &TestNode, domain: &str, severity: Severity) {
    let mut conn = node.state.db.conn().await.unwrap();
    actions::block(
        &mut conn,
        &Who::Cli,
        actions::Block {
            domain,
            severity,
            reason: Some("spam"),
            private_reason: None,
        },
    )
    .await
    .unwrap();
}

async fn subscriptions_make_drafts_that_admins_decide(db: TestDb) {
    let heeten_db = TestDb::sqlite();
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    block(&heeten, "spam.example", Severity::Suspend).await;
    block(&heeten, "loud.example", Severity::Silence).await;
    let list = heeten.url("/api/v1/instance/domain_blocks");

    let oss = TestNode::start(&db, "Oss").await;
    let password = oss
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let anna = user(&oss, "anna").await;
    let mut member = Browser::new(&oss.url(""), "nl");
    member.log_in("anna", &anna).await;
    let refused = member
        .post("/admin/federation/subscriptions", &[("url", &list)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut admin = Browser::new(&oss.url(""), "nl");
    admin.log_in("beheer", &password).await;
    admin.get("/admin/federation").await;
    let page = admin
        .post(
            "/admin/federation/subscriptions",
            &[("url", "ftp://lijst.example/")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = admin
        .post("/admin/federation/subscriptions", &[("url", &list)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.text("ul.subscriptions").contains(&list),
        "{}",
        page.html
    );
    let page = admin
        .post("/admin/federation/subscriptions", &[("url", &list)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Fetching makes drafts and blocks nothing.
    let page = admin
        .post("/admin/federation/subscriptions/fetch", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.texts("ul.drafts .card__title"),
        vec!["loud.example", "spam.example"]
    );
    assert!(page.texts("table.blocks td.domain").is_empty());

    // Approve one, reject the other.
    let page = admin
        .post("/admin/federation/drafts/spam.example/approve", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.texts("table.blocks td.domain"), vec!["spam.example"]);
    assert!(page.text("table.blocks").contains("spam"));
    let page = admin
        .post("/admin/federation/drafts/loud.example/reject", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("ul.drafts .card__title").is_empty());
    assert_eq!(page.texts("table.blocks td.domain"), vec!["spam.example"]);
    let page = admin
        .post("/admin/federation/drafts/loud.example/approve", &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The same from the command line.
    let kwartier = Kwartier::on(&db).with("KWARTIER_DEVELOPMENT", "true");
    assert!(
        kwartier
            .ok(&["admin", "domains", "subscriptions", "list"])
            .contains(&list)
    );
    assert!(
        kwartier
            .fails(&["admin", "domains", "subscriptions", "add", &list])
            .contains("already")
    );
    block(&heeten, "nieuw.example", Severity::Suspend).await;
    let fetched = kwartier.ok(&["admin", "domains", "subscriptions", "fetch"]);
    assert!(fetched.contains("1 new drafts"), "{fetched}");
    let drafts = kwartier.ok(&["admin", "domains", "drafts", "list"]);
    assert!(drafts.contains("nieuw.example"), "{drafts}");
    assert!(!drafts.contains("loud.example"), "{drafts}");
    assert!(
        kwartier
            .ok(&["admin", "domains", "drafts", "approve", "nieuw.example"])
            .contains("blocked nieuw.example (suspend)")
    );
    assert!(
        kwartier
            .fails(&["admin", "domains", "drafts", "reject", "nieuw.example"])
            .contains("not found")
    );
    kwartier.ok(&["admin", "domains", "subscriptions", "remove", &list]);
    assert!(
        !kwartier
            .ok(&["admin", "domains", "subscriptions", "list"])
            .contains(&list)
    );
    let export = kwartier.ok(&["admin", "domains", "export"]);
    assert!(export.contains("nieuw.example") && export.contains("spam.example"));

    // And over the admin API.
    let api = oss.admin_with_token("beheerapi").await;
    let bert = oss.user_with_token("bert").await;
    let (status, _) = bert.get("/api/v1/admin/federation/subscriptions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api
        .post(
            "/api/v1/admin/federation/subscriptions",
            json!({ "url": list }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    block(&heeten, "api.example", Severity::Suspend).await;
    let (status, body) = api
        .post("/api/v1/admin/federation/subscriptions/fetch", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The blocks approved before are blocked here already; the rejection was forgotten with
    // the subscription.
    assert_eq!(
        body["lists"][0]["new_drafts"],
        json!(["api.example", "loud.example"]),
        "{body}"
    );
    let (_, body) = api.get("/api/v1/admin/federation/subscriptions").await;
    assert_eq!(body["drafts"][0]["domain"], "api.example", "{body}");
    assert_eq!(body["subscriptions"][0]["entry_count"], 4, "{body}");
    let (status, body) = api
        .post(
            "/api/v1/admin/federation/drafts/api.example/approve",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "blocked");
    let (status, _) = api
        .post(
            "/api/v1/admin/federation/drafts/api.example/approve",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .delete(&format!(
            "/api/v1/admin/federation/subscriptions?url={list}"
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let state = db.state().await;
    let mut conn = state.db.conn().await.unwrap();
    let entries: Vec<String> = audit::page(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {} {}", r.actor, r.action, r.target))
        .collect();
    for expected in [
        format!("beheer blocklist.subscribe {list}"),
        "beheer domain.block spam.example".to_owned(),
        "beheer blocklist.approve spam.example".to_owned(),
        "beheer blocklist.reject loud.example".to_owned(),
        "cli blocklist.approve nieuw.example".to_owned(),
        format!("cli blocklist.unsubscribe {list}"),
        "beheerapi blocklist.approve api.example".to_owned(),
        format!("beheerapi blocklist.unsubscribe {list}"),
    ] {
        assert!(entries.contains(&expected), "{expected} in {entries:?}");
    }
}
