//! The federation policy administered from the CLI and the admin API: mode, blocks, allows,
//! Mastodon CSV export and import (with bad lines reported), and an audit entry for each.

use kwartier::service::audit;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use crate::cli::Kwartier;

test_both_backends!(
    the_policy_from_the_command_line,
    the_policy_over_the_api_for_admins_only,
);

async fn audit_entries(db: &TestDb) -> Vec<String> {
    let state = db.state().await;
    let mut conn = state.db.conn().await.unwrap();
    audit::page(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {} {}", r.actor, r.action, r.target))
        .collect()
}

/// Runs a command clap must refuse; returns its stderr.
fn refused(kwartier: &Kwartier, args: &[&str]) -> String {
    let output = kwartier.run(args);
    assert!(!output.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn the_policy_from_the_command_line(db: TestDb) {
    let kwartier = Kwartier::on(&db);
    kwartier.ok(&["migrate"]);
    assert!(
        kwartier
            .ok(&[
                "admin",
                "domains",
                "block",
                "Spam.Example.",
                "--severity",
                "suspend",
                "--reason",
                "spam, lots"
            ])
            .contains("blocked spam.example (suspend)")
    );
    kwartier.ok(&[
        "admin",
        "domains",
        "block",
        "loud.example",
        "--severity",
        "silence",
    ]);
    kwartier.ok(&["admin", "domains", "allow", "vriend.example"]);
    assert!(
        kwartier
            .ok(&["admin", "federation", "mode", "allowlist"])
            .contains("allowlist")
    );
    assert!(refused(&kwartier, &["admin", "federation", "mode", "half"]).contains("half"));
    let args = [
        "admin",
        "domains",
        "block",
        "x.example",
        "--severity",
        "banish",
    ];
    assert!(refused(&kwartier, &args).contains("banish"));
    let list = kwartier.ok(&["admin", "domains", "list"]);
    assert!(list.contains("federation mode: allowlist"), "{list}");
    assert!(list.contains("vriend.example"), "{list}");

    let export = kwartier.ok(&["admin", "domains", "export"]);
    assert_eq!(
        export,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         loud.example,silence,false,false,,false\n\
         spam.example,suspend,false,false,\"spam, lots\",false\n"
    );

    // Round trip: lift both blocks, import the export, get the same export back.
    std::fs::write(kwartier.dir.path().join("blocks.csv"), &export).unwrap();
    kwartier.ok(&["admin", "domains", "unblock", "spam.example"]);
    kwartier.ok(&["admin", "domains", "unblock", "loud.example"]);
    assert!(
        kwartier
            .fails(&["admin", "domains", "unblock", "loud.example"])
            .contains("not found")
    );
    let report = kwartier.ok(&["admin", "domains", "import", "blocks.csv"]);
    assert!(
        report.contains("2 added, 0 updated, 0 skipped, 0 bad"),
        "{report}"
    );
    assert_eq!(kwartier.ok(&["admin", "domains", "export"]), export);

    // Bad lines are reported by number and change nothing; good lines apply.
    std::fs::write(
        kwartier.dir.path().join("more.csv"),
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         loud.example,suspend,false,false,,false\n\
         niet een domein,suspend,false,false,,false\n\
         stil.example,noop,false,false,,false\n\
         nieuw.example,silence,false,false,,false\n\
         raar.example,banish,false,false,,false\n",
    )
    .unwrap();
    let report = kwartier.ok(&["admin", "domains", "import", "more.csv"]);
    assert!(report.contains("added nieuw.example"), "{report}");
    assert!(report.contains("updated loud.example"), "{report}");
    assert!(report.contains("skipped line 4"), "{report}");
    assert!(report.contains("bad line 3"), "{report}");
    assert!(report.contains("bad line 6"), "{report}");
    assert!(
        report.contains("1 added, 1 updated, 1 skipped, 2 bad"),
        "{report}"
    );
    let export = kwartier.ok(&["admin", "domains", "export"]);
    assert!(export.contains("loud.example,suspend"), "{export}");
    assert!(!export.contains("raar.example") && !export.contains("stil.example"));

    // An unreadable file changes nothing.
    let before = kwartier.ok(&["admin", "domains", "export"]);
    assert!(
        kwartier
            .fails(&["admin", "domains", "import", "missing.csv"])
            .contains("cannot read")
    );
    assert_eq!(kwartier.ok(&["admin", "domains", "export"]), before);

    let entries = audit_entries(&db).await;
    for expected in [
        "cli domain.block spam.example",
        "cli domain.block loud.example",
        "cli domain.allow vriend.example",
        "cli federation.mode allowlist",
        "cli domain.unblock spam.example",
        "cli domain.block nieuw.example",
    ] {
        assert!(
            entries.iter().any(|e| e == expected),
            "{expected} in {entries:?}"
        );
    }
}

async fn the_policy_over_the_api_for_admins_only(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin = node.admin_with_token("beheer").await;
    let member = node.user_with_token("anna").await;

    let (status, _) = member.get("/api/v1/admin/federation").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = member
        .post(
            "/api/v1/admin/federation/blocks",
            json!({"domain": "spam.example", "severity": "suspend"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = reqwest::get(node.url("/api/v1/admin/federation"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (status, body) = admin
        .post(
            "/api/v1/admin/federation/blocks",
            json!({"domain": "Spam.Example", "severity": "suspend", "reason": "spam", "private_reason": "meldingen 12-14"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["domain"], "spam.example");
    let (status, body) = admin
        .post(
            "/api/v1/admin/federation/blocks",
            json!({"domain": "x.example", "severity": "banish"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = admin
        .post(
            "/api/v1/admin/federation/blocks",
            json!({"domain": "niet geldig", "severity": "silence"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = admin
        .post(
            "/api/v1/admin/federation/allows",
            json!({"domain": "vriend.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/federation/mode",
            Some(json!({"mode": "allowlist"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, policy) = admin.get("/api/v1/admin/federation").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(policy["mode"], "allowlist");
    let rules = policy["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{policy}");
    assert_eq!(rules[0]["domain"], "spam.example");
    assert_eq!(rules[0]["private_comment"], "meldingen 12-14");
    assert_eq!(rules[0]["created_by"], "beheer");

    let (status, _) = admin
        .delete("/api/v1/admin/federation/blocks/spam.example")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin
        .delete("/api/v1/admin/federation/blocks/spam.example")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin
        .delete("/api/v1/admin/federation/allows/vriend.example")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let entries = audit_entries(&db).await;
    for expected in [
        "beheer domain.block spam.example",
        "beheer domain.allow vriend.example",
        "beheer federation.mode allowlist",
        "beheer domain.unblock spam.example",
        "beheer domain.disallow vriend.example",
    ] {
        assert!(
            entries.iter().any(|e| e == expected),
            "{expected} in {entries:?}"
        );
    }
}
