//! The commands the control socket understands, parsed from the words
//! `birdc` sends (it expands abbreviations itself before sending).

pub use crate::daemon::debug::DebugClasses;
use std::net::IpAddr;
use wren_wire::Prefix;

/// A parsed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `show status`.
    ShowStatus,
    /// `show protocols [all] [NAME | "PATTERN"]`.
    ShowProtocols {
        /// With details.
        all: bool,
        /// Protocol name or shell pattern.
        pattern: Option<String>,
    },
    /// `show route …`.
    ShowRoute(RouteQuery),
    /// `show memory`.
    ShowMemory,
    /// `show symbols [table|filter|function|protocol|template|constant|NAME]`.
    ShowSymbols(Option<String>),
    /// `show interfaces [summary]`.
    ShowInterfaces {
        /// One line per interface.
        summary: bool,
    },
    /// `debug NAME|"PATTERN"|all all|off|{ CLASS, ... }`: which protocol
    /// debug classes are logged (class `trace`).
    Debug(String, DebugClasses),
    /// `down`: shut the daemon down.
    Down,
    /// `configure [soft] ["FILE"]`: reload, from FILE if given (else the
    /// file named at start).
    Configure(Option<String>),
    /// `configure check`: load the file and report, change nothing.
    ConfigureCheck,
    /// `enable | disable | restart NAME|"PATTERN"|all`.
    Protocols(ProtoOp, String),
    /// `reload [in|out] NAME|"PATTERN"|all`: `in` asks the peer to resend
    /// (ROUTE-REFRESH), `out` resends ours; neither: both.
    Reload {
        /// Ask the peer to resend.
        inbound: bool,
        /// Resend ours.
        outbound: bool,
        /// Which protocols.
        which: String,
    },
    /// A Prometheus scrape (from the metrics listener, not the socket).
    Metrics,
    /// `json show protocols`: Wren's own extension for `wrenc --json`,
    /// one JSON document (docs/wrenc.md has the schema).
    JsonProtocols,
    /// `json show route [PREFIX]`.
    JsonRoutes(Option<Prefix>),
    /// `json show adj-out NAME`: what the table sends that peer now, after
    /// the export rules and filter (best paths).
    JsonAdjOut(String),
}

/// What `enable`, `disable` and `restart` do to a protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoOp {
    /// Start it.
    Enable,
    /// Stop it (Cease, administrative shutdown).
    Disable,
    /// Stop and start it (Cease, administrative reset).
    Restart,
}

/// The options of `show route`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteQuery {
    /// `all`: attributes too.
    pub all: bool,
    /// `count`: only counts.
    pub count: bool,
    /// `primary`: best routes only.
    pub primary: bool,
    /// `PREFIX`: that network exactly.
    pub prefix: Option<Prefix>,
    /// `for ADDR|PREFIX`: the longest match.
    pub for_addr: Option<IpAddr>,
    /// `protocol P`: routes from P.
    pub protocol: Option<String>,
    /// `table T`: master4 or master6.
    pub table: Option<String>,
    /// `where EXPR`, `filter NAME` or `filter { ... }`, as written (the
    /// daemon compiles it against the running configuration).
    pub filter: Option<String>,
    /// `export P`, `noexport P`, `preexport P`: what P is sent, what its
    /// export filter stops, what reaches its export filter.
    pub export: Option<(ExportView, String)>,
}

/// Which side of a protocol's export filter `show route` looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportView {
    /// `export P`: accepted by the filter, as sent.
    Export,
    /// `noexport P`: rejected by the filter.
    NoExport,
    /// `preexport P`: offered to the filter.
    PreExport,
}

/// Why a command was refused: the code and text of the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub u16, pub String);

fn syntax(what: &str) -> Refused {
    Refused(9001, format!("syntax error, unexpected {what}"))
}

