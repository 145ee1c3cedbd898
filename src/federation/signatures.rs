//! HTTP signatures (draft-cavage-http-signatures, as Mastodon, GoToSocial, Lemmy and the rest use
//! them): signing what we send and verifying what we receive. Parsing and the signing string come
//! from `http-signature-normalization`; the RSA work is done by aws-lc-rs (constant-time, several
//! times faster than the pure-Rust `rsa` crate), with parsed keys cached.
//!
//! We sign `(request-target) host date digest content-type` on POST and
//! `(request-target) host date accept` on GET, as Mastodon does. We accept `rsa-sha256` and
//! `hs2019` with RSA keys, require `(request-target)`, `host` and `date` (or `(created)`) to be
//! signed (and `digest` on POST), a `Date` no older than an hour and no more than an hour ahead,
//! and a `Digest` that matches the body.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_signature_normalization::Config as SignatureConfig;
use http_signature_normalization::verify::{Algorithm, DeprecatedAlgorithm, Unverified};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// How old a signed request's `Date` may be, and how far ahead of our clock.
pub const MAX_AGE: Duration = Duration::from_secs(60 * 60);
pub const MAX_AHEAD: Duration = Duration::from_secs(60 * 60);

/// Parsed keys, so each PEM is parsed once, and the actors behind recently seen key ids, so
/// an inbox request need not look its signer up in the database. Cheap to clone.
#[derive(Clone)]
pub struct KeyCache {
    private: moka::sync::Cache<String, Arc<KeyPair>>,
    public: moka::sync::Cache<String, Arc<ParsedPublicKey>>,
    signers: moka::sync::Cache<String, Arc<crate::db::actor::Actor>>,
}

/// How long a signer stays known without a look in the database.
const SIGNER_TTL: Duration = Duration::from_secs(60);

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache {
            private: moka::sync::Cache::new(1_000),
            public: moka::sync::Cache::new(10_000),
            signers: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(SIGNER_TTL)
                .build(),
        }
    }
}

impl KeyCache {
    /// The actor whose key this is, if seen in the last minute.
    pub fn signer(&self, key_id: &str) -> Option<Arc<crate::db::actor::Actor>> {
        self.signers.get(key_id)
    }

    pub fn remember_signer(&self, key_id: &str, actor: &crate::db::actor::Actor) {
        self.signers
            .insert(key_id.to_owned(), Arc::new(actor.clone()));
    }

    /// Forgets a signer (its actor changed or was deleted).
    pub fn forget_signer(&self, key_id: &str) {
        self.signers.invalidate(key_id);
    }

    fn private_key(&self, pem: &str) -> Result<Arc<KeyPair>> {
        self.private
            .try_get_with_by_ref(pem, || {
                let der = pem::parse(pem).map_err(|e| e.to_string())?;
                KeyPair::from_pkcs8(der.contents())
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| Error::internal("reading a private key", e))
    }

    fn public_key(&self, pem: &str) -> Result<Arc<ParsedPublicKey>> {
        self.public
            .try_get_with_by_ref(pem, || {
                let der = pem::parse(pem.trim()).map_err(|e| e.to_string())?;
                ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.contents())
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| Error::BadSignature(format!("unusable public key: {e}")))
    }

    /// The headers that sign a request: `Date`, `Digest` (with a body) and `Signature`.
    /// `extra` (content-type or accept) is signed too and must be sent as given.
    ///
    /// `Host` (the URL's authority, as HTTP clients send it) is signed but not among the
    /// headers returned: the HTTP client sets it from the URL, and over HTTP/2 it goes as
    /// `:authority`, so a `Host` header of our own would arrive twice and proxies such as nginx
    /// refuse the request ("duplicate host header").
    pub fn sign(
        &self,
        method: &str,
        url: &Url,
        body: Option<&[u8]>,
        extra: (&HeaderName, &str),
        key_id: &str,
        private_pem: &str,
    ) -> Result<HeaderMap> {
        let key = self.private_key(private_pem)?;
        let mut signed = BTreeMap::new();
        signed.insert("host".to_owned(), crate::federation::urls::authority(url));
        signed.insert(
            "date".to_owned(),
            httpdate::fmt_http_date(SystemTime::now()),
        );
        if let Some(body) = body {
            signed.insert("digest".to_owned(), digest(body));
        }
        signed.insert(extra.0.as_str().to_owned(), extra.1.to_owned());

        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let unsigned = SignatureConfig::new()
            .dont_use_created_field()
            .begin_sign(method, &path_and_query, signed.clone())
            .map_err(|e| Error::internal("preparing a signature", e))?;
        let signature = unsigned
            .sign(key_id.to_owned(), |signing_string| {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(
                    &RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    signing_string.as_bytes(),
                    &mut signature,
                )
                .map(|()| BASE64.encode(&signature))
                .map_err(|e| Error::internal("signing a request", e))
            })?
            .signature_header();

        let mut headers = HeaderMap::new();
        for (name, value) in signed
            .into_iter()
            .filter(|(name, _)| name != "host")
            .chain([("signature".to_owned(), signature)])
        {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::internal("header name", e))?;
            let value =
                HeaderValue::from_str(&value).map_err(|e| Error::internal("header value", e))?;
            headers.insert(name, value);
        }
        Ok(headers)
    }

