//! A YAML document as located nodes: the parser set up (over text, or over a file read a
//! block at a time) and its events fed to the `builder`, whole or with the request list's
//! items handed out one at a time. What a scalar means is `scalar`'s business, keys are
//! `keys`'.

use super::builder::Builder;
use super::node::FileProblem;
use super::node::{Kind, MAX_DEPTH, Node, SyntaxError};
use super::stream::{Chars, Unreadable};
use granit_parser::{Event, FallibleBufferedInput, Options, Parser, ScanError, Span};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Builds the tree from granit-parser's events (the events are all serde-saphyr used; its
/// serde layer on top of them was most of loading a collection: BENCHMARKS.md).
pub(super) fn build(text: &str) -> Result<Node<'_>, SyntaxError> {
    build_with(text, None)
}

/// Like `build`, but each item of the request list (the `requests:` list of a top-level
/// mapping, or a top-level list) goes to `sink` as soon as it ends instead of into the
/// tree, so that a big collection's tree is never whole in memory: only the model built
/// from each item is kept. The list is left empty in the returned tree. A list with an
/// anchor is kept whole (an alias to it must find its items).
pub(super) fn build_streaming<'t>(
    text: &'t str,
    sink: &mut dyn FnMut(Node<'t>),
) -> Result<Node<'t>, SyntaxError> {
    build_with(text, Some(sink))
}

fn options() -> Options {
    let mut options = Options::default();
    // Comments are not kept; buffering them made a block of 33 comment lines an error.
    options.set_emit_comments(false);
    // The scanner reads a run of flow openers (`[[[[`) before the first event reaches the
    // builder: it must stop at the same depth, with the same message (see `scan_error`).
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = options.block_nesting_limit.max(MAX_DEPTH + 1);
    options
}

/// What the parser gives: an event and where it is.
type Step<'t> = Result<(Event<'t>, Span), ScanError>;

/// The parser over a file read from disk a block at a time: no byte offsets (`Loc`
/// has lines and columns), every string its own.
type FileParser = Parser<'static, FallibleBufferedInput<Chars<DiskFile>>>;

/// A collection on disk: a regular file, read up to the cap of a collection.
type DiskFile = crate::fsutil::Capped<std::fs::File>;

fn file_parser(path: &Path) -> Result<(FileParser, Arc<OnceLock<Unreadable>>), FileProblem> {
    let file = crate::fsutil::open(path, crate::fsutil::MAX_COLLECTION)
        .map_err(|e| FileProblem::Unreadable(Unreadable::Io(e)))?;
    let (chars, failure) = Chars::new(file);
    Ok((
        Parser::new_from_fallible_iter_with_options(chars, options()),
        failure,
    ))
}

/// A syntax error, or the reading failure that cut the characters short.
fn file_problem(e: SyntaxError, failure: &OnceLock<Unreadable>) -> FileProblem {
    match failure.get() {
        Some(Unreadable::NotUtf8 { offset, line }) => {
            FileProblem::Unreadable(Unreadable::NotUtf8 {
                offset: *offset,
                line: *line,
            })
        }
        Some(Unreadable::Io(io)) => FileProblem::Unreadable(Unreadable::Io(std::io::Error::new(
            io.kind(),
            io.to_string(),
        ))),
        None => FileProblem::Syntax(e),
    }
}

/// `build_streaming` over a file read from disk a block at a time: its text is never
/// whole in memory.
pub(super) fn build_streaming_file(
    path: &Path,
    sink: &mut dyn FnMut(Node<'static>),
) -> Result<Node<'static>, FileProblem> {
    let (parser, failure) = file_parser(path)?;
    build_events(parser, Some(sink)).map_err(|e| file_problem(e, &failure))
}

fn build_with<'t>(
    text: &'t str,
    sink: Option<&mut dyn FnMut(Node<'t>)>,
) -> Result<Node<'t>, SyntaxError> {
    build_events(Parser::new_from_str_with_options(text, options()), sink)
}

fn build_events<'t>(
    events: impl Iterator<Item = Step<'t>>,
    mut sink: Option<&mut dyn FnMut(Node<'t>)>,
) -> Result<Node<'t>, SyntaxError> {
    let mut builder = Builder::new(sink.is_some());
    for item in events {
        builder.step(item)?;
        if let Some(sink) = &mut sink {
            builder.ready.drain(..).for_each(&mut **sink);
        }
    }
    // A stream with no document at all (only comments, or nothing) is null.
    Ok(builder.root.unwrap_or(Node::new(Kind::Null, builder.end)))
}

/// The items of the request list (as `build_streaming` finds them) one at a time, as the
/// parser reaches the end of each: a file checked before can be read again while it runs
/// without its requests all being in memory.
pub(super) struct Items<'t, P> {
    parser: P,
    builder: Builder<'t>,
    failed: bool,
}

fn items_of<'t, P: Iterator<Item = Step<'t>>>(parser: P) -> Items<'t, P> {
    Items {
        parser,
        builder: Builder::new(true),
        failed: false,
    }
}

/// `items` of a file read from disk a block at a time.
pub(super) struct FileItems {
    items: Items<'static, FileParser>,
    failure: Arc<OnceLock<Unreadable>>,
}

pub(super) fn file_items(path: &Path) -> Result<FileItems, FileProblem> {
    let (parser, failure) = file_parser(path)?;
    Ok(FileItems {
        items: items_of(parser),
        failure,
    })
}

impl Iterator for FileItems {
    type Item = Result<Node<'static>, FileProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.items
                .next()?
                .map_err(|e| file_problem(e, &self.failure)),
        )
    }
}

impl<'t, P: Iterator<Item = Step<'t>>> Iterator for Items<'t, P> {
    type Item = Result<Node<'t>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if !self.builder.ready.is_empty() {
                return Some(Ok(self.builder.ready.remove(0)));
            }
            if self.failed {
                return None;
            }
            let item = self.parser.next()?;
            if let Err(e) = self.builder.step(item) {
                self.failed = true;
                return Some(Err(e));
            }
        }
    }
}
