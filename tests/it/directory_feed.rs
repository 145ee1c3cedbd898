//! The node directory over HTTP: the change feed's pages and cursors, tombstones after hiding,
//! the node list, and syncing another node's feed (cursor, reset, refused entries).

use kwartier::db::directory::{self, EntryFields};
use kwartier::db::known_node;
use kwartier::service::directory::{index, peers, sync};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, fetch_activity_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(
    the_feed_pages_by_position_and_hiding_leaves_a_tombstone,
    bad_feed_parameters_get_400,
    a_synced_node_keeps_its_cursor_and_rereads_a_reset_feed,
    the_node_list_names_synced_kwartier_nodes_only,
);

async fn directory_page(node: &TestNode, query: &str) -> Value {
    fetch_activity_json(&node.url(&format!("/directory{query}"))).await
}

fn seqs(page: &Value) -> Vec<i64> {
    page["orderedItems"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["seq"].as_i64().expect("seq"))
        .collect()
}

async fn three_initiatives(node: &TestNode) -> Api {
    let anna = node.user_with_token("anna").await;
    for (handle, name) in [
        ("moestuin", "Moestuin"),
        ("repair", "Repair Café"),
        ("koor", "Koor"),
    ] {
        anna.create_initiative(handle, name).await;
    }
    anna
}

