//! `include: path` items of a `requests:` list (with `with: { var: value }`): the requests
//! of another collection inlined at that point, each marked with where it was included and
//! the variables it alone sees. Errors inside the included file keep their own place and
//! get a note of where it was included; cycles are refused at the `include:` that closes
//! them.

use super::habits::Placeholder;
use super::load::parse_tree;
use super::model::{Collection, Included, Request};
use super::toplevel::read_collection;
use super::vars::{VarDef, read_vars};
use crate::diag::{Diagnostic, Loc, SourceFile, display_path};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::{Compiler, Reader};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) const INCLUDE_KEYS: &[&str] = &["include", "with"];

thread_local! {
    /// The files being read, outermost first, on this thread: a file loads on one thread
    /// from start to end (`load::load_files`), includes and all, so this is its chain of
    /// includes, for cycles.
    static CHAIN: RefCell<Vec<(PathBuf, String)>> = const { RefCell::new(Vec::new()) };
}

/// Whether a `requests:` item is an `include:` rather than a request.
pub(super) fn is_include(item: &Node) -> bool {
    matches!(&item.kind, Kind::Map(entries) if entries.iter().any(|(k, _)| k.name == "include"))
}

/// The requests an `include:` item stands for (none when it has errors, which are pushed),
/// and the Postman `{{…}}` of the included file (weighed against the names of this one).
pub(super) fn expand(r: &mut Reader, item: &Node) -> (Vec<Request>, Vec<Placeholder>) {
    let Some(mut map) = r.map(item, "an include") else {
        return (Vec::new(), Vec::new());
    };
    let Some(path_node) = map.get("include") else {
        return (Vec::new(), Vec::new());
    };
    let with = map
        .get("with")
        .map(|n| read_vars(r, n, "with", &[]))
        .unwrap_or_default();
    map.finish(r, "an include", INCLUDE_KEYS);
    let Some(rel) = r.text(path_node, "include") else {
        return (Vec::new(), Vec::new());
    };
    let at = path_node.loc;
    let path = r.file.path.parent().unwrap_or(Path::new("")).join(&rel);
    if let Some(cycle) = closes_cycle(&r.file.path, &path) {
        let d = r.error(at, format!("include cycle: {cycle}"));
        d.help = Some("a file cannot include itself, directly or through others".into());
        return (Vec::new(), Vec::new());
    }
    let Some(file) = read_included(r, &path, at) else {
        return (Vec::new(), Vec::new());
    };
    let mut found = Vec::new();
    let collection = parse_tree(&file, &mut found).and_then(|mut tree| {
        let mut inner = Reader {
            file: &file,
            problems: &mut found,
            templates: match &mut r.templates {
                Compiler::New(t) => Compiler::New(t),
                Compiler::Known(t) => Compiler::Known(t),
            },
        };
        CHAIN.with(|c| c.borrow_mut().push((key(&r.file.path), r.file.display())));
        let c = read_collection(&mut inner, &mut tree, None);
        CHAIN.with(|c| c.borrow_mut().pop());
        c
    });
    let failed = found.iter().any(Diagnostic::is_error);
    let note = format!("included from {}:{}:{}", r.file.display(), at.line, at.col);
    r.problems
        .extend(found.into_iter().map(|d| d.note(note.clone())));
    if let Some(c) = collection
        .as_ref()
        .filter(|c| !c.needs.is_empty() || !c.persist.is_empty())
    {
        // Only the requests are inlined: what runs once per run belongs to the run's files.
        let key = if c.needs.is_empty() {
            "persist"
        } else {
            "needs"
        };
        r.warning(
            at,
            format!(
                "the `{key}:` of {} is not followed through `include:`; give it in this file",
                file.display()
            ),
        );
    }
    match collection {
        Some(mut c) if !failed => {
            let habits = c.habits.take().map(|h| h.placeholders).unwrap_or_default();
            (inline(r, c, with, item.loc), habits)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// The included file's requests, each told where it was included and given `with:` above
/// the included file's own `vars:` (an include inside the included file keeps its own
/// `with:` above these).
fn inline(r: &Reader, c: Collection, with: Vec<VarDef>, loc: Loc) -> Vec<Request> {
    let layer = over(with, c.vars);
    let mut out = c.requests;
    for req in &mut out {
        let (file, with) = match req.included.take() {
            Some(inner) => (inner.file.clone(), over(inner.with.clone(), layer.clone())),
            None => (c.file.clone(), layer.clone()),
        };
        req.included = Some(Arc::new(Included {
            from: r.file.clone(),
            loc,
            file,
            with,
        }));
    }
    out
}

/// `high` then the definitions of `low` whose names `high` does not define: one layer
/// where no name appears twice.
fn over(mut high: Vec<VarDef>, low: Vec<VarDef>) -> Vec<VarDef> {
    for v in low {
        if !high.iter().any(|h| h.name == v.name) {
            high.push(v);
        }
    }
    high
}

/// The file an `include:` names, read, or `None` with the error at the `include:`.
fn read_included(r: &mut Reader, path: &Path, at: Loc) -> Option<Arc<SourceFile>> {
    let shown = display_path(path);
    match crate::fsutil::read(path, crate::fsutil::MAX_COLLECTION) {
        Ok(bytes) => {
            if let Ok(text) = String::from_utf8(bytes) {
                Some(SourceFile::new(path, text))
            } else {
                r.error(at, format!("{shown}: the file is not valid UTF-8"))
                    .help = Some("save the file as UTF-8".into());
                None
            }
        }
        Err(e) => {
            r.error(at, format!("{shown}: {}", crate::fsutil::io_reason(&e)));
            None
        }
    }
}

/// The chain of files `from` including `to` closes, if it closes one (`a.yaml → b.yaml →
/// a.yaml`).
fn closes_cycle(from: &Path, to: &Path) -> Option<String> {
    let target = key(to);
    let mut chain = CHAIN.with(|c| c.borrow().clone());
    chain.push((key(from), display_path(from)));
    let start = chain.iter().position(|(p, _)| *p == target)?;
    let mut names: Vec<String> = chain.drain(start..).map(|(_, shown)| shown).collect();
    names.push(display_path(to));
    Some(names.join(" → "))
}

/// A file's identity for cycles: its canonical path when it has one.
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
