//! JSON Schema checks of a test script as `expect: { schema: ... }`, written inline:
//!
//! - `tests["valid"] = tv4.validate(DATA, SCHEMA)`,
//!   `pm.expect(tv4.validate(DATA, SCHEMA)).to.be.true` (or `.ok`, `.eql(true)`);
//! - `pm.response.to.have.jsonSchema(SCHEMA)`, `pm.expect(DATA).to.have.jsonSchema(SCHEMA)`;
//!
//! where DATA is the whole body (`pm.response.json()`, `JSON.parse(responseBody)`, an alias
//! of it) and SCHEMA an object literal, or a name the script declares once as one
//! (`var schema = {…}` over as many lines as it takes). Inline, not a file beside the
//! collection: the schema stood in the script next to its check, and stays next to it.
//!
//! tv4 implements draft 4 and Postman's `jsonSchema` (Ajv) draft 7 by default: a schema
//! without `$schema` is given that draft, so that it means what it meant in Postman (draft
//! 4 and 7 read `items: [...]` as a tuple, 2020-12 as every item). A schema that is not
//! valid in its draft (tv4 ignores much) is not converted, with a note saying why.

use super::{Converted, Scope};
use crate::import::postman::js::Cursor;
use crate::import::yaml::Y;
use serde_json::{Map, Value};
use std::collections::HashMap;

const DRAFT_4: &str = "http://json-schema.org/draft-04/schema#";
const DRAFT_7: &str = "http://json-schema.org/draft-07/schema#";

/// A name given an object literal: its value, the lines it spans, and the names of other
/// literals it reads.
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    value: Value,
    lines: Vec<usize>,
    reads: Vec<String>,
}

/// `var|let|const NAME = {…}` whose value is a literal, over one line or several, by name.
/// A name declared twice is left out.
pub(super) fn declarations(code: &[(usize, String)]) -> HashMap<String, Declared> {
    let mut out: HashMap<String, Declared> = HashMap::new();
    let mut twice = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let start = i;
        i += 1;
        let mut c = Cursor::new(&code[start].1);
        if !matches!(c.ident(), Some("var" | "let" | "const")) {
            continue;
        }
        let Some(name) = c.ident() else { continue };
        if !c.eat("=") || !c.rest().trim_start().starts_with('{') {
            continue;
        }
        // The lines up to the one that closes the literal's braces.
        let mut text = code[start].1.clone();
        let mut depth = braces(&text);
        while depth > 0 && i < code.len() {
            text.push(' ');
            text.push_str(&code[i].1);
            depth += braces(&code[i].1);
            i += 1;
        }
        let lines: Vec<usize> = code[start..i].iter().map(|(n, _)| *n).collect();
        let mut c = Cursor::new(&text);
        let _ = (c.ident(), c.ident(), c.eat("="));
        let known: HashMap<&str, &Value> =
            out.iter().map(|(k, d)| (k.as_str(), &d.value)).collect();
        let mut reads = Vec::new();
        let Some(value) = literal(&mut c, &known, &mut reads, 0).filter(|_| c.at_end()) else {
            continue;
        };
        let d = Declared {
            value,
            lines,
            reads,
        };
        if out.insert(name.to_string(), d).is_some() {
            twice.push(name.to_string());
        }
    }
    for name in twice {
        out.remove(&name);
    }
    out
}

/// Whether `node` is a literal declared over several lines (a block of the script's tree):
/// it is converted with the check that uses it, or warned with the lines no one took.
pub(super) fn declared(node: &super::tree::Node, scope: &Scope) -> bool {
    if !matches!(node, super::tree::Node::Block(_)) {
        return false;
    }
    let mut lines = Vec::new();
    node.lines(&mut lines);
    scope.schemas.values().any(|d| {
        lines.first().is_some_and(|l| d.lines.contains(l))
            && lines.iter().all(|l| d.lines.contains(l))
    })
}

/// Net depth of `{` over `}` outside strings.
fn braces(s: &str) -> i32 {
    let mut d = 0;
    super::tree::scan(s, |_, c| {
        match c {
            '{' => d += 1,
            '}' => d -= 1,
            _ => {}
        }
        false
    });
    d
}

