//! Reading configuration files: the top file and everything it includes.
//!
//! BIRD expands `include "file";` in its lexer, so an include may stand
//! wherever a token may. We do the same on the token stream: the three
//! tokens `include "pattern" ;` are replaced by the tokens of the files the
//! pattern names. Relative names are taken from the including file's
//! directory, and patterns are expanded like glob(3), in sorted order.

use super::lexer::{lex, Tok, Token};
use crate::error::{Error, Result};
use crate::span::Span;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Nesting limit, as in BIRD.
const MAX_DEPTH: usize = 8;

/// Tokens of the file at `path` with its includes expanded.
pub fn tokens_of_file(path: &Path) -> Result<Vec<Token>> {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let text = std::fs::read_to_string(path).map_err(|e| Error {
        file: name.to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read configuration: {e}"),
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    expand(&name, &text, &dir, 0)
}

/// Tokens of an in-memory text named `name` (for `parse_bird_str`); its
/// includes are still read from disk, relative to `dir`.
pub fn tokens_of_str(name: &str, text: &str, dir: &Path) -> Result<Vec<Token>> {
    expand(&Arc::from(name), text, dir, 0)
}

fn expand(name: &Arc<str>, text: &str, dir: &Path, depth: usize) -> Result<Vec<Token>> {
    let toks = lex(name, text)?;
    let mut out = Vec::with_capacity(toks.len());
    let mut it = toks.into_iter().peekable();
    while let Some(t) = it.next() {
        if !matches!(&t.tok, Tok::Ident(s) if s == "include") {
            out.push(t);
            continue;
        }
        let Some(Token {
            tok: Tok::Str(pattern),
            span: pspan,
        }) = it.next()
        else {
            return Err(Error::at(
                &t.span,
                "expected a file name in quotes after 'include'",
            ));
        };
        match it.next() {
            Some(Token {
                tok: Tok::Punct(";"),
                ..
            }) => {}
            Some(other) => {
                return Err(Error::at(
                    &other.span,
                    format!("expected ';' after include, found {}", other.tok.describe()),
                ))
            }
            None => return Err(Error::at(&t.span, "expected ';' after include")),
        }
        if depth + 1 >= MAX_DEPTH {
            return Err(Error::at(&t.span, "includes nested too deeply"));
        }
        for file in resolve(&pattern, dir, &pspan)? {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                Error::at(&pspan, format!("cannot include '{}': {e}", file.display()))
            })?;
            let fname: Arc<str> = Arc::from(file.display().to_string());
            let fdir = file.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut inner = expand(&fname, &text, &fdir, depth + 1)?;
            inner.pop(); // its end-of-file
            out.extend(inner);
        }
    }
    Ok(out)
}

fn resolve(pattern: &str, dir: &Path, span: &Span) -> Result<Vec<PathBuf>> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        dir.join(pattern)
    };
    if !pattern.contains(['*', '?', '[']) {
        if !full.exists() {
            return Err(Error::at(
                span,
                format!("cannot include '{}': no such file", full.display()),
            ));
        }
        return Ok(vec![full]);
    }
    let text = full.to_string_lossy().to_string();
    let paths = glob::glob(&text)
        .map_err(|e| Error::at(span, format!("bad include pattern '{pattern}': {e}")))?;
    let mut files: Vec<PathBuf> = paths
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}
