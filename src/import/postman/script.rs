//! Postman test scripts turned into declarative `capture:` and `expect:` where they say
//! something declarative, line by line (no JavaScript engine). What is recognised, exactly:
//!
//! - `var|let|const NAME = pm.response.json()` (or `JSON.parse(responseBody)`, or a path
//!   below either, or below another such name): NAME is an alias of that path;
//! - `pm.environment|collectionVariables|globals|variables.set("x", V)` and
//!   `postman.setEnvironmentVariable|setGlobalVariable("x", V)`, with V a path
//!   (`jsonData.a["b-c"][0]`), `pm.response.headers.get("H")`, `pm.response.code`,
//!   `pm.response.text()`/`responseBody` or `pm.cookies.get("c")` → `capture`;
//! - `pm.response.to.have.status(N)`, `pm.response.to.be.ok|success|…`,
//!   `pm.response.to.have.header("H"[, v])`, `pm.response.to.have.body("t")`,
//!   `pm.response.to.have.jsonBody("a.b")`, `pm.response.to.be.json`, and
//!   `pm.expect(S).CHAIN` (see `chain.rs`) → `expect`;
//! - legacy `tests["…"] = responseCode.code === N`, `= PATH === v` and `= responseBody.has("t")`;
//! - `pm.test("…", function () {` / `() => {` openers, their closing `});`, an arrow body on
//!   one line (`pm.test("…", () => S)`), blank lines and comments.
//!
//! A statement is recognised only at the top level or directly in a `pm.test` callback:
//! inside any other block (`if`, `for`, `forEach`, a function, `try`) it is conditional, and
//! the whole block is reported as not converted.

use super::chain;
use super::js::{Cursor, Seg, jsonpath};
use crate::import::out::Expect;
use crate::import::yaml::Y;
use std::collections::HashMap;

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
    /// Code lines (not blank, not comments) that became captures, expectations, variables
    /// or requests, the lines that only open or close a converted block among them.
    pub converted: usize,
    /// `console.*` lines: they change nothing a run checks, and are counted once in the
    /// summary instead of warned one by one.
    #[allow(dead_code)] // read by the tally (issue 20), being built
    pub logging: Vec<(usize, String)>,
}

impl Converted {
    /// Every code line is converted, kept as a warned comment, or logging; what is left is
    /// dropped (a defect of the importer, counted by `bench/postman-corpus.sh`).
    #[allow(dead_code)]
    pub(super) fn dropped(&self, lines: &[String]) -> usize {
        code_lines(lines)
            .len()
            .saturating_sub(self.converted + self.unconverted.len() + self.logging.len())
    }
}

enum Block {
    Test,
    Other,
}

/// Convert a test script. `reference` writes a Postman variable read as a template.
pub(super) fn convert(lines: &[String], reference: &dyn Fn(&str) -> String) -> Converted {
    let mut out = Converted::default();
    let mut aliases: HashMap<String, Vec<Seg>> = HashMap::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_comment = false;
    for (n, raw) in lines.iter().enumerate() {
        let n = n + 1;
        let code = strip_comments(raw, &mut in_comment);
        let line = code.trim();
        if line.is_empty() {
            continue;
        }
        let conditional = blocks.iter().any(|b| matches!(b, Block::Other));
        if !conditional && let Some(rest) = test_opener(line) {
            blocks.push(Block::Test);
            let rest = rest.trim();
            if rest.is_empty() {
                continue;
            }
            let (stmt, closes) = split_closer(rest);
            if closes {
                blocks.pop();
            }
            if !stmt.is_empty() && !statement(stmt, &mut aliases, reference, &mut out, n) {
                out.unconverted.push((n, raw.trim().to_string()));
            }
            continue;
        }
        if is_closer(line) {
            match blocks.pop() {
                Some(Block::Test) => {}
                Some(Block::Other) | None => out.unconverted.push((n, raw.trim().to_string())),
            }
            continue;
        }
        if !conditional
            && let Some(stmt) = arrow_test(line)
            && statement(stmt, &mut aliases, reference, &mut out, n)
        {
            continue;
        }
        if !conditional && statement(line, &mut aliases, reference, &mut out, n) {
            continue;
        }
        out.unconverted.push((n, raw.trim().to_string()));
        let (opens, closes) = braces(line);
        for _ in 0..opens.saturating_sub(closes) {
            blocks.push(Block::Other);
        }
        for _ in 0..closes.saturating_sub(opens) {
            blocks.pop();
        }
    }
    out.converted = code_lines(lines)
        .len()
        .saturating_sub(out.unconverted.len());
    out
}

