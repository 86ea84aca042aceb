//! `LIST.forEach(function (item) { pm.expect(item.a).… })`: a check of every element. baton's
//! predicates apply to what a path selects as one value, so each check becomes a filter
//! that selects the elements failing it, expected to select none:
//! `pm.expect(item.id).to.exist` → `$.items[?!@.id]: { length: 0 }`. What a filter can say
//! (RFC 9535): existence, `==`/`!=` of a literal, `<`, `<=`, `>`, `>=`, `length()` compared,
//! a pattern (`search`), and the types string, number, boolean and null; an array or object
//! type or a template cannot be said, and such a check is not converted. A list that is empty fails
//! nothing, as in Postman. `for (var i = 0; i < LIST.length; i++)` with `LIST[i]` in its
//! body is read the same way.

use super::{Converted, Scope, stmt};
use crate::import::out::Expect;
use crate::import::postman::js::{Seg, jsonpath};
use crate::import::yaml::Y;

/// The name the element is known by while the body is read: no script writes it.
const ELEMENT: &str = "\u{1}element";

/// How the body of a loop writes the element.
pub(super) struct Element<'a> {
    /// The list as the head writes it.
    pub list: &'a str,
    /// The parameter of `forEach`, or the index of a `for` loop.
    pub item: &'a str,
    /// A `for` loop: the element is `LIST[i]`.
    pub index: bool,
    /// Only the first element is checked (`if (L.length) { var x = L[0]; … }`): the filter
    /// also asks for the element to equal `L[0]`, so an empty list fails nothing.
    pub first: bool,
}

/// A name for `LIST[i]` while the body is read: an identifier no script writes.
const INDEXED: &str = "__baton_element__";

/// Read one statement of the body of `list.forEach(function (item) {…})` into `out`; false
/// when it is not a check of the element that a filter can say.
pub(super) fn statement(
    text: &str,
    list: &[Seg],
    element: &Element,
    scope: &Scope,
    reference: &dyn Fn(&str) -> String,
    out: &mut Converted,
    n: usize,
) -> bool {
    let mut inner = scope.clone();
    let (text, item) = if element.index {
        let indexed = format!("{}[{}]", element.list, element.item);
        (text.replace(&indexed, INDEXED), INDEXED)
    } else {
        (text.to_string(), element.item)
    };
    let text = text.as_str();
    inner
        .aliases
        .insert(item.to_string(), vec![Seg::Name(ELEMENT.into())]);
    let mut trial = Converted::default();
    if !stmt::statement(text, &mut inner, reference, &mut trial, n) {
        return false;
    }
    let found = trial.expect;
    if !trial.captures.is_empty()
        || found.status.is_some()
        || !found.headers.is_empty()
        || !found.duration.is_empty()
    {
        return false;
    }
    let prefix = jsonpath(&[Seg::Name(ELEMENT.into())]);
    let base = jsonpath(list);
    let mut filters = Expect::default();
    for (subject, preds) in &found.body {
        let Some(rel) = subject.strip_prefix(&prefix) else {
            return false;
        };
        for (op, value) in preds {
            let Some(failing) = failing(&format!("@{rel}"), op, value) else {
                return false;
            };
            let path = if element.first {
                format!("{base}[?@ == {base}[0] && ({failing})]")
            } else {
                format!("{base}[?{failing}]")
            };
            Expect::add(&mut filters.body, &path, "length", Y::Int(0));
        }
    }
    if filters.body.is_empty() {
        return false;
    }
    if !stmt::add_expect(&mut out.expect, &filters) {
        out.notes
            .push((n, format!("`{text}` checks what an earlier line checks")));
    }
    true
}

