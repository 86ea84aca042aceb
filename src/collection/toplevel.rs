//! The keys of a collection file's top level (`name`, `vars`, `requests`, `description`,
//! and for reuse across files `needs`, `export`, `persist`, `defaults`), or a bare list of
//! requests, read into a `Collection`; and the request list itself, read
//! one item at a time with the checks that span requests (ids, `auth: { oauth2: id }`).

use super::habits::Habits;
use super::model::{Auth, Collection, Need, Request};
use super::request::read_request;
use super::vars::read_vars;
use crate::diag::{Diagnostic, SourceFile};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::{Reader, is_identifier};
use std::path::Path;
use std::sync::Arc;

pub(crate) const COLLECTION_KEYS: &[&str] = &[
    "name",
    "vars",
    "requests",
    "description",
    "needs",
    "export",
    "persist",
    "defaults",
];

/// The start of the error for `auth: { oauth2: id }` naming no earlier request: taken
/// back when the file has `needs:`, whose exported ids the runner and `baton check` know.
const NO_SUCH_ID: &str = "no earlier request has the id";

/// Requests read while the file was parsed, with the problems found in them.
#[derive(Default)]
pub(super) struct Streamed {
    pub(super) list: RequestList,
    pub(super) problems: Vec<Diagnostic>,
}

/// The request items of a parsed collection, taken out of its tree so that each item's
/// nodes are freed once its request is read: the whole tree and the whole model are then
/// never in memory at once (massif: the tree of 1,000 requests is larger than their model).
fn take_request_items<'t>(tree: &mut Node<'t>) -> Option<Vec<Node<'t>>> {
    let list = match &mut tree.kind {
        Kind::Seq(_) => tree,
        Kind::Map(entries) => &mut entries.iter_mut().find(|(k, _)| k.name == "requests")?.1,
        _ => return None,
    };
    match &mut list.kind {
        Kind::Seq(items) => Some(std::mem::take(items)),
        _ => None,
    }
}

pub(super) fn read_collection(
    r: &mut Reader,
    tree: &mut Node,
    streamed: Option<Streamed>,
) -> Option<Collection> {
    let items = take_request_items(tree);
    let tree = &*tree;
    let requests_of = |r: &mut Reader, node: &Node, items: Option<Vec<Node>>| match streamed {
        Some(s) => {
            r.problems.extend(s.problems);
            s.list.finish()
        }
        None => match items {
            Some(items) => read_request_items(r, node, items),
            None => read_list(r, node),
        },
    };
    // A bare list of requests is a collection too.
    if let Kind::Seq(_) = tree.kind {
        let (requests, deferred, habits) = requests_of(r, tree, items);
        return Some(Collection {
            file: r.file.clone(),
            name: default_name(r.file),
            vars: Vec::new(),
            requests,
            deferred,
            needs: Vec::new(),
            export: Vec::new(),
            persist: Vec::new(),
            defaults: None,
            habits,
        });
    }
    let mut map = r.map(tree, "the collection")?;
    let name = map
        .get("name")
        .and_then(|n| r.text(n, "name"))
        .unwrap_or_else(|| default_name(r.file));
    let _ = map.get("description");
    let vars = map
        .get("vars")
        .map(|n| read_vars(r, n, "vars", &[]))
        .unwrap_or_default();
    let needs = map
        .get("needs")
        .map(|n| read_needs(r, n))
        .unwrap_or_default();
    let export = map
        .get("export")
        .map(|n| read_names(r, n, "export"))
        .unwrap_or_default();
    let persist = map
        .get("persist")
        .map(|n| read_names(r, n, "persist"))
        .unwrap_or_default();
    let defaults = map
        .get("defaults")
        .map(|n| Arc::new(super::defaults::read(r, n)));
    // `{{…}}` in `vars:` and `defaults:` reaches requests as theirs does.
    let mut above = Vec::new();
    for key in ["vars", "defaults"] {
        if let Some(n) = map.get(key) {
            super::habits::scan_value(r.file, key, n, &mut above);
        }
    }
    let (mut requests, deferred, mut habits) = if let Some(n) = map.get("requests") {
        requests_of(r, n, items)
    } else {
        let d = r.error(map.loc, "the collection has no `requests:` list");
        d.help = Some(
            "add `requests:` with at least one request, e.g. `- GET: https://example.com`".into(),
        );
        (Vec::new(), Vec::new(), None)
    };
    map.finish(r, "the collection", COLLECTION_KEYS);
    if !above.is_empty() {
        let h = habits.get_or_insert_with(Box::default);
        above.append(&mut h.placeholders);
        h.placeholders = above;
    }
    if !needs.is_empty() {
        // The id may be one a needed file exports: the runner's inputs resolve it.
        let file = r.file.clone();
        r.problems.retain(|d| {
            !(d.message.starts_with(NO_SUCH_ID)
                && d.source.as_ref().is_some_and(|s| Arc::ptr_eq(s, &file)))
        });
    }
    // Applied once every request is read: items are read as the parser ends them, and
    // `defaults:` may come after `requests:`.
    if let Some(d) = &defaults {
        for req in &mut requests {
            d.apply(req);
        }
    }
    Some(Collection {
        file: r.file.clone(),
        name,
        vars,
        requests,
        deferred,
        needs,
        export,
        persist,
        defaults,
        habits,
    })
}