    /// Checks that `signature` was made over the request by the holder of `public_pem`.
    pub fn verify(&self, signature: &Unverified, public_pem: &str) -> Result<()> {
        let key = self.public_key(public_pem)?;
        let verified = signature.verify(|signature, signing_string| {
            let Ok(signature) = BASE64.decode(signature) else {
                return false;
            };
            key.verify_sig(signing_string.as_bytes(), &signature)
                .is_ok()
        });
        if verified {
            Ok(())
        } else {
            Err(Error::BadSignature(
                "does not verify with the sender's key".into(),
            ))
        }
    }
}

/// `SHA-256=<base64>` of a body.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// Checks the `Digest` header against the body; only SHA-256 counts.
pub fn check_digest(headers: &HeaderMap, body: &[u8]) -> Result<()> {
    let header = headers
        .get("digest")
        .ok_or_else(|| Error::BadSignature("the Digest header is missing".into()))?
        .to_str()
        .map_err(|_| Error::BadRequest("the Digest header is not text".into()))?;
    let expected = BASE64.encode(Sha256::digest(body));
    let sha256 = header.split(',').find_map(|part| {
        let (algorithm, value) = part.trim().split_once('=')?;
        algorithm.eq_ignore_ascii_case("sha-256").then_some(value)
    });
    match sha256 {
        Some(value) if value == expected => Ok(()),
        Some(_) => Err(Error::BadRequest(
            "the Digest header does not match the body".into(),
        )),
        None => Err(Error::BadRequest(
            "the Digest header has no SHA-256 value".into(),
        )),
    }
}

