//! The outbox: each outgoing activity stored once, and one delivery row per distinct inbox it
//! goes to. Deliveries are claimed with a lease, so a worker that dies mid-send leaves them to
//! be claimed again (at most a duplicate, never a loss), and several processes on PostgreSQL
//! share the work (`FOR UPDATE SKIP LOCKED`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{delivery, outgoing_activity, peer};
use super::types::DbUrl;
use super::{Conn, ScopedFutureExt};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = outgoing_activity, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OutgoingActivity {
    pub id: i64,
    pub ap_id: DbUrl,
    /// The local actor that signs it.
    pub actor_id: i64,
    /// `Create`, `Announce`, `Accept`, …
    pub kind: String,
    /// The JSON as sent.
    pub body: String,
    /// Addressed to the public: served to anyone at its id.
    pub public: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = outgoing_activity)]
pub struct NewOutgoingActivity<'a> {
    pub ap_id: DbUrl,
    pub actor_id: i64,
    pub kind: &'a str,
    pub body: &'a str,
    pub public: bool,
    pub created_at: NaiveDateTime,
}

pub mod state {
    pub const PENDING: &str = "pending";
    pub const DELIVERED: &str = "delivered";
    pub const FAILED: &str = "failed";
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = delivery, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Delivery {
    pub id: i64,
    pub activity_id: i64,
    pub inbox_url: String,
    /// `host[:port]` of the inbox: deliveries are grouped by peer.
    pub peer: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub async fn insert_activity(
    conn: &mut Conn,
    new: &NewOutgoingActivity<'_>,
) -> Result<OutgoingActivity> {
    Ok(run!(conn, |c| diesel::insert_into(
        outgoing_activity::table
    )
    .values(new)
    .returning(OutgoingActivity::as_returning())
    .get_result(c)
    .await)?)
}

pub async fn find_activity(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<OutgoingActivity>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| outgoing_activity::table
        .filter(outgoing_activity::ap_id.eq(&ap_id))
        .select(OutgoingActivity::as_select())
        .first(c)
        .await
        .optional())?)
}

/// How many public activities an actor sent.
pub async fn count_public_by(conn: &mut Conn, actor_id: i64) -> Result<i64> {
    Ok(run!(conn, |c| outgoing_activity::table
        .filter(outgoing_activity::actor_id.eq(actor_id))
        .filter(outgoing_activity::public.eq(true))
        .count()
        .get_result(c)
        .await)?)
}

