//! Postman's `{{name}}` in a hand-written collection: baton sends it as written (its
//! templates are `<<name>>`), which is what a user coming from Postman least expects.
//! Found where the file is read (once per place, however many iterations run), and
//! warned about where the name is one the run defines, or anywhere in a URL, where it is
//! never meant as data. `{{…}}` that names nothing in a body stays quiet: mustache
//! templates are sent as data too. `!literal` on a value says it is meant as written.

use super::model::{Collection, METHOD_KEYS, Request};
use crate::diag::{Diagnostic, Loc, SourceFile};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::is_identifier;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One `{{…}}` in a request value, and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Placeholder {
    /// As written, braces and all: `{{ token }}`.
    pub(crate) written: String,
    pub(crate) file: Arc<SourceFile>,
    /// The value holding it (narrowed to the braces when the warning is made).
    pub(crate) loc: Loc,
    /// In a URL, where `{{…}}` is never data: warned whatever it names.
    pub(crate) in_url: bool,
}

impl Placeholder {
    /// What is between the braces.
    fn name(&self) -> &str {
        self.written[2..self.written.len() - 2].trim()
    }
}

/// The `{{…}}` of a file's requests and the names its requests define (captures, ids,
/// an include's `with:`), for the run's front ends to weigh against what the run defines.
#[derive(Debug, Default)]
pub(crate) struct Habits {
    pub(crate) placeholders: Vec<Placeholder>,
    pub(crate) defined: BTreeSet<String>,
}

impl Habits {
    /// What `req` defines for the requests of its file.
    pub(crate) fn defines(&mut self, req: &Request) {
        let with = req
            .included
            .iter()
            .flat_map(|inc| inc.with.iter().map(|v| &v.name));
        let names = req
            .capture
            .iter()
            .map(|c| &c.name)
            .chain(&req.id)
            .chain(with);
        // Every request of a file tends to capture the same few names: copied once each.
        for name in names {
            if !self.defined.contains(name) {
                self.defined.insert(name.clone());
            }
        }
    }

    /// The warnings of a file whose variables are `c.vars`, those its requests define,
    /// and those `outside` says the run defines (environments, `--var`, needs' exports).
    pub(crate) fn warnings(c: &Collection, outside: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
        let Some(h) = &c.habits else {
            return Vec::new();
        };
        let known = |name: &str| {
            h.defined.contains(name) || c.vars.iter().any(|v| v.name == name) || outside(name)
        };
        h.placeholders
            .iter()
            .filter(|p| p.in_url || dynamic(p.name()).is_some() || known(p.name()))
            .map(warning)
            .collect()
    }
}

/// The baton spelling of the Postman dynamic variables baton has a function for.
fn dynamic(name: &str) -> Option<&'static str> {
    match name {
        "$guid" | "$randomUUID" => Some("<<uuid()>>"),
        "$timestamp" => Some("<<timestamp()>>"),
        _ => None,
    }
}

/// How baton writes what `{{name}}` meant.
pub(crate) fn baton_spelling(name: &str) -> String {
    if let Some(f) = dynamic(name) {
        f.to_string()
    } else if is_identifier(name) {
        format!("<<{name}>>")
    } else if name.is_empty() || name.contains(['\'', '<', '>']) {
        "<<name>>".to_string()
    } else {
        // Postman's names may hold `-` or `.`.
        format!("<<vars['{name}']>>")
    }
}

/// The message, with its fix, of a `{{…}}` as written.
pub(crate) fn message(written: &str) -> String {
    let name = written[2..written.len() - 2].trim();
    if name.starts_with('$') && dynamic(name).is_none() {
        return format!(
            "`{written}` is a Postman dynamic variable; baton's functions are `uuid()`, `random(n)`, `now()` and `timestamp()`, written `<<uuid()>>`"
        );
    }
    format!(
        "`{written}` is Postman syntax; baton writes `{}`",
        baton_spelling(name)
    )
}

