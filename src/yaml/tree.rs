//! A YAML document as located nodes, built from the parser's events with an explicit
//! stack. Anchors, aliases, merge keys, duplicate keys and the budgets against hostile
//! files are handled here; what a scalar means is `scalar`'s business.

use super::node::FileProblem;
use super::node::{Key, Kind, MAX_DEPTH, Node, SyntaxError, first_line};
use super::scalar::{KeyId, Shape, TagKind, may_be_typed, resolve};
use super::stream::{Chars, Unreadable};
use crate::diag::Loc;
use granit_parser::{
    ErrorKind, Event, FallibleBufferedInput, Options, Parser, ScalarStyle, ScanError, Span, Tag,
};
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Builds the tree from granit-parser's events (the events are all serde-saphyr used, and
/// its serde layer on top of them was two thirds of loading a collection).
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
    let mut builder = Builder {
        stream: sink.is_some(),
        ..Builder::default()
    };
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
        builder: Builder {
            stream: true,
            ..Builder::default()
        },
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

/// Budgets against hostile files: every alias copies its anchor's events, and the copies
/// are counted (an alias bomb is refused long before it fills memory).
const MAX_REPLAYED_EVENTS: usize = 100_000;
const MAX_NODES: usize = 2_000_000;
const MAX_SCALAR_BYTES: usize = 256 * 1024 * 1024;

/// Builds the tree from parser events with an explicit stack: no recursion, so nesting
/// is bounded by `MAX_DEPTH`, not by the thread's stack.
#[derive(Default)]
struct Builder<'t> {
    /// Whether the request list's items go to `ready` instead of into the tree (see
    /// `build_streaming`).
    stream: bool,
    /// Items of the request list that have ended, not yet taken.
    ready: Vec<Node<'t>>,
    /// Where the stream ended.
    end: Loc,
    stack: Vec<Frame<'t>>,
    root: Option<Node<'t>>,
    /// Anchored nodes by the parser's anchor id.
    anchors: Vec<Option<Anchored<'t>>>,
    replayed: usize,
    nodes: usize,
    bytes: usize,
}

/// An open sequence or mapping, with what an alias to it would cost.
struct Frame<'t> {
    loc: Loc,
    anchor: usize,
    cost: Cost,
    body: Body<'t>,
    /// A list that is a `<<` value: each item must be a mapping, checked as it ends.
    merge: bool,
    /// The request list, whose items go to the sink.
    stream: bool,
}

enum Body<'t> {
    Seq(Vec<Node<'t>>),
    Map(MapState<'t>),
}

#[derive(Default)]
struct MapState<'t> {
    entries: Vec<(Key<'t>, Node<'t>)>,
    ids: Vec<Ident<'t>>,
    /// Built once a mapping grows large, so duplicate checks stay linear.
    seen: Option<HashSet<Ident<'t>>>,
    /// Entries from `<<` values, added at the end unless a key is already there.
    merged: Vec<(Key<'t>, Node<'t>)>,
    next: Slot<'t>,
}

#[derive(Default)]
enum Slot<'t> {
    #[default]
    Key,
    Value(Key<'t>),
    Merge,
}

/// Events (a scalar is one; a collection its start, children and end), bytes of scalar
/// text and nesting height of a subtree.
#[derive(Clone, Copy, Default)]
struct Cost {
    events: usize,
    bytes: usize,
    height: usize,
}

struct Anchored<'t> {
    node: Node<'t>,
    cost: Cost,
}

/// A finished node on its way into its parent.
struct Done<'t> {
    node: Node<'t>,
    cost: Cost,
    /// For a scalar in a key position: its identity and whether it is `<<`.
    key: Option<(Ident<'t>, bool)>,
}

fn error(message: impl Into<String>, loc: Loc) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        loc,
    }
}

fn too_deep_error(loc: Loc) -> SyntaxError {
    error(
        format!("the document nests deeper than {MAX_DEPTH} levels"),
        loc,
    )
}

