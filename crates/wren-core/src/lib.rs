//! Wren protocol core.
