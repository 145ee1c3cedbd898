//! Node settings over real HTTP: an admin edits what the about page says, who may sign up and
//! what new content starts as on `/admin/settings` (a configured name stays); `/over` (and `/about` in English), NodeInfo
//! and the node actor show it; mistakes are named beside the field and change nothing; every
//! change is in the audit log.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::Value;

use crate::web::{Browser, user};

test_both_backends!(admins_set_what_the_about_page_says_and_who_may_join);

const RULES: &str =
    "Wees vriendelijk.\n\nGeen reclame.\n  Deel geen persoonsgegevens van anderen.  ";

async fn json(url: &str, accept: &str) -> Value {
    reqwest::Client::new()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

async fn admins_set_what_the_about_page_says_and_who_may_join(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let anna = user(&node, "anna").await;

    let mut member = Browser::new(&node.url(""), "nl");
    member.log_in("anna", &anna).await;
    assert_eq!(
        member.get("/admin/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let mut visitor = Browser::new(&node.url(""), "nl");
    assert!(visitor.get("/admin/settings").await.status.is_redirection());

    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &admin_password).await;
    let page = admin.get("/admin/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attr("input[name=node_languages]", "value").as_deref(),
        Some("nl,en")
    );
    // The test node's name is configured (as KWARTIER_NODE_NAME): it wins, so it is not a field.
    assert!(page.attr("input[name=node_name]", "name").is_none());
    assert!(page.html.contains("KWARTIER_NODE_NAME"));

    // A wrong address is named beside its field, what was typed stays, nothing is saved.
    let profile = [
        (
            "node_description",
            "Initiatieven in Oss vragen hier steun en bieden hulp.\n\nWe ontmoeten elkaar eerst in het echt.",
        ),
        ("node_rules", RULES),
        ("contact_name", "Fatima de Vries"),
        ("contact_email", "kwartier at oss.nl"),
        ("node_languages", "nl, fy"),
    ];
    let refused = admin.post("/admin/settings/profile", &profile).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("contact_email").contains("e-mailadres"),
        "{}",
        refused.html
    );
    assert_eq!(
        refused.attr("input[name=contact_name]", "value").as_deref(),
        Some("Fatima de Vries")
    );
    let about = visitor.get("/over").await;
    assert!(!about.html.contains("Fatima"), "nothing was saved");

    let mut fixed = profile;
    fixed[3] = ("contact_email", "kwartier@oss.nl");
    let saved = admin.post("/admin/settings/profile", &fixed).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.text("[role=status]").contains("opgeslagen"));

    // The about page, in both languages.
    let about = visitor.get("/over").await;
    assert_eq!(about.status, StatusCode::OK);
    assert_eq!(about.text("h1"), "Over Oss");
    assert_eq!(
        about.texts("ol li"),
        [
            "Wees vriendelijk.",
            "Geen reclame.",
            "Deel geen persoonsgegevens van anderen."
        ]
    );
    assert_eq!(
        about.attr("a[href^=mailto]", "href").as_deref(),
        Some("mailto:kwartier@oss.nl")
    );
    assert!(about.html.contains("Nederlands, Fries"), "{}", about.html);
    assert!(
        about
            .html
            .contains("We ontmoeten elkaar eerst in het echt.")
    );
    let mut english = Browser::new(&node.url(""), "en");
    let about = english.get("/about").await;
    assert_eq!(about.text("h1"), "About Oss");
    assert!(about.html.contains("Dutch, Frisian"), "{}", about.html);

    // Other servers see the new name and description.
    let info = json(&node.url("/nodeinfo/2.1"), "application/json").await;
    assert_eq!(info["metadata"]["nodeName"], "Oss");
    assert!(
        info["metadata"]["nodeDescription"]
            .as_str()
            .is_some_and(|d| d.starts_with("Initiatieven in Oss"))
    );
    let actor = json(&node.url("/actor"), "application/activity+json").await;
    assert!(
        actor["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Initiatieven in Oss")),
        "{actor}"
    );

    // Who may join, and what new content starts as.
    let page = admin
        .post(
            "/admin/settings/registration",
            &[
                ("registration", "approval"),
                ("signup_question", "Waar woont u?"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attr("#registration-approval", "checked").as_deref(),
        Some("")
    );
    let signup = visitor.get("/signup").await;
    assert!(signup.html.contains("Waar woont u?"), "{}", signup.html);
    let about = visitor.get("/over").await;
    assert!(about.html.contains("keurt de aanmelding goed"));
    let wrong = admin
        .post(
            "/admin/settings/registration",
            &[("registration", "iedereen")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    admin
        .post("/admin/settings/visibility", &[("visibility", "local")])
        .await;
    let page = admin.get("/admin/settings").await;
    assert_eq!(
        page.attr("#visibility-local", "checked").as_deref(),
        Some("")
    );

    let log = admin.get("/admin/audit").await;
    let actions = log.texts("td code");
    for action in [
        "node.profile",
        "node.registration",
        "node.default_visibility",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
}
