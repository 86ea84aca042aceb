//! What a template calls, read from its text: the filters, tests and functions named in its
//! `<< >>` and `<% %>` tags (minijinja looks them up only when it renders them, so a
//! misspelt one would pass `baton check`), and the `<< >>` tags that read no variable,
//! whose value can be worked out when the template is compiled.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum CallKind {
    Filter,
    Test,
    Function,
}

impl CallKind {
    pub(super) fn noun(self) -> &'static str {
        match self {
            CallKind::Filter => "filter",
            CallKind::Test => "test",
            CallKind::Function => "function",
        }
    }
}

/// A filter, test or function named in a template, and where its name is in the text.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Call<'t> {
    pub kind: CallKind,
    pub name: &'t str,
    pub at: Range<usize>,
}

/// What `scan` found in a template's text.
#[derive(Debug, Default)]
pub(super) struct Scan<'t> {
    pub calls: Vec<Call<'t>>,
    /// The expressions of `<< >>` tags that read no variable (`<< now('%s') >>`): only
    /// literals, operators, and names in call, filter or test position.
    pub constants: Vec<&'t str>,
}

/// Words of the template language: never variables, never calls (`<% if (a) %>`).
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "elif", "else", "endif", "for", "endfor", "recursive",
    "set", "endset", "with", "endwith", "macro", "endmacro", "call", "endcall", "filter",
    "endfilter", "block", "endblock", "extends", "include", "import", "from", "as", "raw",
    "endraw", "autoescape", "endautoescape", "do", "continue", "break", "true", "false", "none",
    "True", "False", "None", "ignore", "missing", "context", "without",
];

/// Names a template may call without defining them: the loop's own recursion, a call
/// block's caller, a block's parent.
const LOCAL_CALLABLES: &[&str] = &["loop", "caller", "super", "self", "varargs", "kwargs"];

#[derive(Debug, PartialEq)]
enum Token<'t> {
    Ident(&'t str, Range<usize>),
    /// A string or number literal.
    Literal,
    Punct(&'t str),
}

/// The calls and constant expressions of `text`, a template with baton's delimiters.
pub(super) fn scan(text: &str) -> Scan<'_> {
    let mut out = Scan::default();
    let mut macros: Vec<&str> = Vec::new();
    let mut pos = 0;
    while let Some(open) = next_tag(text, pos) {
        let (opener, closer) = match &text[open..open + 2] {
            "<<" => ("<<", ">>"),
            "<%" => ("<%", "%>"),
            _ => {
                // A comment: skip to its end (an unclosed one fails to compile anyway).
                pos = text[open + 2..]
                    .find("#>")
                    .map_or(text.len(), |i| open + 4 + i);
                continue;
            }
        };
        let start = open + opener.len();
        let (tokens, end) = tokens(text, start, closer);
        pos = (end + closer.len()).min(text.len());
        let words: Vec<&str> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Ident(w, _) => Some(*w),
                _ => None,
            })
            .collect();
        if opener == "<%" && words.first() == Some(&"raw") {
            // Everything up to `<% endraw %>` is text.
            pos = text[pos..]
                .find("endraw")
                .and_then(|i| text[pos + i..].find("%>").map(|j| pos + i + j + 2))
                .unwrap_or(text.len());
            continue;
        }
        if opener == "<%" && words.first() == Some(&"macro") {
            macros.extend(words.get(1));
        }
        let block_filter = opener == "<%" && words.first() == Some(&"filter");
        let calls_before = out.calls.len();
        classify(&tokens, block_filter, &mut out.calls);
        if opener == "<<" && is_constant(&tokens, &out.calls[calls_before..]) {
            let expr = text[start..end].trim_matches(|c: char| c.is_whitespace() || c == '-');
            if !expr.is_empty() && !text[start..end].starts_with(['-', '+']) {
                out.constants.push(expr);
            }
        }
    }
    // A macro the template defines is called like a function.
    out.calls
        .retain(|c| c.kind != CallKind::Function || !macros.contains(&c.name));
    out
}

/// Where the next tag (`<<`, `<%` or `<#`) opens at or after `from`.
fn next_tag(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (from..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'<' && matches!(bytes[i + 1], b'<' | b'%' | b'#'))
}

