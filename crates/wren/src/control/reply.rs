//! BIRD's control-protocol reply format, which `birdc`, `birdcl` and
//! Calico's status code parse: each line starts with a four-digit code and
//! `-` while more lines follow; a line with the same code as the one
//! before starts with a single space instead; the last line has the code
//! and a space (`0000 ` when the command has nothing more to say).

use std::fmt::Write;

/// A reply being built.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reply {
    lines: Vec<(u16, String)>,
    end: Option<(u16, String)>,
}

impl Reply {
    /// An empty reply (renders as `0000 `).
    pub fn new() -> Self {
        Reply::default()
    }

    /// A reply that is one final line, e.g. an error (`8001 Network not
    /// found`, `9001 syntax error`).
    pub fn only(code: u16, text: impl Into<String>) -> Self {
        Reply {
            lines: Vec::new(),
            end: Some((code, text.into())),
        }
    }

    /// Adds a line with `code`.
    pub fn line(&mut self, code: u16, text: impl Into<String>) -> &mut Self {
        self.lines.push((code, text.into()));
        self
    }

    /// Ends with `code text` instead of `0000 `.
    pub fn end(&mut self, code: u16, text: impl Into<String>) -> &mut Self {
        self.end = Some((code, text.into()));
        self
    }

    /// The octets to write to the socket.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut last = None;
        for (code, text) in &self.lines {
            if last == Some(*code) {
                let _ = writeln!(out, " {text}");
            } else {
                let _ = writeln!(out, "{code:04}-{text}");
            }
            last = Some(*code);
        }
        match &self.end {
            Some((code, text)) => {
                let _ = writeln!(out, "{code:04} {text}");
            }
            None => out.push_str("0000 \n"),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_code_lines_continue_with_a_space() {
        let mut r = Reply::new();
        r.line(2002, "Name       Proto")
            .line(1002, "device1    Device")
            .line(1002, "peer_a     BGP");
        assert_eq!(
            r.render(),
            "2002-Name       Proto\n1002-device1    Device\n peer_a     BGP\n0000 \n"
        );
    }

    #[test]
    fn final_line_carries_its_own_code() {
        let mut r = Reply::new();
        r.line(1000, "BIRD 2.0.12")
            .end(13, "Daemon is up and running");
        assert_eq!(
            r.render(),
            "1000-BIRD 2.0.12\n0013 Daemon is up and running\n"
        );
        assert_eq!(
            Reply::only(8001, "Network not found").render(),
            "8001 Network not found\n"
        );
    }
}
