//! The BIRD dialect front end: BIRD 1.x (Calico's confd output, the
//! seeds' `bird.conf`) and BIRD 2.x (channels, `local A as N`) are both
//! read into the same [`Config`].

mod bgp;
mod defs;
mod expr;
pub mod lexer;
mod local;
mod parser;
mod proto;
mod sets;
mod source;
mod stmt;
mod top;

use crate::error::ConfigErrors;
use crate::model::Config;
use std::path::Path;

/// Parses a configuration file and everything it includes.
pub fn parse_file(path: &Path) -> Result<Config, ConfigErrors> {
    let toks = source::tokens_of_file(path)?;
    parse_tokens(toks)
}

/// Parses text named `name`; includes are resolved relative to the
/// directory part of `name`.
pub fn parse_str(name: &str, text: &str) -> Result<Config, ConfigErrors> {
    let dir = Path::new(name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let toks = source::tokens_of_str(name, text, &dir)?;
    parse_tokens(toks)
}

fn parse_tokens(toks: Vec<lexer::Token>) -> Result<Config, ConfigErrors> {
    let mut p = parser::Parser::new(toks);
    p.top()?;
    Ok(p.cfg)
}