/// Every line of a script that is not blank or a comment (for pre-request scripts, which
/// have no declarative equivalent).
pub(super) fn code_lines(lines: &[String]) -> Vec<(usize, String)> {
    let mut in_comment = false;
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !strip_comments(l, &mut in_comment).trim().is_empty())
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

/// The line without `// …` and `/* … */` (outside strings).
fn strip_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if *in_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                *in_comment = false;
            }
            continue;
        }
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(e) = chars.next() {
                        out.push(e);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    *in_comment = true;
                }
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    out.push(c);
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// `{` and `}` outside strings.
fn braces(line: &str) -> (usize, usize) {
    let (mut open, mut close, mut quote) = (0, 0, None::<char>);
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '{' => open += 1,
                '}' => close += 1,
                _ => {}
            },
        }
    }
    (open, close)
}

fn is_closer(line: &str) -> bool {
    matches!(line, "}" | "};" | "})" | "});" | "})," | "});;")
}

/// `pm.test("…", function () {` or `() => {`: what follows the `{`.
fn test_opener(line: &str) -> Option<&str> {
    let mut c = Cursor::new(line);
    if !c.eat("pm.test(") {
        return None;
    }
    c.string()?;
    if !c.eat(",") {
        return None;
    }
    let head =
        c.eat("function") && c.eat("(") && c.eat(")") || (c.eat("(") && c.eat(")") && c.eat("=>"));
    (head && c.eat("{")).then(|| c.rest())
}

/// `pm.test("…", () => S);` on one line: S.
fn arrow_test(line: &str) -> Option<&str> {
    let mut c = Cursor::new(line);
    if !(c.eat("pm.test(")
        && c.string().is_some()
        && c.eat(",")
        && c.eat("(")
        && c.eat(")")
        && c.eat("=>"))
    {
        return None;
    }
    let body = c.rest().trim().trim_end_matches(';').trim_end();
    body.strip_suffix(')').map(str::trim)
}

/// `S });` → (`S`, true).
fn split_closer(rest: &str) -> (&str, bool) {
    let t = rest.trim_end().trim_end_matches(';').trim_end();
    match t.strip_suffix("})") {
        Some(stmt) => (stmt.trim(), true),
        None => (rest.trim(), false),
    }
}

/// One statement; false when it is not one of the recognised shapes. Several statements on
/// one line (`a; b`) are each recognised, or the line is not.
fn statement(
    stmt: &str,
    aliases: &mut HashMap<String, Vec<Seg>>,
    reference: &dyn Fn(&str) -> String,
    out: &mut Converted,
    n: usize,
) -> bool {
    let parts = split_statements(stmt);
    if parts.len() > 1 {
        let mut trial = Converted::default();
        let mut trial_aliases = aliases.clone();
        for p in &parts {
            if !statement(p, &mut trial_aliases, reference, &mut trial, n) {
                return false;
            }
        }
        *aliases = trial_aliases;
        merge(out, trial);
        return true;
    }
    let mut c = Cursor::new(stmt);
    if let Some(found) = alias(&mut c, aliases) {
        aliases.insert(found.0, found.1);
        return true;
    }
    let mut c = Cursor::new(stmt);
    if let Some((name, source)) = capture(&mut c, aliases) {
        out.captures.retain(|(n, _)| *n != name);
        out.captures.push((name, source));
        return true;
    }
    let mut found = Expect::default();
    if chain::expectation(stmt, aliases, reference, &mut found) {
        let mut into = std::mem::take(&mut out.expect);
        if !add_expect(&mut into, &found) {
            out.notes.push((n, format!("`{}` checks what an earlier line checks, with another value: only the first is kept (an expectation holds one predicate of each kind)", stmt.trim())));
        }
        out.expect = into;
        return true;
    }
    false
}

fn merge(out: &mut Converted, other: Converted) {
    for (name, source) in other.captures {
        out.captures.retain(|(n, _)| *n != name);
        out.captures.push((name, source));
    }
    let _ = add_expect(&mut out.expect, &other.expect);
    out.notes.extend(other.notes);
}

/// Add `found` to `into`; false when it contradicts what is there.
fn add_expect(into: &mut Expect, found: &Expect) -> bool {
    let mut ok = true;
    if let Some(s) = &found.status {
        match &into.status {
            Some(existing) => ok &= existing == s,
            None => into.status = Some(s.clone()),
        }
    }
    for (list, theirs) in [
        (&mut into.headers, &found.headers),
        (&mut into.body, &found.body),
    ] {
        for (subject, preds) in theirs {
            for (op, v) in preds {
                ok &= Expect::add(list, subject, op, v.clone());
            }
        }
    }
    for (op, v) in &found.duration {
        if !into.duration.iter().any(|(o, _)| o == op) {
            into.duration.push((op.clone(), v.clone()));
        }
    }
    ok
}

