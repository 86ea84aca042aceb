//! Predicates shared by the expectation kinds: `eq ne gt ge lt le contains matches exists
//! type length`, read from YAML and applied to a JSON value.

use super::types::{LENGTH_HELP, ORDER_HELP, length_problem, meant, not_a_number, orderable};
use crate::diag::Loc;
use crate::secret::{Said, name};
use crate::template::JsonTpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use crate::yaml::read::read_json_tpl;
use regex::Regex;
use serde_json::Value;

pub const OPS: &[&str] = &[
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "contains",
    "not_contains",
    "matches",
    "exists",
    "type",
    "length",
    "one_of",
];

#[derive(Debug, Clone)]
pub struct Predicate {
    pub op: Op,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum Op {
    Eq(JsonTpl),
    Ne(JsonTpl),
    Gt(JsonTpl),
    Ge(JsonTpl),
    Lt(JsonTpl),
    Le(JsonTpl),
    Contains(JsonTpl),
    NotContains(JsonTpl),
    Matches(Regex),
    Exists(bool),
    Type(String),
    Length(Vec<Predicate>),
    OneOf(Vec<JsonTpl>),
}

pub const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// A bare value means `eq`; a mapping whose keys are all predicate names is a list of
/// predicates (any other mapping is an expected object).
pub fn read(r: &mut Reader, node: &Node, what: &str) -> Vec<Predicate> {
    let is_predicates = match &node.kind {
        Kind::Map(entries) => {
            !entries.is_empty() && entries.iter().all(|(k, _)| OPS.contains(&&*k.name))
        }
        _ => false,
    };
    if !is_predicates {
        if let Kind::Map(entries) = &node.kind {
            // One wrong key among predicate names is a typo, not an expected object.
            // So is a word for one (`greater: 5`), which would silently expect an object.
            let near: Vec<_> = entries
                .iter()
                .filter_map(|(k, _)| meant(&k.name).map(|op| (k, op)))
                .collect();
            if entries.len() <= 2 && !near.is_empty() {
                for (k, op) in near {
                    r.error(
                        k.loc,
                        format!(
                            "unknown predicate '{}' in {what} (did you mean '{op}'?)",
                            k.name
                        ),
                    )
                    .help = Some(format!(
                        "to expect an object with a `{}` key, write `eq: {{ {}: ... }}`",
                        k.name, k.name
                    ));
                }
                return Vec::new();
            }
        }
        return vec![Predicate {
            op: Op::Eq(read_json_tpl(r, node, what)),
            loc: node.loc,
        }];
    }
    let Kind::Map(entries) = &node.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let label = format!("{what}.{}", k.name);
        let op = match &*k.name {
            "eq" => Op::Eq(read_json_tpl(r, v, &label)),
            "ne" => Op::Ne(read_json_tpl(r, v, &label)),
            "gt" | "ge" | "lt" | "le" if !orderable(v) => {
                not_a_number(r, v, &k.name, what, ORDER_HELP);
                continue;
            }
            "gt" => Op::Gt(read_json_tpl(r, v, &label)),
            "ge" => Op::Ge(read_json_tpl(r, v, &label)),
            "lt" => Op::Lt(read_json_tpl(r, v, &label)),
            "le" => Op::Le(read_json_tpl(r, v, &label)),
            "contains" => Op::Contains(read_json_tpl(r, v, &label)),
            "not_contains" => Op::NotContains(read_json_tpl(r, v, &label)),
            "matches" => match crate::query::compile_regex(r, v) {
                Some(re) => Op::Matches(re),
                None => continue,
            },
            "exists" => match r.bool(v, &label) {
                Some(b) => Op::Exists(b),
                None => continue,
            },
            "type" => match r.text(v, &label) {
                Some(t) if TYPES.contains(&t.as_str()) => Op::Type(t),
                Some(t) => {
                    let d = r.error(v.loc, format!("unknown type `{t}`"));
                    d.help = Some(format!("one of: {}", TYPES.join(", ")));
                    continue;
                }
                None => continue,
            },
            "length" => match length_problem(v) {
                Some(bad) => {
                    not_a_number(r, bad, "length", what, LENGTH_HELP);
                    continue;
                }
                None => Op::Length(read(r, v, &label)),
            },
            "one_of" => match r.seq(v, &label) {
                Some(items) => {
                    Op::OneOf(items.iter().map(|i| read_json_tpl(r, i, &label)).collect())
                }
                None => continue,
            },
            _ => unreachable!("keys were checked against OPS"),
        };
        out.push(Predicate { op, loc: v.loc });
    }
    out.shrink_to_fit();
    out
}

