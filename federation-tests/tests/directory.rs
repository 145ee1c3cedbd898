//! Network-wide discovery without a central server: five nodes in a chain, each seeded only
//! with its neighbour, learn of each other through their node lists and sync each other's
//! directories until the first finds an initiative on the last; when the last hides it, it is
//! gone everywhere after one more round. And a peer that is down does not stop a round.

use kwartier::db::directory;
use kwartier::db::known_node;
use kwartier::service::directory::{peers, sync};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(
    five_nodes_in_a_chain_find_and_forget_an_initiative,
    a_dead_peer_does_not_stop_a_round_and_backs_off,
);

/// Region centres from Oss eastwards, so distances between nodes mean something.
const REGIONS: [(&str, &str, (f64, f64)); 5] = [
    ("Oss", "GM0828", (51.765, 5.518)),
    ("Uden", "GM1740", (51.661, 5.619)),
    ("Nijmegen", "GM0268", (51.842, 5.853)),
    ("Arnhem", "GM0202", (51.985, 5.899)),
    ("Raalte", "GM0177", (52.386, 6.275)),
];

async fn start_region(db: &TestDb, index: usize) -> TestNode {
    let (name, code, centre) = REGIONS[index];
    TestNode::start_with(db, name, "127.0.0.1:0".parse().unwrap(), |config| {
        config.directory.region_name = Some(format!("Gemeente {name}"));
        config.directory.region_codes = vec![code.to_owned()];
        config.directory.region_centre = Some(centre);
    })
    .await
}

/// One round on every node, first to last (the order in which news travels slowest).
async fn round_everywhere(nodes: &[TestNode]) {
    for node in nodes {
        let report = sync::round(&node.state).await.expect("a round");
        assert!(report.nodes_failed.is_empty(), "{report:?}");
    }
}

/// The items a network search on `node` answers, over HTTP.
async fn search(node: &TestNode, query: &str) -> Vec<serde_json::Value> {
    let url = node.url(&format!("/api/v1/directory/search?{query}"));
    let response = reqwest::get(&url).await.expect("search");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    let body: serde_json::Value = response.json().await.expect("search JSON");
    body["items"].as_array().cloned().unwrap_or_default()
}

fn found<'a>(items: &'a [serde_json::Value], ap_id: &str) -> Option<&'a serde_json::Value> {
    items.iter().find(|i| i["id"] == ap_id)
}

async fn indexed_on(node: &TestNode, ap_id: &str) -> Option<directory::Entry> {
    let mut conn = node.state.db.conn().await.unwrap();
    directory::get(&mut conn, ap_id).await.unwrap()
}