/// A JavaScript literal as JSON: strings in any quotes, numbers, `true`/`false`/`null`,
/// arrays and objects (keys quoted or not, a trailing comma allowed), and names declared
/// before as literals.
fn literal(
    c: &mut Cursor,
    known: &HashMap<&str, &Value>,
    reads: &mut Vec<String>,
    depth: usize,
) -> Option<Value> {
    if depth > 64 {
        return None;
    }
    c.ws();
    match c.rest().chars().next()? {
        '\'' | '"' => c.string().map(Value::String),
        '-' | '0'..='9' => match c.number()? {
            Y::Int(i) => Some(Value::from(i)),
            Y::Float(f) => serde_json::Number::from_f64(f).map(Value::Number),
            _ => None,
        },
        '[' => {
            c.eat("[");
            let mut items = Vec::new();
            loop {
                if c.eat("]") {
                    return Some(Value::Array(items));
                }
                items.push(literal(c, known, reads, depth + 1)?);
                if !c.eat(",") && !c.rest().trim_start().starts_with(']') {
                    return None;
                }
            }
        }
        '{' => {
            c.eat("{");
            let mut map = Map::new();
            loop {
                if c.eat("}") {
                    return Some(Value::Object(map));
                }
                let key = match c.string() {
                    Some(k) => k,
                    None => c.ident()?.to_string(),
                };
                if !c.eat(":") {
                    return None;
                }
                map.insert(key, literal(c, known, reads, depth + 1)?);
                if !c.eat(",") && !c.rest().trim_start().starts_with('}') {
                    return None;
                }
            }
        }
        _ => match c.ident()? {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            "null" => Some(Value::Null),
            name => {
                let v = known.get(name).map(|v| (*v).clone())?;
                reads.push(name.to_string());
                Some(v)
            }
        },
    }
}

/// Recognise a schema check in `stmt` into `out`; false when it is not one.
pub(super) fn statement(stmt: &str, scope: &Scope, out: &mut Converted, n: usize) -> bool {
    let mut reads = Vec::new();
    let Some((schema, draft)) = check(stmt, scope, &mut reads) else {
        return false;
    };
    // `true` and `false` are schemas too, but nobody writes them to tv4.
    let Value::Object(mut schema) = schema else {
        return false;
    };
    if !schema.contains_key("$schema") {
        // `$schema` first, where readers of a schema look for it.
        let mut with = Map::new();
        with.insert("$schema".into(), Value::String(draft.into()));
        with.extend(schema);
        schema = with;
    }
    let schema = Value::Object(schema);
    if let Err(why) = crate::expect::schema::compile("file:///postman/schema.json", schema.clone())
    {
        out.notes.push((
            n,
            format!("`{}` is not converted: its schema is not valid ({why}); Postman's validator let it pass", stmt.trim()),
        ));
        return false;
    }
    let y = Y::from_json(&schema);
    match &out.expect.schema {
        Some(existing) if *existing != y => out.notes.push((
            n,
            format!("`{}` checks the body against another schema: only the first is kept (a request has one `schema`)", stmt.trim()),
        )),
        Some(_) => {}
        None => out.expect.schema = Some(y),
    }
    // The declarations it reads, and those they read, are converted with it.
    while let Some(name) = reads.pop() {
        if let Some(d) = scope.schemas.get(&name) {
            out.schema_lines.extend(&d.lines);
            reads.extend(d.reads.iter().cloned());
        }
    }
    true
}

/// The schema a statement checks the whole body against, and the draft its validator
/// reads a schema without `$schema` in.
fn check(stmt: &str, scope: &Scope, reads: &mut Vec<String>) -> Option<(Value, &'static str)> {
    let mut c = Cursor::new(stmt.trim());
    if c.eat("tests[") {
        c.string()?;
        if !(c.eat("]") && c.eat("=")) {
            return None;
        }
        let schema = tv4(&mut c, scope, reads)?;
        return c.at_end().then_some((schema, DRAFT_4));
    }
    if c.eat("pm.response.to.have.jsonSchema(") || c.eat("pm.response.to.be.jsonSchema(") {
        let schema = schema(&mut c, scope, reads)?;
        return (c.eat(")") && c.at_end()).then_some((schema, DRAFT_7));
    }
    if !c.eat("pm.expect(") {
        return None;
    }
    if c.rest().trim_start().starts_with("tv4.") {
        let schema = tv4(&mut c, scope, reads)?;
        message(&mut c);
        let holds = c.eat(")")
            && [
                ".to.be.true",
                ".to.be.ok",
                ".to.eql(true)",
                ".to.equal(true)",
                ".to.eq(true)",
            ]
            .iter()
            .any(|t| c.eat(t));
        return (holds && c.at_end()).then_some((schema, DRAFT_4));
    }
    whole_body(&mut c, scope)?;
    message(&mut c);
    let ok = c.eat(")") && (c.eat(".to.have.jsonSchema(") || c.eat(".to.be.jsonSchema("));
    if !ok {
        return None;
    }
    let schema = schema(&mut c, scope, reads)?;
    (c.eat(")") && c.at_end()).then_some((schema, DRAFT_7))
}

