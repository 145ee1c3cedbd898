//! `admin_listen`: with a separate admin address, the public address has no admin surface at
//! all (404, as if it did not exist), and the admin address serves it.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;

use crate::web::Browser;

test_both_backends!(the_admin_surface_lives_only_on_the_admin_address);

async fn the_admin_surface_lives_only_on_the_admin_address(db: TestDb) {
    let node = TestNode::start_with(&db, "Oss", ([127, 0, 0, 1], 0).into(), |config| {
        config.admin_listen = Some(([127, 0, 0, 1], 0).into());
    })
    .await;
    let admin_addr = node.state.config.admin_listen.expect("an admin address");
    let admin = node.admin_with_token("beheer").await;
    let password = node
        .create_user("moderator", true)
        .await
        .generated_password
        .expect("password");

    // Public: the admin pages and API do not exist, for anyone; the rest works.
    let (status, _) = admin.get("/api/v1/admin/audit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, me) = admin.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let mut public = Browser::new(&node.url(""), "nl");
    public.log_in("moderator", &password).await;
    for path in ["/admin", "/admin/", "/admin/audit", "/admin/audit/export"] {
        assert_eq!(
            public.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(public.get("/dashboard").await.status, StatusCode::OK);

    // The admin address serves them.
    let base = format!("http://{admin_addr}");
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/admin/audit"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("admin API");
    assert_eq!(response.status(), StatusCode::OK);
    let mut local = Browser::new(&base, "nl");
    local.log_in("moderator", &password).await;
    let page = local.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("/admin/audit"));
}
