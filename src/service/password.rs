//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP advises).
//! Hashing is deliberately slow, so it runs on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::error::{Error, Result};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1024;

/// Checks the rules a password must meet.
pub fn validate(password: &str) -> Result<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Error::invalid(
            "password",
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(Error::invalid(
            "password",
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password into a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| Error::internal("hashing password", e))
    })
    .await?
}

/// Whether `password` matches the stored PHC string.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&stored).map_err(|e| Error::internal("stored password hash", e))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

/// A random password of 20 letters and digits (about 119 bits), for accounts made from the CLI.
pub fn generate() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let stored = hash("lang-genoeg-wachtwoord".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(
            verify("lang-genoeg-wachtwoord".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!verify("fout-wachtwoord-hier".into(), stored).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate("kort").is_err());
        assert!(validate("precies10!").is_ok());
        let generated = generate();
        assert_eq!(generated.len(), 20);
        assert!(validate(&generated).is_ok());
        assert_ne!(generated, generate());
    }
}
