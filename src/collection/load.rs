//! Loading a collection file: YAML text → located tree → model, collecting every problem.

use super::model::*;
use super::request::read_request;
use super::vars::read_vars;
use crate::diag::Loc;
use crate::diag::{Diagnostic, SourceFile};
use crate::fsutil::io_reason;
use crate::template::Templates;
use crate::yaml::node::{self, Kind, Node};
use crate::yaml::read::{Compiler, Reader};
use crate::yaml::stream::Unreadable;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const COLLECTION_KEYS: &[&str] = &["name", "vars", "requests", "description"];
pub use super::request::{BODY_KEYS, REQUEST_KEYS};

/// A collection, or the problems that stop it from loading. Warnings that do not stop it
/// are pushed to `problems` either way.
pub fn load_file(
    path: &Path,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Collection> {
    let file = read_source(path, problems)?;
    load_source(&file, templates, problems)
}

/// Read a file as UTF-8 text, with a clear error for what cannot be read.
pub fn read_source(path: &Path, problems: &mut Vec<Diagnostic>) -> Option<Arc<SourceFile>> {
    let shown = crate::diag::display_path(path);
    match crate::fsutil::read(path, crate::fsutil::MAX_COLLECTION) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(path, text)),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                problems.push(unreadable(
                    &shown,
                    Unreadable::NotUtf8 {
                        offset: offset as u64,
                        line,
                    },
                ));
                None
            }
        },
        Err(e) => {
            problems.push(unreadable(&shown, Unreadable::Io(e)));
            None
        }
    }
}

/// The error for a file that cannot be read (`shown`: its path as shown).
fn unreadable(shown: &str, why: Unreadable) -> Diagnostic {
    match why {
        Unreadable::NotUtf8 { offset, line } => Diagnostic::error(format!(
            "{shown}:{line}: the file is not valid UTF-8 (byte {offset})"
        ))
        .help("save the file as UTF-8"),
        Unreadable::Io(e) => {
            Diagnostic::error(format!("{shown}: cannot read the file: {}", io_reason(&e)))
        }
    }
}

/// Parse YAML text into its tree, or push the syntax error.
pub fn parse_tree<'t>(
    file: &'t Arc<SourceFile>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Node<'t>> {
    parse_with(file, problems, node::parse)
}

/// `parse` of a file's text, its problems shown in `file` (a masked copy of the text
/// may stand for it: see `environment::load`).
pub(super) fn parse_with<'t>(
    file: &'t Arc<SourceFile>,
    problems: &mut Vec<Diagnostic>,
    parse: impl FnOnce(&'t str) -> Result<Node<'t>, node::SyntaxError>,
) -> Option<Node<'t>> {
    if file.text().trim().is_empty() {
        problems.push(
            Diagnostic::error(format!("{}: the file is empty", file.display()))
                .help("a collection needs at least `requests:` with one request"),
        );
        return None;
    }
    match parse(file.text()) {
        Ok(tree) => Some(tree),
        Err(e) => {
            problems.push(syntax_error(file, e));
            None
        }
    }
}

fn syntax_error(file: &Arc<SourceFile>, e: node::SyntaxError) -> Diagnostic {
    let d = Diagnostic::error(format!("invalid YAML: {}", e.message)).at(file, e.loc);
    if e.message.to_lowercase().contains("tab") && file.text().contains('\t') {
        d.help("YAML indents with spaces, not tabs")
    } else {
        d
    }
}

/// How much of the requests read stays in memory after loading.
#[derive(Clone, Copy, Debug, Default)]
pub enum Keep {
    /// Every request (checking, exporting: they look at all of them at once).
    #[default]
    All,
    /// Requests of files up to this many bytes of text in all, in the order given; a
    /// file past it is read from disk as it is checked (`load_on_disk`), its requests
    /// dropped, and read from disk again one at a time as it runs (`reread`), so that a
    /// run's memory does not grow with the number of requests it defines.
    Within(usize),
}

/// What `baton run` keeps: its 1,000-request benchmark file (400 KB) stays whole; a
/// file ten times that size is read again as it runs (parsing it twice costs about a
/// third of its run time, against 1.5 KB of memory per request and its text otherwise).
pub const RUN_KEEPS: Keep = Keep::Within(1 << 20);

