//! What a YAML scalar means: the YAML 1.2 core schema with strict booleans, and the few
//! tags a collection can carry. The rules are serde-saphyr's (which baton used before it
//! read granit-parser's events itself), so a file means the same as it always did.

use super::node::Kind;
use base64::Engine;
use granit_parser::{ScalarStyle, Tag};
use std::borrow::Cow;

const YAML_NS: &str = "tag:yaml.org,2002:";

/// The tags that change how a node is read; every other tag is `Other` and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TagKind {
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Str,
    /// `!`: the text is a string, whatever it looks like.
    NonSpecific,
    Binary,
    TimeStamp,
    /// Robotics units (`!time`, `!degrees`, `!radians`): numbers we cannot convert.
    Unit,
    Merge,
    /// `!!value` means nothing here, but only on scalars.
    Value,
    /// `!include`, which would read another file: refused.
    Include,
    /// `!literal`, baton's own: a string sent as written (no `<< >>` template, no warning
    /// about Postman's `{{name}}`).
    Literal,
    /// Tags with no meaning here (`!custom`): refused.
    Other,
}

/// The node kind a tag demands, if any: `!!str [1]` is refused.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Scalar,
    Seq,
    Map,
}

impl TagKind {
    pub(super) fn of(tag: Option<&Tag>) -> TagKind {
        let Some(tag) = tag else {
            return TagKind::None;
        };
        if is_include(tag) {
            return TagKind::Include;
        }
        if let Some(core) = tag.core_suffix() {
            return core_name(core).unwrap_or(TagKind::Other);
        }
        if let Some(name) = tag.suffix_in_namespace(YAML_NS) {
            return match name.strip_prefix('!').unwrap_or(&name) {
                "merge" => TagKind::Merge,
                "value" => TagKind::Value,
                name => named(name),
            };
        }
        match tag.suffix_in_namespace("!").as_deref() {
            Some("" | "!") => TagKind::NonSpecific,
            Some("literal") => TagKind::Literal,
            Some("!timestamp") => TagKind::TimeStamp,
            Some("!binary") => TagKind::Binary,
            Some(name) => match name.strip_prefix('!') {
                Some(core) => core_name(core).unwrap_or(TagKind::Other),
                None => named(name),
            },
            None => TagKind::Other,
        }
    }

    /// Why the tag is refused, if it is: baton reads YAML's own tags; any other would be
    /// read as if it were not there (`!include body.json` sent the text "body.json").
    pub(super) fn refusal(self, tag: &Tag) -> Option<String> {
        match self {
            TagKind::Include => Some(format!(
                "unsupported tag `{}`: a collection does not include other files (a body read from a file is `file: path`)",
                tag.original()
            )),
            TagKind::Other => Some(format!(
                "unknown tag `{}`: baton reads YAML's own tags only (!!str, !!int, !!float, !!bool, !!null, !!binary, !!seq, !!map) and `!literal` (text sent as written)",
                tag.original()
            )),
            _ => None,
        }
    }

    /// The shape this tag requires of its node.
    pub(super) fn requires(self) -> Option<Shape> {
        match self {
            TagKind::Seq => Some(Shape::Seq),
            TagKind::Map => Some(Shape::Map),
            TagKind::None | TagKind::NonSpecific | TagKind::Other => None,
            _ => Some(Shape::Scalar),
        }
    }

    /// Tags under which a scalar's text may be taken as a string.
    pub(super) fn allows_text(self) -> bool {
        matches!(
            self,
            TagKind::None
                | TagKind::Str
                | TagKind::Merge
                | TagKind::Value
                | TagKind::Include
                | TagKind::Other
                | TagKind::NonSpecific
                | TagKind::Literal
        )
    }
}