/// Public activities an actor sent, newest first.
pub async fn public_by(
    conn: &mut Conn,
    actor_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<OutgoingActivity>> {
    Ok(run!(conn, |c| outgoing_activity::table
        .filter(outgoing_activity::actor_id.eq(actor_id))
        .filter(outgoing_activity::public.eq(true))
        .order(outgoing_activity::id.desc())
        .limit(limit)
        .offset(offset)
        .select(OutgoingActivity::as_select())
        .load(c)
        .await)?)
}

/// Queues a newly stored activity for each `(inbox, peer)`, in statements of at most
/// [`ENQUEUE_CHUNK`] rows. The inboxes must be distinct (a repeat breaks a unique constraint).
pub async fn enqueue(
    conn: &mut Conn,
    activity_id: i64,
    inboxes: &[(String, String)],
    at: NaiveDateTime,
) -> Result<()> {
    for chunk in inboxes.chunks(ENQUEUE_CHUNK) {
        let rows: Vec<NewDelivery> = chunk
            .iter()
            .map(|(inbox, peer)| NewDelivery {
                activity_id,
                inbox_url: inbox.clone(),
                peer: peer.clone(),
                state: state::PENDING,
                next_attempt_at: at,
                created_at: at,
                updated_at: at,
            })
            .collect();
        match conn {
            // diesel-async cannot send a multi-row insert through the SQLite wrapper; the
            // wrapped connection can, on the blocking pool like every SQLite query.
            Conn::Sqlite(c) => {
                c.spawn_blocking(move |c| {
                    let insert = diesel::insert_into(delivery::table).values(&rows);
                    diesel::RunQueryDsl::execute(insert, c)
                })
                .await?;
            }
            Conn::Postgres(c) => {
                diesel::insert_into(delivery::table)
                    .values(&rows)
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Rows per insert statement: well under SQLite's limit of 32766 bound parameters.
const ENQUEUE_CHUNK: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = delivery)]
struct NewDelivery {
    activity_id: i64,
    inbox_url: String,
    peer: String,
    state: &'static str,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Pending deliveries nobody holds a claim on, to peers neither paused (circuit open) nor in
/// `skip_peers`.
#[diesel::dsl::auto_type(no_type_alias)]
fn claimable<'a>(now: NaiveDateTime, skip_peers: &'a [String]) -> _ {
    let open_circuits: diesel::dsl::Select<
        diesel::dsl::Filter<peer::table, diesel::dsl::Gt<peer::circuit_open_until, NaiveDateTime>>,
        peer::host,
    > = peer::table
        .filter(peer::circuit_open_until.gt(now))
        .select(peer::host);
    let unclaimed: diesel::dsl::Or<
        diesel::dsl::IsNull<delivery::locked_until>,
        diesel::dsl::Lt<delivery::locked_until, NaiveDateTime>,
    > = delivery::locked_until
        .is_null()
        .or(delivery::locked_until.lt(now));
    let pending: &'static str = state::PENDING;
    delivery::table
        .filter(delivery::state.eq(pending))
        .filter(unclaimed)
        .filter(diesel::dsl::not(delivery::peer.eq_any(open_circuits)))
        .filter(diesel::dsl::not(delivery::peer.eq_any(skip_peers)))
}

/// Claims up to `limit` due deliveries until `lease_until`, skipping peers whose circuit is
/// open. Returns each with the activity to send.
pub async fn claim_due(
    conn: &mut Conn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    skip_peers: &[String],
) -> Result<Vec<(Delivery, OutgoingActivity)>> {
    conn.transaction(|conn| {
        async move {
            let due = claimable(now, skip_peers)
                .filter(delivery::next_attempt_at.le(now))
                .order((delivery::next_attempt_at, delivery::id))
                .limit(limit)
                .select(delivery::id);
            let ids: Vec<i64> = match conn {
                // Other processes skip the rows this one is claiming.
                Conn::Postgres(c) => due.for_update().skip_locked().load(&mut **c).await?,
                // SQLite: the transaction holds the only write lock.
                Conn::Sqlite(c) => due.load(&mut **c).await?,
            };
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            run!(conn, |c| diesel::update(
                delivery::table.filter(delivery::id.eq_any(&ids))
            )
            .set(delivery::locked_until.eq(lease_until))
            .execute(c)
            .await)?;
            Ok(run!(conn, |c| delivery::table
                .inner_join(outgoing_activity::table)
                .filter(delivery::id.eq_any(&ids))
                .order((delivery::next_attempt_at, delivery::id))
                .select((Delivery::as_select(), OutgoingActivity::as_select()))
                .load(c)
                .await)?)
        }
        .scope_boxed()
    })
    .await
}

/// What became of an attempt that did not arrive ([`record_delivered`] records those that did).
pub enum Outcome<'a> {
    Retry {
        status: Option<i32>,
        error: &'a str,
        next_attempt_at: NaiveDateTime,
    },
    Failed {
        status: Option<i32>,
        error: &'a str,
    },
    /// Not attempted (held back while its peer is probed): claimable again at once.
    Released,
}

pub async fn record(
    conn: &mut Conn,
    id: i64,
    outcome: Outcome<'_>,
    at: NaiveDateTime,
) -> Result<()> {
    let target = delivery::table.find(id);
    let none = None::<NaiveDateTime>;
    run!(conn, |c| match &outcome {
        Outcome::Retry {
            status,
            error,
            next_attempt_at,
        } => {
            diesel::update(target)
                .set((
                    delivery::attempts.eq(delivery::attempts + 1),
                    delivery::last_status.eq(*status),
                    delivery::last_error.eq(Some(*error)),
                    delivery::next_attempt_at.eq(*next_attempt_at),
                    delivery::locked_until.eq(none),
                    delivery::updated_at.eq(at),
                ))
                .execute(c)
                .await
        }
        Outcome::Failed { status, error } => {
            diesel::update(target)
                .set((
                    delivery::state.eq(state::FAILED),
                    delivery::attempts.eq(delivery::attempts + 1),
                    delivery::last_status.eq(*status),
                    delivery::last_error.eq(Some(*error)),
                    delivery::locked_until.eq(none),
                    delivery::updated_at.eq(at),
                ))
                .execute(c)
                .await
        }
        Outcome::Released =>
            diesel::update(target)
                .set(delivery::locked_until.eq(none))
                .execute(c)
                .await,
    })?;
    Ok(())
}

/// Records that these deliveries arrived, answered with `status`.
pub async fn record_delivered(
    conn: &mut Conn,
    ids: &[i64],
    status: i32,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(
        delivery::table.filter(delivery::id.eq_any(ids))
    )
    .set((
        delivery::state.eq(state::DELIVERED),
        delivery::attempts.eq(delivery::attempts + 1),
        delivery::last_status.eq(Some(status)),
        delivery::last_error.eq(None::<String>),
        delivery::locked_until.eq(None::<NaiveDateTime>),
        delivery::updated_at.eq(at),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// Extends the lease on deliveries still being worked on, so that only a process that died
/// leaves its claims to expire.
pub async fn renew_leases(conn: &mut Conn, ids: &[i64], lease_until: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(
        delivery::table
            .filter(delivery::id.eq_any(ids))
            .filter(delivery::state.eq(state::PENDING))
            .filter(delivery::locked_until.is_not_null())
    )
    .set(delivery::locked_until.eq(lease_until))
    .execute(c)
    .await)?;
    Ok(())
}

/// Frees every claimed delivery. Only safe when no other process delivers from this database.
pub async fn release_all_leases(conn: &mut Conn) -> Result<()> {
    run!(conn, |c| diesel::update(
        delivery::table.filter(delivery::locked_until.is_not_null())
    )
    .set(delivery::locked_until.eq(None::<NaiveDateTime>))
    .execute(c)
    .await)?;
    Ok(())
}

/// When the earliest delivery that could be claimed is due, if any.
pub async fn next_due(
    conn: &mut Conn,
    now: NaiveDateTime,
    skip_peers: &[String],
) -> Result<Option<NaiveDateTime>> {
    Ok(run!(conn, |c| claimable(now, skip_peers)
        .select(diesel::dsl::min(delivery::next_attempt_at))
        .first::<Option<NaiveDateTime>>(c)
        .await)?)
}

/// Deliveries of one activity, for tests and status pages.
pub async fn for_activity(conn: &mut Conn, activity_id: i64) -> Result<Vec<Delivery>> {
    Ok(run!(conn, |c| delivery::table
        .filter(delivery::activity_id.eq(activity_id))
        .order(delivery::id)
        .select(Delivery::as_select())
        .load(c)
        .await)?)
}

/// Deliveries to one inbox with their activities, oldest first: for tests and status pages.
pub async fn to_inbox(
    conn: &mut Conn,
    inbox_url: &str,
) -> Result<Vec<(Delivery, OutgoingActivity)>> {
    Ok(run!(conn, |c| delivery::table
        .inner_join(outgoing_activity::table)
        .filter(delivery::inbox_url.eq(inbox_url))
        .order(delivery::id)
        .select((Delivery::as_select(), OutgoingActivity::as_select()))
        .load(c)
        .await)?)
}

/// Per peer: how many deliveries are pending and how many failed.
pub async fn counts_by_peer(conn: &mut Conn) -> Result<Vec<(String, String, i64)>> {
    Ok(run!(conn, |c| delivery::table
        .filter(delivery::state.ne(state::DELIVERED))
        .group_by((delivery::peer, delivery::state))
        .select((delivery::peer, delivery::state, diesel::dsl::count_star()))
        .order((delivery::peer, delivery::state))
        .load(c)
        .await)?)
}

/// One peer's backlog: how many deliveries wait, and when the oldest of them was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    pub peer: String,
    pub pending: i64,
    pub oldest: NaiveDateTime,
}

/// Per peer with deliveries still pending: how many, and the oldest one's creation time.
pub async fn backlog_by_peer(conn: &mut Conn) -> Result<Vec<Backlog>> {
    let rows: Vec<(String, i64, Option<NaiveDateTime>)> = run!(conn, |c| delivery::table
        .filter(delivery::state.eq(state::PENDING))
        .group_by(delivery::peer)
        .select((
            delivery::peer,
            diesel::dsl::count_star(),
            diesel::dsl::min(delivery::created_at),
        ))
        .order(delivery::peer)
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(peer, pending, oldest)| {
            oldest.map(|oldest| Backlog {
                peer,
                pending,
                oldest,
            })
        })
        .collect())
}

/// The peers (`host[:port]`) with deliveries still pending.
pub async fn pending_peers(conn: &mut Conn) -> Result<Vec<String>> {
    Ok(run!(conn, |c| delivery::table
        .filter(delivery::state.eq(state::PENDING))
        .select(delivery::peer)
        .distinct()
        .load(c)
        .await)?)
}

/// Drops every pending delivery to these peers (a suspended domain); returns how many.
pub async fn drop_pending_to(conn: &mut Conn, peers: &[String]) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        delivery::table
            .filter(delivery::state.eq(state::PENDING))
            .filter(delivery::peer.eq_any(peers))
    )
    .execute(c)
    .await)?)
}
