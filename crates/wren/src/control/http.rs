//! `--metrics ADDR`: a minimal HTTP listener that answers `GET /metrics`
//! with Prometheus text, rendered by the main loop on each scrape.

use super::{Command, Request};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// Binds `addr` and serves scrapes until the daemon exits.
pub async fn spawn(addr: SocketAddr, to_daemon: mpsc::Sender<Request>) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let to_daemon = to_daemon.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                let (status, body) = if head.starts_with("GET /metrics") {
                    let (tx, rx) = oneshot::channel();
                    let sent = to_daemon
                        .send(Request {
                            command: Command::Metrics,
                            reply: tx,
                        })
                        .await;
                    match (sent, rx.await) {
                        (Ok(()), Ok(text)) => ("200 OK", text),
                        _ => ("503 Service Unavailable", String::new()),
                    }
                } else {
                    ("404 Not Found", "try /metrics\n".to_string())
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    Ok(())
}
