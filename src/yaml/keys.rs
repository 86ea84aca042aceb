//! A mapping as the builder fills it: its keys' identities for the duplicate check (long
//! keys by digest), `<<` merge keys and their sources (explicit keys win), keys as text,
//! and the tags a node may carry.

use super::builder::error;
use super::node::{Key, Kind, Node, SyntaxError};
use super::scalar::{KeyId, Shape, TagKind};
use crate::diag::Loc;
use granit_parser::{ScalarStyle, Tag};
use std::borrow::Cow;
use std::collections::HashSet;

#[derive(Default)]
pub(super) struct MapState<'t> {
    pub(super) entries: Vec<(Key<'t>, Node<'t>)>,
    pub(super) ids: Vec<Ident<'t>>,
    /// Built once a mapping grows large, so duplicate checks stay linear.
    pub(super) seen: Option<HashSet<Ident<'t>>>,
    /// Entries from `<<` values, added at the end unless a key is already there.
    pub(super) merged: Vec<(Key<'t>, Node<'t>)>,
    pub(super) next: Slot<'t>,
}

#[derive(Default)]
pub(super) enum Slot<'t> {
    #[default]
    Key,
    Value(Key<'t>),
    Merge,
}

impl<'t> MapState<'t> {
    pub(super) fn add_id(&mut self, id: Ident<'t>) {
        if let Some(seen) = &mut self.seen {
            seen.insert(id.clone());
        } else if self.ids.len() >= 16 {
            self.seen = Some(self.ids.iter().cloned().chain([id.clone()]).collect());
        }
        self.ids.push(id);
    }

    /// Explicit entries first, then merged ones whose keys are not there yet: explicit
    /// keys win, and the first merge source wins over later ones.
    pub(super) fn into_entries(mut self) -> Vec<(Key<'t>, Node<'t>)> {
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
pub(super) fn merge_sources<'t>(value: Node<'t>, out: &mut Vec<(Key<'t>, Node<'t>)>) {
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
pub(super) fn check_merge_source(node: &Node) -> Result<(), SyntaxError> {
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
pub(super) fn relocate(node: &mut Node, loc: Loc) {
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
pub(super) enum Ident<'t> {
    Key(KeyId<'t>),
    Digest([u8; 32]),
}

/// Keys longer than this are kept by digest (real keys are under a hundred bytes).
const LONG_KEY: usize = 1024;

impl<'t> Ident<'t> {
    /// The identity of a key known only by its name (a merged or aliased key).
    pub(super) fn of_name(name: &Cow<'t, str>) -> Ident<'t> {
        if name.len() <= LONG_KEY {
            return Ident::Key(KeyId::of_name(name));
        }
        key_ident(name, ScalarStyle::Plain, TagKind::None, None)
    }
}

/// The identity of a scalar key as written; a long one by digest, computed from its text
/// borrowed (never copied), whoever owns it.
pub(super) fn key_ident<'t>(
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
pub(super) fn into_key_name(kind: Kind<'_>) -> Result<Cow<'_, str>, String> {
    match kind {
        Kind::Str(s) => Ok(s),
        other => key_name(&other),
    }
}

/// A key as text: numbers and booleans as written, null as "".
pub(super) fn key_name<'t>(kind: &Kind<'t>) -> Result<Cow<'t, str>, String> {
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

pub(super) fn alias_key_id<'t>(node: &Node<'t>) -> Ident<'t> {
    match node.kind {
        Kind::Int(i) => Ident::Key(KeyId::Int(i < 0, u128::from(i.unsigned_abs()))),
        _ => Ident::of_name(&key_name(&node.kind).unwrap_or_default()),
    }
}

/// `!!str [1]`, `!!seq x`: a tag that cannot describe the node it is on.
pub(super) fn check_shape(
    kind: TagKind,
    tag: Option<&Tag>,
    shape: Shape,
    loc: Loc,
) -> Result<(), SyntaxError> {
    if let Some(refusal) = tag.and_then(|t| kind.refusal(t)) {
        return Err(error(refusal, loc));
    }
    match (kind.requires(), tag) {
        (Some(_), Some(tag)) if kind == TagKind::Literal && shape != Shape::Scalar => Err(error(
            format!(
                "`{}` tags one text value, not a mapping or a list: tag each value sent as written",
                tag.original()
            ),
            loc,
        )),
        (Some(required), Some(tag)) if required != shape => {
            Err(error(format!("unsupported tag `{}`", tag.original()), loc))
        }
        _ => Ok(()),
    }
}
