//! The interpreter: walks the compiled tree for one route. Values are
//! `Copy` and borrow constants from the program; route strings, paths and
//! community lists are read in place when an operator needs them. Nothing
//! here allocates unless the filter writes a list or prints.

use super::attr::{write, Attr, Owned};
use super::ir::{Expr, ListAttr, ListOp, Stmt};
use super::ops::{arith, community, compare, mask, matches, method};
use super::value::Value;
use super::Function;
use std::fmt::Write as _;
use wren_core::policy::RouteView;
use wren_wire::attributes::{Community, LargeCommunity};

/// Why evaluation stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `accept`
    Accept,
    /// `reject`
    Reject,
    /// A run-time error: the route is rejected (as BIRD does).
    Error(&'static str),
}

/// How a statement ended.
pub enum Flow<'p> {
    /// Go on.
    Normal,
    /// `return`.
    Return(V<'p>),
}

/// Values as evaluation returns them (never borrowing the route).
pub type V<'p> = Value<'p, 'static>;

/// Most variables and arguments one function or filter may have.
pub const MAX_LOCALS: usize = 32;
const MAX_DEPTH: u32 = 64;

/// A function's or filter's variables.
pub type Frame<'p> = [V<'p>; MAX_LOCALS];

/// State of one run.
pub struct Ctx<'o> {
    depth: u32,
    out: &'o mut dyn FnMut(&str),
}

type R<'a, 'b> = &'a mut RouteView<'b>;

/// Runs a body in a fresh frame holding `args`.
pub fn run_body<'p>(
    body: &'p [Stmt],
    args: &[V<'p>],
    r: R<'_, '_>,
    out: &mut dyn FnMut(&str),
) -> Result<Flow<'p>, Stop> {
    let mut ctx = Ctx { depth: 0, out };
    let mut frame: Frame<'p> = [Value::Undef; MAX_LOCALS];
    for (slot, a) in frame.iter_mut().zip(args) {
        *slot = *a;
    }
    block(body, r, &mut frame, &mut ctx)
}

fn block<'p>(
    ss: &'p [Stmt],
    r: R<'_, '_>,
    f: &mut Frame<'p>,
    c: &mut Ctx,
) -> Result<Flow<'p>, Stop> {
    for s in ss {
        if let Flow::Return(v) = stmt(s, r, f, c)? {
            return Ok(Flow::Return(v));
        }
    }
    Ok(Flow::Normal)
}

fn stmt<'p>(s: &'p Stmt, r: R<'_, '_>, f: &mut Frame<'p>, c: &mut Ctx) -> Result<Flow<'p>, Stop> {
    match s {
        Stmt::Accept => return Err(Stop::Accept),
        Stmt::Reject => return Err(Stop::Reject),
        Stmt::Return(e) => {
            let v = match e {
                Some(e) => eval(e, r, f, c)?,
                None => Value::Undef,
            };
            return Ok(Flow::Return(v));
        }
        Stmt::If(cond, a, b) => {
            let t = truth(eval(cond, r, f, c)?)?;
            return block(if t { a } else { b }, r, f, c);
        }
        Stmt::Case(e, arms, default) => {
            let v = eval(e, r, f, c)?;
            let v = resolve(v, r);
            let hit = arms.iter().find(|arm| match &arm.labels {
                super::Const::Set(set) => set.contains(&v) == Some(true),
                _ => false,
            });
            return block(hit.map_or(default.as_slice(), |a| &a.body), r, f, c);
        }
        Stmt::SetLocal(i, e) => {
            let v = eval(e, r, f, c)?;
            let v = match v {
                Value::Ref(a) => detach_attr(a, r)?,
                v => v,
            };
            if let Some(slot) = f.get_mut(usize::from(*i)) {
                *slot = v;
            }
        }
        Stmt::SetAttr(a, e) => {
            let v = eval(e, r, f, c)?;
            let o = Owned::of(resolve(v, r))?;
            write(*a, r, o)?;
        }
        Stmt::Unset(a) => a.unset(r),
        Stmt::List(l, op, e) => {
            let v = eval(e, r, f, c)?;
            list_op(*l, *op, v, r)?;
        }
        Stmt::Prepend(e) => {
            let asn = match eval(e, r, f, c)? {
                Value::Int(i) => u32::try_from(i).map_err(|_| Stop::Error("bad AS number"))?,
                _ => return Err(Stop::Error("prepend needs an AS number")),
            };
            r.attrs_mut()
                .as_path
                .get_or_insert_with(Default::default)
                .prepend(asn);
        }
        Stmt::Print(es, newline) => {
            let mut s = String::new();
            // BIRD prints the values back to back, without separators.
            for e in es {
                let v = eval(e, r, f, c)?;
                let _ = write!(s, "{}", resolve(v, r));
            }
            if *newline {
                s.push('\n');
            }
            (c.out)(&s);
        }
        Stmt::Eval(e) => {
            eval(e, r, f, c)?;
        }
    }
    Ok(Flow::Normal)
}

