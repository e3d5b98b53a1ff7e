//! Getting bytes to a printer: raw TCP (port 9100) or a device file, always under a timeout.
//!
//! Writing to a socket only proves the bytes reached a kernel buffer, not the printer: a
//! printer that accepted the connection and then hung would swallow a whole receipt that way
//! (about 100 KB fits in loopback buffers). So a print is only reported done once the printer
//! showed it read everything:
//!
//! - a printer that answers `DLE EOT` (most Epson and clone network interfaces do) is asked
//!   before the job — an answer of "out of paper" or "cover open" stops the job before any
//!   paper moves — and asked again after it: real-time commands are read in stream order, so
//!   the second answer means every byte of the receipt was read;
//! - a printer that does not answer is told the job is over (the socket's write side is shut)
//!   and must close the connection, as raw port 9100 servers do once they have read a job.
//!
//! Anything else is an error and the job stays in the [`PrintQueue`](crate::PrintQueue): a
//! receipt printed twice is better than a receipt lost. A device file gives no such proof; its
//! write must merely finish within the timeout.

use std::fmt;
use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::escpos::{status_request, StatusFlags};

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrinterAddress {
    /// A network printer's raw port: `tcp://192.168.1.50:9100` (9100 when no port is given).
    Tcp {
        /// Host name or IP address.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A device file, e.g. `/dev/usb/lp0` (USB printer class) or `/dev/ttyUSB0` (serial).
    Device(PathBuf),
}

/// A printer address that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a printer address (expected tcp://HOST[:PORT] or a device path such as /dev/usb/lp0)"
)]
pub struct BadAddress(pub String);

impl FromStr for PrinterAddress {
    type Err = BadAddress;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadAddress(text.to_owned());
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            // `[::1]:9100` for IPv6, `host:9100` or `host` otherwise.
            let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
                let (host, after) = bracketed.split_once(']').ok_or_else(bad)?;
                match after {
                    "" => (host, 9100),
                    _ => (
                        host,
                        after
                            .strip_prefix(':')
                            .ok_or_else(bad)?
                            .parse()
                            .map_err(|_| bad())?,
                    ),
                }
            } else {
                match rest.split_once(':') {
                    Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad())?),
                    None => (rest, 9100),
                }
            };
            if host.is_empty() || port == 0 || host.contains(['/', '[', ']']) {
                return Err(bad());
            }
            return Ok(PrinterAddress::Tcp {
                host: host.to_owned(),
                port,
            });
        }
        let path = trimmed.strip_prefix("file://").unwrap_or(trimmed);
        if path.starts_with('/') {
            Ok(PrinterAddress::Device(PathBuf::from(path)))
        } else {
            Err(bad())
        }
    }
}

impl fmt::Display for PrinterAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterAddress::Tcp { host, port } if host.contains(':') => {
                write!(f, "tcp://[{host}]:{port}")
            }
            PrinterAddress::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            PrinterAddress::Device(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How long each step may take. A sale never waits for any of them: printing runs in the
/// queue's worker, and these only decide when a job counts as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterTimeouts {
    /// Opening the connection (or the device file).
    pub connect: Duration,
    /// Each status answer before printing; a printer silent this long "does not answer status".
    pub status: Duration,
    /// Writing the whole job.
    pub write: Duration,
    /// The printer showing it read the job (module docs). Generous: a printer with a small
    /// buffer reads the last bytes only as it prints.
    pub confirm: Duration,
}

impl Default for PrinterTimeouts {
    fn default() -> Self {
        PrinterTimeouts {
            connect: Duration::from_secs(3),
            status: Duration::from_secs(1),
            write: Duration::from_secs(10),
            confirm: Duration::from_secs(20),
        }
    }
}

/// What a printer says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "flags", rename_all = "snake_case")]
pub enum PrinterStatus {
    /// It did not answer `DLE EOT` (many printers do not, and device files cannot): not an
    /// error, just unknown.
    Unknown,
    /// Its answer.
    Known(StatusFlags),
}

/// Why a job did not print. Every one leaves the job in the queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// The printer could not be reached: refused, no route, timed out, no such device.
    #[error("cannot reach the printer at {address}: {reason}")]
    Unreachable {
        /// The printer.
        address: String,
        /// What went wrong.
        reason: String,
    },
    /// The printer answered that it cannot print (out of paper, cover open, error).
    #[error("the printer is not ready: {}", .0.describe())]
    NotReady(StatusFlags),
    /// The printer stopped reading: the whole job could not be written in time.
    #[error("the printer did not take the job within {} ms", .0.as_millis())]
    WriteTimeout(Duration),
    /// The bytes were written but the printer never showed it read them (module docs).
    #[error("the printer did not confirm the job within {} ms", .0.as_millis())]
    Unconfirmed(Duration),
    /// The connection broke.
    #[error("the connection to the printer broke: {0}")]
    Io(String),
    /// A previous write to the device file is still stuck (a hung USB printer).
    #[error("the printer device is still busy with a previous job")]
    DeviceBusy,
}