impl<'t> Builder<'t> {
    /// One event from the parser.
    fn step(&mut self, item: Result<(Event<'t>, Span), ScanError>) -> Result<(), SyntaxError> {
        let (event, span) = item.map_err(scan_error)?;
        let loc = loc_of(&span);
        match event {
            Event::StreamEnd => self.end = loc,
            Event::Scalar(..)
            | Event::SequenceStart(..)
            | Event::MappingStart(..)
            | Event::Alias(..)
                if self.root.is_some() =>
            {
                return Err(error(
                    "a second YAML document starts here (after `---`): a collection, an environment or a data file is one document",
                    loc,
                ));
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), loc)?
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.open(Body::Seq(Vec::new()), anchor, tag.as_deref(), loc)?
            }
            Event::MappingStart(_, anchor, tag) => {
                self.open(Body::Map(MapState::default()), anchor, tag.as_deref(), loc)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            Event::Alias(id) => self.alias(id, loc)?,
            _ => {}
        }
        Ok(())
    }

    /// Whether the next node is a `<<` value or an item of a list that is one.
    fn merge_slot(&self) -> bool {
        match self.stack.last() {
            Some(Frame {
                body:
                    Body::Map(MapState {
                        next: Slot::Merge, ..
                    }),
                ..
            }) => true,
            Some(frame) => frame.merge,
            None => false,
        }
    }

