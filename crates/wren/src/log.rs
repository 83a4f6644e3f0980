//! Where log messages go: BIRD's `log` statements carried out as a
//! tracing layer. Each destination (a file, syslog, stderr) takes the
//! classes it names; a tracing event's class comes from its level, and
//! protocol debug output (`debug protocols`, `debug P …`) is class
//! `trace`, as in BIRD. Reconfiguration swaps the destinations in place:
//! messages in flight go to the old or the new set, never nowhere.
//!
//! Without any `log` statement wrend logs to stderr, as BIRD does in the
//! foreground; `-d` adds class `debug` there.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use wren_config::model::{LogDest, LogTarget};

/// The target protocol debug output is emitted under.
pub const TRACE_TARGET: &str = "wren::trace";

/// BIRD's message classes, in its order; a set is a bit mask over them.
pub const CLASSES: [&str; 9] = [
    "debug", "trace", "info", "remote", "warning", "error", "auth", "fatal", "bug",
];

fn class_bit(name: &str) -> u16 {
    CLASSES
        .iter()
        .position(|c| *c == name)
        .map_or(0, |i| 1 << i)
}

/// Every class.
pub const ALL: u16 = (1 << CLASSES.len()) - 1;

/// What BIRD logs when nothing says otherwise: all but `debug`.
const DEFAULT: u16 = ALL & !1;

/// The class of an event: protocol debug output is `trace`; otherwise the
/// level says.
fn class_of(meta: &Metadata<'_>) -> u16 {
    if meta.target() == TRACE_TARGET {
        return class_bit("trace");
    }
    match *meta.level() {
        Level::ERROR => class_bit("error"),
        Level::WARN => class_bit("warning"),
        Level::INFO => class_bit("info"),
        _ => class_bit("debug"),
    }
}

/// A class's syslog severity (RFC 5424 numbers).
fn severity(class: u16) -> u8 {
    match class.trailing_zeros() {
        0 | 1 => 7,
        2 | 3 => 6,
        4 => 4,
        5 => 3,
        6 => 5,
        _ => 2,
    }
}

/// The class a BIRD log line names in angle brackets.
fn tag(class: u16) -> &'static str {
    match class.trailing_zeros() {
        0 => "DBG",
        1 => "TRACE",
        2 => "INFO",
        3 => "RMT",
        4 => "WARN",
        5 => "ERR",
        6 => "AUTH",
        7 => "FATAL",
        _ => "BUG",
    }
}

enum Out {
    Stderr,
    File {
        path: PathBuf,
        file: std::fs::File,
        written: u64,
        rotate: Option<(u64, PathBuf)>,
    },
    Syslog {
        sock: Option<UnixDatagram>,
        name: String,
    },
}

struct Sink {
    out: Out,
    classes: u16,
}

/// The destinations, shared by the tracing layer and the daemon (which
/// replaces them on reconfiguration).
#[derive(Clone)]
pub struct Logger {
    sinks: Arc<RwLock<Vec<Mutex<Sink>>>>,
    /// Union of the sinks' classes: events no sink wants are not built.
    wanted: Arc<AtomicU16>,
    debug_flag: bool,
}

impl Logger {
    /// Stderr only, with `debug` when `-d` was given.
    pub fn new(debug_flag: bool) -> Self {
        let l = Logger {
            sinks: Arc::default(),
            wanted: Arc::default(),
            debug_flag,
        };
        l.install(Vec::new());
        l
    }

    /// Opens the destinations `targets` names, or says which cannot be
    /// opened (nothing changes then).
    pub fn configure(&self, targets: &[LogTarget]) -> Result<(), String> {
        let mut sinks = Vec::new();
        for t in targets {
            let classes = if t.classes.iter().any(|c| c == "all") {
                ALL
            } else {
                t.classes.iter().fold(0, |m, c| m | class_bit(c))
            };
            let out = match &t.dest {
                LogDest::Stderr => Out::Stderr,
                LogDest::Syslog(name) => Out::Syslog {
                    sock: syslog_socket(),
                    name: name.clone().unwrap_or_else(|| "wrend".into()),
                },
                LogDest::File { path, rotate } => {
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .map_err(|e| format!("cannot open log file {path}: {e}"))?;
                    let written = file.metadata().map_or(0, |m| m.len());
                    Out::File {
                        path: path.into(),
                        file,
                        written,
                        rotate: rotate.as_ref().map(|(n, b)| (*n, b.into())),
                    }
                }
            };
            sinks.push(Sink { out, classes });
        }
        self.install(sinks);
        Ok(())
    }