/// A string, path or list kept in a variable must outlive the route's
/// borrow; only their absence can be.
fn detach_attr<'p>(a: Attr, r: &RouteView<'_>) -> Result<V<'p>, Stop> {
    if a.defined(r) {
        Ok(Value::Ref(a))
    } else {
        Ok(Value::Undef)
    }
}

fn truth(v: V<'_>) -> Result<bool, Stop> {
    match v {
        Value::Bool(b) => Ok(b),
        _ => Err(Stop::Error("condition is not a bool")),
    }
}

/// Reads a deferred attribute.
pub fn resolve<'p, 'r>(v: V<'p>, r: &'r RouteView<'_>) -> Value<'p, 'r> {
    match v {
        Value::Ref(a) => a.read(r),
        v => v,
    }
}

fn int(v: V<'_>) -> Result<i64, Stop> {
    match v {
        Value::Int(i) => Ok(i),
        _ => Err(Stop::Error("expected a number")),
    }
}

fn u32_of(v: V<'_>) -> Result<u32, Stop> {
    u32::try_from(int(v)?).map_err(|_| Stop::Error("number out of range"))
}

/// Evaluates an expression.
pub fn eval<'p>(e: &'p Expr, r: R<'_, '_>, f: &Frame<'p>, c: &mut Ctx) -> Result<V<'p>, Stop> {
    Ok(match e {
        Expr::Const(k) => Value::of_const(k),
        Expr::Local(i) => f.get(usize::from(*i)).copied().unwrap_or(Value::Undef),
        Expr::Attr(a) => match a.read(r) {
            Value::RouteStr(_)
            | Value::Path(_)
            | Value::EmptyPath
            | Value::Clist(_)
            | Value::Eclist(_)
            | Value::Lclist(_) => Value::Ref(*a),
            v => v.detach().unwrap_or(Value::Undef),
        },
        Expr::Defined(x) => match &**x {
            Expr::Attr(a) => Value::Bool(a.defined(r)),
            x => Value::Bool(!matches!(eval(x, r, f, c)?, Value::Undef)),
        },
        Expr::Not(x) => Value::Bool(!truth(eval(x, r, f, c)?)?),
        Expr::And(a, b) => Value::Bool(truth(eval(a, r, f, c)?)? && truth(eval(b, r, f, c)?)?),
        Expr::Or(a, b) => Value::Bool(truth(eval(a, r, f, c)?)? || truth(eval(b, r, f, c)?)?),
        Expr::Cmp(op, a, b) => {
            let (a, b) = (eval(a, r, f, c)?, eval(b, r, f, c)?);
            Value::Bool(compare(*op, resolve(a, r), resolve(b, r))?)
        }
        Expr::Match(yes, a, b) => {
            let (a, b) = (eval(a, r, f, c)?, eval(b, r, f, c)?);
            Value::Bool(matches(resolve(a, r), resolve(b, r))? == *yes)
        }
        Expr::Arith(op, a, b) => {
            let (a, b) = (int(eval(a, r, f, c)?)?, int(eval(b, r, f, c)?)?);
            Value::Int(arith(*op, a, b)?)
        }
        Expr::Pair(a, b) => Value::Pair(u32_of(eval(a, r, f, c)?)?, u32_of(eval(b, r, f, c)?)?),
        Expr::Lc(a, b, x) => Value::Lc(LargeCommunity {
            global: u32_of(eval(a, r, f, c)?)?,
            local1: u32_of(eval(b, r, f, c)?)?,
            local2: u32_of(eval(x, r, f, c)?)?,
        }),
        Expr::Method(m, x) => {
            let v = eval(x, r, f, c)?;
            method(*m, resolve(v, r))?
        }
        Expr::Mask(x, n) => {
            let (v, n) = (eval(x, r, f, c)?, u32_of(eval(n, r, f, c)?)?);
            match v {
                Value::Ip(ip) => Value::Ip(mask(ip, n)),
                _ => return Err(Stop::Error(".mask() needs an address")),
            }
        }
        Expr::Call(func, args) => call(func, args, r, f, c)?,
    })
}