async fn five_nodes_in_a_chain_find_and_forget_an_initiative(db: TestDb) {
    let others: Vec<TestDb> = (0..4).map(|_| TestDb::sqlite()).collect();
    let mut nodes = vec![start_region(&db, 0).await];
    for (i, other) in others.iter().enumerate() {
        nodes.push(start_region(other, i + 1).await);
    }
    for pair in nodes.windows(2) {
        peers::add_seed(&pair[0].state, &pair[1].state.config.domain)
            .await
            .expect("seed the neighbour");
    }
    let last = &nodes[4];
    let eva = last.user_with_token("eva").await;
    let profile = json!({
        "handle": "mantelzorg",
        "name": "Mantelzorg Raalte",
        "summary": "Wij ondersteunen mantelzorgers in Raalte en omstreken.",
        "themes": ["zorg"],
        "location": {"name": "Raalte", "latitude": 52.386, "longitude": 6.275},
    });
    let (status, created) = eva.post("/api/v1/initiatives", profile.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ap_id = created["id"].as_str().unwrap().to_owned();

    let mut rounds = 0;
    while indexed_on(&nodes[0], &ap_id).await.is_none() {
        rounds += 1;
        assert!(rounds <= 5, "node 1 did not find it within 5 rounds");
        round_everywhere(&nodes).await;
    }
    let entry = indexed_on(&nodes[0], &ap_id).await.unwrap();
    assert_eq!(entry.node, last.state.config.domain);
    assert_eq!(
        entry.handle,
        format!("mantelzorg@{}", last.state.config.domain)
    );
    assert_eq!(entry.name, "Mantelzorg Raalte");
    assert_eq!(
        (entry.latitude, entry.longitude),
        (Some(52.386), Some(6.275))
    );
    let mut conn = nodes[0].state.db.conn().await.unwrap();
    let themes = directory::themes_of(&mut conn, &[entry.id]).await.unwrap();
    assert_eq!(themes, [(entry.id, "zorg".to_owned())]);
    // Node 1's search finds it by theme (in another language) and by distance.
    let by_theme = search(&nodes[0], "theme=Care").await;
    let hit = found(&by_theme, &ap_id).expect("found by theme");
    assert_eq!(hit["node"], last.state.config.domain.as_str());
    assert_eq!(hit["kind"], "initiative");
    assert!(hit.get("distance_km").is_none(), "{hit}");
    let near = search(&nodes[0], "near=52.40,6.30&radius_km=10").await;
    let hit = found(&near, &ap_id).expect("found by distance");
    let distance = hit["distance_km"].as_f64().expect("distance_km");
    assert!((1.0..4.0).contains(&distance), "{hit}");
    let far = search(&nodes[0], "near=51.44,5.47&radius_km=10").await;
    assert!(
        found(&far, &ap_id).is_none(),
        "Eindhoven is not near Raalte"
    );
    // Node 1 learned every other node, each with its region.
    let known = known_node::all(&mut conn).await.unwrap();
    assert_eq!(known.len(), 4, "{known:?}");
    let raalte = known
        .iter()
        .find(|n| n.domain == last.state.config.domain)
        .unwrap();
    assert_eq!(raalte.region_codes, "GM0177");
    assert_eq!(raalte.name.as_deref(), Some("Gemeente Raalte"));
    assert_eq!(raalte.latitude, Some(52.386));
    drop(conn);

    // Every node has it now (the nodes after the first learned sooner).
    round_everywhere(&nodes).await;
    for node in &nodes {
        assert!(
            indexed_on(node, &ap_id).await.is_some(),
            "{}",
            node.state.config.domain
        );
    }

    // The last node hides it: after one more round it is gone from every index.
    let mut hidden = profile.clone();
    hidden["discoverable"] = json!(false);
    hidden.as_object_mut().unwrap().remove("handle");
    let (status, body) = eva.patch("/api/v1/initiatives/mantelzorg", hidden).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    round_everywhere(&nodes).await;
    for node in &nodes {
        assert!(
            indexed_on(node, &ap_id).await.is_none(),
            "still on {}",
            node.state.config.domain
        );
        let items = search(node, "theme=zorg").await;
        assert!(
            found(&items, &ap_id).is_none(),
            "still found on {}",
            node.state.config.domain
        );
    }
}

async fn a_dead_peer_does_not_stop_a_round_and_backs_off(db: TestDb) {
    let other = TestDb::sqlite();
    let oss = start_region(&db, 0).await;
    let uden = start_region(&other, 1).await;
    uden.user_with_token("udo")
        .await
        .create_initiative("buurtkamer", "Buurtkamer Uden")
        .await;
    // A port nothing listens on.
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("localhost:{}", listener.local_addr().unwrap().port())
    };
    peers::add_seed(&oss.state, &gone).await.unwrap();
    peers::add_seed(&oss.state, &uden.state.config.domain)
        .await
        .unwrap();

    let report = sync::round(&oss.state).await.unwrap();
    assert_eq!(report.nodes_synced, 1, "{report:?}");
    assert_eq!(report.entries_added, 1);
    assert_eq!(report.nodes_failed.len(), 1);
    assert_eq!(report.nodes_failed[0].0, gone);
    let mut conn = oss.state.db.conn().await.unwrap();
    let dead = known_node::get(&mut conn, &gone).await.unwrap().unwrap();
    assert_eq!(dead.consecutive_failures, 1);
    assert!(dead.last_error.is_some());
    let wait = dead.next_sync_at - kwartier::db::now();
    assert!(wait.num_seconds() > 40, "{wait:?}");
    assert!(dead.dead_since.is_none(), "one failure is not death");

    // The next round leaves it alone (it is backing off) and syncs the healthy peer.
    let report = sync::round(&oss.state).await.unwrap();
    assert!(report.nodes_failed.is_empty(), "{report:?}");
    assert_eq!(report.nodes_synced, 1);
    let dead = known_node::get(&mut conn, &gone).await.unwrap().unwrap();
    assert_eq!(dead.consecutive_failures, 1);
}