    fn wants_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { body: Body::Map(m), .. }) if matches!(m.next, Slot::Key))
    }

    fn charge(&mut self, nodes: usize, bytes: usize, loc: Loc) -> Result<(), SyntaxError> {
        self.nodes += nodes;
        self.bytes += bytes;
        if self.nodes > MAX_NODES {
            return Err(error(
                format!("budget breached: Nodes {{ nodes: {} }}", self.nodes),
                loc,
            ));
        }
        if self.bytes > MAX_SCALAR_BYTES {
            let total = self.bytes;
            return Err(error(
                format!("budget breached: ScalarBytes {{ total_scalar_bytes: {total} }}"),
                loc,
            ));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: Cow<'t, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        loc: Loc,
    ) -> Result<(), SyntaxError> {
        // The parser grows a long scalar by doubling: give back what it did not use
        // (a 50 MB value held 64 MB).
        let value = match value {
            Cow::Owned(mut s) if s.capacity() - s.len() > 64 * 1024 => {
                s.shrink_to_fit();
                Cow::Owned(s)
            }
            borrowed => borrowed,
        };
        let text: &str = &value;
        let tag_kind = TagKind::of(tag);
        check_shape(tag_kind, tag, Shape::Scalar, loc)?;
        self.charge(1, text.len(), loc)?;
        let bytes = text.len();
        let key = self.wants_key().then(|| {
            let id = key_ident(&value, style, tag_kind, tag);
            let merge = text == "<<"
                && (tag_kind == TagKind::Merge
                    || (tag_kind == TagKind::None && style == ScalarStyle::Plain));
            (id, merge)
        });
        if let Some((id, false)) = &key {
            let raw = tag_kind.allows_text().then_some(text);
            self.check_duplicate(id, raw, loc)?;
        }
        // A number or boolean keeps its text as written (an alias to it too); only a
        // scalar that may be one is copied (a borrowed one costs nothing).
        let raw = (style == ScalarStyle::Plain && tag_kind == TagKind::None && may_be_typed(text))
            .then(|| value.clone());
        let kind = resolve(value, style, tag_kind).map_err(|m| error(m, loc))?;
        let raw = raw.filter(|_| matches!(kind, Kind::Int(_) | Kind::Float(_) | Kind::Bool(_)));
        let node = Node { kind, loc, raw };
        let cost = Cost {
            events: 1,
            bytes,
            height: 0,
        };
        if anchor != 0 {
            self.remember(anchor, &node, cost);
        }
        self.finish(Done { node, cost, key })
    }

    fn open(
        &mut self,
        body: Body<'t>,
        anchor: usize,
        tag: Option<&Tag>,
        loc: Loc,
    ) -> Result<(), SyntaxError> {
        let shape = if matches!(body, Body::Seq(_)) {
            Shape::Seq
        } else {
            Shape::Map
        };
        check_shape(TagKind::of(tag), tag, shape, loc)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep_error(loc));
        }
        self.charge(1, 0, loc)?;
        let cost = Cost {
            events: 1,
            bytes: 0,
            height: 1,
        };
        // Items of a nested list are checked when that list ends.
        let merge = shape == Shape::Seq
            && matches!(self.stack.last(), Some(Frame { body: Body::Map(m), .. }) if matches!(m.next, Slot::Merge));
        let stream = self.stream && shape == Shape::Seq && anchor == 0 && {
            match self.stack.as_slice() {
                [] => true,
                [
                    Frame {
                        body: Body::Map(m), ..
                    },
                ] => {
                    matches!(&m.next, Slot::Value(key) if key.name == "requests")
                }
                _ => false,
            }
        };
        self.stack.push(Frame {
            loc,
            anchor,
            cost,
            body,
            merge,
            stream,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        let Some(mut frame) = self.stack.pop() else {
            return Ok(());
        };
        frame.cost.events += 1;
        let kind = match frame.body {
            Body::Seq(items) => Kind::Seq(items),
            Body::Map(map) => Kind::Map(map.into_entries()),
        };
        let node = Node::new(kind, frame.loc);
        if frame.anchor != 0 {
            self.remember(frame.anchor, &node, frame.cost);
        }
        let key = None;
        self.finish(Done {
            node,
            cost: frame.cost,
            key,
        })
    }

    fn remember(&mut self, anchor: usize, node: &Node<'t>, cost: Cost) {
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor + 1, || None);
        }
        self.anchors[anchor] = Some(Anchored {
            node: node.clone(),
            cost,
        });
    }

    /// An alias is a copy of its anchor's node, placed (with all it holds) where the
    /// alias is written.
    fn alias(&mut self, id: usize, loc: Loc) -> Result<(), SyntaxError> {
        if self.stack.iter().any(|f| f.anchor == id) {
            return Err(error(
                "recursive references require weak recursion types",
                loc,
            ));
        }
        let Some(Some(anchored)) = self.anchors.get(id) else {
            return Err(error("alias references unknown anchor", loc));
        };
        let (cost, defined) = (anchored.cost, anchored.node.loc);
        // The first copied event over a limit is reported where the anchor is defined,
        // a later one where the alias is (as serde-saphyr did).
        let place = |first: bool| if first { defined } else { loc };
        let before = self.replayed;
        self.replayed += cost.events;
        if self.replayed > MAX_REPLAYED_EVENTS {
            return Err(error(
                format!(
                    "alias replay limit exceeded: total_replayed_events={} > {MAX_REPLAYED_EVENTS}",
                    MAX_REPLAYED_EVENTS + 1
                ),
                place(before == MAX_REPLAYED_EVENTS),
            ));
        }
        if self.stack.len() + cost.height > MAX_DEPTH {
            return Err(too_deep_error(place(self.stack.len() >= MAX_DEPTH)));
        }
        if self.merge_slot() {
            // A bad merge source is reported where its anchor defines the culprit.
            check_merge_source(&anchored.node)?;
        }
        let mut node = anchored.node.clone();
        self.charge(cost.events, cost.bytes, loc)?;
        relocate(&mut node, loc);
        let key = self.wants_key().then(|| (alias_key_id(&node), false));
        if let Some((id, _)) = &key {
            let name = key_name(&node.kind).ok();
            self.check_duplicate(id, name.as_deref(), loc)?;
        }
        self.finish(Done { node, cost, key })
    }

    fn check_duplicate(
        &self,
        id: &Ident<'t>,
        raw: Option<&str>,
        loc: Loc,
    ) -> Result<(), SyntaxError> {
        let Some(Frame {
            body: Body::Map(map),
            ..
        }) = self.stack.last()
        else {
            return Ok(());
        };
        let duplicate = match &map.seen {
            Some(seen) => seen.contains(id),
            None => map.ids.contains(id),
        };
        if !duplicate {
            return Ok(());
        }
        Err(match raw {
            Some(name) => error(format!("duplicate mapping key: {name}"), loc),
            None => error("duplicate mapping key", loc),
        })
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn finish(&mut self, done: Done<'t>) -> Result<(), SyntaxError> {
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(done.node);
            return Ok(());
        };
        parent.cost.events += done.cost.events;
        parent.cost.bytes += done.cost.bytes;
        parent.cost.height = parent.cost.height.max(done.cost.height + 1);
        let map = match &mut parent.body {
            Body::Seq(items) => {
                if parent.merge {
                    check_merge_source(&done.node)?;
                }
                if parent.stream {
                    self.ready.push(done.node);
                } else {
                    items.push(done.node);
                }
                return Ok(());
            }
            Body::Map(map) => map,
        };
        match std::mem::take(&mut map.next) {
            Slot::Key => match done.key {
                Some((_, true)) => map.next = Slot::Merge,
                Some((id, false)) => {
                    // The key's text moves into the key: a copy of a 50 MB key was 50 MB.
                    let loc = done.node.loc;
                    let name = into_key_name(done.node.kind).map_err(|m| error(m, loc))?;
                    map.add_id(id);
                    map.next = Slot::Value(Key {
                        name,
                        loc: done.node.loc,
                    });
                }
                None => {
                    let message = key_name(&done.node.kind).err().unwrap_or_default();
                    return Err(error(message, done.node.loc));
                }
            },
            Slot::Value(key) => map.entries.push((key, done.node)),
            Slot::Merge => {
                check_merge_source(&done.node)?;
                merge_sources(done.node, &mut map.merged);
            }
        }
        Ok(())
    }
}

