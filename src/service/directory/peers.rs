//! Which Kwartier nodes this node knows, and how it learns of more: an admin seeds one
//! (`kwartier admin peers add`), federation traffic names a candidate (recorded without any
//! fetch; a sync round probes its NodeInfo and keeps only Kwartier nodes), and peers' node
//! lists name others. Learning is bounded by `max_known_nodes` and, from lists, by a number
//! per round; this node itself and nodes already known are skipped, so loops do no harm.

use chrono::NaiveDateTime;
use url::Url;

use crate::db::known_node::{self, NewKnownNode, source};
use crate::db::{Conn, now};
use crate::error::{Error, Result};
use crate::federation::directory::wire::ListedNode;
use crate::federation::urls::authority;
use crate::state::AppState;

/// What `add_seed` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// A new node, synced in the next round.
    Added,
    /// Known already (learned from `source`); now a seed, synced in the next round.
    MadeSeed { was: String },
    /// Already a seed; synced in the next round.
    AlreadySeed,
}

/// Checks a node's name as an admin or a peer gives it: `host` or `host:port`, lower case, not
/// an IP address, not this node; `localhost` names only in development.
pub fn validate_domain(state: &AppState, raw: &str) -> Result<String> {
    let domain = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let hint = "give a host name with an optional port, like kwartier.oss.nl or localhost:8081";
    let url = Url::parse(&format!("http://{domain}/"))
        .map_err(|_| Error::invalid("domain", format!("{raw:?} is not a host name; {hint}")))?;
    if authority(&url) != domain || domain.is_empty() {
        return Err(Error::invalid(
            "domain",
            format!("{raw:?} is not a host name; {hint}"),
        ));
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return Err(Error::invalid(
            "domain",
            format!("{raw:?} is an IP address; Kwartier nodes have host names"),
        ));
    };
    let loopback = host == "localhost" || host.ends_with(".localhost");
    if !state.config.development && (loopback || !host.contains('.')) {
        return Err(Error::invalid(
            "domain",
            format!("{raw:?} is not a public host name"),
        ));
    }
    if domain == state.urls.authority() {
        return Err(Error::invalid("domain", "that is this node itself"));
    }
    Ok(domain)
}

/// An admin names a node to sync: it becomes a seed, due at once. Seeds do not count against
/// `max_known_nodes`.
pub async fn add_seed(state: &AppState, domain: &str) -> Result<AddOutcome> {
    let domain = validate_domain(state, domain)?;
    let mut conn = state.db.conn().await?;
    let at = now();
    let new = unprobed(&domain, source::SEED, at);
    if known_node::insert_if_absent(&mut conn, &new).await? {
        return Ok(AddOutcome::Added);
    }
    let known = known_node::get(&mut conn, &domain)
        .await?
        .ok_or_else(|| Error::internal("adding a seed", "the node vanished"))?;
    known_node::make_seed(&mut conn, &domain, at).await?;
    Ok(if known.source == source::SEED {
        AddOutcome::AlreadySeed
    } else {
        AddOutcome::MadeSeed { was: known.source }
    })
}

/// The inbox accepted a verified activity from `actor`: remember its server as a candidate,
/// probed in the next round. Costs one lookup for servers we know; never fetches anything.
pub async fn note_traffic(state: &AppState, actor: &Url) -> Result<()> {
    let domain = authority(actor);
    if domain.is_empty() || state.urls.is_local(actor) {
        return Ok(());
    }
    let mut conn = state.db.conn().await?;
    if known_node::get(&mut conn, &domain).await?.is_some() {
        return Ok(());
    }
    if known_node::count(&mut conn).await? >= state.config.directory.max_known_nodes as i64 {
        return Ok(());
    }
    known_node::insert_if_absent(&mut conn, &unprobed(&domain, source::TRAFFIC, now())).await?;
    Ok(())
}

/// A node known by name only, due at once.
fn unprobed<'a>(domain: &'a str, source: &'a str, at: NaiveDateTime) -> NewKnownNode<'a> {
    NewKnownNode {
        domain,
        source,
        learned_from: None,
        name: None,
        region_codes: "",
        latitude: None,
        longitude: None,
        next_sync_at: at,
        created_at: at,
        updated_at: at,
    }
}

/// Adds the nodes of `from`'s list that we do not know, at most `budget` of them (which is
/// used up) and never past `max_known_nodes`. Returns the domains added.
pub async fn learn(
    state: &AppState,
    conn: &mut Conn,
    from: &str,
    listed: &[ListedNode],
    budget: &mut usize,
) -> Result<Vec<String>> {
    let mut learned = Vec::new();
    let own = state.urls.authority();
    let mut known = known_node::count(conn).await?;
    let at = now();
    for node in listed {
        if *budget == 0 || known >= state.config.directory.max_known_nodes as i64 {
            break;
        }
        if node.domain == own
            || node.domain == from
            || validate_domain(state, &node.domain).is_err()
        {
            continue;
        }
        let codes = node.region_codes.join(",");
        let added = known_node::insert_if_absent(
            conn,
            &NewKnownNode {
                domain: &node.domain,
                source: source::PEER,
                learned_from: Some(from),
                name: node.name.as_deref(),
                region_codes: &codes,
                latitude: node.centre.map(|c| c.0),
                longitude: node.centre.map(|c| c.1),
                next_sync_at: at,
                created_at: at,
                updated_at: at,
            },
        )
        .await?;
        if added {
            *budget -= 1;
            known += 1;
            learned.push(node.domain.clone());
        }
    }
    Ok(learned)
}
