//! Shared blocklists between real nodes: Heeten publishes its blocks at
//! `/api/v1/instance/domain_blocks`; Oss subscribes, fetches over HTTP and gets drafts, with
//! nothing blocked yet; an admin approves one and Oss refuses the blocked node's deliveries.
//! When Heeten lifts the block, Oss gets a draft to lift it too, and approving it lets the
//! node in again.

use kwartier::service::audit::{self, Who};
use kwartier::service::federation_policy::{Severity, actions, subscriptions};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, ThreeNodes};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(subscribed_lists_become_drafts_and_approved_drafts_block);

fn follow_of(from: &TestNode, who: &str, target: &str, n: u32) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": from.url(&format!("/test-activities/{who}-follows-{n}")),
        "type": "Follow",
        "actor": from.url(&format!("/u/{who}")),
        "object": target,
    }))
    .unwrap()
}

async fn fetch(node: &TestNode) -> subscriptions::FetchReport {
    let mut outcomes = subscriptions::fetch_all(&node.state).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0).1.expect("the list is fetched")
}

async fn drafts(node: &TestNode) -> Vec<(String, bool)> {
    let mut conn = node.state.db.conn().await.unwrap();
    subscriptions::drafts(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.domain, d.removal))
        .collect()
}

async fn subscribed_lists_become_drafts_and_approved_drafts_block(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        heeten_db: _h,
        deventer_db: _d,
        ..
    } = ThreeNodes::start(&db).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let moestuin = oss.url("/i/moestuin");
    deventer.create_user("dirk", false).await;
    let deventer_domain = deventer.state.config.domain.clone();

    // Heeten blocks Deventer (public reason) and a silenced domain (private reason).
    {
        let mut conn = heeten.state.db.conn().await.unwrap();
        for (domain, severity, reason, private) in [
            (
                deventer_domain.as_str(),
                Severity::Suspend,
                Some("spam"),
                None,
            ),
            ("loud.example", Severity::Silence, None, Some("meldingen")),
        ] {
            actions::block(
                &mut conn,
                &Who::Cli,
                actions::Block {
                    domain,
                    severity,
                    reason,
                    private_reason: private,
                },
            )
            .await
            .unwrap();
        }
    }
    let list_url = heeten.url("/api/v1/instance/domain_blocks");
    let published: Value = reqwest::get(&list_url).await.unwrap().json().await.unwrap();
    let domains: Vec<&str> = published
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["domain"].as_str())
        .collect();
    assert!(domains.contains(&deventer_domain.as_str()), "{published}");
    assert!(!published.to_string().contains("meldingen"), "{published}");

    // Oss subscribes and fetches: drafts, nothing blocked.
    subscriptions::subscribe(&oss.state, &Who::Cli, &list_url)
        .await
        .unwrap();
    let report = fetch(&oss).await;
    assert_eq!(report.listed, 2, "{report:?}");
    assert_eq!(report.new_drafts.len(), 2, "{report:?}");
    let mut expected = vec![
        (deventer_domain.clone(), false),
        ("loud.example".to_owned(), false),
    ];
    expected.sort();
    assert_eq!(drafts(&oss).await, expected);
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        assert!(
            kwartier::service::federation_policy::list(&mut conn)
                .await
                .unwrap()
                .is_empty(),
            "nothing is blocked before an admin approves"
        );
    }
    let accepted = deventer
        .deliver_as(
            "dirk",
            &oss.url("/inbox"),
            &follow_of(&deventer, "dirk", &moestuin, 1),
        )
        .await;
    assert!(accepted.status().is_success(), "{}", accepted.status());
    // Fetching again makes no new drafts.
    assert!(fetch(&oss).await.new_drafts.is_empty());

    // The admin approves Deventer and rejects the other.
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        let decided = subscriptions::approve(&mut conn, &Who::Cli, &deventer_domain)
            .await
            .unwrap();
        assert_eq!(decided, subscriptions::Decided::Blocked(Severity::Suspend));
        subscriptions::reject(&mut conn, &Who::Cli, "loud.example")
            .await
            .unwrap();
        let rules = kwartier::service::federation_policy::list(&mut conn)
            .await
            .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].domain, deventer_domain);
        assert_eq!(rules[0].public_comment.as_deref(), Some("spam"));
    }
    assert!(drafts(&oss).await.is_empty());
    let refused = deventer
        .deliver_as(
            "dirk",
            &oss.url("/inbox"),
            &follow_of(&deventer, "dirk", &moestuin, 2),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // A rejected draft is not asked again.
    assert!(fetch(&oss).await.new_drafts.is_empty());

    // Heeten lifts its block: Oss gets a draft to lift its own; approving lets Deventer in.
    {
        let mut conn = heeten.state.db.conn().await.unwrap();
        actions::unblock(&mut conn, &Who::Cli, &deventer_domain)
            .await
            .unwrap();
    }
    let report = fetch(&oss).await;
    assert_eq!(report.removal_drafts, vec![deventer_domain.clone()]);
    assert_eq!(drafts(&oss).await, vec![(deventer_domain.clone(), true)]);
    let still_refused = deventer
        .deliver_as(
            "dirk",
            &oss.url("/inbox"),
            &follow_of(&deventer, "dirk", &moestuin, 3),
        )
        .await;
    assert_eq!(still_refused.status(), StatusCode::FORBIDDEN);
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        let decided = subscriptions::approve(&mut conn, &Who::Cli, &deventer_domain)
            .await
            .unwrap();
        assert_eq!(decided, subscriptions::Decided::Lifted);
    }
    let accepted = deventer
        .deliver_as(
            "dirk",
            &oss.url("/inbox"),
            &follow_of(&deventer, "dirk", &moestuin, 4),
        )
        .await;
    assert!(accepted.status().is_success(), "{}", accepted.status());

    // Each step is in Oss's audit log.
    let mut conn = oss.state.db.conn().await.unwrap();
    let entries: Vec<String> = audit::page(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|row| format!("{} {}", row.action, row.target))
        .collect();
    for expected in [
        format!("blocklist.subscribe {list_url}"),
        format!("domain.block {deventer_domain}"),
        format!("blocklist.approve {deventer_domain}"),
        "blocklist.reject loud.example".to_owned(),
        format!("domain.unblock {deventer_domain}"),
    ] {
        assert!(entries.contains(&expected), "{expected} in {entries:?}");
    }
}
