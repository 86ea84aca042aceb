//! Postman test scripts turned into declarative `capture:` and `expect:` where they say
//! something declarative (no JavaScript engine). The script is read as a tree of blocks
//! (`tree`); each block is taken by what its head says (`guard`):
//!
//! - a `pm.test` callback, `try`, `finally`: what is inside is read;
//! - `catch (e)` that only logs: nothing to check;
//! - `if (pm.response.code === 200)` (a 2xx status, `||` of them, `responseCode.code`, a
//!   name holding such a condition): what is inside is read, and the status becomes an
//!   expectation (Postman would skip the checks on another status; baton fails the request,
//!   which a 2xx guard means to be the right outcome anyway);
//! - an `if`/`else if` whose branch only logs (`console.*`) is a diagnostic: it checks
//!   nothing, and a final `else` after such branches is the normal path, read as if it
//!   stood alone;
//! - `LIST.forEach(function (item) {…})` and `for (var i = 0; i < LIST.length; i++)`:
//!   checks of the element, each as a filter that selects the elements failing it,
//!   expected to select none (`each`);
//! - any other block (another `if`, nested loops, callbacks of `pm.sendRequest`,
//!   functions): not converted, as a whole.
//!
//! Statements (`stmt`): aliases of the body (`var d = pm.response.json()`,
//! `JSON.parse(responseBody)`, `d.items[0]`, `x = d.a`, `|| {}`), status flags (`var ok =
//! responseCode.code === 200`), names given a value once (`const codes = [200, 201]`),
//! captures (`pm.environment.set("x", d.a)` and siblings, of a path, a header, a cookie, the
//! status or the body), assertions (`chain.rs`), legacy `tests[…] = …` (`legacy`), one-line
//! `pm.test(…)`, and `console.*` (logging).
//!
//! Every code line ends up in exactly one of `converted`, `unconverted` or `logging`.

mod branches;
mod each;
mod first;
mod guard;
mod legacy;
mod lines;
mod schema;
mod stmt;
mod tree;

use crate::import::out::Expect;
use crate::import::postman::js::{Cursor, Seg};
use crate::import::yaml::Y;
use guard::Head;
pub(super) use lines::code_lines;
use lines::strip_comments;
use std::collections::HashMap;
use tree::{Block, Node};

/// What one script became.
#[derive(Debug, Default, Clone)]
pub(super) struct Converted {
    pub expect: Expect,
    /// `(postman name, source)`.
    pub captures: Vec<(String, Y)>,
    /// `(line number from 1, text)` of every line not converted.
    pub unconverted: Vec<(usize, String)>,
    /// Recognised, but something about it needs saying (a conflicting expectation).
    pub notes: Vec<(usize, String)>,
    /// Lines of schemas declared over several lines that a converted check uses: converted
    /// with it (a declaration no check takes stays with the script's warned lines).
    pub schema_lines: Vec<usize>,
    /// Code lines (not blank, not comments) that became captures, expectations, variables
    /// or requests, the lines that only open or close a converted block among them.
    pub converted: usize,
    /// `console.*` lines: they change nothing a run checks, and are counted once in the
    /// summary instead of warned one by one.
    pub logging: Vec<(usize, String)>,
}

impl Converted {
    /// Every code line is converted, kept as a warned comment, or logging; what is left is
    /// dropped (a defect of the importer: `convert` asserts there is none in debug builds).
    pub(super) fn dropped(&self, lines: &[String]) -> usize {
        code_lines(lines)
            .len()
            .saturating_sub(self.converted + self.unconverted.len() + self.logging.len())
    }
}

/// The names a script defines that conversion follows: aliases of parts of the body, flags
/// holding a status condition, and names given a value.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub aliases: HashMap<String, Vec<Seg>>,
    pub flags: HashMap<String, Vec<i64>>,
    /// Names given a value once, with the source of the value (`js::Cursor::values`).
    pub values: HashMap<String, String>,
    /// Names the script assigns more than once: none of them is a constant.
    pub assigned: Vec<String>,
    /// Object literals declared once (`var schema = {…}`), with the lines they span.
    pub schemas: HashMap<String, schema::Declared>,
    /// Inside `try` whose `catch` only logs, outside any `pm.test`: a failing check throws
    /// into the catch, and Postman never reports it.
    pub swallowed: bool,
}

/// What became of one line; a line with several parts is the worst of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Logging,
    Converted,
    Unconverted,
}

/// Convert a test script. `reference` writes a Postman variable read as a template.
pub(super) fn convert(lines: &[String], reference: &dyn Fn(&str) -> String) -> Converted {
    convert_with(lines, reference, &|_| true)
}

