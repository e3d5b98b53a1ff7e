//! A real PostgreSQL server for tests and benchmarks, started from Debian's `postgresql` package.
//!
//! [`Cluster::start`] runs `initdb` on a fresh data directory in a temporary folder, then
//! `pg_ctl start` on a free port with the Unix socket in that folder too, and stops the server
//! (`pg_ctl stop -m immediate`) and removes the folder when dropped. [`Cluster::open`] does the
//! same in a folder that is kept, for the benchmark's ten million sales that are generated once.
//!
//! PostgreSQL refuses to run as root, and the tests run as root in CI: when the effective user is
//! root, the folder is handed to the `postgres` system user (created by the Debian package) and
//! `initdb` / `pg_ctl` run through `runuser -u postgres --`. The binaries are looked up under
//! `/usr/lib/postgresql/<version>/bin` (the newest version wins) unless `TERMDEE_PG_BIN` names the
//! folder. When they are missing this is an error that says what to install — never a silent skip.
//!
//! The throwaway servers run with `fsync=off`: they hold test data, and a test that "restarts the
//! hub" restarts the hub, not the machine. [`Durability::Full`] keeps PostgreSQL's defaults.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What can go wrong starting a cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The server binaries are not installed.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in {searched}: install the \
         Debian package `postgresql` (`cargo xtask test` installs it) or set TERMDEE_PG_BIN"
    )]
    NoServer {
        /// Where they were looked for.
        searched: String,
    },
    /// A command failed.
    #[error("{command} failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// Its output, or the server log.
        detail: String,
    },
    /// A file operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Whether the server syncs to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync=off`, `synchronous_commit=off`, `full_page_writes=off`: for throwaway test data.
    Throwaway,
    /// PostgreSQL's defaults (what a production hub runs with).
    Full,
}

/// A running PostgreSQL server in a folder of its own.
#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    folder: PathBuf,
    port: u16,
    as_postgres: bool,
    running: bool,
    /// Held for a throwaway cluster: removes the folder when dropped (after the server stops).
    temporary: Option<tempfile::TempDir>,
}

/// The user the tests' databases belong to (`initdb -U`).
pub const SUPERUSER: &str = "termdee";

impl Cluster {
    /// A new server in a temporary folder, removed with the cluster.
    pub fn start() -> Result<Cluster, ClusterError> {
        Cluster::start_with(Durability::Throwaway)
    }

    /// As [`Cluster::start`], syncing to disk or not.
    pub fn start_with(durability: Durability) -> Result<Cluster, ClusterError> {
        let bin = server_bin()?;
        let temporary = tempfile::Builder::new().prefix("termdee-pg-").tempdir()?;
        let folder = temporary.path().to_path_buf();
        let mut cluster = Cluster {
            bin,
            folder,
            port: 0,
            as_postgres: running_as_root()?,
            running: false,
            temporary: Some(temporary),
        };
        cluster.init()?;
        cluster.boot(durability)?;
        Ok(cluster)
    }

    /// A server in `folder`, kept after the cluster is dropped: created (`initdb`) the first
    /// time, started again on later runs.
    pub fn open(folder: &Path, durability: Durability) -> Result<Cluster, ClusterError> {
        let bin = server_bin()?;
        std::fs::create_dir_all(folder)?;
        let mut cluster = Cluster {
            bin,
            folder: folder.to_path_buf(),
            port: 0,
            as_postgres: running_as_root()?,
            running: false,
            temporary: None,
        };
        if !cluster.data().join("PG_VERSION").exists() {
            cluster.init()?;
        }
        cluster.boot(durability)?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.folder.join("data")
    }

    fn log(&self) -> PathBuf {
        self.folder.join("server.log")
    }

