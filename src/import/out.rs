//! The requests an importer writes, before they are YAML: one struct per request with the
//! keys of the collection format (README "Requests"), and its YAML in the order people read
//! a request: name, method and URL, headers, query, auth, body, then what is checked and kept.

use super::yaml::{Entry, Item, Y};
use crate::collection::model::METHOD_KEYS;

/// One request of an imported collection.
#[derive(Debug, Default, Clone)]
pub struct OutRequest {
    /// Comment lines written above the request (its description, what was not converted).
    pub comments: Vec<String>,
    pub name: String,
    pub id: Option<String>,
    pub method: String,
    pub url: String,
    /// Repeated names become lists.
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// The body key (`form`, `json`, `body`, `multipart`, `file`) and its value.
    pub body: Option<(String, Y)>,
    pub auth: Option<Y>,
    /// The `oauth2:` block: the request builds its own token request.
    pub oauth2: Option<Y>,
    /// Written when set: the file's `defaults:` may say the opposite.
    pub follow_redirects: Option<bool>,
    pub timeout: Option<String>,
    pub expect: Expect,
    pub capture: Vec<(String, Y)>,
}

/// Expectations as predicate lists: `(op, value)`; a single `eq` of a scalar is written bare.
#[derive(Debug, Default, Clone)]
pub struct Expect {
    pub status: Option<Y>,
    pub headers: Vec<(String, Vec<(String, Y)>)>,
    /// JSONPath checks (`$.a`) and raw-body checks (`contains`, ...) in one mapping.
    pub body: Vec<(String, Vec<(String, Y)>)>,
    pub duration: Vec<(String, Y)>,
    /// A JSON Schema the body must match, written inline.
    pub schema: Option<Y>,
}