fn is_include(tag: &Tag) -> bool {
    [
        "!include",
        "tag:yaml.org,2002:include",
        "tag:yaml.org,2002:!include",
    ]
    .iter()
    .any(|prefix| {
        tag.suffix_in_namespace(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
    })
}

fn core_name(name: &str) -> Option<TagKind> {
    Some(match name {
        "null" => TagKind::Null,
        "bool" => TagKind::Bool,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "map" => TagKind::Map,
        "seq" => TagKind::Seq,
        "str" => TagKind::Str,
        _ => return None,
    })
}

fn named(name: &str) -> TagKind {
    match name {
        "timestamp" => TagKind::TimeStamp,
        "binary" => TagKind::Binary,
        "time" | "degrees" | "radians" => TagKind::Unit,
        name => core_name(name).unwrap_or(TagKind::Other),
    }
}

/// The value of a scalar: its tag decides first, then (for plain scalars only) null,
/// booleans, integers and floats in that order; anything else is a string.
pub(super) fn resolve(
    value: Cow<'_, str>,
    style: ScalarStyle,
    tag: TagKind,
) -> Result<Kind<'_>, String> {
    let text: &str = &value;
    match tag {
        TagKind::Null => return Ok(Kind::Null),
        TagKind::Bool => {
            return strict_bool(text)
                .map(Kind::Bool)
                .ok_or_else(|| "invalid boolean (strict mode expects true/false)".into());
        }
        TagKind::Int if trim(text).starts_with('-') => {
            return signed(trim(text))
                .and_then(|v| i64::try_from(v).ok())
                .map(Kind::Int)
                .ok_or_else(|| "invalid i64".into());
        }
        TagKind::Int => {
            return unsigned(trim(text))
                .and_then(|v| u64::try_from(v).ok())
                .map(from_u64)
                .ok_or_else(|| "invalid u64".into());
        }
        TagKind::Float => {
            return match float(text) {
                Some(v) => finite(v, text),
                None => Err("invalid floating point".into()),
            };
        }
        TagKind::Unit => return Err("invalid floating point".into()),
        _ => {}
    }
    let plain = style == ScalarStyle::Plain;
    let as_text = matches!(tag, TagKind::Str | TagKind::NonSpecific | TagKind::Literal);
    if plain && is_null_text(text) && !as_text {
        if tag == TagKind::TimeStamp || tag == TagKind::Binary {
            // These keep null-looking text and then fail or decode below.
        } else {
            return Ok(Kind::Null);
        }
    }
    if tag == TagKind::Binary {
        return binary(text).map(|s| Kind::Str(Cow::Owned(s)));
    }
    if !tag.allows_text() {
        return Err("cannot deserialize tagged scalar into string".into());
    }
    if !plain || as_text {
        return Ok(Kind::Str(value));
    }
    if let Some(b) = strict_bool(text) {
        return Ok(Kind::Bool(b));
    }
    let t = trim(text);
    if !may_be_number(t) {
        return Ok(Kind::Str(value));
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t)
            && let Some(v) = signed(t).and_then(|v| i64::try_from(v).ok())
        {
            return Ok(Kind::Int(v));
        }
    } else if let Some(v) = unsigned(t).and_then(|v| u64::try_from(v).ok()) {
        return Ok(from_u64(v));
    }
    match float(text) {
        Some(v) => finite(v, text),
        None => Ok(Kind::Str(value)),
    }
}

/// Whether a plain scalar may resolve to a boolean or a number (a cheap test, before
/// `resolve`).
pub(super) fn may_be_typed(text: &str) -> bool {
    strict_bool(text).is_some() || may_be_number(trim(text))
}

/// Integers beyond i64 are kept as (approximate) floats rather than refused.
fn from_u64(v: u64) -> Kind<'static> {
    i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int)
}

/// `.inf` and `.nan` have no JSON spelling, so they are refused where they are written.
fn finite(v: f64, text: &str) -> Result<Kind<'static>, String> {
    if v.is_finite() {
        Ok(Kind::Float(v))
    } else {
        Err(format!(
            "non-finite float `{text}` rejected by the configured policy"
        ))
    }
}

pub(super) fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn trim(s: &str) -> &str {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    // Most scalars have nothing to trim: two byte checks instead of a pattern search.
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if !space(first) && !space(last) => s,
        _ => s.trim_matches([' ', '\t', '\r', '\n']),
    }
}

fn strict_bool(s: &str) -> Option<bool> {
    match trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `0127`, `+0127`, `-0127`: not octal in YAML 1.2, so not integers either.
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of `0x1F`, `0o17`, `0b101` or a decimal, with its radix.
fn radix(rest: &str) -> (u32, &str) {
    let radix = match rest.as_bytes() {
        [b'0', b'x' | b'X', ..] => 16,
        [b'0', b'o' | b'O', ..] => 8,
        [b'0', b'b' | b'B', ..] => 2,
        _ => return (10, rest),
    };
    (radix, &rest[2..])
}

/// Only text starting with a digit, a sign or a dot can be a number: the rest (most
/// values and keys) skips the numeric parsers.
fn may_be_number(t: &str) -> bool {
    t.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
}

/// Digits with single underscores between them, as serde-saphyr accepts them.
fn digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut seen = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        seen = true;
    }
    seen.then_some(value)
}

