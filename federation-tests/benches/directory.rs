//! Discovery at the scale of the Netherlands (`cargo bench -p federation-tests --bench directory`):
//! 342 nodes, one per municipality, with about 200 initiatives each.
//!
//! - **convergence**: one real Kwartier node (SQLite) is seeded with one municipality's node and
//!   runs real sync rounds over HTTP against 342 simulated peers on loopback. Each peer serves
//!   the real wire format (built by the same functions the node uses) from memory and lists only
//!   its four nearest neighbours, the sparsest a real network would be. Reported: rounds until
//!   the node knows every node and indexes every entry, and bytes fetched per node for the full
//!   sync, then for an incremental round after 1% of all entries changed or were withdrawn
//!   (ratio incremental / full).
//! - **search**: latency of network-wide searches (text, theme, distance and mixes) on the full
//!   index, p50 and p95 against the 50 ms target, on SQLite and (when
//!   `KWARTIER_TEST_POSTGRES_URL` is set) on PostgreSQL.
//!
//! Every peer does the same work as the measured node, so its bytes are the bytes per node. It
//! is a benchmark, not a test: it fails nobody.

#[path = "directory/network.rs"]
mod network;
#[path = "directory/peers.rs"]
mod peers;

use std::time::{Duration, Instant};

use kwartier::service::directory::search;
use kwartier::service::directory::{peers as node_peers, sync};
use kwartier::testing::{TestDb, TestNode};

const MAX_ROUNDS: usize = 40;
const SEARCHES: usize = 400;
const TARGET_P95: Duration = Duration::from_millis(50);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!(
            "Kwartier directory at national scale on this machine ({} cores)",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        let network = peers::Network::start().await;
        let entries = network.entry_count();
        println!(
            "network: {} simulated nodes, {entries} entries",
            network::MUNICIPALITIES
        );
        let sqlite = TestDb::sqlite();
        converge_and_search("SQLite", &sqlite, &network).await;
        match TestDb::postgres("directory_bench").await {
            Some(pg) => converge_and_search("PostgreSQL", &pg, &network).await,
            None => println!("PostgreSQL: skipped (KWARTIER_TEST_POSTGRES_URL is not set)"),
        }
    });
}

async fn converge_and_search(backend: &str, db: &TestDb, network: &peers::Network) {
    let node = TestNode::start_with(db, "Waarnemer", ([127, 0, 0, 1], 0).into(), |config| {
        config.directory.max_known_nodes = 2_000;
    })
    .await;
    let state = &node.state;
    node_peers::add_seed(state, &network.domain(0))
        .await
        .expect("seed the first municipality");

    let started = Instant::now();
    let (mut rounds, mut full_bytes) = (0, 0u64);
    let want = network.entry_count();
    loop {
        rounds += 1;
        let report = sync::round_with(state, sync::Scope::AllHealthy)
            .await
            .expect("a sync round");
        full_bytes += report.bytes_fetched;
        let indexed = indexed_remote(&node).await;
        println!(
            "{backend}: round {rounds:>2}: synced {:>3} nodes, learned {:>3}, +{:>6} entries, {:>5} failed, {:>9} bytes, index {indexed}/{want}",
            report.nodes_synced,
            report.nodes_learned.len(),
            report.entries_added,
            report.nodes_failed.len(),
            report.bytes_fetched,
        );
        if indexed == want || rounds == MAX_ROUNDS {
            break;
        }
    }
    println!(
        "{backend}: converged in {rounds} rounds, {:.1} s, {:.1} MB fetched per node ({:.0} bytes per entry)",
        started.elapsed().as_secs_f64(),
        full_bytes as f64 / 1e6,
        full_bytes as f64 / want as f64
    );

    let changed = network.churn(0.01);
    let report = sync::round_with(state, sync::Scope::AllHealthy)
        .await
        .expect("an incremental round");
    println!(
        "{backend}: incremental round after {changed} changes: {} updated, {} removed, {} bytes; ratio to the full sync {:.4}",
        report.entries_updated,
        report.entries_removed,
        report.bytes_fetched,
        report.bytes_fetched as f64 / full_bytes as f64
    );

    search_latency(backend, &node, network).await;
    node.stop().await;
}

/// Entries of the simulated network in the node's index.
async fn indexed_remote(node: &TestNode) -> usize {
    let mut conn = node.state.db.conn().await.expect("a connection");
    let all = kwartier::db::directory::count(&mut conn)
        .await
        .expect("count the index");
    let own = kwartier::db::directory::ap_ids_of_node(&mut conn, &node.state.urls.authority())
        .await
        .expect("own entries")
        .len() as i64;
    (all - own).max(0) as usize
}

async fn search_latency(backend: &str, node: &TestNode, network: &peers::Network) {
    let queries = network.queries(SEARCHES);
    let mut conn = node.state.db.conn().await.expect("a connection");
    let mut timed = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for query in &queries {
        let started = Instant::now();
        let found = search::search(&mut conn, query).await.expect("a search");
        timed.push((started.elapsed(), query));
        hits += found.len();
    }
    timed.sort_by_key(|(time, _)| *time);
    let times: Vec<Duration> = timed.iter().map(|(time, _)| *time).collect();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let (p50, p95) = (at(0.50), at(0.95));
    let verdict = if p95 < TARGET_P95 {
        "meets the target (p95 < 50 ms)"
    } else {
        "ABOVE the target (p95 < 50 ms)"
    };
    println!(
        "{backend}: {} searches ({:.1} hits each): p50 {:.1} ms, p95 {:.1} ms, p95/target {:.2}   {verdict}",
        times.len(),
        hits as f64 / times.len() as f64,
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        p95.as_secs_f64() / TARGET_P95.as_secs_f64(),
    );
    for (time, query) in timed.iter().rev().take(3) {
        println!(
            "{backend}:   slowest {:.1} ms: text {:?}, theme {:?}, near {:?}",
            time.as_secs_f64() * 1e3,
            query.text,
            query.theme,
            query.near
        );
    }
}
