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
use crate::filter::Filter;
use crate::model::Config;
use std::path::Path;
use std::sync::Arc;

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

/// The filter of a `show route` command (`where EXPR`, `filter NAME`,
/// `filter { ... }`), compiled as BIRD does at the command line: against
/// the running configuration's constants, functions and named filters.
pub fn command_filter(cfg: &Config, text: &str) -> Result<Arc<Filter>, ConfigErrors> {
    let toks = source::tokens_of_str("<command>", text, Path::new(""))?;
    let mut p = parser::Parser::new(toks);
    p.defines = cfg
        .defines
        .iter()
        .map(|d| (d.value.name.clone(), d.value.value.clone()))
        .collect();
    p.functions = cfg
        .functions
        .iter()
        .map(|f| (f.name().to_string(), f.clone()))
        .collect();
    p.filters = cfg
        .filters
        .iter()
        .map(|f| (f.name().to_string(), f.clone()))
        .collect();
    Ok(p.command_filter()?)
}

fn parse_tokens(toks: Vec<lexer::Token>) -> Result<Config, ConfigErrors> {
    let mut p = parser::Parser::new(toks);
    p.top()?;
    Ok(p.cfg)
}
