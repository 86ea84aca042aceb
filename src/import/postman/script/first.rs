//! `if (L.length) { var x = L[0]; … checks of x … }`: checks of a list's first element that
//! Postman makes only when the list is not empty. Each check becomes a filter over `L` that
//! selects the first element when it fails the check, expected to select none:
//! `$.articles[?@ == $.articles[0] && (!@.title)]: { length: 0 }`. An empty list selects
//! nothing, as Postman skips the block; another element is never selected unless it equals
//! the first (which then fails the same check). An `else` after it is not converted.

use super::tree::{Block, Node};
use super::{Converted, Mark, Scope, Walk, each, guard, path, stmt};
use crate::import::out::Expect;
use crate::import::postman::js::{Cursor, jsonpath};
use crate::import::yaml::Y;

impl Walk<'_> {
    /// Read `if (L.length) { … }` as checks of `L[0]`; the whole block is not converted when
    /// it does not start by naming `L[0]`.
    pub(super) fn first(&mut self, b: &Block, scope: &mut Scope) {
        let opaque = |w: &mut Self| w.opaque(&Node::Block(b.clone()));
        let guard::Head::If(cond) = guard::head(&b.head) else {
            return opaque(self);
        };
        let Some(list_text) = guard::non_empty(cond) else {
            return opaque(self);
        };
        let mut c = Cursor::new(list_text);
        let Some(list) = path(&mut c, &scope.aliases).filter(|_| c.at_end()) else {
            return opaque(self);
        };
        let Some((Node::Stmt(named), rest)) = b.body.split_first() else {
            return opaque(self);
        };
        let Some(item) = first_of(&named.text, list_text) else {
            return opaque(self);
        };
        let element = each::Element {
            list: list_text,
            item,
            index: false,
            first: true,
        };
        let inner = Block {
            head: b.head.clone(),
            lines: b.lines.clone(),
            body: rest.to_vec(),
        };
        self.each(&inner, &list, &element, scope);
        // Naming the element is converted with the checks that read it, or not with them.
        let m = b
            .lines
            .first()
            .and_then(|l| self.marks.get(l).copied())
            .unwrap_or(Mark::Unconverted);
        self.mark(&named.lines, m);
    }
}

impl Walk<'_> {
    /// The `else` of `if (L.length)`: its checks hold when the list is empty, each a filter
    /// over the root that selects every member when the list is empty and the check fails
    /// (`$[?length($.articles) == 0 && ($.articlesCount != 0)]: { length: 0 }`).
    pub(super) fn rest(&mut self, first: &Block, b: &Block, scope: &mut Scope) {
        let node = Node::Block(b.clone());
        let list = match guard::head(&first.head) {
            guard::Head::If(cond) => guard::non_empty(cond).and_then(|l| {
                let mut c = Cursor::new(l);
                path(&mut c, &scope.aliases).filter(|_| c.at_end())
            }),
            _ => None,
        };
        let Some(list) = list else {
            return self.opaque(&node);
        };
        let base = jsonpath(&list);
        let mut checks = Expect::default();
        let mut lines = Vec::new();
        for n in &b.body {
            let Node::Stmt(s) = n else {
                return self.opaque(&node);
            };
            let mut trial = Converted::default();
            if s.lines.iter().any(|l| self.tainted.contains(l))
                || !stmt::statement(&s.text, scope, self.reference, &mut trial, s.lines[0])
            {
                return self.opaque(&node);
            }
            let e = trial.expect;
            if !trial.captures.is_empty()
                || e.status.is_some()
                || !e.headers.is_empty()
                || !e.duration.is_empty()
            {
                return self.opaque(&node);
            }
            for (subject, preds) in &e.body {
                for (op, value) in preds {
                    let Some(failing) = each::failing(subject, op, value) else {
                        return self.opaque(&node);
                    };
                    let filter = format!("$[?length({base}) == 0 && ({failing})]");
                    Expect::add(&mut checks.body, &filter, "length", Y::Int(0));
                }
            }
            lines.extend(&s.lines);
        }
        if checks.body.is_empty() {
            return self.opaque(&node);
        }
        stmt::add_expect(&mut self.out.expect, &checks);
        self.taken.extend(&lines);
        self.mark(&lines, Mark::Converted);
        self.mark(&b.lines, Mark::Converted);
    }
}

/// `x` of `var x = LIST[0];` (or `let`, `const`), when LIST is `list` as written.
fn first_of<'t>(text: &'t str, list: &str) -> Option<&'t str> {
    let t = text.trim().trim_end_matches(';').trim_end();
    let t = ["var ", "let ", "const "]
        .iter()
        .find_map(|k| t.strip_prefix(k))?;
    let (name, value) = t.split_once('=')?;
    let name = name.trim();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$');
    (plain && value.trim() == format!("{list}[0]")).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::first_of;
    use crate::import::postman::script::convert;

    #[test]
    fn the_first_element_is_named_by_its_declaration() {
        assert_eq!(first_of("var a = d.items[0];", "d.items"), Some("a"));
        assert_eq!(first_of("const a=d.items[0]", "d.items"), Some("a"));
        assert_eq!(first_of("var a = d.items[1];", "d.items"), None);
        assert_eq!(first_of("a = d.items[0];", "d.items"), None);
    }

    #[test]
    fn checks_of_the_first_element_select_it_when_it_fails_them() {
        let script: Vec<String> = [
            "var data = pm.response.json();",
            "if (data.articles.length) {",
            "    var article = data.articles[0];",
            "    tests['has title'] = article.hasOwnProperty('title');",
            "    pm.expect(article.count).to.be.above(0);",
            "} else {",
            "    tests['none'] = data.articlesCount === 0;",
            "}",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let c = convert(&script, &|n| n.to_string());
        let paths: Vec<&str> = c.expect.body.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths[..2],
            [
                "$.articles[?@ == $.articles[0] && (!@.title)]",
                "$.articles[?@ == $.articles[0] && (!(@.count > 0))]"
            ]
        );
        // The else branch: its check holds when the list is empty.
        assert_eq!(
            c.expect.body.last().map(|(p, _)| p.as_str()),
            Some("$[?length($.articles) == 0 && ($.articlesCount != 0)]")
        );
        assert!(c.unconverted.is_empty(), "{:?}", c.unconverted);
        assert_eq!(c.converted, 8);
    }
}

#[cfg(test)]
mod unset {
    use crate::import::postman::script::{convert, convert_with, guard::unset_variable};

    #[test]
    fn a_block_guarded_by_a_variable_defined_nowhere_always_runs() {
        assert_eq!(
            unset_variable("!(environment.isIntegrationTest)"),
            Some("isIntegrationTest")
        );
        assert_eq!(unset_variable("!pm.environment.get('ci')"), Some("ci"));
        assert_eq!(unset_variable("environment.ci"), None);
        assert_eq!(unset_variable("!(a.b)"), None);
        let script: Vec<String> = [
            "if (!(environment.isIntegrationTest)) {",
            "    pm.response.to.have.status(200);",
            "}",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        // Defined nowhere: Postman runs the block.
        let c = convert_with(&script, &|n| n.to_string(), &|_| false);
        assert_eq!(c.converted, 3);
        assert!(c.expect.status.is_some());
        assert_eq!(c.notes.len(), 1, "the reading is said: {:?}", c.notes);
        // Defined (its value unknown until run time): not converted.
        let c = convert(&script, &|n| n.to_string());
        assert_eq!(c.unconverted.len(), 3);
    }
}