/// `a; b;` → [a, b] (semicolons outside strings and brackets).
fn split_statements(stmt: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start, mut escaped) = (0i32, None::<char>, 0, false);
    for (i, c) in stmt.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ';' if depth == 0 => {
                    parts.push(stmt[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    parts.push(stmt[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
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

/// `var NAME = PATH;`
fn alias(c: &mut Cursor, aliases: &HashMap<String, Vec<Seg>>) -> Option<(String, Vec<Seg>)> {
    let kw = c.ident()?;
    if !matches!(kw, "var" | "let" | "const") {
        return None;
    }
    let name = c.ident()?.to_string();
    if !c.eat("=") {
        return None;
    }
    let segs = path(c, aliases)?;
    if matches!(segs.last(), Some(Seg::Name(n)) if n == "length") {
        return None;
    }
    c.at_end().then_some((name, segs))
}

/// `pm.environment.set("x", SOURCE)` and its siblings.
fn capture(c: &mut Cursor, aliases: &HashMap<String, Vec<Seg>>) -> Option<(String, Y)> {
    let setters = [
        "pm.environment.set(",
        "pm.collectionVariables.set(",
        "pm.globals.set(",
        "pm.variables.set(",
        "postman.setEnvironmentVariable(",
        "postman.setGlobalVariable(",
    ];
    if !setters.iter().any(|s| c.eat(s)) {
        return None;
    }
    let name = c.string()?;
    if !c.eat(",") {
        return None;
    }
    let source = if c.eat("pm.response.headers.get(") || c.eat("postman.getResponseHeader(") {
        let h = c.string()?;
        c.eat(")")
            .then(|| Y::map([("header", Y::Str(h.to_ascii_lowercase()))]))?
    } else if c.eat("pm.cookies.get(") {
        let k = c.string()?;
        c.eat(")").then(|| Y::map([("cookie", Y::Str(k))]))?
    } else if c.eat("pm.response.code") || c.eat("responseCode.code") {
        Y::map([("status", Y::Bool(true))])
    } else if c.eat("pm.response.text()") || c.eat("responseBody") {
        Y::map([("body", Y::Bool(true))])
    } else {
        let segs = path(c, aliases)?;
        if matches!(segs.last(), Some(Seg::Name(n)) if n == "length") {
            return None;
        }
        Y::Str(jsonpath(&segs))
    };
    (c.eat(")") && c.at_end()).then_some((name, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&str]) -> Converted {
        let lines: Vec<String> = lines.iter().map(std::string::ToString::to_string).collect();
        convert(&lines, &|n| n.to_string())
    }

    #[test]
    fn statements_in_test_callbacks_convert_and_conditional_ones_do_not() {
        let c = run(&[
            "var jsonData = pm.response.json();",
            "const items = jsonData.data.items; // the list",
            "pm.test(\"x\", function () {",
            "    pm.expect(items.length).to.eql(2); pm.expect(items[0][\"a-b\"]).to.equal('v');",
            "});",
            "if (items.length) {",
            "    pm.environment.set(\"first\", items[0].id);",
            "    pm.test('nested', () => { pm.response.to.have.status(201); });",
            "}",
            "pm.environment.set(\"last\", jsonData.data.items[1].id);",
        ]);
        assert_eq!(c.expect.body.len(), 2, "{:?}", c.expect.body);
        assert_eq!(c.expect.body[0].0, "$.data.items");
        assert_eq!(c.expect.body[0].1, vec![("length".to_string(), Y::Int(2))]);
        assert_eq!(c.expect.body[1].0, "$.data.items[0]['a-b']");
        assert_eq!(
            c.captures,
            vec![("last".to_string(), Y::str("$.data.items[1].id"))]
        );
        assert!(
            c.expect.status.is_none(),
            "the status check was inside `if`"
        );
        let lines: Vec<usize> = c.unconverted.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [6, 7, 8, 9]);
    }

    #[test]
    fn unknown_shapes_are_not_guessed() {
        let c = run(&[
            "pm.expect(jsonData.a).to.eql(1);",
            "var n = 5;",
            "pm.environment.set('x', 'literal');",
            "pm.environment.set('y', pm.response.json().items.length);",
            "pm.expect(pm.response.json().a).to.be.empty;",
            "pm.expect(pm.response.json().a).to.eql(someVariable);",
            "pm.response.to.have.status(200); console.log('x');",
            "/* pm.response.to.have.status(500);",
            "   still a comment */ pm.response.to.have.status(202);",
        ]);
        assert_eq!(c.unconverted.len(), 7, "{:?}", c.unconverted);
        assert!(c.captures.is_empty());
        assert_eq!(c.expect.status, Some(Y::Int(202)));
    }
}
