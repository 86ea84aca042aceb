//! `if … else if … else` chains: each branch classified (a 2xx status guard, a branch that
//! only logs, the normal path after those, checks of a list's first element and their
//! `else`, a block a variable nobody sets always runs, captures made only when a value is
//! there), then read, or the whole chain not converted.

use super::guard::Head;
use super::tree::Node;
use super::{Scope, Walk, guard, legacy, only_logging, stmt};
use crate::import::out::Expect;
use crate::import::yaml::{Entry, Y};

/// How a branch of an `if` chain is taken.
#[derive(Debug, PartialEq)]
enum Branch {
    /// It only logs.
    Log,
    /// `if (status is 2xx)`: read, with the status as an expectation.
    Guard(Vec<i64>),
    /// The `else` after branches that only log.
    Normal,
    /// `if (L.length)` around checks of `L[0]` (`first.rs`).
    First,
    /// The `else` after `First`: not converted, without making `First` so.
    Rest,
    /// `if (!(environment.X))` with `X` defined nowhere: always runs.
    Unset,
    /// `if (typeof X != "undefined")` around captures only: each an optional capture.
    Present,
    Opaque,
}

impl Walk<'_> {
    /// `if … else if … else`: each branch classified, then read, or the whole not converted.
    pub(super) fn branches(&mut self, chain: &[Node], scope: &mut Scope) {
        let mut kinds: Vec<Branch> = Vec::new();
        for node in chain {
            let Node::Block(b) = node else { continue };
            let cond = match guard::head(&b.head) {
                Head::If(c) | Head::ElseIf(c) => Some(c),
                _ => None,
            };
            let kind = if only_logging(&b.body) {
                Branch::Log
            } else if let Some(c) = cond {
                match guard::status_cond(c, &scope.flags) {
                    Some(codes) if codes.iter().all(|n| (200..300).contains(n)) => {
                        Branch::Guard(codes)
                    }
                    _ if kinds.is_empty() && guard::non_empty(c).is_some() => Branch::First,
                    _ if kinds.is_empty()
                        && chain.len() == 1
                        && guard::unset_variable(c).is_some_and(|x| !(self.defined)(x)) =>
                    {
                        Branch::Unset
                    }
                    _ if chain.len() == 1
                        && guard::defined(c).is_some()
                        && b.body.iter().all(|n| match n {
                            Node::Stmt(s) => stmt::is_logging(&s.text) || stmt::is_set(&s.text),
                            Node::Block(_) => false,
                        }) =>
                    {
                        Branch::Present
                    }
                    _ => Branch::Opaque,
                }
            } else if kinds.iter().all(|k| *k == Branch::Log) {
                Branch::Normal
            } else if kinds == [Branch::First] {
                Branch::Rest
            } else {
                Branch::Opaque
            };
            kinds.push(kind);
        }
        let taken = kinds
            .iter()
            .filter(|k| matches!(k, Branch::Guard(_) | Branch::Normal))
            .count();
        if kinds.contains(&Branch::Opaque) || taken > 1 {
            for n in chain {
                self.opaque(n);
            }
            return;
        }
        for (node, kind) in chain.iter().zip(kinds) {
            let Node::Block(b) = node else { continue };
            match kind {
                Branch::First => {
                    self.first(b, scope);
                    continue;
                }
                Branch::Rest => {
                    if let Some(Node::Block(first)) = chain.first() {
                        self.rest(first, b, scope);
                    }
                    continue;
                }
                Branch::Present => {
                    // Postman sets the variables only when the value is there; an optional
                    // capture leaves them as they were otherwise.
                    let from = self.out.captures.len();
                    self.transparent(b, scope);
                    for (_, source) in &mut self.out.captures[from..] {
                        optional(source);
                    }
                    continue;
                }
                Branch::Unset => {
                    let n = b.lines.first().copied().unwrap_or(0);
                    self.out.notes.push((n, format!("`{}`: the variable is defined by neither the collection nor the environment, so Postman runs this block; it is read as always run", b.head)));
                    self.transparent(b, scope);
                    continue;
                }
                _ => {}
            }
            let read = self.transparent(b, scope);
            if let Branch::Guard(codes) = kind
                && read
            {
                let status = Expect {
                    status: Some(legacy::status(&codes)),
                    ..Expect::default()
                };
                if !stmt::add_expect(&mut self.out.expect, &status) {
                    let n = b.lines.first().copied().unwrap_or(0);
                    self.out.notes.push((n, format!("`{}` guards on a status an earlier line expects otherwise: only the first is kept", b.head)));
                }
            }
        }
    }
}

/// A capture's source, made optional.
fn optional(source: &mut Y) {
    match source {
        Y::Map(entries) => entries.push(Entry {
            comments: Vec::new(),
            key: "optional".into(),
            value: Y::Bool(true),
        }),
        other => {
            let path = std::mem::replace(other, Y::Null);
            *other = Y::map([("jsonpath", path), ("optional", Y::Bool(true))]);
        }
    }
}