/// [`convert`], knowing which Postman variables the collection or the environment defines:
/// `if (!(environment.X)) { … }` with `X` defined by neither always runs in Postman.
pub(super) fn convert_with(
    lines: &[String],
    reference: &dyn Fn(&str) -> String,
    defined: &dyn Fn(&str) -> bool,
) -> Converted {
    let mut in_comment = false;
    let code: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i + 1, strip_comments(l, &mut in_comment).trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let nodes = tree::parse(&code);
    let mut tainted = Vec::new();
    // A line kept as not converted must not leave a capture or a check behind (`try { a; }
    // catch (e) { other(); }` on one line): such statements are read again as not
    // recognised, until no line is left in that state.
    let w = loop {
        let mut w = Walk {
            out: Converted::default(),
            marks: HashMap::new(),
            reference,
            defined,
            tainted: &tainted,
            taken: Vec::new(),
        };
        let mut scope = Scope {
            assigned: assigned_again(&code),
            schemas: schema::declarations(&code),
            ..Scope::default()
        };
        w.body(&nodes, &mut scope);
        let more: Vec<usize> = w
            .taken
            .iter()
            .filter(|l| w.marks.get(l) == Some(&Mark::Unconverted) && !tainted.contains(*l))
            .copied()
            .collect();
        if more.is_empty() {
            break w;
        }
        tainted.extend(more);
    };
    let mut w = w;
    let schema_lines = std::mem::take(&mut w.out.schema_lines);
    w.mark(&schema_lines, Mark::Converted);
    let mut out = w.out;
    for (n, raw) in code_lines(lines) {
        match w.marks.get(&n) {
            Some(Mark::Converted) => out.converted += 1,
            Some(Mark::Logging) => out.logging.push((n, raw)),
            // A line no block took is kept as a comment rather than lost.
            Some(Mark::Unconverted) | None => out.unconverted.push((n, raw)),
        }
    }
    debug_assert_eq!(out.dropped(lines), 0, "every code line is accounted for");
    out
}

struct Walk<'r> {
    out: Converted,
    marks: HashMap<usize, Mark>,
    reference: &'r dyn Fn(&str) -> String,
    defined: &'r dyn Fn(&str) -> bool,
    /// Lines whose statements are not to be taken.
    tainted: &'r [usize],
    /// Lines of the statements taken.
    taken: Vec<usize>,
}

