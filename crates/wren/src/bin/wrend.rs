//! wrend, the Wren daemon.
fn main() {}
