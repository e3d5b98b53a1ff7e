//! One running app per data folder: two engines must never drive one ledger.
//!
//! The first start takes an exclusive lock on `instance.lock` in the data folder (an OS file
//! lock: the kernel lets it go when the process ends, however it ends, so a crash never leaves
//! the shop locked out) and listens on the Unix socket `instance.sock` beside it. A second start
//! finds the lock taken, knocks on the socket — the first app then brings its window to the
//! front — and exits without opening the ledger.
//!
//! This replaces `tauri-plugin-single-instance`, which asks D-Bus for the app's name: a kiosk
//! session may have no session bus, and the lock here guards the folder that holds the ledger
//! itself (two test runs with their own `TERMDEE_DATA_DIR` do not block each other).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = "instance.lock";
const SOCKET_FILE: &str = "instance.sock";
/// What a second start says to the first.
const KNOCK: &[u8] = b"show\n";

/// Held by the running app: the lock, and the socket's path (removed when the app ends).
#[derive(Debug)]
pub struct Instance {
    // Held for the lock; closed (and so released) when the app ends.
    _lock: File,
    socket: PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// The outcome of [`claim`].
#[derive(Debug)]
pub enum Claim {
    /// This process is the one: keep the value for as long as the app runs.
    First(Instance),
    /// Another app holds the folder; it was asked to show its window (`knocked` says whether it
    /// answered the knock).
    AlreadyRunning { knocked: bool },
}

/// Takes the data folder for this process, or knocks on the app that has it. `on_knock` runs
/// (on a thread of its own) each time a later start knocks.
pub fn claim(data_dir: &Path, on_knock: impl Fn() + Send + 'static) -> std::io::Result<Claim> {
    std::fs::create_dir_all(data_dir)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))?;
    let socket = data_dir.join(SOCKET_FILE);
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Ok(Claim::AlreadyRunning {
                knocked: knock(&socket),
            })
        }
        Err(TryLockError::Error(error)) => return Err(error),
    }
    listen(&socket, on_knock)?;
    Ok(Claim::First(Instance {
        _lock: lock,
        socket,
    }))
}

#[cfg(unix)]
fn knock(socket: &Path) -> bool {
    let Ok(mut stream) = std::os::unix::net::UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
    let mut answer = [0u8; 3];
    stream.write_all(KNOCK).is_ok() && stream.read_exact(&mut answer).is_ok() && &answer == b"ok\n"
}

#[cfg(not(unix))]
fn knock(_socket: &Path) -> bool {
    false
}

#[cfg(unix)]
fn listen(socket: &Path, on_knock: impl Fn() + Send + 'static) -> std::io::Result<()> {
    // We hold the lock, so a socket file left here is a dead app's: replace it.
    match std::fs::remove_file(socket) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let listener = match std::os::unix::net::UnixListener::bind(socket) {
        Ok(listener) => listener,
        // A path too long for a socket address: the lock still holds, only the window is not
        // brought forward on a second start.
        Err(error) if error.kind() == std::io::ErrorKind::InvalidInput => return Ok(()),
        Err(error) => return Err(error),
    };
    std::thread::Builder::new()
        .name("single-instance".to_owned())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let mut knock = [0u8; KNOCK.len()];
                if stream.read_exact(&mut knock).is_ok() && knock == KNOCK {
                    on_knock();
                    let _ = stream.write_all(b"ok\n");
                }
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn listen(_socket: &Path, _on_knock: impl Fn() + Send + 'static) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Claims `folder`, which must be free; the receiver hears every knock on it.
    fn own(folder: &Path) -> (Instance, mpsc::Receiver<()>) {
        let (knocked_tx, knocked_rx) = mpsc::channel();
        match claim(folder, move || {
            let _ = knocked_tx.send(());
        }) {
            Ok(Claim::First(instance)) => (instance, knocked_rx),
            other => panic!("expected to own {}: {other:?}", folder.display()),
        }
    }

    #[test]
    fn a_second_start_on_the_same_folder_knocks_and_does_not_take_it() {
        let folder = tempfile::tempdir().expect("temp dir");
        let (first, knocked_rx) = own(folder.path());
        match claim(folder.path(), || panic!("a second start must not listen")) {
            Ok(Claim::AlreadyRunning { knocked: true }) => {}
            other => panic!("expected a knock on the running app: {other:?}"),
        }
        knocked_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the running app heard the knock");

        // Another folder is another shop: not blocked.
        let other_folder = tempfile::tempdir().expect("temp dir");
        assert!(matches!(
            claim(other_folder.path(), || {}),
            Ok(Claim::First(_))
        ));

        // Once the first app ends, the folder can be taken again, socket and all.
        drop(first);
        let (_again, again_rx) = own(folder.path());
        assert!(matches!(
            claim(folder.path(), || {}),
            Ok(Claim::AlreadyRunning { knocked: true })
        ));
        again_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the new owner heard the knock");
    }

    #[test]
    fn a_dead_apps_socket_file_does_not_stop_the_next_start() {
        let folder = tempfile::tempdir().expect("temp dir");
        // What a killed app leaves: the socket file (the kernel released its lock).
        std::fs::write(folder.path().join(SOCKET_FILE), b"").expect("stale socket file");
        let (_first, rx) = own(folder.path());
        assert!(matches!(
            claim(folder.path(), || {}),
            Ok(Claim::AlreadyRunning { knocked: true })
        ));
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the knock reached the new socket");
    }
}
