//! Where provider passwords, API keys, private keys and tokens live (money rule 7).
//!
//! Two stores behind one trait:
//!
//! - [`KeyringStore`]: the operating system's keyring (Secret Service on Linux desktops, the
//!   macOS Keychain, the Windows Credential Manager) through the `keyring` crate. The first
//!   choice wherever one answers.
//! - [`EncryptedFileStore`]: where no keyring runs (a kiosk image with no desktop session, a
//!   server), one file of secrets sealed with XChaCha20-Poly1305 under a random 256-bit key kept
//!   in a separate file readable only by the app's user (mode 0600). This keeps secrets out of
//!   backups of the data folder's ledger and settings, out of support bundles and away from
//!   casual eyes; it cannot protect against someone who can read the app's own files as its
//!   user, which no store without a person typing a passphrase can.
//!
//! Nothing here ever logs a value, and [`SecretStore::hint`] is the only view of a secret that
//! leaves the backend (`••••••` plus, for long keys, their last two characters).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{AppError, ErrorCode};

/// The service name secrets are filed under in the OS keyring.
pub const KEYRING_SERVICE: &str = "th.termdee.pos";
/// Forces the encrypted file even where a keyring answers (tests, kiosk images).
pub const SECRET_STORE_ENV: &str = "TERMDEE_SECRET_STORE";

fn store_error(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidSettings, message)
}

/// A place secrets are kept, by name (`wepay.password`, `hub.token`).
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// `keyring` or `encrypted_file`.
    fn kind(&self) -> &'static str;
    /// The secret, if set.
    fn get(&self, name: &str) -> Result<Option<SecretString>, AppError>;
    /// Sets (or, with an empty value, removes) a secret.
    fn set(&self, name: &str, value: &SecretString) -> Result<(), AppError>;

    /// What the settings screen may show of a secret: never the secret itself.
    fn hint(&self, name: &str) -> Result<String, AppError> {
        Ok(self.get(name)?.map(|s| hint(&s)).unwrap_or_default())
    }
}

/// `••••••` for a set secret; long keys also show their last two characters, so an owner can
/// tell which of two keys is stored without anyone being able to use what is shown.
pub fn hint(secret: &SecretString) -> String {
    let text = secret.expose_secret();
    let count = text.chars().count();
    if count == 0 {
        return String::new();
    }
    if count >= 16 {
        let tail: String = text.chars().skip(count - 2).collect();
        format!("••••••{tail}")
    } else {
        "••••••".to_owned()
    }
}

/// Picks the store: the OS keyring when one answers a write-read-delete probe and the
/// environment does not ask for the file, else the encrypted file in `data_dir`.
pub fn open_store(data_dir: &Path) -> Result<Box<dyn SecretStore>, AppError> {
    let forced_file = std::env::var(SECRET_STORE_ENV).is_ok_and(|v| v == "file");
    if !forced_file {
        let keyring = KeyringStore::new(KEYRING_SERVICE);
        if keyring.works() {
            return Ok(Box::new(keyring));
        }
    }
    Ok(Box::new(EncryptedFileStore::open(data_dir)?))
}

/// The OS keyring.
#[derive(Debug)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Secrets under `service`.
    pub fn new(service: &str) -> Self {
        KeyringStore {
            service: service.to_owned(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, AppError> {
        keyring::Entry::new(&self.service, name)
            .map_err(|error| store_error(format!("the OS keyring refused {name:?}: {error}")))
    }

    /// Whether a keyring answers here: a probe entry is written, read back and deleted.
    pub fn works(&self) -> bool {
        let probe = "termdee.probe";
        let Ok(entry) = keyring::Entry::new(&self.service, probe) else {
            return false;
        };
        let written = entry.set_password("probe").is_ok();
        let read_back = written && entry.get_password().is_ok_and(|p| p == "probe");
        let _ = entry.delete_credential();
        read_back
    }
}

impl SecretStore for KeyringStore {
    fn kind(&self) -> &'static str {
        "keyring"
    }

    fn get(&self, name: &str) -> Result<Option<SecretString>, AppError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(store_error(format!(
                "the OS keyring cannot read {name:?}: {error}"
            ))),
        }
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), AppError> {
        let entry = self.entry(name)?;
        let outcome = if value.expose_secret().is_empty() {
            match entry.delete_credential() {
                Err(keyring::Error::NoEntry) => Ok(()),
                other => other,
            }
        } else {
            entry.set_password(value.expose_secret())
        };
        outcome
            .map_err(|error| store_error(format!("the OS keyring cannot store {name:?}: {error}")))
    }
}

/// Secrets sealed in one file under a key kept in another.
pub struct EncryptedFileStore {
    sealed: PathBuf,
    cipher: XChaCha20Poly1305,
    // The decrypted secrets, held to answer reads without touching the disk; written back sealed
    // on every change.
    secrets: Mutex<BTreeMap<String, String>>,
}

impl fmt::Debug for EncryptedFileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedFileStore")
            .field("sealed", &self.sealed)
            .finish_non_exhaustive()
    }
}

const NONCE_LEN: usize = 24;
const KEY_FILE: &str = "secrets.key";
const SEALED_FILE: &str = "secrets.sealed";