fn call<'p>(
    func: &'p Function,
    args: &'p [Expr],
    r: R<'_, '_>,
    f: &Frame<'p>,
    c: &mut Ctx,
) -> Result<V<'p>, Stop> {
    if c.depth >= MAX_DEPTH {
        return Err(Stop::Error("functions nested too deeply"));
    }
    let mut frame: Frame<'p> = [Value::Undef; MAX_LOCALS];
    for (slot, a) in frame.iter_mut().zip(args) {
        *slot = match eval(a, r, f, c)? {
            Value::Ref(at) => detach_attr(at, r)?,
            v => v,
        };
    }
    c.depth += 1;
    let res = block(&func.body, r, &mut frame, c);
    c.depth -= 1;
    Ok(match res? {
        Flow::Return(v) => v,
        Flow::Normal => Value::Undef,
    })
}

fn list_op(l: ListAttr, op: ListOp, v: V<'_>, r: R<'_, '_>) -> Result<(), Stop> {
    if matches!(v, Value::Ref(_)) {
        return Err(Stop::Error("a route attribute cannot be the argument here"));
    }
    let del = op == ListOp::Delete;
    let wrong = Stop::Error("list operation with a value of the wrong type");
    match (l, op, v) {
        (ListAttr::Community, ListOp::Add, Value::Pair(a, b)) => {
            let c = community(a, b)?;
            if !r.attrs().communities.contains(&c) {
                r.attrs_mut().communities.push(c);
            }
        }
        (ListAttr::Large, ListOp::Add, Value::Lc(x)) => {
            if !r.attrs().large_communities.contains(&x) {
                r.attrs_mut().large_communities.push(x);
            }
        }
        (ListAttr::Ext, ListOp::Add, Value::Ec(x)) => {
            if !r.attrs().ext_communities.contains(&x) {
                r.attrs_mut().ext_communities.push(x);
            }
        }
        (_, ListOp::Add, _) => return Err(wrong),
        (ListAttr::Community, _, v) => {
            let keep = |c: &Community| member_c(*c, &v).map(|h| h != del);
            if !all_kept(&r.attrs().communities, keep)? {
                r.attrs_mut().communities.retain(|c| keep(c) == Some(true));
            }
        }
        (ListAttr::Large, _, v) => {
            let keep = |c: &LargeCommunity| member_l(c, &v).map(|h| h != del);
            if !all_kept(&r.attrs().large_communities, keep)? {
                r.attrs_mut()
                    .large_communities
                    .retain(|c| keep(c) == Some(true));
            }
        }
        (ListAttr::Ext, _, v) => {
            let keep = |c: &wren_wire::attributes::ExtCommunity| {
                let h = match &v {
                    Value::Ec(e) => Some(e == c),
                    Value::Set(s) => Some(s.has_ec(c)),
                    _ => None,
                };
                h.map(|h| h != del)
            };
            if !all_kept(&r.attrs().ext_communities, keep)? {
                r.attrs_mut()
                    .ext_communities
                    .retain(|c| keep(c) == Some(true));
            }
        }
    }
    Ok(())
}

/// Whether every member stays (then the route keeps its shared
/// attributes, uncopied).
fn all_kept<T>(list: &[T], keep: impl Fn(&T) -> Option<bool>) -> Result<bool, Stop> {
    let mut all = true;
    for x in list {
        all &= keep(x).ok_or(Stop::Error("list operation with a value of the wrong type"))?;
    }
    Ok(all)
}

fn member_c(c: Community, v: &Value<'_, '_>) -> Option<bool> {
    Some(match v {
        Value::Pair(a, b) => u32::from(c.asn()) == *a && u32::from(c.value()) == *b,
        Value::Set(s) => s.has_community(c),
        Value::Clist(l) => l.contains(&c),
        _ => return None,
    })
}

fn member_l(c: &LargeCommunity, v: &Value<'_, '_>) -> Option<bool> {
    Some(match v {
        Value::Lc(x) => x == c,
        Value::Set(s) => s.has_lc(c),
        Value::Lclist(l) => l.contains(c),
        _ => return None,
    })
}
