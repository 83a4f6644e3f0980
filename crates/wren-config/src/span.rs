//! Source locations. Every token, option and filter node remembers where it
//! came from, so that an error (or `show protocols all`) can point at the
//! line an operator has to edit.

use std::fmt;
use std::sync::Arc;

/// A position in a configuration file (1-based line and column, columns
/// counted in characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// File name as given (the top file) or as resolved (included files).
    pub file: Arc<str>,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

impl Span {
    /// A span for values that did not come from a file (tests, defaults).
    pub fn synthetic() -> Self {
        Span {
            file: Arc::from("<none>"),
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A configured value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its location.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Reading optional spanned options without the span: `bgp.hold_time.val()`.
pub trait OptionValue<T> {
    /// The value, if the option was written.
    fn val(&self) -> Option<&T>;
}

impl<T> OptionValue<T> for Option<Spanned<T>> {
    fn val(&self) -> Option<&T> {
        self.as_ref().map(|s| &s.value)
    }
}