impl EncryptedFileStore {
    /// Opens (creating the key on first use) the store in `folder`.
    pub fn open(folder: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(folder)
            .map_err(|e| store_error(format!("cannot create {}: {e}", folder.display())))?;
        let key_path = folder.join(KEY_FILE);
        let key = match std::fs::read(&key_path) {
            Ok(key) if key.len() == 32 => key,
            Ok(_) => {
                return Err(store_error(format!(
                    "{} is not a 32-byte key: the secrets cannot be opened",
                    key_path.display()
                )))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = vec![0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&key_path, &key)?;
                key
            }
            Err(error) => {
                return Err(store_error(format!(
                    "cannot read {}: {error}",
                    key_path.display()
                )))
            }
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&key)
            .map_err(|_| store_error("the secrets key has the wrong length"))?;
        let sealed = folder.join(SEALED_FILE);
        let secrets = match std::fs::read(&sealed) {
            Ok(bytes) => unseal(&cipher, &bytes)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(error) => {
                return Err(store_error(format!(
                    "cannot read {}: {error}",
                    sealed.display()
                )))
            }
        };
        Ok(EncryptedFileStore {
            sealed,
            cipher,
            secrets: Mutex::new(secrets),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn unseal(cipher: &XChaCha20Poly1305, bytes: &[u8]) -> Result<BTreeMap<String, String>, AppError> {
    if bytes.len() < NONCE_LEN {
        return Err(store_error("the secrets file is truncated"));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let plain = cipher
        .decrypt(XNonce::from_slice(nonce), sealed)
        .map_err(|_| {
            store_error(
                "the secrets file does not open with this machine's key (altered or copied)",
            )
        })?;
    serde_json::from_slice(&plain).map_err(|_| store_error("the secrets file is not readable"))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let temporary = path.with_extension("tmp");
    let written = {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options
            .open(&temporary)
            .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
            .and_then(|()| std::fs::rename(&temporary, path))
    };
    written.map_err(|error| store_error(format!("cannot write {}: {error}", path.display())))
}

impl SecretStore for EncryptedFileStore {
    fn kind(&self) -> &'static str {
        "encrypted_file"
    }

    fn get(&self, name: &str) -> Result<Option<SecretString>, AppError> {
        Ok(self.lock().get(name).cloned().map(SecretString::from))
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), AppError> {
        let mut secrets = self.lock();
        let mut next = secrets.clone();
        if value.expose_secret().is_empty() {
            next.remove(name);
        } else {
            next.insert(name.to_owned(), value.expose_secret().to_owned());
        }
        let plain = serde_json::to_vec(&next)
            .map_err(|error| AppError::new(ErrorCode::Internal, error.to_string()))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| AppError::new(ErrorCode::Internal, "sealing the secrets failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        write_private(&self.sealed, &bytes)?;
        // Only once the file holds the change does the store answer with it.
        *secrets = next;
        Ok(())
    }
}

/// An in-memory store for tests of code that needs one.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<BTreeMap<String, String>>);

impl SecretStore for MemoryStore {
    fn kind(&self) -> &'static str {
        "memory"
    }
    fn get(&self, name: &str) -> Result<Option<SecretString>, AppError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
            .map(SecretString::from))
    }
    fn set(&self, name: &str, value: &SecretString) -> Result<(), AppError> {
        let mut secrets = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if value.expose_secret().is_empty() {
            secrets.remove(name);
        } else {
            secrets.insert(name.to_owned(), value.expose_secret().to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encrypted_file_keeps_secrets_across_opens_and_never_in_clear() {
        let folder = tempfile::tempdir().unwrap();
        let store = EncryptedFileStore::open(folder.path()).unwrap();
        store
            .set("wepay.password", &SecretString::from("s3cret-wepay-pass"))
            .unwrap();
        store
            .set("hub.token", &SecretString::from("tok-0123456789abcdef"))
            .unwrap();
        let sealed = std::fs::read(folder.path().join(SEALED_FILE)).unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(
            !text.contains("s3cret") && !text.contains("wepay.password"),
            "neither names nor values are readable in the file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(folder.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the key is readable by the app's user only"
            );
        }
        let again = EncryptedFileStore::open(folder.path()).unwrap();
        assert_eq!(
            again
                .get("wepay.password")
                .unwrap()
                .unwrap()
                .expose_secret(),
            "s3cret-wepay-pass"
        );
        again
            .set("wepay.password", &SecretString::from(""))
            .unwrap();
        assert!(again.get("wepay.password").unwrap().is_none());
        assert_eq!(again.hint("hub.token").unwrap(), "••••••ef");
        assert_eq!(again.hint("wepay.password").unwrap(), "");
    }

    #[test]
    fn an_altered_or_foreign_file_is_refused_not_read_as_empty() {
        let folder = tempfile::tempdir().unwrap();
        let store = EncryptedFileStore::open(folder.path()).unwrap();
        store
            .set("easysoft.password", &SecretString::from("pw"))
            .unwrap();
        let path = folder.path().join(SEALED_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let error = EncryptedFileStore::open(folder.path()).unwrap_err();
        assert!(error.message.contains("altered"), "{error}");

        // Another machine's key cannot open this file either.
        let other = tempfile::tempdir().unwrap();
        EncryptedFileStore::open(other.path()).unwrap();
        std::fs::copy(path, other.path().join(SEALED_FILE)).unwrap();
        assert!(EncryptedFileStore::open(other.path()).is_err());
    }

    #[test]
    fn hints_never_reveal_short_secrets() {
        assert_eq!(hint(&SecretString::from("1234")), "••••••");
        assert_eq!(hint(&SecretString::from("")), "");
        assert_eq!(
            hint(&SecretString::from("-----BEGIN PRIVATE KEY-----xyz")),
            "••••••yz"
        );
    }
}