/// `, "message"` after the value of `pm.expect(value, message)`.
fn message(c: &mut Cursor) {
    let save = c.pos;
    if !(c.eat(",") && c.string().is_some()) {
        c.pos = save;
    }
}

/// `tv4.validate(DATA, SCHEMA)`: the schema. More arguments (`checkRecursive`,
/// `banUnknownProperties`) change what tv4 checks: not converted.
fn tv4(c: &mut Cursor, scope: &Scope, reads: &mut Vec<String>) -> Option<Value> {
    if !c.eat("tv4.validate(") {
        return None;
    }
    whole_body(c, scope)?;
    if !c.eat(",") {
        return None;
    }
    let schema = schema(c, scope, reads)?;
    c.eat(")").then_some(schema)
}

/// The whole response body: `pm.response.json()`, `JSON.parse(responseBody)` or an alias.
fn whole_body(c: &mut Cursor, scope: &Scope) -> Option<()> {
    let segs = super::path(c, &scope.aliases)?;
    segs.is_empty().then_some(())
}

/// An object literal, or a name declared as one.
fn schema(c: &mut Cursor, scope: &Scope, reads: &mut Vec<String>) -> Option<Value> {
    let known: HashMap<&str, &Value> = scope
        .schemas
        .iter()
        .map(|(k, d)| (k.as_str(), &d.value))
        .collect();
    literal(c, &known, reads, 0).filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Vec<(usize, String)> {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .filter(|(_, l)| !l.is_empty())
            .collect()
    }

    #[test]
    fn declarations_over_lines_and_names_within() {
        let d = declarations(&code(
            "var item = { type: 'string', }\nvar schema = {\n  \"type\": \"array\",\n  items: item\n};\nvar x = pm.response.json();",
        ));
        assert_eq!(d["item"].value, serde_json::json!({ "type": "string" }));
        assert_eq!(
            d["schema"].value,
            serde_json::json!({ "type": "array", "items": { "type": "string" } })
        );
        assert_eq!(d["schema"].lines, vec![2, 3, 4, 5]);
        assert_eq!(d["schema"].reads, vec!["item".to_string()]);
        assert!(!d.contains_key("x"));
    }

    #[test]
    fn the_forms_of_a_check() {
        let scope = Scope {
            schemas: declarations(&code("var s = { type: 'object' };")),
            ..Scope::default()
        };
        for (stmt, draft) in [
            (
                "tests['ok'] = tv4.validate(pm.response.json(), s);",
                DRAFT_4,
            ),
            (
                "pm.expect(tv4.validate(JSON.parse(responseBody), s)).to.be.true;",
                DRAFT_4,
            ),
            (
                "pm.expect(tv4.validate(pm.response.json(), { type: 'object' }), 'valid').to.eql(true)",
                DRAFT_4,
            ),
            ("pm.response.to.have.jsonSchema(s);", DRAFT_7),
            (
                "pm.expect(pm.response.json()).to.have.jsonSchema(s)",
                DRAFT_7,
            ),
        ] {
            assert_eq!(
                check(stmt, &scope, &mut Vec::new()).map(|(_, d)| d),
                Some(draft),
                "{stmt}"
            );
        }
        for stmt in [
            "tv4.validate(pm.response.json(), s);",
            "pm.expect(tv4.validate(pm.response.json(), s, false, true)).to.be.true",
            "pm.expect(tv4.validate(pm.response.json().items, s)).to.be.true",
            "pm.expect(tv4.validate(pm.response.json(), s)).to.be.false",
            "pm.response.to.have.jsonSchema(unknown)",
        ] {
            assert!(check(stmt, &scope, &mut Vec::new()).is_none(), "{stmt}");
        }
    }
}