/// Parses and checks the `Signature` header of a request: which headers are signed, the
/// algorithm and the date. The result names the key to verify with.
pub fn parse(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    with_body: bool,
) -> Result<Unverified> {
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(value) = value.to_str() {
            map.insert(name.as_str().to_owned(), value.to_owned());
        }
    }
    if !map.contains_key("signature") {
        return Err(Error::BadSignature("the request is not signed".into()));
    }
    if let Some(date) = map.get("date") {
        let date = httpdate::parse_http_date(date)
            .map_err(|_| Error::BadSignature("the Date header is not an HTTP date".into()))?;
        if date > SystemTime::now() + MAX_AHEAD {
            return Err(Error::BadSignature(
                "the Date header is in the future".into(),
            ));
        }
    }
    let mut config = SignatureConfig::new()
        .set_expiration(MAX_AGE)
        .require_header("(request-target)")
        .require_header("host");
    if with_body {
        config = config.require_digest();
    }
    let unverified = config
        .begin_verify(method, path_and_query, map)
        .map_err(|e| Error::BadSignature(e.to_string()))?;
    // When it was signed must be signed too: the Date header or, in newer signatures, `(created)`.
    let dated = unverified
        .signing_string()
        .lines()
        .any(|line| line.starts_with("date: ") || line.starts_with("(created): "));
    if !dated {
        return Err(Error::BadSignature(
            "neither Date nor (created) is signed".into(),
        ));
    }
    match unverified.algorithm() {
        None
        | Some(Algorithm::Hs2019)
        | Some(Algorithm::Deprecated(DeprecatedAlgorithm::RsaSha256)) => Ok(unverified),
        Some(other) => Err(Error::BadSignature(format!(
            "algorithm {other:?} is not supported"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::keys;
    use reqwest::header::HOST;

    /// The headers the receiver sees: what `sign` returns plus the `Host` the HTTP client
    /// adds from the URL.
    fn signed_post(cache: &KeyCache, pair: &keys::Keypair, body: &[u8]) -> HeaderMap {
        let url = Url::parse("https://kwartier.oss.nl/inbox").unwrap();
        let mut headers = cache
            .sign(
                "POST",
                &url,
                Some(body),
                (&reqwest::header::CONTENT_TYPE, "application/activity+json"),
                "https://heeten.example/u/anna#main-key",
                &pair.private_pem,
            )
            .unwrap();
        headers.insert(HOST, HeaderValue::from_static("kwartier.oss.nl"));
        headers
    }

    #[test]
    fn the_host_is_signed_but_left_to_the_http_client() {
        let cache = KeyCache::default();
        let pair = keys::generate().unwrap();
        let url = Url::parse("https://localhost:8443/i/moestuin/inbox?x=1").unwrap();
        let headers = cache
            .sign(
                "GET",
                &url,
                None,
                (&reqwest::header::ACCEPT, "application/activity+json"),
                "https://heeten.example/actor#main-key",
                &pair.private_pem,
            )
            .unwrap();
        // A Host of our own would go next to HTTP/2's `:authority`: nginx answers 400.
        assert!(!headers.contains_key(HOST), "{headers:?}");
        let names: Vec<&str> = headers.keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["accept", "date", "signature"]);
        let signature = headers["signature"].to_str().unwrap();
        assert!(
            signature.contains(r#"headers="(request-target) accept date host""#),
            "{signature}"
        );

        // With the Host the client sends (port included) it verifies; with another it does not.
        let mut received = headers.clone();
        received.insert(HOST, HeaderValue::from_static("localhost:8443"));
        let parsed = parse("GET", "/i/moestuin/inbox?x=1", &received, false).unwrap();
        cache.verify(&parsed, &pair.public_pem).unwrap();
        received.insert(HOST, HeaderValue::from_static("localhost"));
        let parsed = parse("GET", "/i/moestuin/inbox?x=1", &received, false).unwrap();
        assert!(cache.verify(&parsed, &pair.public_pem).is_err());
        // Nor without one: `host` is required.
        assert!(parse("GET", "/i/moestuin/inbox?x=1", &headers, false).is_err());
    }

    #[test]
    fn what_we_sign_we_verify() {
        let cache = KeyCache::default();
        let pair = keys::generate().unwrap();
        let body = br#"{"type":"Follow"}"#;
        let headers = signed_post(&cache, &pair, body);
        let signature = headers["signature"].to_str().unwrap();
        assert!(
            signature.contains(r#"keyId="https://heeten.example/u/anna#main-key""#),
            "{signature}"
        );
        assert!(
            signature.contains("(request-target) content-type date digest host"),
            "{signature}"
        );
        check_digest(&headers, body).unwrap();

        let parsed = parse("POST", "/inbox", &headers, true).unwrap();
        assert_eq!(parsed.key_id(), "https://heeten.example/u/anna#main-key");
        cache.verify(&parsed, &pair.public_pem).unwrap();

        let other = keys::generate().unwrap();
        assert!(matches!(
            cache.verify(&parsed, &other.public_pem),
            Err(Error::BadSignature(_))
        ));
        // The signature covers the path: the same headers on another inbox do not verify.
        let moved = parse("POST", "/u/anna/inbox", &headers, true).unwrap();
        assert!(cache.verify(&moved, &pair.public_pem).is_err());
    }

    #[test]
    fn tampering_is_caught() {
        let cache = KeyCache::default();
        let pair = keys::generate().unwrap();
        let headers = signed_post(&cache, &pair, b"{}");
        assert!(matches!(
            check_digest(&headers, b"{ }"),
            Err(Error::BadRequest(_))
        ));

        let mut unsigned_digest = headers.clone();
        let signature = unsigned_digest["signature"]
            .to_str()
            .unwrap()
            .replace(" digest", "");
        unsigned_digest.insert("signature", HeaderValue::from_str(&signature).unwrap());
        assert!(
            parse("POST", "/inbox", &unsigned_digest, true).is_err(),
            "digest must be signed"
        );

        let mut old = headers.clone();
        let then = SystemTime::now() - MAX_AGE - Duration::from_secs(60);
        old.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(then)).unwrap(),
        );
        assert!(parse("POST", "/inbox", &old, true).is_err(), "too old");

        let mut ahead = headers.clone();
        let later = SystemTime::now() + MAX_AHEAD + Duration::from_secs(60);
        ahead.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        assert!(
            parse("POST", "/inbox", &ahead, true).is_err(),
            "in the future"
        );

        let mut none = headers;
        none.remove("signature");
        assert!(matches!(
            parse("POST", "/inbox", &none, true),
            Err(Error::BadSignature(_))
        ));
    }

    #[test]
    fn digests_name_their_algorithm() {
        let mut headers = HeaderMap::new();
        headers.insert("digest", HeaderValue::from_str(&digest(b"abc")).unwrap());
        check_digest(&headers, b"abc").unwrap();
        let lower = digest(b"abc").replace("SHA-256", "sha-256");
        headers.insert(
            "digest",
            HeaderValue::from_str(&format!("SHA-512=xyz, {lower}")).unwrap(),
        );
        check_digest(&headers, b"abc").unwrap();
        headers.insert("digest", HeaderValue::from_static("MD5=abc"));
        assert!(check_digest(&headers, b"abc").is_err());
    }
}
