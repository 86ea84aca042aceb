//! The builder of a YAML tree: parser events in, located nodes out, with an explicit
//! stack (nesting is bounded by `MAX_DEPTH`, not the thread's stack), anchors and aliases
//! replayed within budgets against hostile files, and the request list's items handed
//! out as each ends (see `tree::build_streaming`). Mapping keys are `keys`' business.

use super::keys::{
    Ident, MapState, Slot, alias_key_id, check_merge_source, check_shape, into_key_name, key_ident,
    key_name, merge_sources, relocate,
};
use super::node::{Key, Kind, MAX_DEPTH, Node, SyntaxError, first_line};
use super::scalar::{Shape, TagKind, may_be_typed, resolve};
use crate::diag::Loc;
use granit_parser::{ErrorKind, Event, ScalarStyle, ScanError, Span, Tag};
use std::borrow::Cow;

/// Budgets against hostile files: every alias copies its anchor's events, and the copies
/// are counted (an alias bomb is refused long before it fills memory).
const MAX_REPLAYED_EVENTS: usize = 100_000;
const MAX_NODES: usize = 2_000_000;
const MAX_SCALAR_BYTES: usize = 256 * 1024 * 1024;

/// Builds the tree from parser events with an explicit stack: no recursion, so nesting
/// is bounded by `MAX_DEPTH`, not by the thread's stack.
#[derive(Default)]
pub(super) struct Builder<'t> {
    /// Whether the request list's items go to `ready` instead of into the tree (see
    /// `build_streaming`).
    pub(super) stream: bool,
    /// Items of the request list that have ended, not yet taken.
    pub(super) ready: Vec<Node<'t>>,
    /// Where the stream ended.
    pub(super) end: Loc,
    stack: Vec<Frame<'t>>,
    pub(super) root: Option<Node<'t>>,
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

pub(super) fn error(message: impl Into<String>, loc: Loc) -> SyntaxError {
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
    /// A builder; `stream`: the request list's items go to `ready` as each ends.
    pub(super) fn new(stream: bool) -> Builder<'t> {
        Builder {
            stream,
            ..Builder::default()
        }
    }

    /// One event from the parser.
    pub(super) fn step(
        &mut self,
        item: Result<(Event<'t>, Span), ScanError>,
    ) -> Result<(), SyntaxError> {
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
                self.scalar(value, style, anchor, tag.as_deref(), loc)?;
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.open(Body::Seq(Vec::new()), anchor, tag.as_deref(), loc)?;
            }
            Event::MappingStart(_, anchor, tag) => {
                self.open(Body::Map(MapState::default()), anchor, tag.as_deref(), loc)?;
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
        let literal = tag_kind == TagKind::Literal;
        let node = Node {
            kind,
            loc,
            raw,
            literal,
        };
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
