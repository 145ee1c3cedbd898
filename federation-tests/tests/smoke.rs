//! Several nodes in one process, each with its own database and its own `localhost:PORT`
//! domain: the ground every federation test stands on.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use serde_json::Value;

test_both_backends!(two_nodes_in_one_process_keep_their_own_state);

async fn nodeinfo(node: &TestNode) -> Value {
    let discovery: Value = reqwest::get(node.url("/.well-known/nodeinfo"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("discovery JSON");
    let href = discovery["links"][0]["href"]
        .as_str()
        .expect("href")
        .to_owned();
    reqwest::get(href)
        .await
        .expect("nodeinfo")
        .json()
        .await
        .expect("nodeinfo JSON")
}

async fn two_nodes_in_one_process_keep_their_own_state(db: TestDb) {
    // The second node always runs on SQLite, so both backends meet when PostgreSQL is set.
    let other = TestDb::sqlite();
    let oss = TestNode::start(&db, "Gemeente Oss").await;
    let heeten = TestNode::start(&other, "Heeten").await;
    assert_ne!(oss.url("/"), heeten.url("/"));

    oss.create_user("anna", false).await;
    oss.create_user("bert", false).await;
    heeten.create_user("anna", true).await;

    let (oss_info, heeten_info) = tokio::join!(nodeinfo(&oss), nodeinfo(&heeten));
    assert_eq!(oss_info["metadata"]["nodeName"], "Gemeente Oss");
    assert_eq!(oss_info["usage"]["users"]["total"], 2);
    assert_eq!(heeten_info["metadata"]["nodeName"], "Heeten");
    assert_eq!(heeten_info["usage"]["users"]["total"], 1);

    // The same username on two nodes is two people with two ids.
    let anna_oss = oss.ap_id_of("anna").await;
    let anna_heeten = heeten.ap_id_of("anna").await;
    assert_ne!(anna_oss, anna_heeten);
    assert!(anna_oss.starts_with(&oss.url("/u/")), "{anna_oss}");

    oss.stop().await;
    // One node stopping leaves the other serving.
    let again = nodeinfo(&heeten).await;
    assert_eq!(again["metadata"]["nodeName"], "Heeten");
}