impl<'t> MapState<'t> {
    fn add_id(&mut self, id: Ident<'t>) {
        if let Some(seen) = &mut self.seen {
            seen.insert(id.clone());
        } else if self.ids.len() >= 16 {
            self.seen = Some(self.ids.iter().cloned().chain([id.clone()]).collect());
        }
        self.ids.push(id);
    }

    /// Explicit entries first, then merged ones whose keys are not there yet: explicit
    /// keys win, and the first merge source wins over later ones.
    fn into_entries(mut self) -> Vec<(Key<'t>, Node<'t>)> {
        for (key, node) in std::mem::take(&mut self.merged) {
            let id = Ident::of_name(&key.name);
            let known = match &self.seen {
                Some(seen) => seen.contains(&id),
                None => self.ids.contains(&id),
            };
            if !known {
                self.add_id(id);
                self.entries.push((key, node));
            }
        }
        self.entries
    }
}

/// The entries a `<<` value brings: a mapping, or a list of mappings (lists nested in it
/// are flattened); null brings nothing. Each entry is placed where its mapping is written.
fn merge_sources<'t>(value: Node<'t>, out: &mut Vec<(Key<'t>, Node<'t>)>) {
    let sources = match value.kind {
        Kind::Seq(items) => items,
        _ => vec![value],
    };
    for source in sources {
        let at = source.loc;
        let mut pending = vec![source];
        while let Some(node) = pending.pop() {
            match node.kind {
                Kind::Null => {}
                Kind::Map(entries) => {
                    for (mut key, mut value) in entries {
                        key.loc = at;
                        relocate(&mut value, at);
                        out.push((key, value));
                    }
                }
                Kind::Seq(items) => pending.extend(items.into_iter().rev()),
                _ => {}
            }
        }
    }
}

/// A `<<` value, or an item of a list that is one, must be a mapping, null, or a list of
/// those: the first other scalar is refused where it is written.
fn check_merge_source(node: &Node) -> Result<(), SyntaxError> {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        match &node.kind {
            Kind::Null | Kind::Map(_) => {}
            Kind::Seq(items) => pending.extend(items.iter().rev()),
            _ => {
                return Err(error(
                    "YAML merge value must be mapping or sequence of mappings",
                    node.loc,
                ));
            }
        }
    }
    Ok(())
}

/// Gives a node and everything in it one location (an alias's, or a merge source's).
fn relocate(node: &mut Node, loc: Loc) {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        node.loc = loc;
        match &mut node.kind {
            Kind::Seq(items) => pending.extend(items.iter_mut()),
            Kind::Map(entries) => {
                for (key, value) in entries {
                    key.loc = loc;
                    pending.push(value);
                }
            }
            _ => {}
        }
    }
}

/// A key's identity as the duplicate check keeps it. A long key (past `LONG_KEY` bytes)
/// is kept as a digest of its identity: its text, read from disk, is not borrowed but
/// owned, and the check kept a second copy of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Ident<'t> {
    Key(KeyId<'t>),
    Digest([u8; 32]),
}

/// Keys longer than this are kept by digest (real keys are under a hundred bytes).
const LONG_KEY: usize = 1024;

