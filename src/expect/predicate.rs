//! Predicates shared by the expectation kinds: `eq ne gt ge lt le contains matches exists
//! type length`, read from YAML and applied to a JSON value.

use crate::collection::load::read_json_tpl;
use crate::collection::model::JsonTpl;
use crate::collection::node::{Kind, Loc, Node};
use crate::collection::read::Reader;
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

#[derive(Debug)]
pub struct Predicate {
    pub op: Op,
    pub loc: Loc,
}

#[derive(Debug)]
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
            "matches" => match crate::capture::compile_regex(r, v) {
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

/// Words users write for a predicate, and the predicate they mean.
const SYNONYMS: &[(&str, &str)] = &[
    ("greater", "gt"),
    ("greater_than", "gt"),
    ("greaterthan", "gt"),
    ("more_than", "gt"),
    ("gte", "ge"),
    ("greater_or_equal", "ge"),
    ("at_least", "ge"),
    ("less", "lt"),
    ("less_than", "lt"),
    ("lessthan", "lt"),
    ("lte", "le"),
    ("less_or_equal", "le"),
    ("at_most", "le"),
    ("equals", "eq"),
    ("equal", "eq"),
    ("equal_to", "eq"),
    ("equalto", "eq"),
    ("not_equal", "ne"),
    ("not_equals", "ne"),
    ("neq", "ne"),
    ("includes", "contains"),
    ("contain", "contains"),
    ("excludes", "not_contains"),
    ("not_contain", "not_contains"),
    ("regex", "matches"),
    ("match", "matches"),
    ("exist", "exists"),
    ("len", "length"),
    ("any_of", "one_of"),
    ("oneof", "one_of"),
];

/// The predicate a key that is none was meant to be: a close spelling, or a word for it.
fn meant(key: &str) -> Option<&'static str> {
    if OPS.contains(&key) {
        return None;
    }
    let lower = key.to_lowercase();
    SYNONYMS
        .iter()
        .find(|(word, _)| *word == lower)
        .map(|(_, op)| *op)
        .or_else(|| crate::diag::did_you_mean(key, OPS.iter().copied()))
}

const ORDER_HELP: &str =
    "compare with a number, e.g. `gt: 0` (ISO 8601 dates, such as 2024-01-31, compare as text)";
const LENGTH_HELP: &str =
    "a length is a whole number: `length: 3`, or predicates on it: `length: { ge: 1 }`";

/// `gt: soon` compares nothing: an order needs a number (or text that reads as one, or an
/// ISO 8601 date, which sorts as text), or a template that renders one.
fn orderable(v: &Node) -> bool {
    match &v.kind {
        Kind::Int(_) | Kind::Float(_) => true,
        Kind::Str(s) => {
            crate::template::has_template_syntax(s)
                || s.trim().parse::<f64>().is_ok()
                || iso_date(s.trim())
        }
        _ => false,
    }
}

/// `2024-01-31`, and any date-time that starts with one.
fn iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// The value in `length:` that is not a count, if one is: a bare value must be a whole
/// number (or a template), and so must the values of predicates on it.
fn length_problem<'n>(v: &'n Node<'n>) -> Option<&'n Node<'n>> {
    let count = |n: &Node| match &n.kind {
        Kind::Int(i) => *i >= 0,
        Kind::Str(s) => crate::template::has_template_syntax(s) || s.trim().parse::<u64>().is_ok(),
        _ => false,
    };
    match &v.kind {
        Kind::Map(entries) => entries.iter().find_map(|(k, n)| match &*k.name {
            "eq" | "ne" | "gt" | "ge" | "lt" | "le" => (!count(n)).then_some(n),
            "one_of" => n.as_seq()?.iter().find(|i| !count(i)),
            _ => None,
        }),
        _ => (!count(v)).then_some(v),
    }
}

fn not_a_number(r: &mut Reader, v: &Node, op: &str, what: &str, help: &str) {
    let found = match v.scalar_text() {
        Some(text) => format!("`{text}`"),
        None => v.kind.describe().to_string(),
    };
    let d = r.error(
        v.loc,
        format!("`{op}` in {what} needs a number, not {found}"),
    );
    d.label = Some("not a number".into());
    d.help = Some(help.into());
}