/// `needs: [login.yaml]`: paths relative to this file, resolved; the files themselves are
/// loaded by the run's inputs (once each, with cycles found there).
fn read_needs(r: &mut Reader, node: &Node) -> Vec<Need> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let dir = r.file.path.parent().unwrap_or(Path::new("")).to_path_buf();
    items
        .into_iter()
        .filter_map(|n| {
            let rel = r.text(n, "needs")?;
            if rel.trim().is_empty() {
                r.error(n.loc, "`needs` holds an empty path");
                return None;
            }
            Some(Need {
                path: dir.join(rel),
                loc: n.loc,
            })
        })
        .collect()
}

/// `export: [a, b]` / `persist: [a]`: variable names.
fn read_names(r: &mut Reader, node: &Node, what: &str) -> Vec<String> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut out: Vec<String> = Vec::new();
    for n in items {
        let Some(name) = r.text(n, what) else {
            continue;
        };
        if !is_identifier(&name) {
            let d = r.error(
                n.loc,
                format!("`{name}` in `{what}` is not a variable name"),
            );
            d.help = Some("list names: letters, digits and `_`, e.g. `[access_token]`".into());
        } else if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn default_name(file: &SourceFile) -> String {
    file.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn read_requests(r: &mut Reader, node: &Node) -> Vec<Request> {
    read_list(r, node).0
}

fn read_list(r: &mut Reader, node: &Node) -> Listed {
    let Some(items) = r.seq(node, "requests") else {
        return (Vec::new(), Vec::new(), None);
    };
    let items = items.to_vec();
    read_request_items(r, node, items)
}

/// The requests kept, the fingerprints of those not kept, and Postman habits found.
type Listed = (Vec<Request>, Vec<u64>, Option<Box<Habits>>);

/// The requests of a `requests:` list (`node`, whose items are `items`), each item's nodes
/// dropped as soon as it is read.
fn read_request_items(r: &mut Reader, node: &Node, items: Vec<Node>) -> Listed {
    if items.is_empty() {
        let d = r.error(node.loc, "`requests` is empty");
        d.help = Some("add at least one request, e.g. `- GET: https://example.com`".into());
    }
    let mut list = RequestList {
        out: Vec::with_capacity(items.len()),
        ..RequestList::default()
    };
    for item in items {
        list.add(r, &item);
    }
    list.finish()
}

/// The requests of a list, read one item at a time, with the checks between them.
pub(super) struct RequestList {
    out: Vec<Request>,
    /// Ids seen so far, and whether the request with the id obtains tokens.
    ids: std::collections::HashMap<String, bool>,
    /// Items seen, read or not.
    pub(super) items: usize,
    /// Whether requests are kept once checked (else only counted: see `Keep`).
    pub(super) keep: bool,
    /// The fingerprints of the requests read and not kept.
    dropped: Vec<u64>,
    /// Postman's `{{name}}` found in the requests, and the names the requests define.
    habits: Habits,
}

impl Default for RequestList {
    fn default() -> Self {
        RequestList {
            out: Vec::new(),
            ids: std::collections::HashMap::default(),
            items: 0,
            keep: true,
            dropped: Vec::new(),
            habits: Habits::default(),
        }
    }
}

impl RequestList {
    pub(super) fn add(&mut self, r: &mut Reader, item: &Node) {
        self.items += 1;
        if super::include::is_include(item) {
            let (included, placeholders) = super::include::expand(r, item);
            self.habits.placeholders.extend(placeholders);
            // Their own file checked them; here their ids join this list's, so that later
            // requests may name them. A file not kept reads the include again as it runs.
            for req in included {
                self.habits.defines(&req);
                if let Some(id) = &req.id {
                    let tokens = req.oauth2.as_ref().is_some_and(|o| o.grant.issues_tokens());
                    self.ids.entry(id.clone()).or_insert(tokens);
                }
                if self.keep {
                    self.out.push(req);
                }
            }
            if !self.keep {
                self.dropped.push(item.fingerprint());
            }
            return;
        }
        let Some(req) = read_request(r, item) else {
            return;
        };
        super::habits::scan(r.file, item, &mut self.habits.placeholders);
        self.habits.defines(&req);
        // `auth: { oauth2: id }` must name an earlier oauth2 request that obtains tokens.
        if let Some(Auth::OAuth2 { id, loc }) = req.auth.as_deref() {
            match self.ids.get(id) {
                Some(true) => {}
                Some(false) => {
                    r.error(
                        *loc,
                        format!("request `{id}` is not an `oauth2` request that obtains tokens"),
                    );
                }
                None => {
                    let d = r.error(*loc, format!("{NO_SUCH_ID} `{id}`"));
                    d.help = Some("give the oauth2 request `id: <name>` and put it before the requests that use its token".into());
                }
            }
        }
        if let Some(id) = &req.id {
            let tokens = req.oauth2.as_ref().is_some_and(|o| o.grant.issues_tokens());
            if self.ids.contains_key(id) {
                r.error(req.loc, format!("the id `{id}` is used by two requests"));
            } else {
                self.ids.insert(id.clone(), tokens);
            }
        }
        if self.keep {
            self.out.push(req);
        } else {
            self.dropped.push(item.fingerprint());
        }
    }

    /// The requests kept, the fingerprints of those not kept, and the Postman habits
    /// found (`None` when there is no `{{…}}`, as in most files).
    pub(super) fn finish(mut self) -> Listed {
        self.out.shrink_to_fit();
        let habits = (!self.habits.placeholders.is_empty()).then(|| Box::new(self.habits));
        (self.out, self.dropped, habits)
    }
}