/// How a predicate failed: what was expected, in words.
pub struct Mismatch {
    pub expected: Said,
    pub loc: Loc,
}

/// Apply predicates to `actual` (`None`: the path matched nothing). `render` turns an
/// expected value's templates into JSON.
pub fn check(
    preds: &[Predicate],
    actual: Option<&Value>,
    render: &mut dyn FnMut(&JsonTpl) -> Result<Value, String>,
) -> Result<(), Mismatch> {
    for p in preds {
        check_one(p, actual, render).map_err(|expected| Mismatch {
            expected,
            loc: p.loc,
        })?;
    }
    Ok(())
}

fn check_one(
    p: &Predicate,
    actual: Option<&Value>,
    render: &mut dyn FnMut(&JsonTpl) -> Result<Value, String>,
) -> Result<(), Said> {
    if let Op::Exists(want) = p.op {
        return if actual.is_some() == want {
            Ok(())
        } else if want {
            Err(Said::words("to exist"))
        } else {
            Err(Said::words("not to exist"))
        };
    }
    let Some(actual) = actual else {
        return Err(describe(p, render).then(Said::words(" (but nothing matched)")));
    };
    // A template that cannot be rendered says why; the reason may quote a value.
    let mut render = |e: &JsonTpl| render(e).map_err(Said::value);
    let ok = match &p.op {
        Op::Eq(e) => equal(actual, &render(e)?),
        Op::Ne(e) => !equal(actual, &render(e)?),
        Op::Gt(e) => compare(actual, &render(e)?).is_some_and(|o| o.is_gt()),
        Op::Ge(e) => compare(actual, &render(e)?).is_some_and(|o| o.is_ge()),
        Op::Lt(e) => compare(actual, &render(e)?).is_some_and(|o| o.is_lt()),
        Op::Le(e) => compare(actual, &render(e)?).is_some_and(|o| o.is_le()),
        Op::Contains(e) => contains(actual, &render(e)?),
        Op::NotContains(e) => !contains(actual, &render(e)?),
        Op::Matches(re) => actual.as_str().is_some_and(|s| re.is_match(s)),
        Op::Type(t) => type_name(actual) == t || (t == "number" && actual.is_number()),
        Op::Length(inner) => {
            let len = match actual {
                Value::String(s) => Some(s.chars().count()),
                Value::Array(a) => Some(a.len()),
                Value::Object(o) => Some(o.len()),
                _ => None,
            };
            match len {
                Some(n) => {
                    return check(inner, Some(&Value::from(n)), &mut |e| {
                        render(e).map_err(|s| s.to_string())
                    })
                    .map_err(|m| Said::words("length ").then(m.expected));
                }
                None => {
                    return Err(Said::new(
                        "a length, but {} has none",
                        [name(type_name(actual))],
                    ));
                }
            }
        }
        Op::OneOf(options) => {
            let mut any = false;
            for o in options {
                if equal(actual, &render(o)?) {
                    any = true;
                    break;
                }
            }
            any
        }
        Op::Exists(_) => unreachable!("handled above"),
    };
    if ok {
        Ok(())
    } else {
        Err(describe(p, &mut |e| render(e).map_err(|s| s.to_string())))
    }
}

