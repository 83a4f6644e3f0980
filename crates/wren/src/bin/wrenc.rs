//! wrenc — Wren's client. It speaks the control socket's protocol (BIRD's,
//! so every `birdc` command works: `wrenc show protocols all`) and adds
//! gobgp-style views and JSON: `wrenc neighbor`, `wrenc neighbor ADDR
//! adj-in|adj-out`, `wrenc global rib`, `wrenc --json show protocols|route`.
//! Without a command: on a terminal, an interactive prompt with history
//! and Tab completion; otherwise commands from standard input, one per
//! line.
// `value["key"]` on serde_json's Value never panics (a missing key is
// Null); the lint cannot tell it from slice indexing.
#![allow(clippy::indexing_slicing)]

use clap::Parser;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "wrenc", version, about = "Wren's control client")]
struct Args {
    /// Control socket.
    #[arg(short = 's', default_value = "/run/wren/wren.ctl")]
    socket: PathBuf,
    /// Print JSON (for neighbor, global rib, show protocols, show route).
    #[arg(long)]
    json: bool,
    /// The command; none: read commands from standard input.
    command: Vec<String>,
}

/// One connection to wrend.
struct Client {
    rd: BufReader<UnixStream>,
    wr: UnixStream,
}

impl Client {
    fn connect(path: &PathBuf) -> std::io::Result<Client> {
        let s = UnixStream::connect(path)?;
        let mut rd = BufReader::new(s.try_clone()?);
        let mut greeting = String::new();
        rd.read_line(&mut greeting)?;
        Ok(Client { rd, wr: s })
    }

    /// Sends `cmd`; the reply's lines without their codes, and whether the
    /// final code says error (8xxx/9xxx).
    fn call(&mut self, cmd: &str) -> std::io::Result<(Vec<String>, bool)> {
        writeln!(self.wr, "{cmd}")?;
        let mut lines = Vec::new();
        loop {
            let mut l = String::new();
            if self.rd.read_line(&mut l)? == 0 {
                return Ok((lines, true));
            }
            let l = l.trim_end_matches('\n');
            let code = l.get(..4).filter(|c| c.bytes().all(|b| b.is_ascii_digit()));
            match (code, l.get(4..5)) {
                (Some(c), Some(" ")) => {
                    let text = l.get(5..).unwrap_or_default();
                    if !text.is_empty() {
                        lines.push(text.to_string());
                    }
                    return Ok((lines, c.starts_with('8') || c.starts_with('9')));
                }
                (Some(_), Some("-")) => lines.push(l.get(5..).unwrap_or_default().to_string()),
                _ => lines.push(l.get(1..).unwrap_or_default().to_string()),
            }
        }
    }

