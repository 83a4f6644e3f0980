//! Completion for wrenc's interactive mode: the words that may follow
//! what has been typed, from the command grammar the control socket
//! understands (BIRD's commands, Wren's gobgp-style views) and the
//! protocol names and neighbour addresses of the running daemon. Pure:
//! the terminal glue lives in wrenc.

/// What a word position accepts.
#[derive(Clone, Copy)]
enum Next {
    /// Fixed words, each with what follows it.
    Words(&'static [(&'static str, Next)]),
    /// A protocol name (or `all`), then nothing.
    Protocol,
    /// One of the words, or a protocol name (then nothing).
    WordsOrProtocol(&'static [(&'static str, Next)]),
    /// A neighbour (name or address), then `adj-in` / `adj-out`.
    Neighbor,
    /// Anything, no suggestions.
    Free,
    /// Nothing more.
    End,
}

const ROUTE: &[(&str, Next)] = &[
    ("all", Next::Free),
    ("for", Next::Free),
    ("protocol", Next::Protocol),
    ("count", Next::Free),
    ("primary", Next::Free),
    ("table", Next::Free),
];

const SHOW: &[(&str, Next)] = &[
    ("status", Next::End),
    (
        "protocols",
        Next::WordsOrProtocol(&[("all", Next::Protocol)]),
    ),
    ("route", Next::Words(ROUTE)),
    ("interfaces", Next::Words(&[("summary", Next::End)])),
    (
        "symbols",
        Next::Words(&[
            ("table", Next::End),
            ("filter", Next::End),
            ("function", Next::End),
            ("protocol", Next::End),
            ("template", Next::End),
        ]),
    ),
    ("memory", Next::End),
];

const TOP: &[(&str, Next)] = &[
    ("show", Next::Words(SHOW)),
    (
        "configure",
        Next::Words(&[("check", Next::End), ("soft", Next::End)]),
    ),
    ("enable", Next::Protocol),
    ("disable", Next::Protocol),
    ("restart", Next::Protocol),
    (
        "reload",
        Next::Words(&[("in", Next::Protocol), ("out", Next::Protocol)]),
    ),
    ("down", Next::End),
    ("neighbor", Next::Neighbor),
    ("global", Next::Words(&[("rib", Next::Free)])),
    ("quit", Next::End),
];

/// The completions of the last word of `line` (possibly empty), given the
/// daemon's protocol names and neighbour addresses. Sorted, no duplicates.
pub fn complete(line: &str, protocols: &[String], neighbors: &[String]) -> Vec<String> {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let last = if line.ends_with(char::is_whitespace) || line.is_empty() {
        ""
    } else {
        words.pop().unwrap_or("")
    };
    let mut at = Next::Words(TOP);
    for (i, w) in words.iter().enumerate() {
        at = match at {
            Next::Words(list) => match list.iter().find(|(k, _)| k == w) {
                Some((_, next)) => *next,
                None => return Vec::new(),
            },
            Next::WordsOrProtocol(list) => match list.iter().find(|(k, _)| k == w) {
                Some((_, next)) => *next,
                None => Next::End,
            },
            Next::Protocol => Next::End,
            Next::Neighbor if i + 1 == words.len() => {
                Next::Words(&[("adj-in", Next::End), ("adj-out", Next::End)])
            }
            Next::Neighbor => Next::End,
            Next::Free => Next::Free,
            Next::End => return Vec::new(),
        };
    }
    let mut out: Vec<String> = match at {
        Next::Words(list) => list.iter().map(|(k, _)| (*k).to_string()).collect(),
        Next::Protocol => protocols
            .iter()
            .cloned()
            .chain(["all".to_string()])
            .collect(),
        Next::WordsOrProtocol(list) => list
            .iter()
            .map(|(k, _)| (*k).to_string())
            .chain(protocols.iter().cloned())
            .collect(),
        Next::Neighbor => protocols.iter().chain(neighbors).cloned().collect(),
        Next::Free | Next::End => Vec::new(),
    };
    out.retain(|c| c.starts_with(last));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::complete;

    fn names() -> (Vec<String>, Vec<String>) {
        (
            vec!["Mesh_10_0_0_2".into(), "peer1".into()],
            vec!["10.0.0.2".into()],
        )
    }

    #[test]
    fn first_words_then_show_subcommands() {
        let (p, n) = names();
        assert_eq!(complete("sh", &p, &n), ["show"]);
        assert_eq!(complete("re", &p, &n), ["reload", "restart"]);
        assert_eq!(
            complete("show ", &p, &n),
            [
                "interfaces",
                "memory",
                "protocols",
                "route",
                "status",
                "symbols"
            ]
        );
        assert_eq!(complete("show interfaces s", &p, &n), ["summary"]);
        assert!(complete("show status ", &p, &n).is_empty());
        assert!(complete("nonsense ", &p, &n).is_empty());
    }

    #[test]
    fn protocol_names_where_a_protocol_goes() {
        let (p, n) = names();
        assert_eq!(complete("show protocols all M", &p, &n), ["Mesh_10_0_0_2"]);
        assert_eq!(complete("show protocols M", &p, &n), ["Mesh_10_0_0_2"]);
        assert_eq!(
            complete("show protocols ", &p, &n),
            ["Mesh_10_0_0_2", "all", "peer1"]
        );
        assert!(complete("show protocols peer1 ", &p, &n).is_empty());
        assert_eq!(
            complete("disable ", &p, &n),
            ["Mesh_10_0_0_2", "all", "peer1"]
        );
        assert_eq!(complete("reload in p", &p, &n), ["peer1"]);
        assert_eq!(complete("show route protocol pe", &p, &n), ["peer1"]);
    }

    #[test]
    fn neighbors_then_their_views() {
        let (p, n) = names();
        assert_eq!(complete("neighbor 10", &p, &n), ["10.0.0.2"]);
        assert_eq!(
            complete("neighbor 10.0.0.2 adj-", &p, &n),
            ["adj-in", "adj-out"]
        );
        assert!(complete("neighbor 10.0.0.2 adj-in ", &p, &n).is_empty());
    }
}