fn warning(p: &Placeholder) -> Diagnostic {
    let label = if p.in_url {
        "sent as written, braces and all"
    } else {
        "sent as written, not the variable's value"
    };
    Diagnostic::warning(message(&p.written))
        .at(&p.file, narrow(&p.file, p.loc, &p.written))
        .label(label)
        .help(format!(
            "to send `{}` as written, tag the value `!literal`",
            p.written
        ))
}

/// `loc` of a value narrowed to `written` inside it, when it is on the value's first line
/// (a plain or quoted scalar on one line, the usual case). Searched from the value's
/// column: a file read as it is parsed gives no span for its values.
pub(super) fn narrow(file: &SourceFile, loc: Loc, written: &str) -> Loc {
    if loc.is_unknown() {
        return loc;
    }
    let line = file.line_text(loc.line as usize);
    let Some((from, _)) = line.char_indices().nth(loc.col.saturating_sub(1) as usize) else {
        return loc;
    };
    let Some(at) = line[from..].find(written) else {
        return loc;
    };
    Loc {
        line: loc.line,
        col: loc.col + line[from..from + at].chars().count() as u32,
        offset: file.line_start(loc.line as usize) + from + at,
        len: written.len(),
    }
}

/// The `{{…}}` of `text` that are outside baton's own `<< >>`, `<% %>` and `<# #>` (so
/// `<< '{{x}}' >>` is another way to send braces): each as written.
pub(crate) fn find(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut base = 0;
    while let Some(i) = rest.find(['<', '{']) {
        let at = &rest[i..];
        let skip = [("<<", ">>"), ("<%", "%>"), ("<#", "#>")]
            .iter()
            .find(|(open, _)| at.starts_with(open))
            .map(|(_, close)| at[2..].find(close).map_or(at.len(), |j| j + 4));
        let step = if let Some(n) = skip {
            n
        } else if at.starts_with("{{{") {
            // Handlebars' `{{{raw}}}`: data, not Postman's.
            at.len() - at.trim_start_matches('{').len()
        } else if at.starts_with("{{")
            && let Some(j) = at[2..].find("}}")
            && is_placeholder(&at[2..2 + j])
        {
            out.push(&text[base + i..base + i + j + 4]);
            j + 4
        } else {
            1
        };
        base += i + step;
        rest = &text[base..];
    }
    out
}

/// What Postman puts between braces: a short name on one line, no braces inside.
fn is_placeholder(inner: &str) -> bool {
    let name = inner.trim();
    !name.is_empty()
        && name.len() <= 128
        && !name.contains(['{', '}', '\n', '\r', '"', ':', ','])
        && !name.contains(char::is_whitespace)
}

/// The keys of a request whose values are sent (or compared with what comes back); not
/// `name`, `description`, `tags`, nor `capture`, whose values are paths and patterns.
fn is_value_key(key: &str) -> bool {
    !matches!(key, "name" | "description" | "id" | "tags" | "capture")
}

/// Whether a key, under a request's key `top`, holds a URL.
fn is_url_key(top: &str, key: &str) -> bool {
    METHOD_KEYS.contains(&top)
        || top == "url"
        || (top == "oauth2" && (key.ends_with("url") || key == "issuer"))
}

/// The `{{…}}` of one request item of `file` (an `include:` item has none of its own).
pub(crate) fn scan(file: &Arc<SourceFile>, item: &Node, out: &mut Vec<Placeholder>) {
    let Kind::Map(entries) = &item.kind else {
        return;
    };
    for (k, v) in entries.iter().filter(|(k, _)| is_value_key(&k.name)) {
        walk(file, &k.name, &k.name, v, out);
    }
}

/// The `{{…}}` of a value under a top-level key of the file (`vars`, `defaults`).
pub(crate) fn scan_value(
    file: &Arc<SourceFile>,
    key: &str,
    node: &Node,
    out: &mut Vec<Placeholder>,
) {
    walk(file, key, key, node, out);
}

