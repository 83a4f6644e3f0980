//! Configuration errors: each names the file, line and column and says
//! what was expected, the way `bird -p` does, so a rejected reload tells
//! the operator exactly what to fix.

use crate::span::Span;
use std::fmt;

/// One configuration error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct Error {
    /// File the error is in.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl Error {
    /// An error at `span`.
    pub fn at(span: &Span, message: impl Into<String>) -> Self {
        Error {
            file: span.file.to_string(),
            line: span.line,
            column: span.column,
            message: message.into(),
        }
    }
}

/// All errors found in a configuration (at least one). A configuration
/// with any error is rejected whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<Error>);

impl ConfigErrors {
    /// The first error.
    pub fn first(&self) -> Option<&Error> {
        self.0.first()
    }
}

impl From<Error> for ConfigErrors {
    fn from(e: Error) -> Self {
        ConfigErrors(vec![e])
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Results inside the front end.
pub type Result<T, E = Error> = std::result::Result<T, E>;