/// Parses one command line.
pub fn parse(line: &str) -> Result<Command, Refused> {
    let spans = split(line)?;
    let words: Vec<String> = spans.iter().map(|(w, _)| w.clone()).collect();
    let mut w = words.iter().map(String::as_str);
    if words.first().map(String::as_str) == Some("json") {
        w.next();
        return match (w.next(), w.next(), w.next(), w.next()) {
            (Some("show"), Some("protocols"), None, None) => Ok(Command::JsonProtocols),
            (Some("show"), Some("route"), None, None) => Ok(Command::JsonRoutes(None)),
            (Some("show"), Some("route"), Some(p), None) => p
                .parse()
                .map(|p| Command::JsonRoutes(Some(p)))
                .map_err(|_| syntax(p)),
            (Some("show"), Some("adj-out"), Some(n), None) => Ok(Command::JsonAdjOut(n.into())),
            _ => Err(Refused(
                9002,
                "json: `show protocols`, `show route [PREFIX]` or `show adj-out NAME`".into(),
            )),
        };
    }
    match (w.next(), w.next()) {
        (Some("show"), Some("status")) => end(w, Command::ShowStatus),
        (Some("show"), Some("protocols")) => {
            let mut all = false;
            let mut pattern = None;
            for x in w {
                match x {
                    "all" if !all && pattern.is_none() => all = true,
                    _ if pattern.is_none() => pattern = Some(x.to_string()),
                    _ => return Err(syntax(x)),
                }
            }
            Ok(Command::ShowProtocols { all, pattern })
        }
        (Some("show"), Some("route")) => {
            route(line, spans.get(2..).unwrap_or_default()).map(Command::ShowRoute)
        }
        (Some("show"), Some("memory")) => end(w, Command::ShowMemory),
        (Some("show"), Some("interfaces")) => match w.next() {
            None => Ok(Command::ShowInterfaces { summary: false }),
            Some("summary") => end(w, Command::ShowInterfaces { summary: true }),
            Some(x) => Err(syntax(x)),
        },
        (Some("show"), Some("symbols")) => match w.next() {
            None => Ok(Command::ShowSymbols(None)),
            Some(x) => end(
                w,
                Command::ShowSymbols(Some(x.trim_matches('"').to_string())),
            ),
        },
        (Some("show"), Some(x @ ("ospf" | "static" | "bfd"))) => Err(Refused(
            9002,
            format!("`show {x}` is not supported by Wren yet (issue 6)"),
        )),
        (Some("down"), None) => Ok(Command::Down),
        (Some("debug"), Some(target)) => debug(target, line, spans.get(2..).unwrap_or_default()),
        (Some("configure"), Some("check")) => end(w, Command::ConfigureCheck),
        (Some("configure"), x) => {
            // `configure [soft] ["FILE"]`: BIRD's soft reconfiguration only
            // differs for filters, which Wren always re-applies in place.
            let mut file = None;
            for x in x.into_iter().chain(w) {
                match x {
                    "soft" if file.is_none() => {}
                    "timeout" | "undo" | "confirm" => {
                        return Err(Refused(
                            9002,
                            format!("`configure {x}` is not supported by Wren yet"),
                        ))
                    }
                    f if file.is_none() => file = Some(f.to_string()),
                    f => return Err(syntax(f)),
                }
            }
            Ok(Command::Configure(file))
        }
        (Some(op @ ("enable" | "disable" | "restart")), Some(target)) => {
            let op = match op {
                "enable" => ProtoOp::Enable,
                "disable" => ProtoOp::Disable,
                _ => ProtoOp::Restart,
            };
            end(w, Command::Protocols(op, target.to_string()))
        }
        (Some("reload"), Some(x)) => {
            let (inbound, outbound, which) = match x {
                "in" => (true, false, w.next()),
                "out" => (false, true, w.next()),
                other => (true, true, Some(other)),
            };
            let which = which.ok_or_else(|| syntax("end of input"))?.to_string();
            end(
                w,
                Command::Reload {
                    inbound,
                    outbound,
                    which,
                },
            )
        }
        (Some(x @ ("enable" | "disable" | "restart" | "reload" | "debug")), None) => {
            Err(syntax(&format!("end of input after `{x}`")))
        }
        (Some(x), _) => Err(syntax(x)),
        (None, _) => Err(syntax("end of input")),
    }
}

fn end<'a>(mut w: impl Iterator<Item = &'a str>, c: Command) -> Result<Command, Refused> {
    match w.next() {
        None => Ok(c),
        Some(x) => Err(syntax(x)),
    }
}

/// `debug WHO all|off|CLASS|{ CLASS, ... }`.
fn debug(target: &str, line: &str, rest: &[(String, usize)]) -> Result<Command, Refused> {
    let text = rest
        .first()
        .map_or("", |(_, at)| line.get(*at..).unwrap_or_default());
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    let mut set = DebugClasses::default();
    for w in inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        match w {
            "all" => set.0 = 0x3f,
            "off" => set.0 = 0,
            _ => set.0 |= DebugClasses::bit(w).ok_or_else(|| syntax(w))?,
        }
    }
    if inner.trim().is_empty() {
        return Err(syntax("end of input"));
    }
    Ok(Command::Debug(target.to_string(), set))
}