/// A magnitude without sign; decimals may not start with a redundant zero.
fn magnitude(rest: &str) -> Option<u128> {
    let (radix, ds) = radix(rest);
    if radix == 10 && ds.starts_with('0') && ds != "0" {
        return None;
    }
    digits(ds, radix)
}

pub(super) fn unsigned(t: &str) -> Option<u128> {
    if t.starts_with('-') {
        return None;
    }
    magnitude(t.strip_prefix('+').unwrap_or(t))
}

pub(super) fn signed(t: &str) -> Option<i128> {
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mag = magnitude(rest)?;
    if negative {
        if mag == i128::MAX as u128 + 1 {
            Some(i128::MIN)
        } else {
            i128::try_from(mag).ok().map(|m| -m)
        }
    } else {
        i128::try_from(mag).ok()
    }
}

/// YAML 1.2 floats, plus numerals so large they overflow to infinity (`1e999`); Rust's
/// own spellings (`inf`, `nan`) stay strings.
fn float(s: &str) -> Option<f64> {
    let t = trim(s);
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        Ok(v) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            v.is_infinite().then_some(v)
        }
        _ => None,
    }
}

/// `!!binary`: base64 (whitespace allowed) of UTF-8 text.
fn binary(text: &str) -> Result<String, String> {
    let cleaned: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let data = base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|_| "invalid !!binary base64".to_string())?;
    String::from_utf8(data).map_err(|_| {
        "!!binary scalar is not valid UTF-8 so cannot be stored into string. If you just use \
         !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options"
            .to_string()
    })
}

/// What makes two keys the same key: integers by value (`0x10` and `16`), everything else
/// by its text and tag (`a` and `'a'` are the same key, `1` and `'1'` are not).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum KeyId<'t> {
    Int(bool, u128),
    Text(KeyTag, Cow<'t, str>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum KeyTag {
    Str,
    Null,
    Int,
    Float,
    Bool,
    Binary,
    TimeStamp,
    Unit,
    Custom(String),
}

impl<'t> KeyId<'t> {
    /// The identity of a scalar key as written.
    pub(super) fn of(
        value: &Cow<'t, str>,
        style: ScalarStyle,
        tag: TagKind,
        raw: Option<&Tag>,
    ) -> KeyId<'t> {
        let text: &str = value;
        let t = trim(text);
        if tag == TagKind::Int
            || (tag == TagKind::None && style == ScalarStyle::Plain && may_be_number(t))
        {
            let int = if t.starts_with('-') {
                signed(t).map(|v| (v < 0, v.unsigned_abs()))
            } else {
                unsigned(t).map(|v| (false, v))
            };
            if let Some((negative, magnitude)) = int {
                return KeyId::Int(negative, magnitude);
            }
        }
        let key_tag = match tag {
            TagKind::None if style == ScalarStyle::Plain && is_null_text(text) => KeyTag::Null,
            TagKind::None
            | TagKind::NonSpecific
            | TagKind::Str
            | TagKind::Merge
            | TagKind::Value
            | TagKind::Include
            | TagKind::Literal => KeyTag::Str,
            TagKind::Null => KeyTag::Null,
            TagKind::Int => KeyTag::Int,
            TagKind::Float => KeyTag::Float,
            TagKind::Bool => KeyTag::Bool,
            TagKind::Binary => KeyTag::Binary,
            TagKind::TimeStamp => KeyTag::TimeStamp,
            TagKind::Unit => KeyTag::Unit,
            TagKind::Seq | TagKind::Map | TagKind::Other => {
                KeyTag::Custom(raw.map(ToString::to_string).unwrap_or_default())
            }
        };
        KeyId::Text(key_tag, value.clone())
    }

    /// The identity of a key known only by its name (a merged or aliased key), read as if
    /// it were written plain.
    pub(super) fn of_name(name: &Cow<'t, str>) -> KeyId<'t> {
        KeyId::of(name, ScalarStyle::Plain, TagKind::None, None)
    }
}