    fn json(&mut self, cmd: &str) -> Result<Value, String> {
        let (lines, err) = self
            .call(&format!("json {cmd}"))
            .map_err(|e| e.to_string())?;
        if err {
            return Err(lines.join("\n"));
        }
        serde_json::from_str(lines.first().map_or("", String::as_str)).map_err(|e| e.to_string())
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn hms(secs: &Value) -> String {
    secs.as_u64().map_or_else(
        || "never".into(),
        |t| format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60),
    )
}

/// `wrenc neighbor`: gobgp's columns.
fn neighbors(v: &Value) -> String {
    let mut out = format!(
        "{:<18} {:>7} {:>9} {:<12}|{:>10} {:>9}\n",
        "Peer", "AS", "Up/Down", "State", "#Received", "Accepted"
    );
    for p in v["protocols"].as_array().into_iter().flatten() {
        let state = s(&p["state"]);
        let short = if state == "Established" {
            "Establ".to_string()
        } else {
            state
        };
        out.push_str(&format!(
            "{:<18} {:>7} {:>9} {:<12}|{:>10} {:>9}\n",
            s(&p["neighbor"]),
            s(&p["peer_as"]),
            hms(&p["uptime_seconds"]),
            short,
            s(&p["prefixes_accepted"]),
            s(&p["prefixes_accepted"])
        ));
    }
    out
}

/// `wrenc global rib` (or one neighbour's adj-in): gobgp's columns.
fn rib(v: &Value, from: Option<&str>) -> String {
    let mut out = format!(
        "   {:<20} {:<20} {:<20} Attrs\n",
        "Network", "Next Hop", "AS_PATH"
    );
    for r in v["routes"].as_array().into_iter().flatten() {
        for p in r["paths"].as_array().into_iter().flatten() {
            if from.is_some_and(|f| s(&p["from"]) != f) {
                continue;
            }
            let mark = if p["best"].as_bool() == Some(true) {
                "*>"
            } else {
                "* "
            };
            let mut attrs = vec![format!("{{Origin: {}}}", s(&p["origin"]))];
            if !p["local_pref"].is_null() {
                attrs.push(format!("{{LocalPref: {}}}", s(&p["local_pref"])));
            }
            if !p["med"].is_null() {
                attrs.push(format!("{{Med: {}}}", s(&p["med"])));
            }
            out.push_str(&format!(
                "{mark} {:<20} {:<20} {:<20} [{}]\n",
                s(&r["prefix"]),
                s(&p["next_hop"]),
                s(&p["as_path"]),
                attrs.join(" ")
            ));
        }
    }
    out
}

fn run(c: &mut Client, words: &[String], json: bool) -> Result<String, String> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let view = |v: Value, text: String| if json { format!("{v:#}\n") } else { text };
    match w.as_slice() {
        ["neighbor"] => {
            let v = c.json("show protocols")?;
            let t = neighbors(&v);
            Ok(view(v, t))
        }
        ["neighbor", addr, "adj-in"] => {
            let ps = c.json("show protocols")?;
            let name = ps["protocols"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| s(&p["neighbor"]) == *addr || s(&p["name"]) == *addr)
                .map(|p| s(&p["name"]))
                .ok_or_else(|| format!("no neighbor {addr}"))?;
            let v = c.json("show route")?;
            let t = rib(&v, Some(&name));
            Ok(view(v, t))
        }
        ["neighbor", addr, "adj-out"] => {
            let v = c.json(&format!("show adj-out {addr}"))?;
            let t = rib(&v, None);
            Ok(view(v, t))
        }
        ["global", "rib"] | ["global", "rib", _] => {
            let v = c.json(format!("show route {}", w.get(2).unwrap_or(&"")).trim())?;
            let t = rib(&v, None);
            Ok(view(v, t))
        }
        ["show", "protocols"] if json => Ok(format!("{:#}\n", c.json("show protocols")?)),
        ["show", "route", rest @ ..] if json && rest.len() <= 1 => Ok(format!(
            "{:#}\n",
            c.json(format!("show route {}", rest.join(" ")).trim())?
        )),
        _ => {
            let (lines, err) = c.call(&words.join(" ")).map_err(|e| e.to_string())?;
            let text = lines.join("\n") + "\n";
            if err {
                Err(text)
            } else {
                Ok(text)
            }
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut c = match Client::connect(&args.socket) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wrenc: {}: {e}", args.socket.display());
            return ExitCode::from(2);
        }
    };
    if !args.command.is_empty() {
        return match run(&mut c, &args.command, args.json) {
            Ok(t) => {
                print!("{t}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprint!("{e}");
                ExitCode::from(1)
            }
        };
    }
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return interactive(&mut c, args.json);
    }
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        one_line(&mut c, &line, args.json);
    }
    ExitCode::SUCCESS
}

/// Runs one line typed or read; false when it asks to leave.
fn one_line(c: &mut Client, line: &str, json: bool) -> bool {
    let words: Vec<String> = line.split_whitespace().map(String::from).collect();
    match words.first().map(String::as_str) {
        None => return true,
        Some("quit" | "exit") => return false,
        Some(_) => {}
    }
    match run(c, &words, json) {
        Ok(t) => print!("{t}"),
        Err(e) => eprint!("{e}"),
    }
    true
}

/// birdc's interactive mode: line editing, history kept in
/// `~/.wrenc_history`, and Tab completing commands, protocol names and
/// neighbour addresses.
fn interactive(c: &mut Client, json: bool) -> ExitCode {
    use rustyline::error::ReadlineError;
    let mut words = Words::default();
    if let Ok(v) = c.json("show protocols") {
        for p in v["protocols"].as_array().into_iter().flatten() {
            words.protocols.push(s(&p["name"]));
            words.neighbors.push(s(&p["neighbor"]));
        }
    }
    let mut rl = match rustyline::Editor::<Words, rustyline::history::DefaultHistory>::new() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("wrenc: terminal: {e}");
            return ExitCode::from(2);
        }
    };
    rl.set_helper(Some(words));
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".wrenc_history"));
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    loop {
        match rl.readline("wrenc> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                }
                if !one_line(c, &line, json) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("wrenc: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    ExitCode::SUCCESS
}

/// What Tab completes from (see `wren::control::complete`).
#[derive(Default)]
struct Words {
    protocols: Vec<String>,
    neighbors: Vec<String>,
}

impl rustyline::completion::Completer for Words {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let head = line.get(..pos).unwrap_or(line);
        let start = head.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        Ok((
            start,
            wren::control::complete::complete(head, &self.protocols, &self.neighbors),
        ))
    }
}

impl rustyline::hint::Hinter for Words {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Words {}
impl rustyline::validate::Validator for Words {}
impl rustyline::Helper for Words {}