fn route(line: &str, words: &[(String, usize)]) -> Result<RouteQuery, Refused> {
    let mut q = RouteQuery::default();
    let mut filter = None;
    let mut words = words.iter().map(|(x, at)| (x.as_str(), *at));
    let mut w = std::iter::from_fn(|| {
        let (x, at) = words.next()?;
        if x == "where" || x == "filter" {
            // The rest of the line is the filter, quotes and all.
            filter = Some(line.get(at..).unwrap_or_default().to_string());
            return None;
        }
        Some(x)
    });
    let mut export = None;
    while let Some(x) = w.next() {
        match x {
            "export" | "noexport" | "preexport" => {
                let view = match x {
                    "export" => ExportView::Export,
                    "noexport" => ExportView::NoExport,
                    _ => ExportView::PreExport,
                };
                let p = w.next().ok_or_else(|| syntax("end of input"))?;
                export = Some((view, p.to_string()));
                continue;
            }
            "all" => q.all = true,
            "count" => q.count = true,
            "primary" => q.primary = true,
            "for" => {
                let a = w.next().ok_or_else(|| syntax("end of input"))?;
                let addr = a.split('/').next().unwrap_or(a);
                q.for_addr = Some(addr.parse().map_err(|_| syntax(a))?);
            }
            "protocol" => q.protocol = Some(w.next().ok_or_else(|| syntax("end of input"))?.into()),
            "table" => q.table = Some(w.next().ok_or_else(|| syntax("end of input"))?.into()),
            "import" | "stats" => {
                return Err(Refused(
                    9002,
                    format!("`show route {x}` is not supported by Wren yet (issue 6)"),
                ))
            }
            _ => q.prefix = Some(x.parse().map_err(|_| syntax(x))?),
        }
    }
    // Options may follow the filter (`show route where EXPR count`): the
    // trailing words that are options, not part of an expression.
    if let Some(mut f) = filter {
        loop {
            let t = f.trim_end();
            let (head, last) = t.rsplit_once(char::is_whitespace).unwrap_or(("", t));
            match last {
                "count" => q.count = true,
                "all" => q.all = true,
                "primary" => q.primary = true,
                _ => break,
            }
            f = head.to_string();
        }
        q.filter = Some(f);
    }
    q.export = export;
    Ok(q)
}

/// Words and where each starts in `line`, with BIRD's double-quoted
/// strings kept whole (quotes removed).
fn split(line: &str) -> Result<Vec<(String, usize)>, Refused> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let at = line.len() - rest.len();
        if let Some(q) = rest.strip_prefix('"') {
            let close = q.find('"').ok_or_else(|| syntax("end of input"))?;
            words.push((q.get(..close).unwrap_or_default().to_string(), at));
            rest = q.get(close + 1..).unwrap_or_default().trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push((rest.get(..end).unwrap_or_default().to_string(), at));
            rest = rest.get(end..).unwrap_or_default().trim_start();
        }
    }
    Ok(words)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn commands_birdc_sends() {
        assert_eq!(parse("show status"), Ok(Command::ShowStatus));
        assert_eq!(
            parse("show protocols all \"Mesh_*\""),
            Ok(Command::ShowProtocols {
                all: true,
                pattern: Some("Mesh_*".into())
            })
        );
        let Ok(Command::ShowRoute(q)) = parse("show route for 10.1.0.5 all protocol peer_a") else {
            panic!("not a route query");
        };
        assert!(q.all);
        assert_eq!(q.for_addr, Some("10.1.0.5".parse().unwrap()));
        assert_eq!(q.protocol.as_deref(), Some("peer_a"));
        let Ok(Command::ShowRoute(q)) = parse("show route 10.1.0.0/24 count") else {
            panic!("not a route query");
        };
        assert!(q.count && q.prefix.is_some());
    }

    #[test]
    fn route_filters_keep_their_text() {
        let Ok(Command::ShowRoute(q)) =
            parse("show route all where proto = \"peer_a\" && bgp_path.len > 1")
        else {
            panic!("not a route query");
        };
        assert!(q.all);
        assert_eq!(
            q.filter.as_deref(),
            Some("where proto = \"peer_a\" && bgp_path.len > 1")
        );
        let Ok(Command::ShowRoute(q)) = parse("show route export peer_b filter { accept; }") else {
            panic!("not a route query");
        };
        assert_eq!(q.export, Some((ExportView::Export, "peer_b".into())));
        assert_eq!(q.filter.as_deref(), Some("filter { accept; }"));
        let Ok(Command::ShowRoute(q)) = parse("show route where net.len > 8 count") else {
            panic!("not a route query");
        };
        assert!(q.count);
        assert_eq!(q.filter.as_deref(), Some("where net.len > 8"));
        assert_eq!(
            parse("debug \"peer_*\" { states, packets }"),
            Ok(Command::Debug("peer_*".into(), DebugClasses(0b10_0001)))
        );
        assert_eq!(
            parse("debug all off"),
            Ok(Command::Debug("all".into(), DebugClasses(0)))
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        assert_eq!(parse("show foo").unwrap_err().0, 9001);
        assert_eq!(parse("show route 10.1.0.0/33").unwrap_err().0, 9001);
        assert_eq!(parse("configure soft"), Ok(Command::Configure(None)));
        assert_eq!(parse("configure check"), Ok(Command::ConfigureCheck));
        assert_eq!(
            parse("configure soft \"/tmp/other.conf\""),
            Ok(Command::Configure(Some("/tmp/other.conf".into())))
        );
        assert_eq!(parse("configure undo").unwrap_err().0, 9002);
        assert_eq!(parse("debug peer_a").unwrap_err().0, 9001);
        assert_eq!(parse("debug all { states, bogus }").unwrap_err().0, 9001);
        assert_eq!(parse("show status now").unwrap_err().0, 9001);
    }
}
