//! Login attempt limits, per client address and per account name, so nobody can guess
//! passwords quickly from one address or against one account from many. Kept in memory per
//! node (a restart forgets them, which is fine for limits measured in minutes).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Attempts in a row from one address before it has to wait; one more every 6 s after that.
const PER_ADDRESS_BURST: u32 = 20;
const PER_ADDRESS_PERIOD: Duration = Duration::from_secs(6);
/// Attempts in a row on one account; one more every 30 s after that.
const PER_ACCOUNT_BURST: u32 = 5;
const PER_ACCOUNT_PERIOD: Duration = Duration::from_secs(30);
/// Above this many remembered keys, keys that are back at full allowance are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Clone)]
pub struct LoginLimits {
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_account: Arc<DefaultKeyedRateLimiter<String>>,
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            by_address: Arc::new(RateLimiter::keyed(quota(
                PER_ADDRESS_BURST,
                PER_ADDRESS_PERIOD,
            ))),
            by_account: Arc::new(RateLimiter::keyed(quota(
                PER_ACCOUNT_BURST,
                PER_ACCOUNT_PERIOD,
            ))),
        }
    }
}

impl LoginLimits {
    /// Whether another attempt from `address` on `account` may go ahead now; counts it.
    pub fn allow(&self, address: IpAddr, account: &str) -> bool {
        if self.by_address.len() > PRUNE_ABOVE {
            self.by_address.retain_recent();
        }
        if self.by_account.len() > PRUNE_ABOVE {
            self.by_account.retain_recent();
        }
        let address_ok = self.by_address.check_key(&address).is_ok();
        let account_ok = self
            .by_account
            .check_key(&account.trim().to_lowercase())
            .is_ok();
        address_ok && account_ok
    }
}

/// The client's address: the connection's, or, when the connection comes from a reverse proxy
/// on this machine (loopback), the last address that proxy added to `X-Forwarded-For`.
pub fn client_address(parts: &Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !peer.is_loopback() {
        return peer;
    }
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_locked_after_a_burst_whatever_the_address() {
        let limits = LoginLimits::default();
        let allowed = (0..10u8)
            .filter(|i| limits.allow(IpAddr::from([10, 0, 0, *i]), "Anna"))
            .count();
        assert_eq!(allowed, PER_ACCOUNT_BURST as usize);
        assert!(limits.allow(IpAddr::from([10, 0, 0, 1]), "bert"));
    }

    #[test]
    fn an_address_is_locked_after_a_burst_whatever_the_account() {
        let limits = LoginLimits::default();
        let address = IpAddr::from([192, 0, 2, 1]);
        let allowed = (0..30)
            .filter(|i| limits.allow(address, &format!("user{i}")))
            .count();
        assert_eq!(allowed, PER_ADDRESS_BURST as usize);
    }
}
