//! The control socket: BIRD's control protocol on a Unix socket, so the
//! real `birdc`/`birdcl` and Calico's status checks can talk to wrend.
//! This module only frames lines and replies; the daemon's main loop
//! answers each [`Command`] from its own state (see `daemon::show`).

pub mod command;
pub mod complete;
pub mod http;
pub mod reply;

pub use command::{Command, ExportView, RouteQuery};
pub use reply::Reply;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tracing::debug;

/// A command for the main loop, with where to send the rendered reply.
#[derive(Debug)]
pub struct Request {
    /// The command.
    pub command: Command,
    /// The reply, rendered.
    pub reply: oneshot::Sender<String>,
}

/// The greeting `birdc` waits for before it sends anything.
pub const GREETING: &str = concat!("0001 Wren ", env!("CARGO_PKG_VERSION"), " ready.\n");

/// Binds the socket at `path` (replacing a stale one), mode 0660 like
/// BIRD's, and serves clients until the daemon exits.
pub fn spawn(path: &Path, to_daemon: mpsc::Sender<Request>) -> std::io::Result<()> {
    spawn_with(path, to_daemon, false, 0o660)
}

/// A restricted socket (BIRD's `cli "PATH" { restrict; }`): only `show`
/// commands, for monitoring agents; mode 0666 so they need no group.
pub fn spawn_restricted(path: &Path, to_daemon: mpsc::Sender<Request>) -> std::io::Result<()> {
    spawn_with(path, to_daemon, true, 0o666)
}

fn spawn_with(
    path: &Path,
    to_daemon: mpsc::Sender<Request>,
    restricted: bool,
    mode: u32,
) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream, to_daemon.clone(), restricted));
                }
                Err(e) => debug!(%e, "control socket accept failed"),
            }
        }
    });
    Ok(())
}

/// What a restricted socket lets through: looking, not touching.
fn read_only(c: &Command) -> bool {
    matches!(
        c,
        Command::ShowStatus
            | Command::ShowProtocols { .. }
            | Command::ShowRoute(_)
            | Command::ShowMemory
            | Command::ShowInterfaces { .. }
            | Command::ShowSymbols(_)
            | Command::JsonProtocols
            | Command::JsonRoutes(_)
            | Command::JsonAdjOut(_)
    )
}

async fn serve(stream: UnixStream, to_daemon: mpsc::Sender<Request>, restricted: bool) {
    let (rd, mut wr) = stream.into_split();
    if wr.write_all(GREETING.as_bytes()).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(rd).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let text = match command::parse(&line) {
            Err(command::Refused(code, text)) => Reply::only(code, text).render(),
            Ok(command) if restricted && !read_only(&command) => {
                Reply::only(8007, "Access denied").render()
            }
            Ok(command) => {
                let (tx, rx) = oneshot::channel();
                if to_daemon
                    .send(Request { command, reply: tx })
                    .await
                    .is_err()
                {
                    return;
                }
                match rx.await {
                    Ok(text) => text,
                    Err(_) => return,
                }
            }
        };
        if wr.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}