/// The filter that selects the elements for which `op value` does not hold of `at`.
pub(super) fn failing(at: &str, op: &str, value: &Y) -> Option<String> {
    match (op, value) {
        ("exists", Y::Bool(true)) => Some(format!("!{at}")),
        ("exists", Y::Bool(false)) => Some(at.to_string()),
        ("eq", v) => Some(format!("{at} != {}", literal(v)?)),
        ("ne", v) => Some(format!("{at} == {}", literal(v)?)),
        ("gt" | "ge" | "lt" | "le", v @ (Y::Int(_) | Y::Float(_))) => {
            Some(format!("!({at} {} {})", symbol(op)?, literal(v)?))
        }
        // JSONPath has no type test; these hold of exactly one type each (RFC 9535: a
        // comparison of another type is false, `search` is false of what is not a string).
        ("type", Y::Str(t)) => match t.as_str() {
            "string" => Some(format!("!search({at}, '')")),
            "number" => Some(format!("!({at} >= 0 || {at} < 0)")),
            "boolean" => Some(format!("!({at} == true || {at} == false)")),
            "null" => Some(format!("{at} != null")),
            _ => None,
        },
        // `/re/.test(x)` finds the pattern anywhere, as `search` does (RFC 9535; the regex
        // crate reads JavaScript's `\d` and `(?:…)` alike).
        ("matches", Y::Str(re)) if !re.contains("<<") => Some(format!(
            "!search({at}, '{}')",
            re.replace('\\', "\\\\").replace('\'', "\\'")
        )),
        ("length", Y::Int(n)) => Some(format!("length({at}) != {n}")),
        ("length", Y::Map(entries)) => {
            let holds: Option<Vec<String>> = entries
                .iter()
                .map(|e| match (&e.value, e.key.as_str()) {
                    (Y::Int(n), "eq") => Some(format!("length({at}) == {n}")),
                    (Y::Int(n), op) => Some(format!("length({at}) {} {n}", symbol(op)?)),
                    _ => None,
                })
                .collect();
            Some(format!("!({})", holds?.join(" && ")))
        }
        _ => None,
    }
}

fn symbol(op: &str) -> Option<&'static str> {
    Some(match op {
        "gt" => ">",
        "ge" => ">=",
        "lt" => "<",
        "le" => "<=",
        "ne" => "!=",
        _ => return None,
    })
}

/// A scalar as a JSONPath literal; a template (`<<x>>`) or a structure cannot be one.
fn literal(v: &Y) -> Option<String> {
    Some(match v {
        Y::Str(s) if !s.contains("<<") => {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        Y::Int(i) => i.to_string(),
        Y::Float(f) => f.to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Null => "null".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn each(stmt: &str) -> Option<Vec<String>> {
        let element = Element {
            list: "d.items",
            item: "it",
            index: false,
            first: false,
        };
        read(stmt, &element)
    }

    fn read(stmt: &str, element: &Element) -> Option<Vec<String>> {
        let mut out = Converted::default();
        let list = vec![Seg::Name("items".into())];
        let refer = |n: &str| n.to_string();
        statement(stmt, &list, element, &Scope::default(), &refer, &mut out, 1)
            .then(|| out.expect.body.into_iter().map(|(p, _)| p).collect())
    }

    #[test]
    fn element_checks_become_filters_that_select_none() {
        assert_eq!(
            each("pm.expect(it.id).to.exist;").unwrap(),
            ["$.items[?!@.id]"]
        );
        assert_eq!(
            each("pm.expect(it['a-b']).to.eql('x');").unwrap(),
            ["$.items[?@['a-b'] != 'x']"]
        );
        assert_eq!(
            each("pm.expect(it.n).to.be.above(0);").unwrap(),
            ["$.items[?!(@.n > 0)]"]
        );
        assert_eq!(
            each("pm.expect(it.tags).to.have.lengthOf.at.least(1);").unwrap(),
            ["$.items[?!(length(@.tags) >= 1)]"]
        );
        assert_eq!(
            each("pm.expect(it.name).to.be.a('string');").unwrap(),
            ["$.items[?!search(@.name, '')]"]
        );
        assert!(each("pm.expect(it.tags).to.be.an('array');").is_none());
        assert_eq!(
            each("pm.expect(it.day).to.match(/^\\d{4}-'/);").unwrap(),
            ["$.items[?!search(@.day, '^\\\\d{4}-\\'')]"]
        );
        assert!(each("pm.expect(it.name).to.eql(pm.environment.get('n'));").is_none());
        assert!(each("pm.environment.set('x', it.id);").is_none());
        assert!(each("pm.response.to.have.status(200);").is_none());
        let indexed = Element {
            list: "d.items",
            item: "i",
            index: true,
            first: false,
        };
        assert_eq!(
            read(
                "pm.expect(d.items[i]).to.have.all.keys('a', 'b');",
                &indexed
            )
            .unwrap(),
            [
                "$.items[?!@.a]",
                "$.items[?!@.b]",
                "$.items[?length(@) != 2]"
            ]
        );
        assert!(read("pm.expect(d.items[i].a).to.eql(other[i]);", &indexed).is_none());
    }
}