fn walk(file: &Arc<SourceFile>, top: &str, key: &str, node: &Node, out: &mut Vec<Placeholder>) {
    match &node.kind {
        Kind::Str(s) if !node.literal && s.contains("{{") => {
            let in_url = is_url_key(top, key);
            // A URL that cannot be sent is already an error, which names the braces.
            if in_url && crate::sendable::url_problem(s).is_some() && !s.contains("<<") {
                return;
            }
            out.extend(find(s).into_iter().map(|written| Placeholder {
                written: written.to_string(),
                file: file.clone(),
                loc: node.loc,
                in_url,
            }));
        }
        Kind::Seq(items) => items.iter().for_each(|i| walk(file, top, key, i, out)),
        Kind::Map(entries) => {
            for (k, v) in entries {
                walk(file, top, &k.name, v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_braces_outside_baton_templates() {
        assert_eq!(find("Bearer {{token}}"), ["{{token}}"]);
        assert_eq!(find("{{a}}/x/{{ b-c }}"), ["{{a}}", "{{ b-c }}"]);
        assert_eq!(find("<< '{{x}}' >> and <# {{y}} #>"), Vec::<&str>::new());
        assert_eq!(find("<<a>>{{b}}"), ["{{b}}"]);
        // Mustache sections and JSON-ish text are not one name.
        assert_eq!(find("{{#items}}{{/items}}"), ["{{#items}}", "{{/items}}"]);
        assert_eq!(find("{{ a b }} {{\"k\": 1}} {{}}"), Vec::<&str>::new());
        assert_eq!(find("{{{x}}}"), Vec::<&str>::new());
        assert_eq!(find("<< unclosed {{x}}"), Vec::<&str>::new());
    }

    #[test]
    fn spells_names_as_baton_reads_them() {
        assert_eq!(baton_spelling("token"), "<<token>>");
        assert_eq!(baton_spelling("base-url"), "<<vars['base-url']>>");
        assert_eq!(baton_spelling("$guid"), "<<uuid()>>");
        assert!(message("{{$randomInt}}").contains("dynamic variable"));
        assert_eq!(
            message("{{ token }}"),
            "`{{ token }}` is Postman syntax; baton writes `<<token>>`"
        );
    }

    /// `!literal` text is a string sent as written, templates and all, and tells a reread
    /// file from one whose tag was removed.
    #[test]
    fn literal_values_are_never_templates() {
        use crate::template::Templates;
        use crate::yaml::read::{Compiler, Reader};
        let text = "a: !literal \"<<x>> {{y}}\"\nb: !literal null\nc: \"<<x>>\"\n";
        let tree = crate::yaml::node::parse(text).unwrap();
        let file = SourceFile::new("x.yaml", text);
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let mut r = Reader {
            file: &file,
            problems: &mut problems,
            templates: Compiler::New(&mut templates),
        };
        let map = tree.as_map().unwrap();
        let a = r.tpl(&map[0].1, "a").unwrap();
        assert!(a.is_literal() && &*a.text == "<<x>> {{y}}");
        assert_eq!(r.text(&map[1].1, "b").as_deref(), Some("null"));
        assert!(!r.tpl(&map[2].1, "c").unwrap().is_literal());
        let untagged = crate::yaml::node::parse("a: \"<<x>> {{y}}\"\n").unwrap();
        assert_ne!(
            map[0].1.fingerprint(),
            untagged.as_map().unwrap()[0].1.fingerprint()
        );
        let mut found = Vec::new();
        scan(&file, &tree, &mut found);
        assert!(found.is_empty(), "{found:?}");
        assert!(problems.is_empty());
    }

    #[test]
    fn narrows_to_the_braces() {
        let file = SourceFile::new("x.yaml", "a: \"Bearer {{t}}\"\n");
        let loc = Loc {
            line: 1,
            col: 4,
            offset: 3,
            len: 14,
        };
        let n = narrow(&file, loc, "{{t}}");
        assert_eq!((n.col, n.offset, n.len), (12, 11, 5));
    }
}
