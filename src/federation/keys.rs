//! Actor key pairs: RSA 2048 made with aws-lc-rs, stored as PEM (PKCS#8 private key, SPKI public
//! key) so the ActivityPub library can read them too. A spare pair is kept ready in the
//! background, so creating an account or an initiative does not wait for key generation.

use std::sync::{Arc, Mutex};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;

use crate::error::{Error, Result};

/// A new actor key pair, PEM-encoded.
#[derive(Clone)]
pub struct Keypair {
    pub private_pem: String,
    pub public_pem: String,
}

/// Generates a key pair. Takes ~0.1 s of CPU: call it on the blocking pool.
pub fn generate() -> Result<Keypair> {
    let failed = |e: &dyn std::fmt::Display| Error::internal("generating an RSA key pair", e);
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| failed(&e))?;
    let private: Pkcs8V1Der = pair.as_der().map_err(|e| failed(&e))?;
    let public: PublicKeyX509Der = pair.public_key().as_der().map_err(|e| failed(&e))?;
    Ok(Keypair {
        private_pem: pem::encode(&pem::Pem::new("PRIVATE KEY", private.as_ref())),
        public_pem: pem::encode(&pem::Pem::new("PUBLIC KEY", public.as_ref())),
    })
}

/// Key pairs made ahead of time. Cheap to clone; clones share the spares.
#[derive(Clone, Default)]
pub struct KeyPool {
    inner: Arc<Mutex<PoolState>>,
}

#[derive(Default)]
struct PoolState {
    spare: Option<Keypair>,
    filling: bool,
}

impl KeyPool {
    /// A pool that starts making its first spare pair right away.
    pub fn new() -> KeyPool {
        let pool = KeyPool::default();
        pool.refill();
        pool
    }

    /// A key pair: the spare one if ready, else a fresh one made on the blocking pool.
    pub async fn take(&self) -> Result<Keypair> {
        let spare = self.lock().spare.take();
        let pair = match spare {
            Some(pair) => pair,
            None => tokio::task::spawn_blocking(generate).await??,
        };
        self.refill();
        Ok(pair)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        // A panic while holding this lock leaves plain data behind; carry on with it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes a spare pair in the background unless one exists or is being made.
    fn refill(&self) {
        {
            let mut state = self.lock();
            if state.spare.is_some() || state.filling {
                return;
            }
            state.filling = true;
        }
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let made = generate();
            let mut state = pool.lock();
            state.filling = false;
            match made {
                Ok(pair) => state.spare = Some(pair),
                Err(err) => tracing::warn!(error = %err, "could not make a spare key pair"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

    #[test]
    fn pairs_are_pem_that_sign_and_verify() {
        let pair = generate().unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let private =
            KeyPair::from_pkcs8(pem::parse(&pair.private_pem).unwrap().contents()).unwrap();
        let mut signature = vec![0; private.public_modulus_len()];
        private
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                b"kwartier",
                &mut signature,
            )
            .unwrap();
        let public = ParsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA256,
            pem::parse(&pair.public_pem).unwrap().contents(),
        )
        .unwrap();
        assert!(public.verify_sig(b"kwartier", &signature).is_ok());
        assert!(public.verify_sig(b"kwartiermaker", &signature).is_err());
    }

    #[tokio::test]
    async fn the_pool_hands_out_distinct_pairs() {
        let pool = KeyPool::new();
        let first = pool.take().await.unwrap();
        let second = pool.take().await.unwrap();
        assert_ne!(first.public_pem, second.public_pem);
    }
}
