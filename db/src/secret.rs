//! Secrets: argon2id password hashes, random session and token secrets, and their SHA-256
//! digests (the only form in which secrets are stored).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use crate::DbError;

/// An error of the operating system's random source or of the hasher, which do not fail on a
/// working system: reported as an I/O error of the database layer, keeping the cause's text.
fn crypto_error(what: &str, cause: impl std::fmt::Display) -> DbError {
    DbError::Query(sqlx::Error::Io(std::io::Error::other(format!(
        "{what}: {cause}"
    ))))
}

/// `n` random bytes from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N], DbError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| crypto_error("random source", e))?;
    Ok(bytes)
}

/// A new secret: 256 random bits, hex-encoded, with a prefix (`cms_` for API tokens, so that
/// secret scanners can find leaked ones; empty for cookies).
pub(crate) fn new_secret(prefix: &str) -> Result<String, DbError> {
    Ok(format!("{prefix}{}", hex::encode(random_bytes::<32>()?)))
}

/// A new password for a user who did not choose one (`cms user add` without
/// `--password-stdin`): 20 characters from an alphabet without look-alikes (about 100 bits).
pub fn random_password() -> Result<String, DbError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<20>()?;
    // The modulo bias (256 % 56 = 32) costs well under a bit of the ~116 bits: acceptable.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// The stored form of a secret.
pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (default parameters, random salt). CPU-heavy: run it off the
/// async workers ([`hash_password`]).
fn hash_password_now(password: &str) -> Result<String, DbError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| crypto_error("password salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crypto_error("password hash", e))
}

/// Whether `password` matches the stored `hash` (false for a malformed hash).
fn verify_password_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes a password on a blocking thread.
pub(crate) async fn hash_password(password: &str) -> Result<String, DbError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| crypto_error("password hash", e))?
}

/// Verifies a password on a blocking thread.
pub(crate) async fn verify_password(password: &str, hash: &str) -> Result<bool, DbError> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password_now(&password, &hash))
        .await
        .map_err(|e| crypto_error("password check", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password_now("mật khẩu dài lắm").unwrap();
        let b = hash_password_now("mật khẩu dài lắm").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b);
        assert!(verify_password_now("mật khẩu dài lắm", &a));
        assert!(!verify_password_now("mật khẩu dài lắ", &a));
        assert!(!verify_password_now("x", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_digests_hex() {
        let a = new_secret("cms_").unwrap();
        assert_eq!(a.len(), 4 + 64);
        assert_ne!(a, new_secret("cms_").unwrap());
        assert_eq!(digest("abc").len(), 64);
        assert_ne!(digest("abc"), "abc");
    }
}
