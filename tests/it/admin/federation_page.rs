//! The federation policy on `/admin/federation`, as an admin's browser uses it: the mode,
//! blocks with a public or private reason, allows, the Mastodon CSV export, and an import
//! that changes nothing when a line is wrong. Members get 403; each change is audited; the
//! public list `/api/v1/instance/domain_blocks` shows public reasons only.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::Value;

use crate::web::{Browser, user};

test_both_backends!(admins_govern_federation_on_the_page);

async fn admins_govern_federation_on_the_page(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let anna = user(&node, "anna").await;

    // Members and visitors have no business here.
    let mut member = Browser::new(&node.url(""), "nl");
    member.log_in("anna", &anna).await;
    assert_eq!(
        member.get("/admin/federation").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = member
        .post(
            "/admin/federation/blocks",
            &[("domain", "spam.example"), ("severity", "suspend")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        member.get("/admin/federation/export").await.status,
        StatusCode::FORBIDDEN
    );
    let mut visitor = Browser::new(&node.url(""), "nl");
    assert!(
        visitor
            .get("/admin/federation")
            .await
            .status
            .is_redirection()
    );

    let mut admin = Browser::new(&node.url(""), "en");
    admin.log_in("beheer", &password).await;
    let page = admin.get("/admin").await;
    assert!(
        page.html.contains("href=\"/admin/federation\""),
        "{}",
        page.html
    );
    let page = admin.get("/admin/federation").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attr("input[name=mode][checked]", "value").as_deref(),
        Some("open")
    );

    // The mode.
    let page = admin
        .post("/admin/federation/mode", &[("mode", "allowlist")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.attr("input[name=mode][checked]", "value").as_deref(),
        Some("allowlist")
    );
    let page = admin
        .post("/admin/federation/mode", &[("mode", "half")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    admin
        .post("/admin/federation/mode", &[("mode", "blocklist")])
        .await;

    // Blocks, with a public and a private reason.
    let page = admin
        .post(
            "/admin/federation/blocks",
            &[
                ("domain", "Spam.Example"),
                ("severity", "suspend"),
                ("reason", "spam, lots"),
                ("public", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.text(".notice").contains("spam.example"),
        "{}",
        page.html
    );
    admin
        .post(
            "/admin/federation/blocks",
            &[
                ("domain", "loud.example"),
                ("severity", "silence"),
                ("reason", "meldingen 12-14"),
            ],
        )
        .await;
    let page = admin
        .post(
            "/admin/federation/blocks",
            &[("domain", "niet geldig"), ("severity", "suspend")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("[role=alert]").contains("domain"),
        "{}",
        page.html
    );
    let page = admin.get("/admin/federation").await;
    assert_eq!(
        page.texts("table.blocks td.domain"),
        vec!["loud.example", "spam.example"]
    );
    let table = page.text("table.blocks");
    assert!(table.contains("Public: spam, lots"), "{table}");
    assert!(table.contains("Private: meldingen 12-14"), "{table}");

    // The public list: every block, public reasons only.
    let public: Value = reqwest::get(node.url("/api/v1/instance/domain_blocks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public.as_array().map(Vec::len), Some(2), "{public}");
    assert_eq!(public[0]["domain"], "loud.example");
    assert_eq!(public[0]["severity"], "silence");
    assert!(public[0].get("comment").is_none(), "{public}");
    assert_eq!(public[1]["comment"], "spam, lots");
    assert_eq!(public[1]["digest"].as_str().map(str::len), Some(64));
    assert!(!public.to_string().contains("meldingen"));

    // Allows.
    let page = admin
        .post("/admin/federation/allows", &[("domain", "vriend.example")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("ul.allows").contains("vriend.example"));
    let page = admin
        .post("/admin/federation/allows/vriend.example/delete", &[])
        .await;
    assert!(!page.text("ul.allows").contains("vriend.example"));

    // Export.
    let export = admin.get("/admin/federation/export").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        export.html,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         loud.example,silence,false,false,,false\n\
         spam.example,suspend,false,false,\"spam, lots\",false\n"
    );

    // An import with bad lines names them and changes nothing.
    admin.get("/admin/federation").await;
    let bad = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
        nieuw.example,suspend,false,false,,false\n\
        niet een domein,suspend,false,false,,false\n\
        raar.example,banish,false,false,,false\n";
    let page = admin
        .post_multipart(
            "/admin/federation/import",
            &[],
            Some(("file", "blocks.csv", bad.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    let lines = page.texts(".bad-lines li");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("line 3"), "{lines:?}");
    assert!(lines[1].starts_with("line 4"), "{lines:?}");
    assert_eq!(
        admin.get("/admin/federation/export").await.html,
        export.html
    );

    // A good file applies.
    admin.get("/admin/federation").await;
    let good = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
        nieuw.example,suspend,false,false,,false\n";
    let page = admin
        .post_multipart(
            "/admin/federation/import",
            &[],
            Some(("file", "blocks.csv", good.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.text("table.blocks").contains("nieuw.example"));

    // Lifting a block.
    let page = admin
        .post("/admin/federation/blocks/spam.example/delete", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text("table.blocks").contains("spam.example"));
    let page = admin
        .post("/admin/federation/blocks/spam.example/delete", &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Every change is in the audit log, with the admin's name.
    let log = admin.get("/admin/audit").await;
    let actions = log.texts("td code");
    for action in [
        "federation.mode",
        "domain.block",
        "domain.allow",
        "domain.disallow",
        "domain.unblock",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
    assert!(log.texts("td").contains(&"beheer".to_owned()));
}
