//! The node's own publication (positions, fingerprints, tombstones, its own index entries) and
//! bounded learning, on both backends.

use super::peers;
use super::publish::refresh;
use crate::db::known_node;
use crate::db::{directory, publication};
use crate::federation::directory::wire::ListedNode;
use crate::service::account::{self, NewAccount};
use crate::service::initiative::{self, Profile};
use crate::test_both_backends;
use crate::testing::TestDb;

test_both_backends!(
    unchanged_entries_keep_their_position_and_hidden_ones_leave,
    learning_is_bounded_and_skips_self_and_duplicates,
);

fn profile(name: &str) -> Profile {
    Profile {
        name: name.into(),
        themes: vec!["zorg".into()],
        ..Profile::default()
    }
}

async fn unchanged_entries_keep_their_position_and_hidden_ones_leave(db: TestDb) {
    let state = db.state().await;
    let mut conn = state.db.conn().await.unwrap();
    let anna = account::create(
        &state,
        &mut conn,
        NewAccount {
            username: "anna".into(),
            password: None,
            admin: false,
            approved: true,
            signup_answer: None,
        },
    )
    .await
    .unwrap()
    .person;
    initiative::create(&state, &mut conn, &anna, "moestuin", profile("Moestuin"))
        .await
        .unwrap();
    initiative::create(&state, &mut conn, &anna, "koor", profile("Koor"))
        .await
        .unwrap();
    let report = refresh(&state).await.unwrap();
    assert_eq!((report.published, report.latest_seq), (2, 2));
    let before = publication::all(&mut conn).await.unwrap();

    // Nothing changed: nothing moves.
    let report = refresh(&state).await.unwrap();
    assert_eq!((report.added, report.updated, report.withdrawn), (0, 0, 0));
    assert_eq!(publication::all(&mut conn).await.unwrap(), before);

    // A changed entry moves to the end; the other keeps its place.
    initiative::update(&state, &mut conn, &anna, "koor", profile("Buurtkoor"), None)
        .await
        .unwrap();
    let after = publication::all(&mut conn).await.unwrap();
    let koor = state.urls.initiative("koor").to_string();
    let moestuin = state.urls.initiative("moestuin").to_string();
    let seq_of = |rows: &[publication::Publication], id: &str| {
        rows.iter().find(|r| r.ap_id == id).map(|r| r.seq)
    };
    assert_eq!(seq_of(&after, &koor), Some(3));
    assert_eq!(seq_of(&after, &moestuin), seq_of(&before, &moestuin));
    let indexed = directory::get(&mut conn, &koor).await.unwrap().unwrap();
    assert_eq!(indexed.name, "Buurtkoor");
    assert_eq!(indexed.node, state.urls.authority());

    // Hidden: withdrawn at a new position, without a body, and out of the index.
    let hidden = Profile {
        discoverable: Some(false),
        ..profile("Buurtkoor")
    };
    initiative::update(&state, &mut conn, &anna, "koor", hidden, None)
        .await
        .unwrap();
    let rows = publication::all(&mut conn).await.unwrap();
    let row = rows.iter().find(|r| r.ap_id == koor).unwrap();
    assert_eq!((row.seq, row.body.is_none()), (4, true));
    assert!(directory::get(&mut conn, &koor).await.unwrap().is_none());
    assert!(
        directory::get(&mut conn, &moestuin)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(refresh(&state).await.unwrap().latest_seq, 4);

    // Shown again: published again at a new position.
    let shown = Profile {
        discoverable: Some(true),
        ..profile("Buurtkoor")
    };
    initiative::update(&state, &mut conn, &anna, "koor", shown, None)
        .await
        .unwrap();
    let rows = publication::all(&mut conn).await.unwrap();
    assert_eq!(seq_of(&rows, &koor), Some(5));
    assert!(directory::get(&mut conn, &koor).await.unwrap().is_some());
}

fn listed(domain: &str) -> ListedNode {
    ListedNode {
        domain: domain.into(),
        name: None,
        region_codes: vec!["GM0828".into()],
        centre: None,
    }
}

async fn learning_is_bounded_and_skips_self_and_duplicates(db: TestDb) {
    let mut state = db.state().await;
    let mut config = (*state.config).clone();
    config.directory.max_known_nodes = 5;
    state.config = std::sync::Arc::new(config);
    let mut conn = state.db.conn().await.unwrap();
    let own = state.urls.authority();
    let list: Vec<ListedNode> = [
        own.as_str(),
        "a.example",
        "a.example",
        "10.0.0.1",
        "b.example",
    ]
    .iter()
    .map(|d| listed(d))
    .chain((0..10).map(|i| listed(&format!("n{i}.example"))))
    .collect();
    let mut budget = 3;
    let learned = peers::learn(&state, &mut conn, "peer.example", &list, &mut budget)
        .await
        .unwrap();
    assert_eq!(learned, ["a.example", "b.example", "n0.example"]);
    assert_eq!(budget, 0);
    let a = known_node::get(&mut conn, "a.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.source, "peer");
    assert_eq!(a.learned_from.as_deref(), Some("peer.example"));
    assert_eq!(a.region_codes, "GM0828");

    // The node cap: two more fit, however large the budget.
    let mut budget = 100;
    let learned = peers::learn(&state, &mut conn, "peer.example", &list, &mut budget)
        .await
        .unwrap();
    assert_eq!(learned, ["n1.example", "n2.example"]);
    assert_eq!(known_node::count(&mut conn).await.unwrap(), 5);
    // Seeds are an admin's choice and go past it; this node itself never.
    peers::add_seed(&state, "seed.example").await.unwrap();
    assert!(peers::add_seed(&state, &own).await.is_err());
    assert!(peers::add_seed(&state, "127.0.0.1:8080").await.is_err());
    assert!(peers::add_seed(&state, "https://x.example/").await.is_err());
}
