//! A fake network printer for tests: a TCP server on loopback that reads ESC/POS like a
//! printer does, answers status requests, and can be told to misbehave.
//!
//! It decodes the stream as it arrives (so it can answer `DLE EOT` at once, as a real printer
//! does), records every job — the decoded commands, with the raster bands stacked into one
//! image — and can be switched at any time to be out of paper, to have its cover open, to not
//! answer status at all, to accept connections but never read (a hung printer), or to be down
//! (its port closed; switching back reopens the same port).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::escpos::{self, Command, DecodeError, StatusFlags};
use crate::raster::Raster;

/// How the fake printer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeMode {
    /// Reads, prints and answers status: ready.
    Ready,
    /// Answers status with these flags (out of paper, cover open…), and still reads.
    Status(StatusFlags),
    /// Reads and prints, closes the connection at the end of a job, never answers status
    /// (printers without real-time status).
    Silent,
    /// Ready until the first image data of a job arrives, then out of paper for good: the
    /// roll ran out in the middle of a receipt.
    RunsOut,
    /// Accepts connections and never reads a byte: a hung printer.
    Hung,
    /// Its port is closed: a printer switched off.
    Down,
}

impl FakeMode {
    /// Out of paper (`DLE EOT` paper-end bits set).
    pub fn out_of_paper() -> FakeMode {
        FakeMode::Status(StatusFlags {
            paper_end: true,
            ..StatusFlags::default()
        })
    }
}

/// One connection's worth of printing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedJob {
    /// Every command but status requests, in order.
    pub commands: Vec<Command>,
    /// Why decoding stopped, if the stream was not ESC/POS this printer knows.
    pub error: Option<DecodeError>,
}

impl ReceivedJob {
    /// The raster bands stacked top to bottom, as they come out on paper; `None` without any
    /// image, or with bands of different widths.
    pub fn image(&self) -> Option<Raster> {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Raster { image, .. } => Some(image.clone()),
                _ => None,
            })
            .try_fold(None::<Raster>, |stacked, band| match stacked {
                None => Some(Some(band)),
                Some(top) => top.stacked(&band).map(Some),
            })
            .flatten()
    }

    /// The heights of the raster bands, in order.
    pub fn band_heights(&self) -> Vec<u32> {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Raster { image, .. } => Some(image.height()),
                _ => None,
            })
            .collect()
    }

    /// Whether the job starts with `ESC @` and its last command is a cut: the whole receipt
    /// came out and was cut off.
    pub fn is_complete(&self) -> bool {
        self.error.is_none()
            && self.commands.first() == Some(&Command::Init)
            && matches!(self.commands.last(), Some(Command::Cut { .. }))
    }
}

#[derive(Debug)]
struct State {
    mode: FakeMode,
    jobs: Vec<ReceivedJob>,
    status_requests: usize,
    connections: usize,
    /// Connections accepted while hung, kept open (and unread) until the mode changes.
    held: Vec<TcpStream>,
}

/// The fake printer. Dropping it closes its port.
#[derive(Debug)]
pub struct FakePrinter {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    printed: Arc<Notify>,
    listener: Mutex<Option<JoinHandle<()>>>,
}