/// Load many files, on every core: each thread reads, parses and checks the next file with
/// templates of its own, which are adopted by `templates` at the end; problems are listed
/// file by file in the order given.
pub fn load_files(
    paths: &[PathBuf],
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
    keep: Keep,
) -> Vec<Collection> {
    // Which files keep their requests: those that fit the budget, in the order given.
    let mut left = match keep {
        Keep::All => u64::MAX,
        Keep::Within(bytes) => bytes as u64,
    };
    let kept: Vec<bool> = paths
        .iter()
        .map(|path| {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            let fits = size <= left;
            if fits {
                left -= size;
            }
            fits
        })
        .collect();
    type Loaded = (Option<Collection>, Vec<Diagnostic>);
    let load = |i: usize, templates: &mut Templates| -> Loaded {
        let mut found = Vec::new();
        let c = if kept[i] {
            read_source(&paths[i], &mut found)
                .and_then(|file| load_source(&file, templates, &mut found))
        } else {
            load_on_disk(&paths[i], templates, &mut found)
        };
        (c, found)
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len());
    let loaded: Vec<Loaded> = if workers <= 1 {
        (0..paths.len()).map(|i| load(i, templates)).collect()
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done: Vec<(Templates, Vec<(usize, Loaded)>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Templates::new();
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i >= paths.len() {
                                break;
                            }
                            out.push((i, load(i, &mut mine)));
                        }
                        (mine, out)
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let mut slots: Vec<Option<Loaded>> = (0..paths.len()).map(|_| None).collect();
        for (theirs, out) in done {
            templates.adopt(theirs);
            for (i, l) in out {
                slots[i] = Some(l);
            }
        }
        // A file whose thread failed is loaded here.
        slots
            .into_iter()
            .enumerate()
            .map(|(i, slot)| slot.unwrap_or_else(|| load(i, templates)))
            .collect()
    };
    let mut collections = Vec::new();
    for (c, found) in loaded {
        problems.extend(found);
        collections.extend(c);
    }
    collections
}

