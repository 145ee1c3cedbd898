//! Signing up, logging in and out, changing passwords; form tokens and login limits.

use kwartier::db::node_settings::RegistrationMode;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;

use super::browser::Browser;
use super::{registration, user};

test_both_backends!(
    forms_without_the_visitors_token_or_from_another_site_are_refused,
    logging_in_and_out,
    sign_up_follows_the_registration_mode,
    sign_up_errors_stand_beside_their_fields_and_keep_what_was_typed,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    login_attempts_on_one_account_are_limited,
);

async fn forms_without_the_visitors_token_or_from_another_site_are_refused(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    let page = browser.get("/login").await;
    let token = page.attr("input[name=csrf]", "value").expect("token");
    let cookie = page
        .headers
        .get("set-cookie")
        .expect("token cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("csrf="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let credentials = [("username", "anna"), ("password", password.as_str())];
    let missing = browser.post_raw("/login", &credentials, None).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let wrong = [credentials[0], credentials[1], ("csrf", "someone-elses")];
    assert_eq!(
        browser.post_raw("/login", &wrong, None).await.status,
        StatusCode::BAD_REQUEST
    );
    let right = [credentials[0], credentials[1], ("csrf", token.as_str())];
    let foreign = browser
        .post_raw("/login", &right, Some("https://evil.example"))
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    // Still logged out after all that.
    assert_eq!(
        browser.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );

    // A token from another browser does not work with this browser's cookie.
    let mut other = Browser::new(&node.url(""), "nl");
    other.get("/login").await;
    let stolen = [credentials[0], credentials[1], ("csrf", token.as_str())];
    assert_eq!(
        other.post_raw("/login", &stolen, None).await.status,
        StatusCode::BAD_REQUEST
    );
    let own_origin = node.url("");
    let ok = browser
        .post_raw("/login", &right, Some(own_origin.trim_end_matches('/')))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
}

async fn logging_in_and_out(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut browser = Browser::new(&node.url(""), "nl");

    let to_login = browser.get("/dashboard").await;
    assert_eq!(to_login.status, StatusCode::SEE_OTHER);
    assert_eq!(to_login.location(), "/login?next=%2Fdashboard");

    browser.get("/login?next=/dashboard").await;
    let wrong = browser
        .post(
            "/login",
            &[
                ("username", "Anna"),
                ("password", "not-her-password"),
                ("next", "/dashboard"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.field_error("password"),
        "Fout: De gebruikersnaam of het wachtwoord klopt niet."
    );
    assert_eq!(wrong.attr("#username", "value").as_deref(), Some("anna"));
    assert!(wrong.text("#error-summary").contains("klopt niet"));
    assert!(wrong.text("title").starts_with("Fout:"));
    let nobody = browser
        .post(
            "/login",
            &[("username", "nobody"), ("password", "whatever-it-is")],
        )
        .await;
    assert_eq!(
        nobody.field_error("password"),
        wrong.field_error("password")
    );

    let ok = browser
        .post(
            "/login",
            &[
                ("username", "anna"),
                ("password", &password),
                ("next", "/dashboard"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/dashboard");
    let session = ok
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        session.starts_with("session=") && session.contains("HttpOnly"),
        "{session}"
    );
    // Development nodes run on http; elsewhere the cookie is Secure.
    assert!(!session.contains("Secure"), "{session}");

    let dashboard = browser.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_eq!(dashboard.text("h1"), "Mijn overzicht");
    assert!(dashboard.text("header nav").contains("Uitloggen"));

    // Only pages here: an address elsewhere after logging in is ignored.
    browser.get("/login").await;
    let elsewhere = browser
        .post(
            "/login",
            &[
                ("username", "anna"),
                ("password", &password),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.location(), "/dashboard");

    let out = browser.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn sign_up_follows_the_registration_mode(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    let fields = [
        ("username", "karin"),
        ("password", "een-lang-wachtwoord"),
        ("password_again", "een-lang-wachtwoord"),
        ("answer", "Ik woon in Oss-Oost."),
    ];

    // New nodes are closed.
    let closed = browser.get("/signup").await;
    assert!(
        closed.text("main").contains("nu geen account maken"),
        "{}",
        closed.html
    );
    assert!(closed.attr("form[action='/signup']", "method").is_none());
    browser.get("/login").await;
    assert_eq!(
        browser.post("/signup", &fields).await.status,
        StatusCode::FORBIDDEN
    );

    registration(&node, RegistrationMode::Invite, None).await;
    assert!(
        browser
            .get("/signup")
            .await
            .text("main")
            .contains("uitnodiging")
    );

    registration(&node, RegistrationMode::Approval, Some("Waar woont u?")).await;
    let asking = browser.get("/signup").await;
    assert_eq!(asking.text(".question"), "Waar woont u?");
    let waiting = browser.post("/signup", &fields).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.html);
    assert!(waiting.text("[role=status]").contains("Bedankt"));
    browser.get("/login").await;
    let pending = browser
        .post(
            "/login",
            &[("username", "karin"), ("password", "een-lang-wachtwoord")],
        )
        .await;
    assert_eq!(pending.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        pending
            .field_error("username")
            .contains("nog niet goedgekeurd")
    );

    registration(&node, RegistrationMode::Open, None).await;
    browser.get("/signup").await;
    let taken = browser.post("/signup", &fields).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.field_error("username").contains("al in gebruik"));
    let open = browser
        .post(
            "/signup",
            &[
                ("username", "joost"),
                ("password", "een-lang-wachtwoord"),
                ("password_again", "een-lang-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.html);
    assert_eq!(open.location(), "/dashboard");
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
}

async fn sign_up_errors_stand_beside_their_fields_and_keep_what_was_typed(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    registration(&node, RegistrationMode::Open, None).await;
    let mut browser = Browser::new(&node.url(""), "en");
    browser.get("/signup").await;
    let page = browser
        .post(
            "/signup",
            &[
                ("username", "Karin de Vries"),
                ("password", "short"),
                ("password_again", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("username").contains("lowercase letters"),
        "{}",
        page.html
    );
    assert!(
        page.field_error("password").contains("at least 10"),
        "{}",
        page.html
    );
    assert_eq!(
        page.attr("#username", "value").as_deref(),
        Some("karin de vries")
    );
    assert_eq!(
        page.attr("#username", "aria-invalid").as_deref(),
        Some("true")
    );
    let described = page
        .attr("#username", "aria-describedby")
        .unwrap_or_default();
    assert!(described.contains("username-error"), "{described}");
    // Passwords are never sent back.
    assert_eq!(page.attr("#password", "value").as_deref(), Some(""));
    assert_eq!(page.texts("#error-summary li").len(), 2);

    let mismatch = browser
        .post(
            "/signup",
            &[
                ("username", "karin"),
                ("password", "een-lang-wachtwoord"),
                ("password_again", "een-ander-wachtwoord"),
            ],
        )
        .await;
    assert!(
        mismatch
            .field_error("password_again")
            .contains("not the same")
    );
    // Nothing was made.
    browser.get("/login").await;
    let login = browser
        .post(
            "/login",
            &[("username", "karin"), ("password", "een-lang-wachtwoord")],
        )
        .await;
    assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut laptop = Browser::new(&node.url(""), "nl");
    let mut phone = Browser::new(&node.url(""), "nl");
    laptop.log_in("anna", &password).await;
    phone.log_in("anna", &password).await;

    laptop.get("/account/password").await;
    let wrong = laptop
        .post(
            "/account/password",
            &[
                ("current_password", "guess-guess"),
                ("new_password", "nieuw-wachtwoord-1"),
                ("new_password_again", "nieuw-wachtwoord-1"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .field_error("current_password")
            .contains("niet uw huidige")
    );

    let changed = laptop
        .post(
            "/account/password",
            &[
                ("current_password", &password),
                ("new_password", "nieuw-wachtwoord-1"),
                ("new_password_again", "nieuw-wachtwoord-1"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.html);
    assert!(changed.text("[role=status]").contains("gewijzigd"));
    assert_eq!(laptop.get("/dashboard").await.status, StatusCode::OK);
    assert_eq!(phone.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    let mut fresh = Browser::new(&node.url(""), "nl");
    fresh.log_in("anna", "nieuw-wachtwoord-1").await;
}

async fn login_attempts_on_one_account_are_limited(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.get("/login").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let page = browser
            .post(
                "/login",
                &[("username", "anna"), ("password", "raden-raden")],
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNPROCESSABLE_ENTITY; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits now.
    let right = browser
        .post("/login", &[("username", "anna"), ("password", &password)])
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(right.field_error("password").contains("te vaak"));
}
