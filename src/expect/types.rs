//! What a predicate's value must be, checked as it is read: a number to order by or to
//! count a length with (`gt: soon` and `length: many` compared nothing, and failed every
//! run), and a predicate's name where a word for one was written (`greater: 5` silently
//! expected an object).

use super::predicate::OPS;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;

/// Words users write for a predicate, and the predicate they mean.
#[rustfmt::skip]
const SYNONYMS: &[(&str, &str)] = &[
    ("greater", "gt"), ("greater_than", "gt"), ("greaterthan", "gt"), ("more_than", "gt"),
    ("gte", "ge"), ("greater_or_equal", "ge"), ("at_least", "ge"), ("less", "lt"),
    ("less_than", "lt"), ("lessthan", "lt"), ("lte", "le"), ("less_or_equal", "le"),
    ("at_most", "le"), ("equals", "eq"), ("equal", "eq"), ("equal_to", "eq"), ("equalto", "eq"),
    ("not_equal", "ne"), ("not_equals", "ne"), ("neq", "ne"), ("includes", "contains"),
    ("contain", "contains"), ("excludes", "not_contains"), ("not_contain", "not_contains"),
    ("regex", "matches"), ("match", "matches"), ("exist", "exists"), ("len", "length"),
    ("any_of", "one_of"), ("oneof", "one_of"),
];

/// The predicate a key that is none was meant to be: a close spelling, or a word for it.
pub(super) fn meant(key: &str) -> Option<&'static str> {
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

pub(super) const ORDER_HELP: &str =
    "compare with a number, e.g. `gt: 0` (ISO 8601 dates, such as 2024-01-31, compare as text)";
pub(super) const LENGTH_HELP: &str =
    "a length is a whole number: `length: 3`, or predicates on it: `length: { ge: 1 }`";

/// `gt: soon` compares nothing: an order needs a number (or text that reads as one, or an
/// ISO 8601 date, which sorts as text), or a template that renders one.
pub(super) fn orderable(v: &Node) -> bool {
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
pub(super) fn length_problem<'n>(v: &'n Node<'n>) -> Option<&'n Node<'n>> {
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

pub(super) fn not_a_number(r: &mut Reader, v: &Node, op: &str, what: &str, help: &str) {
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

#[cfg(test)]
mod tests {
    use super::super::predicate::read;
    use crate::yaml::read::Reader;

    /// The problems of reading `yaml` (one value) as the predicates of `$.a`.
    fn problems(yaml: &str) -> Vec<String> {
        use crate::yaml::read::Compiler;
        let file = crate::diag::SourceFile::new("t.yaml", yaml);
        let tree = crate::yaml::node::parse(yaml).unwrap();
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
}