impl Walk<'_> {
    fn mark(&mut self, lines: &[usize], m: Mark) {
        for l in lines {
            let e = self.marks.entry(*l).or_insert(m);
            *e = (*e).max(m);
        }
    }

    fn opaque(&mut self, node: &Node) {
        let mut lines = Vec::new();
        node.lines(&mut lines);
        self.mark(&lines, Mark::Unconverted);
    }

    fn body(&mut self, nodes: &[Node], scope: &mut Scope) {
        let mut i = 0;
        while i < nodes.len() {
            let node = &nodes[i];
            i += 1;
            // A schema declared over lines is converted by the check that uses it.
            if schema::declared(node, scope) {
                continue;
            }
            let b = match node {
                Node::Stmt(s) => {
                    let m = if stmt::is_logging(&s.text) {
                        Mark::Logging
                    } else if scope.swallowed {
                        self.swallowed(s, scope)
                    } else if !s.lines.iter().any(|l| self.tainted.contains(l))
                        && stmt::statement(
                            &s.text,
                            scope,
                            self.reference,
                            &mut self.out,
                            s.lines[0],
                        )
                    {
                        self.taken.extend(&s.lines);
                        Mark::Converted
                    } else {
                        Mark::Unconverted
                    };
                    self.mark(&s.lines, m);
                    continue;
                }
                Node::Block(b) => b,
            };
            match guard::head(&b.head) {
                Head::If(_) => {
                    let start = i - 1;
                    while let Some(Node::Block(next)) = nodes.get(i)
                        && matches!(guard::head(&next.head), Head::ElseIf(_) | Head::Else)
                    {
                        i += 1;
                    }
                    self.branches(&nodes[start..i], scope);
                }
                Head::Test => {
                    // A callback: what it declares stays in it, and pm.test reports what
                    // fails in it even inside a try.
                    let mut inner = scope.clone();
                    inner.swallowed = false;
                    self.transparent(b, &mut inner);
                }
                Head::Plain
                    if b.head.trim() == "try"
                        && matches!(nodes.get(i), Some(Node::Block(c))
                            if matches!(guard::head(&c.head), Head::Catch) && only_logging(&c.body)) =>
                {
                    let was = scope.swallowed;
                    scope.swallowed = true;
                    self.transparent(b, scope);
                    scope.swallowed = was;
                }
                Head::Plain => {
                    self.transparent(b, scope);
                }
                Head::Catch if only_logging(&b.body) => {
                    self.transparent(b, scope);
                }
                Head::Each(list, item) | Head::Index(list, item) => {
                    let index = matches!(guard::head(&b.head), Head::Index(..));
                    let mut c = Cursor::new(list);
                    match path(&mut c, &scope.aliases).filter(|_| c.at_end()) {
                        Some(segs) => {
                            let element = each::Element {
                                list,
                                item,
                                index,
                                first: false,
                            };
                            self.each(b, &segs, &element, scope);
                        }
                        None => self.opaque(node),
                    }
                }
                _ => self.opaque(node),
            }
        }
    }

    /// A statement of a `try` whose `catch` only logs: its captures are taken, its checks
    /// check nothing (a failure throws into the catch, which Postman does not report).
    fn swallowed(&mut self, s: &tree::Stmt, scope: &mut Scope) -> Mark {
        let mut trial = Converted::default();
        if s.lines.iter().any(|l| self.tainted.contains(l))
            || !stmt::statement(&s.text, scope, self.reference, &mut trial, s.lines[0])
        {
            return Mark::Unconverted;
        }
        if s.text.trim_start().starts_with("pm.test(") {
            // A test on one line reports its own failure.
            stmt::statement(&s.text, scope, self.reference, &mut self.out, s.lines[0]);
        } else {
            self.out.captures.extend(trial.captures);
        }
        self.taken.extend(&s.lines);
        Mark::Converted
    }

    /// `list.forEach(function (item) {…})`: statements that check the element, each as a
    /// filter (`each`); anything else inside is not converted.
    fn each(&mut self, b: &Block, list: &[Seg], element: &each::Element, scope: &Scope) {
        for n in &b.body {
            let m = match n {
                Node::Stmt(s) if stmt::is_logging(&s.text) => Mark::Logging,
                Node::Stmt(s)
                    if !s.lines.iter().any(|l| self.tainted.contains(l))
                        && each::statement(
                            &s.text,
                            list,
                            element,
                            scope,
                            self.reference,
                            &mut self.out,
                            s.lines[0],
                        ) =>
                {
                    self.taken.extend(&s.lines);
                    Mark::Converted
                }
                _ => Mark::Unconverted,
            };
            let mut lines = Vec::new();
            n.lines(&mut lines);
            self.mark(&lines, m);
        }
        let mut inner = Vec::new();
        for n in &b.body {
            n.lines(&mut inner);
        }
        // A loop none of whose checks converts is kept whole, logging and all.
        let any = inner
            .iter()
            .any(|l| self.marks.get(l) == Some(&Mark::Converted));
        let m = if any {
            Mark::Converted
        } else {
            Mark::Unconverted
        };
        self.mark(&b.lines, m);
        if !any {
            self.mark(&inner, m);
        }
    }

    /// Read the body of `b`; its own lines are converted when something inside is (or all
    /// of it is logging), else not converted with the rest. True when they are.
    fn transparent(&mut self, b: &Block, scope: &mut Scope) -> bool {
        self.body(&b.body, scope);
        let mut inner = Vec::new();
        for n in &b.body {
            n.lines(&mut inner);
        }
        let marks: Vec<Mark> = inner
            .iter()
            .filter_map(|l| self.marks.get(l).copied())
            .collect();
        let ok = marks.contains(&Mark::Converted) || marks.iter().all(|m| *m == Mark::Logging);
        self.mark(
            &b.lines,
            if ok {
                Mark::Converted
            } else {
                Mark::Unconverted
            },
        );
        ok
    }
}

/// Only `console.*`, or blocks (`if`, `else`, `try`, `catch`) of only that: nothing a run
/// checks.
fn only_logging(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Stmt(s) => stmt::is_logging(&s.text),
        Node::Block(b) => {
            !matches!(
                guard::head(&b.head),
                Head::Other | Head::Test | Head::Each(..)
            ) && only_logging(&b.body)
        }
    })
}

/// Names assigned more than once anywhere in the script (`x = …`, `x += …`, `x++`, a second
/// `let x`), so that a value read at its declaration is the one it has everywhere.
fn assigned_again(code: &[(usize, String)]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (_, line) in code {
        for stmt in line.split(';') {
            let mut c = Cursor::new(stmt.trim());
            let Some(mut name) = c.ident() else { continue };
            if matches!(name, "var" | "let" | "const") {
                let Some(n) = c.ident() else { continue };
                name = n;
            }
            let r = c.rest().trim_start();
            let assigns = ["=", "+=", "-=", "*=", "/=", "++", "--", "||=", "??="]
                .iter()
                .any(|op| r.starts_with(op) && !r.starts_with("==") && !r.starts_with("=>"));
            if assigns {
                *seen.entry(name).or_default() += 1;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// A path into the response body: a root (`pm.response.json()`, `JSON.parse(responseBody)`,
/// an alias) and accessors.
pub(super) fn path(c: &mut Cursor, aliases: &HashMap<String, Vec<Seg>>) -> Option<Vec<Seg>> {
    let mut segs = if c.eat("pm.response.json()")
        || c.eat("JSON.parse(responseBody)")
        || c.eat("JSON.parse(pm.response.text())")
    {
        Vec::new()
    } else {
        let save = c.pos;
        let name = c.ident()?;
        if let Some(s) = aliases.get(name) {
            s.clone()
        } else {
            c.pos = save;
            return None;
        }
    };
    segs.extend(c.accessors()?);
    Some(segs)
}

#[cfg(test)]
mod tests;
