//! BIRD's shell-style string patterns (`"cali*"`, `"eth?"`), used by
//! interface lists and by the filter operator `~` on strings.

/// Whether `text` matches `pat`: `*` is any run, `?` one character, `\`
/// escapes the next one. Iterative, without allocation.
pub fn glob_match(pat: &str, text: &str) -> bool {
    let p = pat.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                back = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(b'?') => {
                pi += 1;
                ti += 1;
                continue;
            }
            Some(b'\\') if p.get(pi + 1) == t.get(ti) && p.get(pi + 1).is_some() => {
                pi += 2;
                ti += 1;
                continue;
            }
            Some(c) if *c != b'\\' && Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bp, bt)) => {
                pi = bp + 1;
                ti = bt + 1;
                back = Some((bp, bt + 1));
            }
            None => return false,
        }
    }
    while p.get(pi) == Some(&b'*') {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn shell_patterns() {
        assert!(glob_match("cali*", "cali12ab"));
        assert!(glob_match("*", ""));
        assert!(glob_match("*.cali", "bpf0.cali"));
        assert!(!glob_match("*.cali", "bpf0.calico"));
        assert!(glob_match("eth?", "eth0"));
        assert!(!glob_match("eth?", "eth10"));
        assert!(glob_match("some*iface", "someXXiface"));
        assert!(glob_match("a\\*", "a*"));
        assert!(!glob_match("a\\*", "ab"));
        assert!(!glob_match("tunl0", "tunl01"));
    }
}