impl Expect {
    /// How many checks: the status, and each predicate.
    pub fn count(&self) -> usize {
        usize::from(self.status.is_some())
            + self.headers.iter().map(|(_, p)| p.len()).sum::<usize>()
            + self.body.iter().map(|(_, p)| p.len()).sum::<usize>()
            + self.duration.len()
            + usize::from(self.schema.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Add a predicate on `subject` in `list`; false when the same predicate is already
    /// there with another value (the first is kept).
    pub fn add(list: &mut Vec<(String, Vec<(String, Y)>)>, subject: &str, op: &str, v: Y) -> bool {
        let preds = if let Some((_, p)) = list.iter_mut().find(|(s, _)| s == subject) {
            p
        } else {
            list.push((subject.to_string(), Vec::new()));
            &mut list.last_mut().expect("just pushed").1
        };
        if let Some((_, existing)) = preds.iter().find(|(o, _)| o == op) {
            *existing == v
        } else {
            preds.push((op.to_string(), v));
            true
        }
    }

    /// Merge `other` under this one (this one wins where both say something).
    pub fn inherit(&mut self, other: &Expect) {
        if self.status.is_none() {
            self.status.clone_from(&other.status);
        }
        for (list, theirs) in [
            (&mut self.headers, &other.headers),
            (&mut self.body, &other.body),
        ] {
            for (subject, preds) in theirs {
                for (op, v) in preds {
                    let _ = Expect::add(list, subject, op, v.clone());
                }
            }
        }
        for (op, v) in &other.duration {
            if !self.duration.iter().any(|(o, _)| o == op) {
                self.duration.push((op.clone(), v.clone()));
            }
        }
        if self.schema.is_none() {
            self.schema.clone_from(&other.schema);
        }
    }

    fn to_yaml(&self) -> Y {
        let mut out = Vec::new();
        if let Some(s) = &self.status {
            out.push(("status", s.clone()));
        }
        if !self.headers.is_empty() {
            out.push(("headers", predicates(&self.headers)));
        }
        if !self.body.is_empty() {
            out.push(("body", predicates(&self.body)));
        }
        if !self.duration.is_empty() {
            out.push(("duration_ms", predicate(&self.duration)));
        }
        if let Some(s) = &self.schema {
            out.push(("schema", s.clone()));
        }
        Y::map(out)
    }
}

fn predicates(list: &[(String, Vec<(String, Y)>)]) -> Y {
    Y::map(list.iter().map(|(k, p)| (k.clone(), predicate(p))))
}

fn predicate(p: &[(String, Y)]) -> Y {
    match p {
        [(op, v)] if op == "eq" && !matches!(v, Y::Map(_) | Y::Seq(_)) => v.clone(),
        _ => Y::map(p.iter().map(|(o, v)| (o.clone(), v.clone()))),
    }
}

/// `name: value` pairs as a mapping; a repeated name becomes a list at its first place.
pub(crate) fn pairs(list: &[(String, String)]) -> Y {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in list {
        match entries.iter_mut().find(|(n, _)| n == k) {
            Some((_, values)) => values.push(v.clone()),
            None => entries.push((k.clone(), vec![v.clone()])),
        }
    }
    Y::map(entries.into_iter().map(|(k, mut values)| {
        let v = if values.len() == 1 {
            Y::Str(values.remove(0))
        } else {
            Y::seq(values.into_iter().map(Y::Str))
        };
        (k, v)
    }))
}

impl OutRequest {
    pub fn to_yaml(&self) -> Item {
        let mut e: Vec<(String, Y)> = vec![("name".into(), Y::str(&self.name))];
        if let Some(id) = &self.id {
            e.push(("id".into(), Y::str(id)));
        }
        if self.oauth2.is_none() {
            if METHOD_KEYS.contains(&self.method.as_str()) {
                e.push((self.method.clone(), Y::str(&self.url)));
            } else {
                e.push(("method".into(), Y::str(&self.method)));
                e.push(("url".into(), Y::str(&self.url)));
            }
        }
        if !self.headers.is_empty() {
            e.push(("headers".into(), pairs(&self.headers)));
        }
        if !self.query.is_empty() {
            e.push(("query".into(), pairs(&self.query)));
        }
        if let Some(a) = &self.auth {
            e.push(("auth".into(), a.clone()));
        }
        if let Some(o) = &self.oauth2 {
            e.push(("oauth2".into(), o.clone()));
        }
        if let Some((k, v)) = &self.body {
            e.push((k.clone(), v.clone()));
        }
        if let Some(f) = self.follow_redirects {
            e.push(("follow_redirects".into(), Y::Bool(f)));
        }
        if let Some(t) = &self.timeout {
            e.push(("timeout".into(), Y::str(t)));
        }
        if !self.expect.is_empty() {
            e.push(("expect".into(), self.expect.to_yaml()));
        }
        if !self.capture.is_empty() {
            e.push(("capture".into(), Y::map(self.capture.iter().cloned())));
        }
        Item {
            comments: self.comments.clone(),
            value: Y::Map(
                e.into_iter()
                    .map(|(key, value)| Entry {
                        comments: Vec::new(),
                        key,
                        value,
                    })
                    .collect(),
            ),
        }
    }
}

/// A collection file: header comments, `name`, `vars` (with comments), `defaults` (what
/// every request of the file gets unless it sets it), `requests`.
pub(crate) fn collection(
    header: &[String],
    name: &str,
    vars: Vec<Entry>,
    defaults: Option<Entry>,
    requests: &[OutRequest],
) -> String {
    collection_with(header, name, Vec::new(), vars, defaults, requests)
}

/// [`collection`] with keys after the name (`needs:`, `export:`).
pub(crate) fn collection_with(
    header: &[String],
    name: &str,
    links: Vec<Entry>,
    vars: Vec<Entry>,
    defaults: Option<Entry>,
    requests: &[OutRequest],
) -> String {
    let mut top = vec![Entry {
        comments: Vec::new(),
        key: "name".into(),
        value: Y::str(name),
    }];
    top.extend(links);
    if !vars.is_empty() {
        top.push(Entry {
            comments: Vec::new(),
            key: "vars".into(),
            value: Y::Map(vars),
        });
    }
    top.extend(defaults);
    top.push(Entry {
        comments: Vec::new(),
        key: "requests".into(),
        value: Y::Seq(requests.iter().map(OutRequest::to_yaml).collect()),
    });
    super::yaml::document(header, &Y::Map(top))
}