/// The predicate in words, with its expected value rendered: `> 0`, `contains "Bearer"`.
pub fn describe(p: &Predicate, render: &mut dyn FnMut(&JsonTpl) -> Result<Value, String>) -> Said {
    let mut show =
        |e: &JsonTpl| Said::value(render(e).map(|v| show_value(&v)).unwrap_or_else(|e| e));
    let words = Said::words;
    match &p.op {
        Op::Eq(e) => show(e),
        Op::Ne(e) => words("not ").then(show(e)),
        Op::Gt(e) => words("> ").then(show(e)),
        Op::Ge(e) => words(">= ").then(show(e)),
        Op::Lt(e) => words("< ").then(show(e)),
        Op::Le(e) => words("<= ").then(show(e)),
        Op::Contains(e) => words("contains ").then(show(e)),
        Op::NotContains(e) => words("does not contain ").then(show(e)),
        Op::Matches(re) => Said::new("matches /{}/", [name(re.as_str())]),
        Op::Exists(true) => words("to exist"),
        Op::Exists(false) => words("not to exist"),
        Op::Type(t) => Said::new("of type {}", [name(t)]),
        Op::Length(inner) => {
            let mut out = words("length ");
            for (i, p) in inner.iter().enumerate() {
                if i > 0 {
                    out = out.then(words(" and "));
                }
                out = out.then(describe(p, render));
            }
            out
        }
        Op::OneOf(options) => {
            let mut out = words("one of [");
            for (i, o) in options.iter().enumerate() {
                if i > 0 {
                    out = out.then(words(", "));
                }
                out = out.then(show(o));
            }
            out.then(words("]"))
        }
    }
}

/// A value as users read it in a failure: strings quoted, long values cut.
pub fn show_value(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}…")
    } else {
        text
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// JSON equality where numbers compare by value (1 == 1.0), and a number equals text that
/// reads as the same number (variables from the environment are text).
pub fn equal(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Number(a), Value::String(b)) | (Value::String(b), Value::Number(a)) => {
            b.trim().parse::<f64>().ok() == a.as_f64()
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => actual == expected,
    }
}

fn compare(actual: &Value, expected: &Value) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (num(actual), num(expected)) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => match (actual, expected) {
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            _ => None,
        },
    }
}

fn contains(actual: &Value, expected: &Value) -> bool {
    match actual {
        Value::String(s) => match expected {
            Value::String(e) => s.contains(e.as_str()),
            other => s.contains(&other.to_string()),
        },
        Value::Array(items) => items.iter().any(|i| equal(i, expected)),
        Value::Object(map) => expected.as_str().is_some_and(|k| map.contains_key(k)),
        _ => false,
    }
}

pub fn templates<'a>(preds: &'a [Predicate], out: &mut Vec<&'a crate::template::Tpl>) {
    for p in preds {
        match &p.op {
            Op::Eq(v)
            | Op::Ne(v)
            | Op::Gt(v)
            | Op::Ge(v)
            | Op::Lt(v)
            | Op::Le(v)
            | Op::Contains(v)
            | Op::NotContains(v) => v.templates(out),
            Op::OneOf(vs) => vs.iter().for_each(|v| v.templates(out)),
            Op::Length(inner) => templates(inner, out),
            Op::Matches(_) | Op::Exists(_) | Op::Type(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_is_numeric_and_forgiving_of_text_numbers() {
        assert!(equal(&json!(1), &json!(1.0)));
        assert!(equal(&json!(3600), &json!("3600")));
        assert!(!equal(&json!("a"), &json!("b")));
        assert!(equal(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
    }

    #[test]
    fn contains_and_compare() {
        assert!(contains(&json!("Bearer x"), &json!("Bearer")));
        assert!(contains(&json!(["a", "b"]), &json!("b")));
        assert!(contains(&json!({"k": 1}), &json!("k")));
        assert_eq!(
            compare(&json!(5), &json!(3)),
            Some(std::cmp::Ordering::Greater)
        );
        assert_eq!(
            compare(&json!("b"), &json!("a")),
            Some(std::cmp::Ordering::Greater)
        );
        assert_eq!(compare(&json!(true), &json!(3)), None);
    }
}