async fn the_feed_pages_by_position_and_hiding_leaves_a_tombstone(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let anna = three_initiatives(&node).await;

    let collection = directory_page(&node, "").await;
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 3);
    assert_eq!(collection["latestSeq"], 3);
    assert_eq!(collection["first"], node.url("/directory?after=0"));

    let first = directory_page(&node, "?after=0&limit=2").await;
    assert_eq!(first["type"], "OrderedCollectionPage");
    assert_eq!(seqs(&first), [1, 2]);
    let next = first["next"].as_str().expect("a next page");
    let second = fetch_activity_json(next).await;
    assert_eq!(seqs(&second), [3]);
    assert!(second.get("next").is_none(), "{second}");
    let item = &first["orderedItems"][0];
    assert_eq!(item["type"], "Group");
    assert_eq!(item["kind"], "Initiative");
    assert!(item["id"].as_str().unwrap().starts_with(&node.url("/i/")));

    // Unchanged entries keep their place: fetching again changes nothing.
    assert_eq!(directory_page(&node, "").await["latestSeq"], 3);

    // The owner hides one: it leaves as a tombstone at a new position, and leaves the index.
    let (status, view) = anna
        .patch(
            "/api/v1/initiatives/repair",
            json!({"name": "Repair Café", "discoverable": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["discoverable"], false);
    let after = directory_page(&node, "?after=3").await;
    assert_eq!(seqs(&after), [4]);
    let tombstone = &after["orderedItems"][0];
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["formerType"], "Group");
    assert_eq!(tombstone["id"], node.url("/i/repair"));
    let mut conn = node.state.db.conn().await.unwrap();
    assert!(
        directory::get(&mut conn, &node.url("/i/repair"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        directory::get(&mut conn, &node.url("/i/koor"))
            .await
            .unwrap()
            .is_some()
    );
    // A whole read from the start never shows the hidden one as a Group.
    let all = directory_page(&node, "?after=0&limit=500").await;
    assert!(
        !all["orderedItems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == node.url("/i/repair") && i["type"] == "Group")
    );
}

async fn bad_feed_parameters_get_400(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    for query in [
        "?after=-1",
        "?after=x",
        "?after=0&limit=0",
        "?after=0&limit=501",
    ] {
        let response = reqwest::get(node.url(&format!("/directory{query}")))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
}

async fn a_synced_node_keeps_its_cursor_and_rereads_a_reset_feed(db: TestDb) {
    let other_db = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&other_db, "Heeten").await;
    three_initiatives(&heeten).await;
    let heeten_domain = heeten.state.config.domain.clone();
    peers::add_seed(&oss.state, &heeten_domain).await.unwrap();

    let report = sync::round(&oss.state).await.unwrap();
    assert_eq!(report.nodes_synced, 1, "{report:?}");
    assert_eq!(report.entries_added, 3);
    let mut conn = oss.state.db.conn().await.unwrap();
    let known = known_node::get(&mut conn, &heeten_domain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(known.cursor.as_deref(), Some("3"));
    assert_eq!(known.software.as_deref(), Some("kwartier"));
    let first_bytes = report.bytes_fetched;

    // Nothing changed: nothing is read but the actor and the collection.
    let report = sync::round(&oss.state).await.unwrap();
    assert_eq!((report.entries_added, report.entries_updated), (0, 0));
    assert!(report.bytes_fetched < first_bytes, "{report:?}");

    // Pretend we were further along than the feed goes (Heeten was restored from a backup),
    // with an entry Heeten no longer has: the feed is read again and the stray entry dropped.
    conn.batch_execute(&format!(
        "UPDATE known_node SET cursor = '99' WHERE domain = '{heeten_domain}'"
    ))
    .await
    .unwrap();
    let stray = heeten.url("/i/verdwenen");
    index(&mut conn, &entry(&stray, &heeten_domain), &[])
        .await
        .unwrap();
    let report = sync::round(&oss.state).await.unwrap();
    assert_eq!(report.entries_removed, 1, "{report:?}");
    assert!(directory::get(&mut conn, &stray).await.unwrap().is_none());
    assert_eq!(
        directory::ap_ids_of_node(&mut conn, &heeten_domain)
            .await
            .unwrap()
            .len(),
        3
    );
    let known = known_node::get(&mut conn, &heeten_domain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(known.cursor.as_deref(), Some("3"));
}

fn entry(ap_id: &str, node: &str) -> EntryFields {
    let at = kwartier::db::now();
    EntryFields {
        ap_id: ap_id.to_owned(),
        node: node.to_owned(),
        kind: directory::KIND_INITIATIVE.to_owned(),
        name: "Verdwenen".into(),
        handle: format!("verdwenen@{node}"),
        summary: String::new(),
        url: None,
        place_name: None,
        latitude: None,
        longitude: None,
        follower_count: 0,
        last_activity_at: None,
        updated_at: at,
        synced_at: at,
    }
}

async fn the_node_list_names_synced_kwartier_nodes_only(db: TestDb) {
    let other_db = TestDb::sqlite();
    let oss = TestNode::start_with(&db, "Oss", "127.0.0.1:0".parse().unwrap(), |config| {
        config.directory.region_codes = vec!["GM0828".into()];
        config.directory.region_centre = Some((51.765, 5.518));
    })
    .await;
    let heeten = TestNode::start_with(
        &other_db,
        "Heeten",
        "127.0.0.1:0".parse().unwrap(),
        |config| {
            config.directory.region_codes = vec!["GM0177".into()];
            config.directory.region_centre = Some((52.33, 6.27));
            config.directory.region_name = Some("Gemeente Raalte".into());
        },
    )
    .await;
    // The actor tells where the directory is, and the region.
    let actor = fetch_activity_json(&oss.url("/actor")).await;
    assert_eq!(actor["directory"], oss.url("/directory"));
    assert_eq!(actor["nodes"], oss.url("/directory/nodes"));
    assert_eq!(actor["regionCodes"], json!(["GM0828"]));
    assert_eq!(actor["location"]["latitude"], 51.765);

    let heeten_domain = heeten.state.config.domain.clone();
    peers::add_seed(&oss.state, &heeten_domain).await.unwrap();
    // Known but never synced: not listed yet.
    let page = fetch_activity_json(&oss.url("/directory/nodes?after=")).await;
    assert_eq!(page["orderedItems"], json!([]));

    sync::round(&oss.state).await.unwrap();
    let collection = fetch_activity_json(&oss.url("/directory/nodes")).await;
    assert_eq!(collection["totalItems"], 1);
    let page = fetch_activity_json(collection["first"].as_str().unwrap()).await;
    let listed = &page["orderedItems"][0];
    assert_eq!(listed["id"], heeten.url("/actor"));
    assert_eq!(listed["domain"], heeten_domain);
    assert_eq!(listed["regionCodes"], json!(["GM0177"]));
    assert_eq!(listed["location"]["name"], "Gemeente Raalte");
    assert_eq!(listed["location"]["longitude"], 6.27);
}
