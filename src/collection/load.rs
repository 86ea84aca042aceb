//! Loading a collection file: YAML text → located tree → model, collecting every problem.
//! Here: reading the file (whole, or from disk a block at a time when it is past the
//! budget a run keeps), parsing it with each request read as the parser ends it, and
//! loading many files on every core. What the top-level keys mean is `toplevel`'s
//! business; reading deferred requests again as a run gets to them is `reread`'s.

use super::model::Collection;
use super::toplevel::{Streamed, read_collection};
use crate::diag::{Diagnostic, SourceFile};
use crate::fsutil::io_reason;
use crate::template::Templates;
use crate::yaml::node::{self, Node};
use crate::yaml::read::{Compiler, Reader};
use crate::yaml::stream::Unreadable;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A collection, or the problems that stop it from loading. Warnings that do not stop it
/// are pushed to `problems` either way.
pub(crate) fn load_file(
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
pub(super) fn unreadable(shown: &str, why: Unreadable) -> Diagnostic {
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

pub(super) fn syntax_error(file: &Arc<SourceFile>, e: node::SyntaxError) -> Diagnostic {
    let d = Diagnostic::error(format!("invalid YAML: {}", e.message)).at(file, e.loc);
    if e.message.to_lowercase().contains("tab") && file.text().contains('\t') {
        return d.help("YAML indents with spaces, not tabs");
    }
    // `GET: {{baseUrl}}/x` unquoted: YAML reads `{` as a mapping, and the message says so.
    let line = if e.loc.is_unknown() {
        ""
    } else {
        file.line_text(e.loc.line as usize)
    };
    // The braces the parser stopped at, not others on the line (`!literal "{{x}}"`).
    let at_braces = |written: &&&str| {
        line.find(**written).is_some_and(|i| {
            let col = line[..i].chars().count() as u32 + 1;
            col <= e.loc.col && e.loc.col <= col + 1
        })
    };
    match super::habits::find(line).iter().find(at_braces) {
        Some(written) => d.help(format!(
            "{} (unquoted, YAML reads `{{` as the start of a mapping)",
            super::habits::message(written)
        )),
        None => d,
    }
}

/// How much of the requests read stays in memory after loading.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum Keep {
    /// Every request (checking, exporting: they look at all of them at once).
    #[default]
    All,
    /// Requests of files up to this many bytes of text in all, in the order given; a
    /// file past it is read from disk as it is checked (`load_on_disk`), its requests
    /// dropped, and read from disk again one at a time as it runs (`reread`), so that a
    /// run's memory does not grow with the number of requests it defines.
    Within(usize),
}

/// What `baton run` keeps: its 1,000-request benchmark file stays whole; a file ten times
/// that size is read again as it runs (parsing twice costs run time, holding it costs
/// memory per request: the figures are in BENCHMARKS.md).
pub(crate) const RUN_KEEPS: Keep = Keep::Within(1 << 20);

/// Load many files, on every core: each thread reads, parses and checks the next file with
/// templates of its own, which are adopted by `templates` at the end; problems are listed
/// file by file in the order given.
pub(crate) fn load_files(
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
        .map_or(1, std::num::NonZero::get)
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

#[cfg(test)]
mod tests;
