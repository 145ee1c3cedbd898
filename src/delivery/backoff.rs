//! When to try a delivery again, and when to stop trying a peer for a while: exponential
//! backoff with jitter, `Retry-After` honoured, and a circuit breaker per peer.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use crate::config::DeliveryConfig;

/// After this many failures in a row a peer's circuit opens: nothing is sent to it until the
/// circuit closes, then one delivery probes whether it is back.
pub const CIRCUIT_THRESHOLD: i32 = 5;

/// What an attempt's result means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Worth trying again: network errors, timeouts, 408, 429, 5xx.
    Transient,
    /// Will never work: the peer refused it (4xx) or the inbox is gone (410).
    Permanent,
}

pub fn classify(status: Option<StatusCode>) -> Verdict {
    match status {
        None => Verdict::Transient,
        Some(s) if s.is_success() => Verdict::Delivered,
        Some(StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS) => Verdict::Transient,
        Some(s) if s.is_client_error() => Verdict::Permanent,
        // 3xx: inboxes do not redirect; 5xx: the peer's trouble, try later.
        Some(s) if s.is_redirection() => Verdict::Permanent,
        Some(_) => Verdict::Transient,
    }
}

/// How long to wait after the `attempts`-th failed attempt: doubling from `retry_first`, at
/// most `retry_max`, times `jitter` (0.8 to 1.2, so retries of many deliveries spread out).
pub fn retry_delay(config: &DeliveryConfig, attempts: i32, jitter: f64) -> Duration {
    let exponent = attempts.clamp(1, 30) as u32 - 1;
    let base = config
        .retry_first
        .saturating_mul(2u32.saturating_pow(exponent));
    base.min(config.retry_max).mul_f64(jitter.clamp(0.8, 1.2))
}

/// How long a peer's circuit stays open after `failures` failures in a row, if it opens.
pub fn circuit_open_for(config: &DeliveryConfig, failures: i32) -> Option<Duration> {
    (failures >= CIRCUIT_THRESHOLD)
        .then(|| retry_delay(config, failures - CIRCUIT_THRESHOLD + 1, 1.0))
}

/// A `Retry-After` header: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    httpdate::parse_http_date(value)
        .ok()
        .map(|at| at.duration_since(now).unwrap_or_default())
}

pub fn jitter() -> f64 {
    rand::random_range(0.8..=1.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DeliveryConfig {
        DeliveryConfig {
            retry_first: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(86_400),
            concurrency: 4,
        }
    }

    #[test]
    fn retries_double_up_to_the_maximum() {
        let c = config();
        assert_eq!(retry_delay(&c, 1, 1.0), Duration::from_secs(30));
        assert_eq!(retry_delay(&c, 2, 1.0), Duration::from_secs(60));
        assert_eq!(retry_delay(&c, 4, 1.0), Duration::from_secs(240));
        assert_eq!(retry_delay(&c, 20, 1.0), Duration::from_secs(3600));
        assert_eq!(retry_delay(&c, i32::MAX, 1.0), Duration::from_secs(3600));
        assert_eq!(retry_delay(&c, 1, 1.2), Duration::from_secs(36));
        assert_eq!(
            retry_delay(&c, 1, 9.0),
            Duration::from_secs(36),
            "jitter is bounded"
        );
        let j = jitter();
        assert!((0.8..=1.2).contains(&j));
    }

    #[test]
    fn statuses_decide_what_happens_next() {
        assert_eq!(classify(Some(StatusCode::ACCEPTED)), Verdict::Delivered);
        assert_eq!(classify(None), Verdict::Transient);
        assert_eq!(
            classify(Some(StatusCode::TOO_MANY_REQUESTS)),
            Verdict::Transient
        );
        assert_eq!(
            classify(Some(StatusCode::SERVICE_UNAVAILABLE)),
            Verdict::Transient
        );
        assert_eq!(classify(Some(StatusCode::GONE)), Verdict::Permanent);
        assert_eq!(classify(Some(StatusCode::UNAUTHORIZED)), Verdict::Permanent);
        assert_eq!(
            classify(Some(StatusCode::MOVED_PERMANENTLY)),
            Verdict::Permanent
        );
    }

    #[test]
    fn circuits_open_after_repeated_failures() {
        let c = config();
        assert_eq!(circuit_open_for(&c, CIRCUIT_THRESHOLD - 1), None);
        assert_eq!(
            circuit_open_for(&c, CIRCUIT_THRESHOLD),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            circuit_open_for(&c, CIRCUIT_THRESHOLD + 2),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::now();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(600));
        let parsed = parse_retry_after(&later, now).unwrap();
        assert!(
            parsed > Duration::from_secs(598) && parsed <= Duration::from_secs(600),
            "{parsed:?}"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