impl<'t> Ident<'t> {
    /// The identity of a key known only by its name (a merged or aliased key).
    fn of_name(name: &Cow<'t, str>) -> Ident<'t> {
        if name.len() <= LONG_KEY {
            return Ident::Key(KeyId::of_name(name));
        }
        key_ident(name, ScalarStyle::Plain, TagKind::None, None)
    }
}

/// The identity of a scalar key as written; a long one by digest, computed from its text
/// borrowed (never copied), whoever owns it.
fn key_ident<'t>(
    value: &Cow<'t, str>,
    style: ScalarStyle,
    tag: TagKind,
    raw: Option<&Tag>,
) -> Ident<'t> {
    if value.len() <= LONG_KEY {
        return Ident::Key(KeyId::of(value, style, tag, raw));
    }
    struct Sha(sha2::Sha256);
    impl std::hash::Hasher for Sha {
        fn write(&mut self, bytes: &[u8]) {
            sha2::Digest::update(&mut self.0, bytes);
        }
        fn finish(&self) -> u64 {
            0
        }
    }
    let id = KeyId::of(&Cow::Borrowed(&**value), style, tag, raw);
    let mut sha = Sha(<sha2::Sha256 as sha2::Digest>::new());
    std::hash::Hash::hash(&id, &mut sha);
    Ident::Digest(sha2::Digest::finalize(sha.0).into())
}

/// `key_name`, taking the text instead of copying it.
fn into_key_name(kind: Kind<'_>) -> Result<Cow<'_, str>, String> {
    match kind {
        Kind::Str(s) => Ok(s),
        other => key_name(&other),
    }
}

/// A key as text: numbers and booleans as written, null as "".
fn key_name<'t>(kind: &Kind<'t>) -> Result<Cow<'t, str>, String> {
    Ok(match kind {
        Kind::Str(s) => s.clone(),
        Kind::Int(i) => Cow::Owned(i.to_string()),
        Kind::Float(f) => Cow::Owned(f.to_string()),
        Kind::Bool(b) => Cow::Owned(b.to_string()),
        Kind::Null => Cow::Borrowed(""),
        other => {
            return Err(format!(
                "a mapping key must be text, found {}",
                other.describe()
            ));
        }
    })
}

fn alias_key_id<'t>(node: &Node<'t>) -> Ident<'t> {
    match node.kind {
        Kind::Int(i) => Ident::Key(KeyId::Int(i < 0, i.unsigned_abs() as u128)),
        _ => Ident::of_name(&key_name(&node.kind).unwrap_or_default()),
    }
}

/// `!!str [1]`, `!!seq x`: a tag that cannot describe the node it is on.
fn check_shape(
    kind: TagKind,
    tag: Option<&Tag>,
    shape: Shape,
    loc: Loc,
) -> Result<(), SyntaxError> {
    if let Some(refusal) = tag.and_then(|t| kind.refusal(t)) {
        return Err(error(refusal, loc));
    }
    match (kind.requires(), tag) {
        (Some(required), Some(tag)) if required != shape => {
            Err(error(format!("unsupported tag `{}`", tag.original()), loc))
        }
        _ => Ok(()),
    }
}

fn scan_error(e: ScanError) -> SyntaxError {
    let mark = e.marker();
    // The parser's marks carry no byte offset here; the line and column are exact.
    let loc = Loc {
        line: mark.line() as u32,
        col: mark.col() as u32 + 1,
        offset: 0,
        len: 0,
    };
    let message = match e.kind() {
        ErrorKind::UnknownAnchor => "alias references unknown anchor".to_string(),
        ErrorKind::RecursionLimitExceeded => {
            format!("the document nests deeper than {MAX_DEPTH} levels")
        }
        _ => first_line(&e.info()),
    };
    error(message, loc)
}

/// Where an event is: 1-based line and column, and its byte span.
fn loc_of(span: &Span) -> Loc {
    let (start, end) = (span.start, span.end);
    let (offset, len) = match (start.byte_offset(), end.byte_offset()) {
        (Some(s), Some(e)) => (s, e.saturating_sub(s)),
        _ => (0, 0),
    };
    Loc {
        line: start.line() as u32,
        col: start.col() as u32 + 1,
        offset,
        len,
    }
}