    fn install(&self, mut sinks: Vec<Sink>) {
        if sinks.is_empty() {
            sinks.push(Sink {
                out: Out::Stderr,
                classes: DEFAULT,
            });
        }
        if self.debug_flag {
            match sinks.iter_mut().find(|s| matches!(s.out, Out::Stderr)) {
                Some(s) => s.classes = ALL,
                None => sinks.push(Sink {
                    out: Out::Stderr,
                    classes: ALL,
                }),
            }
        }
        let wanted = sinks.iter().fold(0, |m, s| m | s.classes);
        let sinks = sinks.into_iter().map(Mutex::new).collect();
        if let Ok(mut w) = self.sinks.write() {
            *w = sinks;
        }
        self.wanted.store(wanted, Ordering::Relaxed);
    }

    fn write(&self, class: u16, text: &str) {
        let Ok(sinks) = self.sinks.read() else {
            return;
        };
        let line = format!(
            "{} <{}> {text}\n",
            crate::timefmt::date_time(std::time::SystemTime::now()),
            tag(class)
        );
        for s in sinks.iter() {
            let Ok(mut s) = s.lock() else { continue };
            if s.classes & class == 0 {
                continue;
            }
            match &mut s.out {
                Out::Stderr => {
                    let _ = std::io::stderr().write_all(line.as_bytes());
                }
                Out::File {
                    path,
                    file,
                    written,
                    rotate,
                } => {
                    if let Some((limit, backup)) = rotate {
                        if *written + line.len() as u64 > *limit {
                            // BIRD's rotation: the full file becomes the
                            // backup, a new one starts.
                            let _ = std::fs::rename(&*path, &*backup);
                            if let Ok(f) = std::fs::File::create(&*path) {
                                *file = f;
                                *written = 0;
                            }
                        }
                    }
                    if file.write_all(line.as_bytes()).is_ok() {
                        *written += line.len() as u64;
                    }
                }
                Out::Syslog { sock, name } => {
                    // RFC 3164 as syslogd reads it from /dev/log: facility
                    // daemon (3), no timestamp (the daemon adds it).
                    let msg = format!(
                        "<{}>{name}[{}]: {text}",
                        3 * 8 + severity(class),
                        std::process::id()
                    );
                    if sock
                        .as_ref()
                        .map_or(true, |s| s.send(msg.as_bytes()).is_err())
                    {
                        // syslogd restarted: reconnect once, for next time.
                        *sock = syslog_socket();
                    }
                }
            }
        }
    }
}

fn syslog_socket() -> Option<UnixDatagram> {
    let s = UnixDatagram::unbound().ok()?;
    s.connect("/dev/log").ok()?;
    Some(s)
}

impl<S: Subscriber> Layer<S> for Logger {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        // Never cached: reconfiguration and `debug` change what is wanted.
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
        self.wanted.load(Ordering::Relaxed) & class_of(meta) != 0
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let class = class_of(event.metadata());
        if self.wanted.load(Ordering::Relaxed) & class == 0 {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        self.write(class, &text.0);
    }
}

/// An event's message, then its other fields as `key=value`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_tags() {
        assert_eq!(ALL, 0x1ff);
        assert_eq!(tag(class_bit("trace")), "TRACE");
        assert_eq!(tag(class_bit("warning")), "WARN");
        assert_eq!(severity(class_bit("error")), 3);
        assert_eq!(DEFAULT & class_bit("debug"), 0);
    }

    #[test]
    fn file_gets_its_classes_and_rotates() {
        let dir = std::env::temp_dir().join(format!("wren-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.log");
        let backup = dir.join("w.log.old");
        let l = Logger::new(false);
        l.configure(&[LogTarget {
            dest: LogDest::File {
                path: path.display().to_string(),
                rotate: Some((200, backup.display().to_string())),
            },
            classes: vec!["trace".into(), "warning".into()],
        }])
        .unwrap();
        l.write(class_bit("info"), "not for this file");
        for i in 0..6 {
            l.write(
                class_bit("trace"),
                &format!("peer_a: State changed to up {i}"),
            );
        }
        let now = std::fs::read_to_string(&path).unwrap();
        let old = std::fs::read_to_string(&backup).unwrap();
        assert!(!now.contains("not for this file") && !old.contains("not for this file"));
        assert!(now.contains("<TRACE> peer_a: State changed to up 5"));
        assert!(old.contains("<TRACE> peer_a: State changed to up 0"));
        assert!(now.len() <= 200);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