    /// The folder holding the data directory, the socket and the log.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The TCP port (on 127.0.0.1) and Unix socket number the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A libpq-style connection string for `database`, over the Unix socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "host={} port={} user={SUPERUSER} dbname={database}",
            self.folder.display(),
            self.port
        )
    }

    /// A connection string for `database` over TCP on 127.0.0.1.
    pub fn tcp_url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates `database` (if missing) and returns its connection string.
    pub async fn database(&self, database: &str) -> Result<String, ClusterError> {
        let failed = |e: tokio_postgres::Error| ClusterError::Command {
            command: format!("CREATE DATABASE {database}"),
            detail: e.to_string(),
        };
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .map_err(failed)?;
        let driver = tokio::spawn(connection);
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database])
            .await
            .map_err(failed)?
            .is_some();
        if !exists {
            // Identifiers cannot be bound as parameters; the name is quoted.
            let quoted = database.replace('"', "\"\"");
            client
                .batch_execute(&format!("CREATE DATABASE \"{quoted}\""))
                .await
                .map_err(failed)?;
        }
        drop(client);
        let _ = driver.await;
        Ok(self.url(database))
    }

    fn init(&mut self) -> Result<(), ClusterError> {
        if self.as_postgres {
            hand_to_postgres(&self.folder)?;
        }
        let data = self.data();
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(&mut initdb)?;
        Ok(())
    }

    fn boot(&mut self, durability: Durability) -> Result<(), ClusterError> {
        // A port taken between finding it free and the server binding it: try another.
        let mut last = None;
        for _ in 0..5 {
            self.port = free_port()?;
            let mut options = format!(
                "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
                 -c max_connections=300",
                self.port,
                self.folder.display()
            );
            if durability == Durability::Throwaway {
                options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            }
            let mut start = self.command("pg_ctl");
            start
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.log())
                .args(["-w", "-t", "60", "-o", &options, "start"]);
            match run(&mut start) {
                Ok(_) => {
                    self.running = true;
                    return Ok(());
                }
                Err(error) => last = Some(error),
            }
        }
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        Err(match last {
            Some(ClusterError::Command { command, detail }) => ClusterError::Command {
                command,
                detail: format!("{detail}\nserver log:\n{log}"),
            },
            Some(other) => other,
            None => ClusterError::Command {
                command: "pg_ctl start".into(),
                detail: log,
            },
        })
    }

    /// Stops the server now (also done on drop). `immediate` skips the shutdown checkpoint.
    pub fn stop(&mut self, immediate: bool) -> Result<(), ClusterError> {
        if !self.running {
            return Ok(());
        }
        let mut stop = self.command("pg_ctl");
        stop.arg("-D")
            .arg(self.data())
            .args(["-w", "-t", "60", "-m"])
            .arg(if immediate { "immediate" } else { "fast" })
            .arg("stop");
        run(&mut stop)?;
        self.running = false;
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A throwaway server's data is worthless: stop at once. A kept one gets a checkpoint.
        let immediate = self.temporary.is_some();
        if let Err(error) = self.stop(immediate) {
            eprintln!("termdee-hub: could not stop the test PostgreSQL: {error}");
        }
    }
}

fn run(command: &mut Command) -> Result<String, ClusterError> {
    let line = format!("{command:?}");
    let output = command.output().map_err(|e| ClusterError::Command {
        command: line.clone(),
        detail: e.to_string(),
    })?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(ClusterError::Command {
            command: line,
            detail: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        })
    }
}

/// The folder with `initdb` and `pg_ctl`: `TERMDEE_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn server_bin() -> Result<PathBuf, ClusterError> {
    if let Some(folder) = std::env::var_os("TERMDEE_PG_BIN") {
        let folder = PathBuf::from(folder);
        if folder.join("initdb").is_file() && folder.join("pg_ctl").is_file() {
            return Ok(folder);
        }
        return Err(ClusterError::NoServer {
            searched: folder.display().to_string(),
        });
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| {
                    let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = entry.path().join("bin");
                    (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
                        .then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| ClusterError::NoServer {
            searched: "/usr/lib/postgresql/*/bin".into(),
        })
}

fn id(args: &[&str]) -> Result<u32, ClusterError> {
    let output = run(Command::new("id").args(args))?;
    output.trim().parse().map_err(|_| ClusterError::Command {
        command: format!("id {}", args.join(" ")),
        detail: format!("unexpected output {output:?}"),
    })
}

fn running_as_root() -> Result<bool, ClusterError> {
    Ok(id(&["-u"])? == 0)
}

/// Gives `folder` to the `postgres` system user, which the server runs as when we are root.
fn hand_to_postgres(folder: &Path) -> Result<(), ClusterError> {
    let uid = id(&["-u", "postgres"]).map_err(|_| ClusterError::Command {
        command: "id -u postgres".into(),
        detail: "no `postgres` user: install the Debian package `postgresql`".into(),
    })?;
    let gid = id(&["-g", "postgres"])?;
    std::os::unix::fs::chown(folder, Some(uid), Some(gid))?;
    Ok(())
}

fn free_port() -> Result<u16, ClusterError> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(socket.local_addr()?.port())
}