/// A collection from its text. Each request is read as soon as the parser has its item, so
/// the tree of the whole file is never in memory (a 10,000-request file's tree is larger
/// than its model); its problems keep their place among the file's others.
pub fn load_source(
    file: &Arc<SourceFile>,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Collection> {
    let (tree, streamed) = read_items(file, templates, true, |sink| {
        parse_with(file, problems, |text| node::parse_streaming(text, sink))
    });
    build_from(file, tree?, Some(streamed), templates, problems)
}

/// A collection too big to keep (see `Keep::Within`), checked as it is read from disk a
/// block at a time: neither its text nor its requests stay in memory, only the
/// fingerprint of each request, which `reread` compares when it reads the file again.
pub fn load_on_disk(
    path: &Path,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Collection> {
    let file = SourceFile::on_disk(path);
    let (tree, streamed) = read_items(&file, templates, false, |sink| {
        node::parse_streaming_file(path, sink)
    });
    let tree = match tree {
        Ok(tree) => tree,
        // A file read whole is refused for bad UTF-8 anywhere before it is parsed; this
        // one is parsed as it is read, so the rest is checked after a syntax error.
        Err(node::FileProblem::Syntax(e)) => {
            problems.push(match crate::yaml::stream::not_utf8(path) {
                Some(why) => unreadable(&file.display(), why),
                None => syntax_error(&file, e),
            });
            return None;
        }
        Err(node::FileProblem::Unreadable(why)) => {
            problems.push(unreadable(&file.display(), why));
            return None;
        }
    };
    build_from(&file, tree, Some(streamed), templates, problems)
}

/// `parse` with a sink that reads each request item as the parser ends it (checked, and
/// kept or only fingerprinted), so that the tree of the whole list is never in memory.
fn read_items<'t, R>(
    file: &Arc<SourceFile>,
    templates: &mut Templates,
    keep: bool,
    parse: impl FnOnce(&mut dyn FnMut(Node<'t>)) -> R,
) -> (R, Streamed) {
    let mut streamed = Streamed::default();
    streamed.list.keep = keep;
    let mut found = Vec::new();
    let mut r = Reader {
        file,
        problems: &mut found,
        templates: Compiler::New(templates),
    };
    let list = &mut streamed.list;
    let tree = parse(&mut |item: Node<'t>| list.add(&mut r, &item));
    streamed.problems = found;
    (tree, streamed)
}

/// Requests read while the file was parsed, with the problems found in them.
#[derive(Default)]
struct Streamed {
    list: RequestList,
    problems: Vec<Diagnostic>,
}

/// The collection a parsed file holds, or `None` when it has errors (pushed to `problems`).
pub fn build(
    file: &Arc<SourceFile>,
    tree: Node,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Collection> {
    build_from(file, tree, None, templates, problems)
}

fn build_from(
    file: &Arc<SourceFile>,
    mut tree: Node,
    streamed: Option<Streamed>,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Collection> {
    let before = problems.iter().filter(|d| d.is_error()).count();
    let mut r = Reader {
        file,
        problems,
        templates: Compiler::New(templates),
    };
    // A list whose items were all streamed is empty in the tree: its requests are ready.
    let streamed = streamed.filter(|s| s.list.items > 0);
    let collection = read_collection(&mut r, &mut tree, streamed);
    let after = r.problems.iter().filter(|d| d.is_error()).count();
    if after > before { None } else { collection }
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

fn read_collection(
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
            Some(items) => (read_request_items(r, node, items), Vec::new()),
            None => (read_requests(r, node), Vec::new()),
        },
    };
    // A bare list of requests is a collection too.
    if let Kind::Seq(_) = tree.kind {
        let (requests, deferred) = requests_of(r, tree, items);
        return Some(Collection {
            file: r.file.clone(),
            name: default_name(r.file),
            vars: Vec::new(),
            requests,
            deferred,
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
    let (requests, deferred) = match map.get("requests") {
        Some(n) => requests_of(r, n, items),
        None => {
            let d = r.error(map.loc, "the collection has no `requests:` list");
            d.help = Some(
                "add `requests:` with at least one request, e.g. `- GET: https://example.com`"
                    .into(),
            );
            (Vec::new(), Vec::new())
        }
    };
    map.finish(r, "the collection", COLLECTION_KEYS);
    Some(Collection {
        file: r.file.clone(),
        name,
        vars,
        requests,
        deferred,
    })
}

fn default_name(file: &SourceFile) -> String {
    file.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn read_requests(r: &mut Reader, node: &Node) -> Vec<Request> {
    let Some(items) = r.seq(node, "requests") else {
        return Vec::new();
    };
    let items = items.to_vec();
    read_request_items(r, node, items)
}

/// The requests of a `requests:` list (`node`, whose items are `items`), each item's nodes
/// dropped as soon as it is read.
fn read_request_items(r: &mut Reader, node: &Node, items: Vec<Node>) -> Vec<Request> {
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
    list.finish().0
}

/// The requests of a list, read one item at a time, with the checks between them.
struct RequestList {
    out: Vec<Request>,
    /// Ids seen so far, and whether the request with the id obtains tokens.
    ids: std::collections::HashMap<String, bool>,
    /// Items seen, read or not.
    items: usize,
    /// Whether requests are kept once checked (else only counted: see `Keep`).
    keep: bool,
    /// The fingerprints of the requests read and not kept.
    dropped: Vec<u64>,
}

impl Default for RequestList {
    fn default() -> Self {
        RequestList {
            out: Vec::new(),
            ids: Default::default(),
            items: 0,
            keep: true,
            dropped: Vec::new(),
        }
    }
}

impl RequestList {
    fn add(&mut self, r: &mut Reader, item: &Node) {
        self.items += 1;
        let Some(req) = read_request(r, item) else {
            return;
        };
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
                    let d = r.error(*loc, format!("no earlier request has the id `{id}`"));
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

    /// The requests kept, and how many were read and not kept.
    fn finish(mut self) -> (Vec<Request>, Vec<u64>) {
        self.out.shrink_to_fit();
        (self.out, self.dropped)
    }
}

/// A request as a run gets it: kept since loading, or read again from its file.
pub enum Running<'a> {
    Kept(&'a Request),
    Read(Box<Request>),
}

impl std::ops::Deref for Running<'_> {
    type Target = Request;
    fn deref(&self) -> &Request {
        match self {
            Running::Kept(r) => r,
            Running::Read(r) => r,
        }
    }
}

/// The requests of a collection in order, as a run takes them: those kept since loading,
/// or (a file past the budget of `Keep::Within`) each read again as the run gets to it.
pub fn requests_to_run<'a>(
    c: &'a Collection,
    templates: &'a Templates,
) -> Box<dyn Iterator<Item = Result<Running<'a>, Diagnostic>> + 'a> {
    if c.deferred.is_empty() {
        Box::new(c.requests.iter().map(|r| Ok(Running::Kept(r))))
    } else {
        Box::new(reread(c, templates).map(|r| r.map(|r| Running::Read(Box::new(r)))))
    }
}

/// The requests of a collection checked before and not kept, read again one at a time
/// (from disk for a file loaded by `load_on_disk`): what runs is one request at a time,
/// not the whole file's model. Each must be the request checked, by its fingerprint: a
/// file edited since is an error at the first request that differs, not a request run
/// unchecked.
pub fn reread<'a>(
    c: &'a Collection,
    templates: &'a Templates,
) -> impl Iterator<Item = Result<Request, Diagnostic>> + 'a {
    let file = &c.file;
    let problem = move |e| match e {
        node::FileProblem::Syntax(e) => syntax_error(file, e),
        node::FileProblem::Unreadable(why) => unreadable(&file.display(), why),
    };
    let items: Box<dyn Iterator<Item = Result<Node<'static>, Diagnostic>>> =
        match node::request_items_of_file(&file.path) {
            Ok(items) => Box::new(items.map(move |i| i.map_err(problem))),
            Err(e) => Box::new(std::iter::once(Err(problem(e)))),
        };
    let changed = move |loc| {
        Diagnostic::error(format!("{} changed after it was checked", file.display()))
            .at(file, loc)
            .help("run again: every request is checked before the first is sent")
    };
    let mut items = items.fuse();
    let mut checked = c.deferred.iter();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let failed = match (items.next(), checked.next()) {
            (None, None) => return None,
            (Some(Ok(item)), Some(&print)) if item.fingerprint() == print => {
                return Some(read_again(c, templates, &item));
            }
            (Some(Ok(item)), _) => changed(item.loc),
            (Some(Err(d)), _) => d,
            (None, Some(_)) => changed(Loc::default()),
        };
        done = true;
        Some(Err(failed))
    })
}

fn read_again(c: &Collection, templates: &Templates, item: &Node) -> Result<Request, Diagnostic> {
    let mut problems = Vec::new();
    let mut r = Reader {
        file: &c.file,
        problems: &mut problems,
        templates: Compiler::Known(templates),
    };
    let req = read_request(&mut r, item);
    match (req, problems.into_iter().find(Diagnostic::is_error)) {
        (Some(req), None) => Ok(req),
        (_, Some(d)) => Err(d),
        (None, None) => {
            Err(Diagnostic::error("the request cannot be read again").at(&c.file, item.loc))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Option<Collection>, Vec<String>) {
        let file = SourceFile::new("c.yaml", text);
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let c = load_source(&file, &mut templates, &mut problems);
        let shown = problems.iter().map(|d| d.message.clone()).collect();
        (c, shown)
    }

    fn names(c: &Collection) -> Vec<&str> {
        c.requests.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn streamed_requests_are_all_read_in_order() {
        let text = "name: c\nrequests:\n  - GET: http://a/1\n  - name: two\n    POST: http://a/2\n";
        let (c, problems) = load(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(names(&c.unwrap()), ["GET http://a/1", "two"]);
        // A bare list is streamed too.
        let (c, _) = load("- GET: http://a/1\n- GET: http://a/2\n- GET: http://a/3\n");
        assert_eq!(c.unwrap().requests.len(), 3);
    }

    #[test]
    fn problems_keep_document_order_and_a_syntax_error_stands_alone() {
        // `name` is checked after the requests were streamed, yet its problem comes first,
        // as the file has it; unknown keys of the collection come last.
        let text = "name: [x]\nrequests:\n  - GET: http://a/1\n    methd: 1\nextra: 1\n";
        let (c, problems) = load(text);
        assert!(c.is_none());
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`name`"), "{problems:?}");
        assert!(problems[1].contains("methd"), "{problems:?}");
        assert!(problems[2].contains("extra"), "{problems:?}");
        // A syntax error after a bad request: only the syntax error, as before streaming.
        let (c, problems) = load("requests:\n  - GET: http://a/1\n    methd: 1\n  - GET: [\n");
        assert!(c.is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("invalid YAML"), "{problems:?}");
    }

    #[test]
    fn anchored_lists_and_ids_across_streamed_items() {
        // An anchored list is kept whole, so that its alias finds the items.
        let text = "requests: &all\n  - GET: http://a/1\nother: *all\n";
        let (_, problems) = load(text);
        assert!(problems.iter().any(|p| p.contains("other")), "{problems:?}");
        let (c, problems) = load("requests: &all\n  - GET: http://a/1\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.unwrap().requests.len(), 1);
        // Checks between requests still see the earlier ones.
        let text = "requests:\n  - id: a\n    GET: http://a/1\n  - id: a\n    GET: http://a/2\n  - GET: http://a/3\n    auth: { oauth2: nope }\n";
        let (_, problems) = load(text);
        assert!(
            problems.iter().any(|p| p.contains("used by two")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("no earlier request has the id `nope`")),
            "{problems:?}"
        );
        // An empty list is still named as such.
        let (_, problems) = load("requests: []\n");
        assert!(
            problems.iter().any(|p| p.contains("is empty")),
            "{problems:?}"
        );
    }

    /// Every example collection and every bad input reads the same whether each request is
    /// read as the parser ends it or after the whole tree is built: the same requests, the
    /// same problems in the same order.
    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn streaming_reads_what_the_whole_tree_reads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        yaml_files(&root.join("collections"), &mut files);
        yaml_files(&root.join("tests/bad_inputs"), &mut files);
        assert!(files.len() > 50, "{} files", files.len());
        let mut with_problems = 0;
        let shown = |ps: &[Diagnostic]| ps.iter().map(|d| d.short()).collect::<Vec<_>>();
        for path in files {
            // Read from disk as it is parsed (a file too big to keep): the same too.
            let (mut p3, mut t3) = (Vec::new(), Templates::new());
            let on_disk = load_on_disk(&path, &mut t3, &mut p3);
            let mut p0 = Vec::new();
            let Some(file) = read_source(&path, &mut p0) else {
                assert_eq!(shown(&p3), shown(&p0), "{}", path.display());
                continue;
            };
            let (mut p1, mut t1) = (Vec::new(), Templates::new());
            let streamed = load_source(&file, &mut t1, &mut p1);
            let (mut p2, mut t2) = (Vec::new(), Templates::new());
            let whole = parse_tree(&file, &mut p2).and_then(|t| build(&file, t, &mut t2, &mut p2));
            assert_eq!(shown(&p1), shown(&p2), "{}", path.display());
            // A file that is empty or only comments is named as such in memory only.
            if !file
                .text()
                .lines()
                .all(|l| l.trim().is_empty() || l.trim().starts_with('#'))
            {
                assert_eq!(shown(&p3), shown(&p1), "{}", path.display());
                assert_eq!(
                    on_disk.as_ref().map(Collection::request_count),
                    streamed.as_ref().map(Collection::request_count),
                    "{}",
                    path.display()
                );
            }
            let names = |c: &Option<Collection>| {
                c.as_ref().map(|c| {
                    c.requests
                        .iter()
                        .map(|r| r.name.clone())
                        .collect::<Vec<_>>()
                })
            };
            assert_eq!(names(&streamed), names(&whole), "{}", path.display());
            with_problems += usize::from(!p1.is_empty());
        }
        assert!(
            with_problems > 20,
            "only {with_problems} files had problems"
        );
    }

    /// A collection whose requests were checked and dropped reads them again, at run
    /// time, exactly as they were: every example, request by request.
    #[test]
    fn requests_not_kept_are_read_again_as_they_were() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        let mut files = Vec::new();
        yaml_files(&root.join("collections"), &mut files);
        for path in files {
            let file = read_source(&path, &mut Vec::new()).unwrap();
            let (mut p1, mut t1) = (Vec::new(), Templates::new());
            let Some(kept) = load_source(&file, &mut t1, &mut p1) else {
                continue;
            };
            let (mut p3, mut t3) = (Vec::new(), Templates::new());
            let on_disk = load_on_disk(&path, &mut t3, &mut p3).unwrap();
            assert!(on_disk.requests.is_empty() && on_disk.file.is_on_disk());
            assert_eq!(
                on_disk.deferred.len(),
                kept.requests.len(),
                "{}",
                path.display()
            );
            assert_eq!(on_disk.request_count(), kept.request_count());
            let from_disk: Vec<Request> = reread(&on_disk, &t3).map(Result::unwrap).collect();
            let seen = |r: &Request| {
                let texts: Vec<String> = r.templates().iter().map(|t| t.text.to_string()).collect();
                (
                    r.name.clone(),
                    r.method.clone(),
                    // Byte offsets are known only when the text is in memory.
                    (r.loc.line, r.loc.col),
                    texts,
                    r.expect.items.len(),
                    r.capture.len(),
                )
            };
            let a: Vec<_> = kept.requests.iter().map(seen).collect();
            let b: Vec<_> = from_disk.iter().map(seen).collect();
            assert_eq!(a, b, "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} examples");
    }

    /// Files loaded on several threads, each compiling with templates of its own: every
    /// template renders with the templates the run ends up with, and problems come file
    /// by file in the order given.
    /// What runs from a file read again from disk is what was checked: a file edited
    /// after the check stops at the first request that differs, before sending it.
    #[test]
    fn a_file_edited_after_its_check_runs_nothing_unchecked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        let request = |i: usize, url: &str| format!("  - name: r{i}\n    GET: {url}\n");
        let three: String = (1..=3)
            .map(|i| request(i, &format!("http://a/{i}")))
            .collect();
        std::fs::write(&path, format!("requests:\n{three}")).unwrap();
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let c = load_on_disk(&path, &mut templates, &mut problems).unwrap();
        assert_eq!(c.deferred.len(), 3);
        let run = |text: String| -> Vec<Result<String, String>> {
            std::fs::write(&path, text).unwrap();
            reread(&c, &templates)
                .map(|r| r.map(|r| r.name).map_err(|d| d.short()))
                .collect()
        };
        let ok = |n: &str| Ok::<String, String>(n.to_string());
        assert_eq!(
            run(format!("requests:\n{three}")),
            [ok("r1"), ok("r2"), ok("r3")]
        );
        // A changed URL, a comment (nothing the request reads: runs), a moved request.
        let edited = three.replace("http://a/2", "http://evil/2");
        let got = run(format!("requests:\n{edited}"));
        assert_eq!(got[..1], [ok("r1")]);
        assert_eq!(got.len(), 2, "{got:?}");
        let err = got[1].as_ref().unwrap_err();
        assert!(
            err.contains("c.yaml:4:") && err.contains("changed after it was checked"),
            "{err}"
        );
        assert_eq!(run(format!("requests:\n{three}# done\n")).len(), 3);
        assert!(run(format!("\nrequests:\n{three}"))[0].is_err());
        // Fewer requests, more requests, a file gone.
        let two: String = (1..=2)
            .map(|i| request(i, &format!("http://a/{i}")))
            .collect();
        let got = run(format!("requests:\n{two}"));
        assert_eq!(got.len(), 3);
        assert!(
            got[2].as_ref().is_err_and(|e| e.contains("changed")),
            "{got:?}"
        );
        let four = format!("{three}{}", request(4, "http://a/4"));
        let got = run(format!("requests:\n{four}"));
        assert_eq!(got.len(), 4);
        assert!(
            got[3].as_ref().is_err_and(|e| e.contains("changed")),
            "{got:?}"
        );
        std::fs::remove_file(&path).unwrap();
        let got: Vec<_> = reread(&c, &templates).map(|r| r.map(|_| ())).collect();
        assert_eq!(got.len(), 1);
        let err = got[0].as_ref().unwrap_err().short();
        assert!(err.contains("cannot read the file"), "{err}");
    }

    /// A file read from disk as it is parsed has no text in memory; a problem in it is
    /// still shown with its line, read when it is shown.
    #[test]
    fn problems_in_a_file_on_disk_quote_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "requests:\n  - GET: http://a/1\n    methd: 1\n").unwrap();
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
        let shown = problems[0].render(false);
        assert!(
            shown.contains("methd: 1") && shown.contains(":3:5"),
            "{shown}"
        );
        assert!(shown.contains("did you mean 'method'"), "{shown}");
        // Not UTF-8: the byte and line, as for a file read whole.
        std::fs::write(&path, b"requests:\n  - GET: http://a/\xff\n").unwrap();
        let mut problems = Vec::new();
        assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
        assert!(
            problems[0]
                .message
                .ends_with(":2: the file is not valid UTF-8 (byte 28)"),
            "{:?}",
            problems[0].message
        );
        // After a syntax error too (found by fuzzing): a file read whole is refused for
        // its bytes first.
        let text = format!("a: 1\n%YAML 1.2\n---\nb: 2\n# {}", "x".repeat(100));
        std::fs::write(&path, [text.as_bytes(), b"\xff\n"].concat()).unwrap();
        let mut problems = Vec::new();
        assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
        let mut whole = Vec::new();
        assert!(read_source(&path, &mut whole).is_none());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].short(), whole[0].short());
    }

    #[test]
    fn files_loaded_in_parallel_render_with_the_run_s_templates() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..40 {
            let path = dir.path().join(format!("f{i:02}.yaml"));
            let extra = if i % 10 == 3 { "    methd: 1\n" } else { "" };
            std::fs::write(
                &path,
                format!("requests:\n  - GET: <<base>>/{i}/<<x | upper>>\n{extra}    headers: {{ n: '<<n + {i}>>' }}\n"),
            )
            .unwrap();
            paths.push(path);
        }
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let c = load_files(&paths, &mut templates, &mut problems, Keep::All);
        assert_eq!(c.len(), 36);
        let places: Vec<String> = problems.iter().map(|d| d.short()).collect();
        assert_eq!(places.len(), 4, "{places:?}");
        for (k, i) in [3, 13, 23, 33].iter().enumerate() {
            assert!(places[k].contains(&format!("f{i:02}.yaml")), "{places:?}");
        }
        let mut scope = crate::template::Scope::default();
        scope.set("base", "http://h".into());
        scope.set("x", "ab".into());
        scope.set("n", 1.into());
        for (c, i) in c.iter().zip((0..40).filter(|i| i % 10 != 3)) {
            let r = &c.requests[0];
            assert_eq!(
                templates.render(&r.url, &scope).unwrap(),
                format!("http://h/{i}/AB")
            );
            assert_eq!(
                templates.render(&r.headers[0].1, &scope).unwrap(),
                (1 + i).to_string()
            );
        }
    }

    #[test]
    fn a_run_keeps_the_requests_of_files_within_its_budget() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.yaml");
        std::fs::write(
            &small,
            "requests:\n  - GET: http://a/1\n  - GET: http://a/2\n",
        )
        .unwrap();
        let big = dir.path().join("big.yaml");
        let padding = "x".repeat(1 << 20);
        std::fs::write(
            &big,
            format!(
                "description: {padding}\nrequests:\n  - GET: http://a/1\n  - GET: http://a/2\n"
            ),
        )
        .unwrap();
        let load = |path: &PathBuf, keep: Keep| {
            let (mut problems, mut templates) = (Vec::new(), Templates::new());
            let c = load_files(
                std::slice::from_ref(path),
                &mut templates,
                &mut problems,
                keep,
            );
            assert!(problems.is_empty(), "{problems:?}");
            let c = c.into_iter().next().unwrap();
            (c.requests.len(), c.deferred.len())
        };
        assert_eq!(load(&small, RUN_KEEPS), (2, 0));
        assert_eq!(load(&big, RUN_KEEPS), (0, 2));
        assert_eq!(load(&big, Keep::All), (2, 0));
        // Many files (loaded on every core): the budget goes to them in the order given.
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let paths = [small.clone(), big.clone(), small.clone()];
        let c = load_files(&paths, &mut templates, &mut problems, Keep::Within(1 << 20));
        let shape: Vec<(usize, usize)> = c
            .iter()
            .map(|c| (c.requests.len(), c.deferred.len()))
            .collect();
        assert_eq!(shape, [(2, 0), (0, 2), (2, 0)]);
        let c = load_files(&paths, &mut templates, &mut problems, Keep::Within(60));
        let shape: Vec<(usize, usize)> = c
            .iter()
            .map(|c| (c.requests.len(), c.deferred.len()))
            .collect();
        assert_eq!(shape, [(2, 0), (0, 2), (0, 2)]);
        // A file that does not load is reported the same either way.
        std::fs::write(
            &big,
            format!("description: {padding}\nrequests:\n  - GET: http://a/1\n    methd: 1\n"),
        )
        .unwrap();
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let c = load_files(
            std::slice::from_ref(&big),
            &mut templates,
            &mut problems,
            RUN_KEEPS,
        );
        assert!(c.is_empty());
        assert!(problems[0].message.contains("methd"), "{problems:?}");
    }
}
