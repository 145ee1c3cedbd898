//! Invite links over real HTTP: an admin makes one on `/admin/invites`; it lets people sign up
//! while sign-ups are by invitation, skips approval, stops at its use limit, when withdrawn and
//! on a closed node; each change is in the audit log.

use kwartier::db::node_settings::RegistrationMode;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;

use crate::web::browser::Page;
use crate::web::{Browser, registration, user};

test_both_backends!(invite_links_let_people_in_within_their_limits);

/// The invite code in the link an admin page or notice shows.
fn code_of(link: &str) -> String {
    link.split("invite=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("an invite link")
        .to_owned()
}

/// Signs up with the invite in a fresh browser; the page the sign-up ends on.
async fn sign_up(node: &TestNode, code: &str, name: &str) -> (Browser, Page) {
    let mut visitor = Browser::new(&node.url(""), "nl");
    visitor.get(&format!("/signup?invite={code}")).await;
    let page = visitor
        .post(
            "/signup",
            &[
                ("username", name),
                ("password", "een lang wachtwoord"),
                ("password_again", "een lang wachtwoord"),
                ("invite", code),
            ],
        )
        .await;
    (visitor, page)
}

async fn invite_links_let_people_in_within_their_limits(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    registration(&node, RegistrationMode::Invite, None).await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let anna = user(&node, "anna").await;

    // Without an invite nobody signs up.
    let mut stranger = Browser::new(&node.url(""), "nl");
    let page = stranger.get("/signup").await;
    assert!(page.html.contains("uitnodiging"), "{}", page.html);
    assert!(page.attr("input[name=username]", "name").is_none());
    stranger.get("/login").await;
    let refused = stranger
        .post(
            "/signup",
            &[
                ("username", "zonder"),
                ("password", "een lang wachtwoord"),
                ("password_again", "een lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Members cannot make invites.
    let mut member = Browser::new(&node.url(""), "nl");
    member.log_in("anna", &anna).await;
    assert_eq!(
        member.get("/admin/invites").await.status,
        StatusCode::FORBIDDEN
    );

    // An admin makes a one-use invite.
    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &admin_password).await;
    assert_eq!(admin.get("/admin/invites").await.status, StatusCode::OK);
    let made = admin
        .post(
            "/admin/invites",
            &[
                ("hours", "168"),
                ("max_uses", "1"),
                ("note", "Buurthuis De Schakel"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let notice = made.text(".notice");
    let code = code_of(&notice);
    assert!(notice.contains(&node.url("/signup?invite=")), "{notice}");
    assert!(made.text(".card").contains("Buurthuis De Schakel"));

    // It lets one person in, straight to their dashboard. Carla opened the form too, but bram
    // was first: the invite is used up when she sends it.
    let mut carla = Browser::new(&node.url(""), "nl");
    let form = carla.get(&format!("/signup?invite={code}")).await;
    assert!(form.html.contains("uitgenodigd"), "{}", form.html);
    let (mut bram, page) = sign_up(&node, &code, "bram").await;
    assert!(page.status.is_redirection(), "{}", page.html);
    assert_eq!(bram.get("/dashboard").await.status, StatusCode::OK);
    let page = carla
        .post(
            "/signup",
            &[
                ("username", "carla"),
                ("password", "een lang wachtwoord"),
                ("password_again", "een lang wachtwoord"),
                ("invite", &code),
            ],
        )
        .await;
    assert!(!page.status.is_redirection());
    assert!(
        page.text("[role=alert]").contains("verlopen"),
        "{}",
        page.html
    );
    assert_eq!(page.attr("input[name=username]", "value").as_deref(), None);

    // Used up: the link says so and offers no form.
    let mut late = Browser::new(&node.url(""), "nl");
    let page = late.get(&format!("/signup?invite={code}")).await;
    assert!(
        page.text("[role=alert]").contains("verlopen"),
        "{}",
        page.html
    );
    assert!(page.attr("input[name=username]", "name").is_none());
    let mut login = Browser::new(&node.url(""), "nl");
    login.get("/login").await;
    let tried = login
        .post(
            "/login",
            &[("username", "carla"), ("password", "een lang wachtwoord")],
        )
        .await;
    assert!(!tried.status.is_redirection(), "carla has no account");
    let unknown = late.get("/signup?invite=bestaat-niet").await;
    assert!(unknown.text("[role=alert]").contains("kennen we niet"));

    // With approval needed, an invite skips the wait.
    registration(&node, RegistrationMode::Approval, Some("Waar woont u?")).await;
    let made = admin
        .post("/admin/invites", &[("hours", "0"), ("max_uses", "0")])
        .await;
    let open_code = code_of(&made.text(".notice"));
    let (mut dirk, page) = sign_up(&node, &open_code, "dirk").await;
    assert!(page.status.is_redirection(), "{}", page.html);
    assert_eq!(dirk.get("/dashboard").await.status, StatusCode::OK);

    // Withdrawn, it stops working; on a closed node no invite works.
    admin.get("/admin/invites").await;
    let withdrawn = admin
        .post(&format!("/admin/invites/{open_code}/revoke"), &[])
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    let (_, page) = sign_up(&node, &open_code, "eva").await;
    assert!(
        page.text("[role=alert]").contains("verlopen"),
        "{}",
        page.html
    );
    let again = admin
        .post(&format!("/admin/invites/{open_code}/revoke"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let made = admin
        .post("/admin/invites", &[("hours", "24"), ("max_uses", "5")])
        .await;
    let closed_code = code_of(&made.text(".notice"));
    let mut fien = Browser::new(&node.url(""), "nl");
    fien.get(&format!("/signup?invite={closed_code}")).await;
    registration(&node, RegistrationMode::Closed, None).await;
    let page = fien
        .post(
            "/signup",
            &[
                ("username", "fien"),
                ("password", "een lang wachtwoord"),
                ("password_again", "een lang wachtwoord"),
                ("invite", &closed_code),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Nonsense limits are refused with a message, and nothing is made.
    let before = admin.get("/admin/invites").await.texts(".card").len();
    let refused = admin
        .post("/admin/invites", &[("hours", "0"), ("max_uses", "-3")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("[role=alert]").contains("1000"));
    assert_eq!(refused.texts(".card").len(), before);

    let log = admin.get("/admin/audit").await;
    let actions = log.texts("td code");
    for action in ["invite.create", "invite.revoke"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
}
