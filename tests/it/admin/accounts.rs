//! Account administration on `/admin/accounts`: approving and rejecting sign-ups, suspending
//! (with a required reason) and lifting it, resetting a password, and roles; each is in the
//! audit log.

use kwartier::service::account::{self, NewAccount};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode};
use reqwest::StatusCode;

use crate::web::{Browser, user};

test_both_backends!(admins_approve_suspend_reset_and_give_roles);

async fn pending(node: &TestNode, name: &str, answer: &str) -> String {
    let mut conn = node.state.db.conn().await.expect("connection");
    account::create(
        &node.state,
        &mut conn,
        NewAccount {
            username: name.to_owned(),
            password: None,
            admin: false,
            approved: false,
            signup_answer: Some(answer.to_owned()),
        },
    )
    .await
    .expect("a pending sign-up")
    .generated_password
    .expect("password")
}

async fn can_log_in(node: &TestNode, name: &str, password: &str) -> bool {
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.get("/login").await;
    let page = browser
        .post("/login", &[("username", name), ("password", password)])
        .await;
    page.status.is_redirection()
}

async fn admins_approve_suspend_reset_and_give_roles(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let carla = pending(&node, "carla", "Ik woon in Oss-Oost").await;
    let dirk = pending(&node, "dirk", "spam").await;
    let anna = user(&node, "anna").await;
    let mut conn = node.state.db.conn().await.expect("connection");
    let anna_token = kwartier::service::token::create(&mut conn, "anna", "test")
        .await
        .expect("token");
    let anna_api = Api::for_token(&node, &anna_token);

    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &admin_password).await;
    let page = admin.get("/admin/accounts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Ik woon in Oss-Oost"), "{}", page.html);
    assert!(!can_log_in(&node, "carla", &carla).await);

    // Approve one sign-up, reject the other.
    let page = admin.post("/admin/accounts/carla/approve", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(".notice").contains("@carla"), "{}", page.html);
    assert!(can_log_in(&node, "carla", &carla).await);
    admin
        .post("/admin/accounts/dirk/reject", &[("reason", "spam")])
        .await;
    assert!(!can_log_in(&node, "dirk", &dirk).await);
    assert!(
        account::find(&mut conn, "dirk").await.is_err(),
        "dirk is deleted"
    );

    // Suspending needs a reason; then anna's session, token and login all stop.
    let mut anna_browser = Browser::new(&node.url(""), "nl");
    anna_browser.log_in("anna", &anna).await;
    assert_eq!(anna_browser.get("/dashboard").await.status, StatusCode::OK);
    let refused = admin
        .post("/admin/accounts/anna/suspend", &[("reason", "  ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("[role=alert]").contains("reden"),
        "{}",
        refused.html
    );
    admin
        .post(
            "/admin/accounts/anna/suspend",
            &[("reason", "Herhaalde spam")],
        )
        .await;
    assert!(anna_browser.get("/dashboard").await.status.is_redirection());
    assert_eq!(anna_api.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let mut login = Browser::new(&node.url(""), "en");
    login.get("/login").await;
    let page = login
        .post("/login", &[("username", "anna"), ("password", &anna)])
        .await;
    assert!(
        page.field_error("username").contains("suspended"),
        "{}",
        page.html
    );
    admin.post("/admin/accounts/anna/unsuspend", &[]).await;
    assert!(can_log_in(&node, "anna", &anna).await);

    // A new password replaces the old one.
    let page = admin.post("/admin/accounts/anna/reset-password", &[]).await;
    let notice = page.text(".notice");
    let new_password = notice
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the new password in the notice")
        .to_owned();
    assert!(!can_log_in(&node, "anna", &anna).await);
    assert!(can_log_in(&node, "anna", &new_password).await);

    // A moderator reaches /admin but not account administration.
    admin
        .post("/admin/accounts/carla/role", &[("role", "moderator")])
        .await;
    let mut carla_browser = Browser::new(&node.url(""), "nl");
    carla_browser.log_in("carla", &carla).await;
    assert_eq!(carla_browser.get("/admin").await.status, StatusCode::OK);
    assert_eq!(
        carla_browser.get("/admin/accounts").await.status,
        StatusCode::FORBIDDEN
    );
    // The only admin cannot step down.
    let refused = admin
        .post("/admin/accounts/beheer/role", &[("role", "member")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let log = admin.get("/admin/audit").await;
    let actions = log.texts("td code");
    for action in [
        "account.approve",
        "account.reject",
        "account.suspend",
        "account.unsuspend",
        "account.reset_password",
        "account.role",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
    assert!(log.texts("td").contains(&"beheer".to_owned()));
}