/// A printer, by address, with its timeouts.
#[derive(Debug, Clone)]
pub struct Printer {
    address: PrinterAddress,
    timeouts: PrinterTimeouts,
    /// Set while a device write runs on its own thread (see [`Printer::print`]).
    device_busy: Arc<AtomicBool>,
}

impl Printer {
    /// A printer at `address` with default timeouts.
    pub fn new(address: PrinterAddress) -> Self {
        Printer::with_timeouts(address, PrinterTimeouts::default())
    }

    /// A printer at `address` with the given timeouts.
    pub fn with_timeouts(address: PrinterAddress, timeouts: PrinterTimeouts) -> Self {
        Printer {
            address,
            timeouts,
            device_busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Where the printer is.
    pub fn address(&self) -> &PrinterAddress {
        &self.address
    }

    /// Asks the printer for its status. A network printer that is reachable but silent is
    /// [`PrinterStatus::Unknown`]; one that cannot be reached is an error. Device files are
    /// always unknown.
    pub async fn status(&self) -> Result<PrinterStatus, PrintError> {
        match &self.address {
            PrinterAddress::Tcp { host, port } => {
                let mut stream = self.connect(host, *port).await?;
                query_status(&mut stream, self.timeouts.status, self.timeouts.status).await
            }
            PrinterAddress::Device(_) => Ok(PrinterStatus::Unknown),
        }
    }

    /// Sends a job and waits until the printer showed it read it (module docs). Returns the
    /// printer's status after the job (paper near end is worth telling someone).
    pub async fn print(&self, job: &[u8]) -> Result<PrinterStatus, PrintError> {
        match &self.address {
            PrinterAddress::Tcp { host, port } => self.print_tcp(host, *port, job).await,
            PrinterAddress::Device(path) => self.print_device(path.clone(), job.to_vec()).await,
        }
    }

    async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, PrintError> {
        let unreachable = |reason: String| PrintError::Unreachable {
            address: self.address.to_string(),
            reason,
        };
        let stream = timeout(self.timeouts.connect, TcpStream::connect((host, port)))
            .await
            .map_err(|_| {
                unreachable(format!(
                    "no answer within {} ms",
                    self.timeouts.connect.as_millis()
                ))
            })?
            .map_err(|e| unreachable(e.to_string()))?;
        // Status requests are three bytes that must leave at once, not wait for Nagle.
        stream
            .set_nodelay(true)
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(stream)
    }

    async fn print_tcp(
        &self,
        host: &str,
        port: u16,
        job: &[u8],
    ) -> Result<PrinterStatus, PrintError> {
        let mut stream = self.connect(host, port).await?;
        let before = query_status(&mut stream, self.timeouts.status, self.timeouts.status).await?;
        if let PrinterStatus::Known(flags) = before {
            if !flags.ready() {
                return Err(PrintError::NotReady(flags));
            }
        }
        let write = async {
            stream.write_all(job).await?;
            stream.flush().await
        };
        timeout(self.timeouts.write, write)
            .await
            .map_err(|_| PrintError::WriteTimeout(self.timeouts.write))?
            .map_err(|e| PrintError::Io(e.to_string()))?;
        match before {
            // The first answer may wait for the printer to read the whole job; the others
            // come at once from a printer that answers at all.
            PrinterStatus::Known(_) => {
                match query_status(&mut stream, self.timeouts.confirm, self.timeouts.status).await?
                {
                    // Out of paper now means it ran out during this receipt: print it again.
                    PrinterStatus::Known(flags) if !flags.ready() => {
                        Err(PrintError::NotReady(flags))
                    }
                    PrinterStatus::Known(flags) => Ok(PrinterStatus::Known(flags)),
                    PrinterStatus::Unknown => Err(PrintError::Unconfirmed(self.timeouts.confirm)),
                }
            }
            PrinterStatus::Unknown => {
                stream
                    .shutdown()
                    .await
                    .map_err(|e| PrintError::Io(e.to_string()))?;
                // Anything the printer says now is a late status answer; only the close counts.
                let drain = async {
                    let mut sink = [0u8; 256];
                    loop {
                        match stream.read(&mut sink).await {
                            Ok(0) => return Ok(()),
                            Ok(_) => continue,
                            Err(e) => return Err(e),
                        }
                    }
                };
                match timeout(self.timeouts.confirm, drain).await {
                    Err(_) => Err(PrintError::Unconfirmed(self.timeouts.confirm)),
                    // A reset after the whole job was written and shut is still an unconfirmed
                    // job: some printers reset instead of closing, but so does one that crashed.
                    Ok(Err(e)) => Err(PrintError::Io(e.to_string())),
                    Ok(Ok(())) => Ok(PrinterStatus::Unknown),
                }
            }
        }
    }

    /// Writes to the device file on a thread of its own: a hung USB printer can block
    /// `open` or `write` in the kernel forever, and no timeout can cancel a blocked system
    /// call. The thread is left behind on timeout, and the printer refuses further jobs
    /// ([`PrintError::DeviceBusy`]) until it finishes, so stuck threads never pile up.
    async fn print_device(&self, path: PathBuf, job: Vec<u8>) -> Result<PrinterStatus, PrintError> {
        if self.device_busy.swap(true, Ordering::SeqCst) {
            return Err(PrintError::DeviceBusy);
        }
        let busy = Arc::clone(&self.device_busy);
        let (done, finished) = tokio::sync::oneshot::channel();
        let address = self.address.to_string();
        let spawned = std::thread::Builder::new()
            .name("receipt-device".to_owned())
            .spawn(move || {
                let result = std::fs::OpenOptions::new()
                    // Never create: a missing /dev/usb/lp0 means the printer is unplugged, and
                    // creating a regular file there would swallow every receipt.
                    .append(true)
                    .open(&path)
                    .map_err(|e| PrintError::Unreachable {
                        address,
                        reason: e.to_string(),
                    })
                    .and_then(|mut file| {
                        file.write_all(&job)
                            .and_then(|()| file.flush())
                            .map_err(|e| PrintError::Io(e.to_string()))
                    });
                busy.store(false, Ordering::SeqCst);
                let _ = done.send(result);
            });
        if let Err(e) = spawned {
            self.device_busy.store(false, Ordering::SeqCst);
            return Err(PrintError::Io(e.to_string()));
        }
        let limit = self.timeouts.connect + self.timeouts.write;
        match timeout(limit, finished).await {
            Err(_) => Err(PrintError::WriteTimeout(limit)),
            Ok(Err(_)) => Err(PrintError::Io("the device writer stopped".to_owned())),
            Ok(Ok(result)) => result.map(|()| PrinterStatus::Unknown),
        }
    }
}

/// Asks `DLE EOT` 1, 2 and 4 on an open connection, waiting `first` for the first answer and
/// `rest` for the others. Silence on the first is "unknown"; a byte that is not a status byte
/// is "unknown" too (some printers echo junk).
async fn query_status(
    stream: &mut TcpStream,
    first: Duration,
    rest: Duration,
) -> Result<PrinterStatus, PrintError> {
    let mut flags = StatusFlags::default();
    for n in [1u8, 2, 4] {
        let wait = if n == 1 { first } else { rest };
        timeout(wait, stream.write_all(&status_request(n)))
            .await
            .map_err(|_| PrintError::WriteTimeout(wait))?
            .map_err(|e| PrintError::Io(e.to_string()))?;
        match timeout(wait, stream.read_u8()).await {
            Err(_) if n == 1 => return Ok(PrinterStatus::Unknown),
            // It answered the first but not this one: keep what it said.
            Err(_) => return Ok(PrinterStatus::Known(flags)),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(PrintError::Io(
                    "the printer closed the connection".to_owned(),
                ))
            }
            Ok(Err(e)) => return Err(PrintError::Io(e.to_string())),
            Ok(Ok(byte)) => {
                if !flags.read(n, byte) {
                    return Ok(PrinterStatus::Unknown);
                }
            }
        }
    }
    Ok(PrinterStatus::Known(flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_and_print_back() {
        let cases = [
            ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
            ("tcp://printer.local", "tcp://printer.local:9100"),
            ("tcp://127.0.0.1:9101/", "tcp://127.0.0.1:9101"),
            ("tcp://[::1]:9100", "tcp://[::1]:9100"),
            ("/dev/usb/lp0", "/dev/usb/lp0"),
            ("file:///dev/usb/lp1", "/dev/usb/lp1"),
        ];
        for (text, shown) in cases {
            let address: PrinterAddress = text.parse().expect(text);
            assert_eq!(address.to_string(), shown, "{text}");
        }
        for bad in [
            "",
            "lp0",
            "tcp://",
            "tcp://:9100",
            "tcp://host:99999",
            "tcp://host:0",
            "http://x",
        ] {
            assert!(
                bad.parse::<PrinterAddress>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