/// The tokens of a tag's code from `start` up to `closer` (outside strings), and where the
/// closer is (the end of the text when there is none).
fn tokens<'t>(text: &'t str, start: usize, closer: &str) -> (Vec<Token<'t>>, usize) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        if text[i..].starts_with(closer) {
            return (out, i);
        }
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            i = string_end(bytes, i);
            out.push(Token::Literal);
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            out.push(Token::Literal);
        } else if c == b'_' || c.is_ascii_alphabetic() {
            let from = i;
            while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(Token::Ident(&text[from..i], from..i));
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let len = if ["==", "!=", "<=", ">=", "//", "**"].contains(&two) {
                2
            } else {
                text[i..].chars().next().map_or(1, char::len_utf8)
            };
            out.push(Token::Punct(&text[i..i + len]));
            i += len;
        }
    }
    (out, bytes.len())
}

/// Past the string literal that starts at `i` (backslash escapes skipped).
fn string_end(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != quote {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(bytes.len())
}

/// The names in call, filter and test position among one tag's tokens.
fn classify<'t>(tokens: &[Token<'t>], block_filter: bool, out: &mut Vec<Call<'t>>) {
    for (i, token) in tokens.iter().enumerate() {
        let Token::Ident(name, at) = token else {
            continue;
        };
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let before_prev = i.checked_sub(2).map(|p| &tokens[p]);
        let kind = if matches!(prev, Some(Token::Punct("|"))) || (block_filter && i == 1) {
            CallKind::Filter
        } else if (matches!(prev, Some(Token::Ident("is", _))) && *name != "not")
            || (matches!(prev, Some(Token::Ident("not", _)))
                && matches!(before_prev, Some(Token::Ident("is", _))))
        {
            CallKind::Test
        } else if matches!(tokens.get(i + 1), Some(Token::Punct("(")))
            && !matches!(prev, Some(Token::Punct(".")))
            && !KEYWORDS.contains(name)
            && !LOCAL_CALLABLES.contains(name)
        {
            CallKind::Function
        } else {
            continue;
        };
        out.push(Call {
            kind,
            name,
            at: at.clone(),
        });
    }
}

/// True when a `<< >>` tag reads no variable: each name in it is called, a filter or test,
/// an attribute or method (`.upper()`), a keyword argument (`f(x=1)`) or a keyword.
fn is_constant(tokens: &[Token], calls: &[Call]) -> bool {
    let any_call = !calls.is_empty();
    let all_named = tokens.iter().enumerate().all(|(i, t)| match t {
        Token::Ident(name, at) => {
            calls.iter().any(|c| c.at == *at)
                || KEYWORDS.contains(name)
                || matches!(
                    i.checked_sub(1).map(|p| &tokens[p]),
                    Some(Token::Punct("."))
                )
                || matches!(tokens.get(i + 1), Some(Token::Punct("=")))
        }
        _ => true,
    });
    // Only literals and operators (`<< 1 + 1 >>`) need no working out ahead of time.
    any_call && all_named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Vec<(CallKind, &str)> {
        scan(text).calls.iter().map(|c| (c.kind, c.name)).collect()
    }

    #[test]
    fn finds_filters_tests_and_functions() {
        use CallKind::*;
        assert_eq!(
            calls("<<base>>/x?<< v | sha512 | urlencode >>&t=<< now('%s') >>"),
            [(Filter, "sha512"), (Filter, "urlencode"), (Function, "now")]
        );
        assert_eq!(
            calls("<% if x is not odd and y is number %><< uuid4() >><% endif %>"),
            [(Test, "odd"), (Test, "number"), (Function, "uuid4")]
        );
        assert_eq!(
            calls("<% filter upper %>x<% endfilter %><< x | default('a|b(c)') >>"),
            [(Filter, "upper"), (Filter, "default")]
        );
    }

    #[test]
    fn skips_text_comments_raw_methods_keywords_and_local_macros() {
        assert_eq!(calls("f(x) | g <# << h() >> #> {{ i() }}"), []);
        assert_eq!(calls("<% raw %><< nope() >><% endraw %><< a >>"), []);
        assert_eq!(
            calls("<< x.upper() >><% if (a) %><< loop.cycle(1) >><% endif %>"),
            []
        );
        assert_eq!(
            calls("<% macro m(a) %><< a >><% endmacro %><< m(1) >><< caller() >>"),
            []
        );
        assert_eq!(calls("<< \"uuid4()\" ~ '>>' >>"), []);
    }

    #[test]
    fn constant_expressions_read_no_variable() {
        let found = |text| scan(text).constants;
        assert_eq!(found("<< now('%Q') >> << now(v) >>"), ["now('%Q')"]);
        assert_eq!(
            found("<< 'a' | b64decode >><< random(n=3) >>"),
            ["'a' | b64decode", "random(n=3)"]
        );
        assert!(found("<< x | sha256 >> << 1 + 1 >> <<- uuid() >>").is_empty());
    }
}
