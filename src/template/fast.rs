//! The fast path of rendering: a text made only of literal text and `<< name >>`
//! placeholders is rendered by joining strings, without running minijinja (the usual
//! `<<baseURL>>/token`, rendered for every request of every run).

use super::Scope;

#[derive(Debug, PartialEq)]
pub(super) enum Piece {
    Text(Box<str>),
    Var(Box<str>),
}

/// The pieces of a text made only of literal text and `<< name >>` placeholders (a name
/// being a template identifier that is not a literal such as `true` or `none`), or None
/// for any other template syntax.
pub(super) fn simple_pieces(text: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("<<") {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].into()));
        }
        let after = &rest[open + 2..];
        let close = after.find(">>")?;
        let name = after[..close].trim_matches([' ', '\t']);
        let ident = name
            .bytes()
            .enumerate()
            .all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()));
        let literal = matches!(name, "true" | "false" | "none" | "True" | "False" | "None");
        if name.is_empty() || !ident || literal {
            return None;
        }
        pieces.push(Piece::Var(name.into()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.into()));
    }
    // Block and comment delimiters anywhere (or `<<` left inside a name) need the engine.
    let plain = |t: &str| !t.contains("<%") && !t.contains("<#") && !t.contains("<<");
    pieces
        .iter()
        .all(|p| match p {
            Piece::Text(t) => plain(t),
            Piece::Var(_) => true,
        })
        .then_some(pieces)
}

/// The text of `pieces` when each name holds a string in `scope` (the scope wins over
/// `env`, `vars` and the functions, as in the template); None for anything else.
pub(super) fn render_pieces(pieces: &[Piece], scope: &Scope) -> Option<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => out.push_str(scope.get(name)?.as_str()?),
        }
    }
    Some(out)
}

/// `<< expr >>` alone (blank around it allowed) → `expr`.
pub(super) fn single_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("<<")?.strip_suffix(">>")?;
    if inner.contains("<<") || inner.contains(">>") || inner.contains("<%") {
        return None;
    }
    Some(inner.trim())
}
