//! Wren configuration: the typed model and its front ends.
