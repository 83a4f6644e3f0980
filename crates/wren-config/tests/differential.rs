//! Differential check against the real BIRD 2: `bird -p -c FILE` and
//! Wren's parser must agree on which BIRD 2 configurations are valid.
//! Skipped (with a note) where no BIRD 2 is installed.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use wren_config::parse_bird_file;

fn bird2() -> bool {
    Command::new("bird")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stderr).contains("BIRD version 2"))
        .unwrap_or(false)
}

fn files() -> Vec<(PathBuf, bool)> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v = Vec::new();
    for (dir, valid) in [("bird2/valid", true), ("bird2/invalid", false)] {
        let mut fs: Vec<PathBuf> = std::fs::read_dir(base.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        fs.sort();
        v.extend(fs.into_iter().map(|f| (f, valid)));
    }
    v.push((base.join("seed-002/bird-r1.conf"), true));
    v.push((base.join("seed-002/bird-r2.conf"), true));
    v
}

/// Wren's verdict alone, against what the fixture's folder says (runs
/// everywhere, BIRD or not).
#[test]
fn fixtures_are_classified() {
    for (f, valid) in files() {
        let r = parse_bird_file(&f);
        assert_eq!(
            r.is_ok(),
            valid,
            "{}: {:?}",
            f.display(),
            r.err().map(|e| e.to_string())
        );
    }
}

#[test]
fn agrees_with_bird2() {
    if !bird2() {
        eprintln!("bird 2 not installed: differential test skipped");
        return;
    }
    let mut bad = Vec::new();
    for (f, _) in files() {
        let out = Command::new("bird")
            .arg("-p")
            .arg("-c")
            .arg(&f)
            .output()
            .unwrap();
        let bird_ok = out.status.success();
        let wren = parse_bird_file(&f);
        if bird_ok != wren.is_ok() {
            bad.push(format!(
                "{}: bird {} ({}), wren {}",
                f.display(),
                if bird_ok { "accepts" } else { "rejects" },
                String::from_utf8_lossy(&out.stderr).trim(),
                match &wren {
                    Ok(_) => "accepts".to_string(),
                    Err(e) => format!("rejects ({e})"),
                }
            ));
        }
        // Both reject: on the same line (BIRD's columns count differently;
        // at end of input BIRD names the last line with column 0).
        if let (false, Err(e)) = (bird_ok, &wren) {
            let msg = String::from_utf8_lossy(&out.stderr);
            let num = |i: usize| {
                msg.split(':')
                    .nth(i)
                    .and_then(|l| l.split_whitespace().next()?.parse::<u32>().ok())
            };
            let (line, col) = (num(2), num(3));
            let ours = e.first().unwrap().line;
            if col != Some(0) && line.is_some_and(|l| l != ours) {
                bad.push(format!(
                    "{}: bird says line {line:?} ({}), wren {ours} ({e})",
                    f.display(),
                    msg.trim()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