impl FakePrinter {
    /// Starts a ready printer on `127.0.0.1` and a free port.
    pub async fn start() -> std::io::Result<FakePrinter> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let printer = FakePrinter {
            address,
            state: Arc::new(Mutex::new(State {
                mode: FakeMode::Ready,
                jobs: Vec::new(),
                status_requests: 0,
                connections: 0,
                held: Vec::new(),
            })),
            printed: Arc::new(Notify::new()),
            listener: Mutex::new(None),
        };
        printer.serve(listener);
        Ok(printer)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn serve(&self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        let printed = Arc::clone(&self.printed);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mode = {
                    let mut state = lock(&state);
                    state.connections += 1;
                    state.mode
                };
                if mode == FakeMode::Hung {
                    lock(&state).held.push(stream);
                    continue;
                }
                tokio::spawn(connection(stream, Arc::clone(&state), Arc::clone(&printed)));
            }
        });
        if let Some(old) = lock_listener(&self.listener).replace(task) {
            old.abort();
        }
    }

    /// The address to print to: `tcp://127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("tcp://{}", self.address)
    }

    /// Changes how the printer behaves from now on. `Down` closes the port; any other mode
    /// reopens it (on the same port) if it was down.
    pub async fn set_mode(&self, mode: FakeMode) -> std::io::Result<()> {
        let was = {
            let mut state = self.lock();
            let was = state.mode;
            state.mode = mode;
            state.held.clear();
            was
        };
        if mode == FakeMode::Down {
            let task = lock_listener(&self.listener).take();
            if let Some(task) = task {
                task.abort();
                // Wait for the abort to drop the listener, so the port is really closed.
                let _ = task.await;
            }
        } else if was == FakeMode::Down {
            self.serve(TcpListener::bind(self.address).await?);
        }
        Ok(())
    }

    /// Every job received so far.
    pub fn jobs(&self) -> Vec<ReceivedJob> {
        self.lock().jobs.clone()
    }

    /// How many status requests it answered (or, when silent, ignored).
    pub fn status_requests(&self) -> usize {
        self.lock().status_requests
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        self.lock().connections
    }

    /// Waits until `count` complete jobs have been received, or `limit` passes; returns the
    /// jobs received either way.
    pub async fn wait_for_complete_jobs(&self, count: usize, limit: Duration) -> Vec<ReceivedJob> {
        let wait = async {
            loop {
                let notified = self.printed.notified();
                if self.jobs().iter().filter(|j| j.is_complete()).count() >= count {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
        self.jobs()
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        if let Some(task) = lock_listener(&self.listener).take() {
            task.abort();
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lock_listener(
    listener: &Mutex<Option<JoinHandle<()>>>,
) -> MutexGuard<'_, Option<JoinHandle<()>>> {
    listener
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads one connection: decodes commands as they arrive, answers status requests, records
/// the rest into this connection's job.
async fn connection(mut stream: TcpStream, state: Arc<Mutex<State>>, printed: Arc<Notify>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut job: Option<usize> = None;
    let mut broken = false;
    loop {
        let read = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if broken {
            continue;
        }
        buffer.extend_from_slice(&chunk[..read]);
        let mut used = 0;
        loop {
            match escpos::decode_one(&buffer[used..]) {
                Ok(None) => break,
                Ok(Some((Command::StatusRequest(n), length))) => {
                    used += length;
                    let answer = {
                        let mut state = lock(&state);
                        state.status_requests += 1;
                        match state.mode {
                            FakeMode::Ready | FakeMode::RunsOut => {
                                Some(StatusFlags::default().answer(n))
                            }
                            FakeMode::Status(flags) => Some(flags.answer(n)),
                            FakeMode::Silent | FakeMode::Hung | FakeMode::Down => None,
                        }
                    };
                    if let Some(byte) = answer {
                        if stream.write_all(&[byte]).await.is_err() {
                            return;
                        }
                    }
                }
                Ok(Some((command, length))) => {
                    used += length;
                    let mut state = lock(&state);
                    if state.mode == FakeMode::RunsOut && matches!(command, Command::Raster { .. })
                    {
                        state.mode = FakeMode::out_of_paper();
                    }
                    let index = *job.get_or_insert_with(|| {
                        state.jobs.push(ReceivedJob::default());
                        state.jobs.len() - 1
                    });
                    state.jobs[index].commands.push(command);
                }
                Err(error) => {
                    let mut state = lock(&state);
                    let index = *job.get_or_insert_with(|| {
                        state.jobs.push(ReceivedJob::default());
                        state.jobs.len() - 1
                    });
                    state.jobs[index].error = Some(error);
                    broken = true;
                    break;
                }
            }
        }
        buffer.drain(..used);
        printed.notify_waiters();
    }
    if !buffer.is_empty() && !broken {
        let mut state = lock(&state);
        let index = *job.get_or_insert_with(|| {
            state.jobs.push(ReceivedJob::default());
            state.jobs.len() - 1
        });
        state.jobs[index].error = Some(DecodeError::Truncated(0));
    }
    printed.notify_waiters();
    // Dropping the stream closes the connection: the end-of-job signal a silent printer gives.
}
