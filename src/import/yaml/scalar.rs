//! How one scalar is written: plain when YAML reads it back as the same string, else double
//! quoted with escapes, multi-line text as a literal block; keys the same way.

use super::Y;

/// Multi-line text as `|` (with the chomping and indentation indicators it needs), or
/// quoted when a block cannot carry it (trailing spaces, control characters).
pub(super) fn literal_block(s: &str, indent: usize) -> String {
    let awkward = s
        .chars()
        .any(|c| (c.is_control() && c != '\n') || c == '\u{feff}')
        || s.lines().any(|l| l.ends_with(' '))
        || s.starts_with('\n');
    if awkward || !s.contains('\n') {
        return format!("{}\n", quoted(s));
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let indicator = if body.starts_with(' ') { "2" } else { "" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{indicator}{chomp}\n");
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    // `|+` keeps the blank lines after the text.
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

pub(super) fn scalar_text(v: &Y, in_flow: bool) -> String {
    match v {
        Y::Str(s) => string_text(s, in_flow),
        Y::Int(i) => i.to_string(),
        Y::Float(f) if f.is_finite() => {
            let t = f.to_string();
            if t.contains(['.', 'e', 'E']) {
                t
            } else {
                format!("{t}.0")
            }
        }
        Y::Float(_) => ".nan".into(),
        Y::Bool(b) => b.to_string(),
        Y::Null => "null".into(),
        Y::Seq(_) | Y::Map(_) => String::new(),
    }
}

pub(super) fn key_text(k: &str, in_flow: bool) -> String {
    if k.starts_with('<') {
        // `<<` as a key is YAML's merge key.
        return quoted(k);
    }
    string_text(k, in_flow)
}

fn string_text(s: &str, in_flow: bool) -> String {
    if plain_ok(s, in_flow) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Double-quoted: JSON's escapes are valid YAML escapes.
pub(super) fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    // JSON escapes only what is below U+0020; YAML also refuses DEL, the C1 controls and a
    // few more raw characters (its `c-printable`), so those are written as escapes too.
    if !json.chars().any(unprintable) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if unprintable(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters YAML does not allow raw (outside `c-printable`) or reads as line breaks,
/// beyond the C0 controls.
pub(super) fn unprintable(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

/// True when `s` written plain reads back as the same string.
fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s != s.trim() || s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first)
        || (first == '-' && (s.len() == 1 || s.as_bytes()[1] == b' '))
    {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    const SPECIAL: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    !(SPECIAL.contains(&lower.as_str()) || looks_like_number(s))
}

/// Numbers in any YAML 1.1/1.2 spelling, kept quoted to stay strings (`007`, `1e3`, `0x1F`).
fn looks_like_number(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    if t.is_empty() {
        return false;
    }
    let starts_numeric = t.starts_with(|c: char| c.is_ascii_digit())
        || (t.starts_with('.') && t[1..].starts_with(|c: char| c.is_ascii_digit()));
    starts_numeric
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || "._:xXoObB+-eE".contains(c))
}
