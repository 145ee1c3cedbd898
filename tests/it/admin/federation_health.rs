//! `/admin/federation-health` and `GET /api/v1/admin/federation/health`: an admin sees the
//! peer that is down with its backlog, the age of the oldest delivery and the last error;
//! members and visitors are refused.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, eventually};
use reqwest::StatusCode;

use crate::metrics::{closed_port, queue_delivery_to};
use crate::web::{Browser, user};

test_both_backends!(admins_see_the_backlog_of_a_peer_that_is_down);

async fn admins_see_the_backlog_of_a_peer_that_is_down(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let anna = user(&node, "anna").await;
    let down = closed_port().await;
    let peer = down.trim_start_matches("http://").to_owned();
    queue_delivery_to(&node, "moestuin", &down).await;

    // The API, once the first attempt failed.
    let admin_api = node.admin_with_token("beheer_api").await;
    let found = eventually(
        "the peer's failure is recorded",
        Duration::from_secs(20),
        || async {
            let (status, body) = admin_api.get("/api/v1/admin/federation/health").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["peers"]
                .as_array()?
                .iter()
                .find(|p| p["peer"] == peer.as_str())
                .filter(|p| p["last_failure_at"].is_string())
                .cloned()
        },
    )
    .await;
    assert!(found["pending"].as_i64().is_some_and(|n| n > 0), "{found}");
    assert!(found["oldest_pending_age_seconds"].is_i64(), "{found}");
    assert!(
        found["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{found}"
    );
    assert!(
        found["consecutive_failures"]
            .as_i64()
            .is_some_and(|n| n > 0),
        "{found}"
    );
    assert!(
        ["closed", "open", "probing"].contains(&found["circuit"].as_str().unwrap_or("")),
        "{found}"
    );
    let member_api = node.user_with_token("lid").await;
    let (status, _) = member_api.get("/api/v1/admin/federation/health").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The page, in Dutch and English.
    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &password).await;
    let index = admin.get("/admin").await;
    assert!(
        index.html.contains("href=\"/admin/federation-health\""),
        "{}",
        index.html
    );
    let page = admin.get("/admin/federation-health").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let row = format!("tr[data-peer=\"{peer}\"]");
    let pending: i64 = page
        .text(&format!("{row} .health__pending"))
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(pending > 0, "{}", page.html);
    assert!(!page.text(&format!("{row} .health__age")).trim().is_empty());
    assert!(
        !page
            .text(&format!("{row} .health__error"))
            .trim()
            .is_empty(),
        "{}",
        page.html
    );
    assert!(
        page.text("h1").contains("Federatiegezondheid"),
        "{}",
        page.html
    );
    let mut english = Browser::new(&node.url(""), "en");
    english.log_in("beheer", &password).await;
    let page = english.get("/admin/federation-health").await;
    assert!(
        page.text("h1").contains("Federation health"),
        "{}",
        page.html
    );

    // Members get 403, visitors are sent to log in.
    let mut member = Browser::new(&node.url(""), "nl");
    member.log_in("anna", &anna).await;
    assert_eq!(
        member.get("/admin/federation-health").await.status,
        StatusCode::FORBIDDEN
    );
    let mut visitor = Browser::new(&node.url(""), "nl");
    assert!(
        visitor
            .get("/admin/federation-health")
            .await
            .status
            .is_redirection()
    );
}