/// How a predicate failed: what was expected, in words.
pub struct Mismatch {
    pub expected: String,
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
) -> Result<(), String> {
    if let Op::Exists(want) = p.op {
        return if actual.is_some() == want {
            Ok(())
        } else if want {
            Err("to exist".into())
        } else {
            Err("not to exist".into())
        };
    }
    let Some(actual) = actual else {
        return Err(format!("{} (but nothing matched)", describe(p, render)));
    };
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
                    return check(inner, Some(&Value::from(n)), render)
                        .map_err(|m| format!("length {}", m.expected));
                }
                None => return Err(format!("a length, but {} has none", type_name(actual))),
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
    if ok { Ok(()) } else { Err(describe(p, render)) }
}

/// The predicate in words, with its expected value rendered: `> 0`, `contains "Bearer"`.
pub fn describe(
    p: &Predicate,
    render: &mut dyn FnMut(&JsonTpl) -> Result<Value, String>,
) -> String {
    let mut show = |e: &JsonTpl| render(e).map(|v| show_value(&v)).unwrap_or_else(|e| e);
    match &p.op {
        Op::Eq(e) => show(e),
        Op::Ne(e) => format!("not {}", show(e)),
        Op::Gt(e) => format!("> {}", show(e)),
        Op::Ge(e) => format!(">= {}", show(e)),
        Op::Lt(e) => format!("< {}", show(e)),
        Op::Le(e) => format!("<= {}", show(e)),
        Op::Contains(e) => format!("contains {}", show(e)),
        Op::NotContains(e) => format!("does not contain {}", show(e)),
        Op::Matches(re) => format!("matches /{}/", re.as_str()),
        Op::Exists(true) => "to exist".into(),
        Op::Exists(false) => "not to exist".into(),
        Op::Type(t) => format!("of type {t}"),
        Op::Length(inner) => {
            let parts: Vec<String> = inner.iter().map(|i| describe(i, render)).collect();
            format!("length {}", parts.join(" and "))
        }
        Op::OneOf(options) => {
            let parts: Vec<String> = options.iter().map(&mut show).collect();
            format!("one of [{}]", parts.join(", "))
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

    /// The problems of reading `yaml` (one value) as the predicates of `$.a`.
    fn problems(yaml: &str) -> Vec<String> {
        use crate::collection::read::Compiler;
        let file = crate::diag::SourceFile::new("t.yaml", yaml);
        let tree = crate::collection::node::parse(yaml).unwrap();
        let (mut problems, mut templates) = (Vec::new(), crate::template::Templates::new());
        let mut r = Reader {
            file: &file,
            problems: &mut problems,
            templates: Compiler::New(&mut templates),
        };
        read(&mut r, &tree, "$.a");
        problems.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn orders_and_lengths_need_numbers() {
        assert_eq!(
            problems("{ gt: soon }"),
            ["`gt` in $.a needs a number, not `soon`"]
        );
        assert_eq!(
            problems("{ length: many }"),
            ["`length` in $.a needs a number, not `many`"]
        );
        assert_eq!(
            problems("{ length: { ge: lots } }"),
            ["`length` in $.a needs a number, not `lots`"]
        );
        assert_eq!(
            problems("{ le: [1] }"),
            ["`le` in $.a needs a number, not a list"]
        );
        for fine in [
            "{ gt: 0, lt: 1.5 }",
            "{ ge: '10' }",
            "{ lt: 2024-01-31 }",
            "{ gt: '2024-01-31T00:00:00Z' }",
            "{ gt: <<min>> }",
            "{ length: 3 }",
            "{ length: { ge: 1, one_of: [2, 3] } }",
            "{ length: <<n>> }",
        ] {
            assert!(problems(fine).is_empty(), "{fine}: {:?}", problems(fine));
        }
    }

    #[test]
    fn a_word_for_a_predicate_is_not_an_expected_object() {
        assert_eq!(
            problems("{ greater: 5 }"),
            ["unknown predicate 'greater' in $.a (did you mean 'gt'?)"]
        );
        assert_eq!(
            problems("{ not_equal: x }"),
            ["unknown predicate 'not_equal' in $.a (did you mean 'ne'?)"]
        );
        assert!(problems("{ eq: { greater: 5 } }").is_empty());
        assert!(problems("{ name: bob, id: 7 }").is_empty());
    }

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
