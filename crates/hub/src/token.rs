//! Tokens: how a register and an owner prove who they are to the hub.
//!
//! The owner issues each register its own token (`termdee hub enroll --register kiosk-1`, printed
//! once); owners get owner tokens the same way (`termdee hub owner-token`). A token is 32 random
//! bytes (256 bits) written in hex after a prefix that says what it is for (`tdr_` register,
//! `tdo_` owner), so a token pasted in the wrong place is recognised.
//!
//! **At rest the hub keeps only SHA-256 of a token.** A slow password hash (argon2, bcrypt) exists
//! to make guessing a *low-entropy* secret expensive; a 256-bit random token cannot be guessed
//! whatever the hash costs, so a slow hash would only slow every request down. A plain,
//! unsalted digest also lets the hub find the register by its token with one indexed lookup.
//!
//! **The callback path secret is derived from the register token.** Providers call the hub at
//! `/relay/<register>/callback/<provider>/<callback token>`; that URL is handed to third parties,
//! so it must not contain the register token itself. [`callback_token`] is a one-way function of
//! it: the register computes its callback URLs from its own settings alone, the hub stores the
//! derived value's hash at enrolment, and a leaked callback URL gives nobody the right to push
//! sales or read callbacks.

use sha2::{Digest, Sha256};

/// Prefix of a register token.
pub const REGISTER_PREFIX: &str = "tdr_";
/// Prefix of an owner token.
pub const OWNER_PREFIX: &str = "tdo_";

/// SHA-256 of a token: what the hub stores and looks up.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The secret in a register's callback URLs, derived one-way from its register token.
pub fn callback_token(register_token: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"termdee hub callback path v1\n");
    digest.update(register_token.as_bytes());
    // 128 bits are plenty for a URL secret and keep the URL short.
    hex::encode(&digest.finalize()[..16])
}

/// Compares two digests without revealing, through timing, where they differ.
pub fn same_digest(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random token with `prefix`: 256 bits from `rand`'s thread generator, a CSPRNG
/// (ChaCha) seeded and periodically reseeded from the operating system.
#[cfg(feature = "server")]
pub fn issue(prefix: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_and_compare_exactly() {
        // SHA-256("abc"), FIPS 180-2 example.
        assert_eq!(
            hex::encode(hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same_digest(&hash("a"), &hash("a")));
        assert!(!same_digest(&hash("a"), &hash("b")));
        assert!(!same_digest(&hash("a")[..31], &hash("a")));
    }

    #[test]
    fn the_callback_token_is_stable_distinct_and_does_not_contain_the_register_token() {
        let token = "tdr_00112233";
        let derived = callback_token(token);
        assert_eq!(derived, callback_token(token));
        assert_eq!(derived.len(), 32);
        assert_ne!(derived, callback_token("tdr_00112234"));
        assert!(!derived.contains("00112233"));
    }

    #[cfg(feature = "server")]
    #[test]
    fn issued_tokens_are_prefixed_random_and_256_bits() {
        let a = issue(REGISTER_PREFIX);
        let b = issue(REGISTER_PREFIX);
        assert!(a.starts_with("tdr_"));
        assert_eq!(a.len(), 4 + 64);
        assert_ne!(a, b);
        assert!(a[4..].bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
