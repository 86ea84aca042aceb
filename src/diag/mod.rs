//! Diagnostics a user reads: an error or warning that names its file, line and column,
//! rendered like rustc (the source line with a caret) by annotate-snippets.

mod source;

pub use source::SourceFile;
pub(crate) use source::{Loc, display_path, line_starts};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with the place it comes from when there is one.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub source: Option<Arc<SourceFile>>,
    pub loc: Loc,
    /// Text under the caret ("expected 200").
    pub label: Option<String>,
    /// Lines after the snippet: `= note: ...`, `= help: ...`.
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            source: None,
            loc: Loc::default(),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    #[must_use]
    pub fn at(mut self, source: &Arc<SourceFile>, loc: Loc) -> Diagnostic {
        self.source = Some(source.clone());
        self.loc = loc;
        self
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just the file, or nothing.
    #[must_use]
    pub fn location(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        if self.loc.is_unknown() {
            Some(source.display())
        } else {
            Some(format!(
                "{}:{}:{}",
                source.display(),
                self.loc.line,
                self.loc.col
            ))
        }
    }

    /// The one-line form: `file.yaml:12:5: unknown key 'methd' (did you mean 'method'?)`.
    #[must_use]
    pub fn short(&self) -> String {
        match self.location() {
            Some(place) => format!("{place}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The rustc-like form with the quoted source line.
    #[must_use]
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let message = elide_middle(&self.message, QUOTE_MAX);
        let title = level.primary_title(message.as_ref());
        let mut groups = Vec::new();
        let snippet_window = self.source.as_ref().filter(|_| !self.loc.is_unknown());
        let quoted = snippet_window.map(|source| {
            let (_, line_text, span) = window(source, self.loc);
            elide_around(line_text, span, QUOTE_MAX)
        });
        let group = if let (Some(source), Some((line_text, span))) = (snippet_window, &quoted) {
            let span = span.clone();
            let display = source.display();
            let mut annotation = AnnotationKind::Primary.span(span);
            if let Some(label) = &self.label {
                annotation = annotation.label(label.as_str());
            }
            title.element(
                Snippet::source(line_text.as_ref())
                    .line_start(self.loc.line as usize)
                    .path(display)
                    .annotation(annotation),
            )
        } else {
            let mut group = Group::with_title(title);
            if let Some(place) = self.location() {
                group = group.element(Level::NOTE.message(format!("in {place}")));
            }
            if let Some(label) = &self.label {
                group = group.element(Level::NOTE.message(label.clone()));
            }
            group
        };
        let mut group = group;
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        groups.push(group);
        renderer.render(&groups)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// The most bytes of a message or a source line shown whole; past it, text is elided
/// around what matters. annotate-snippets takes about 26 bytes per byte it renders: one
/// 50 MB YAML key, quoted in its error, took 1.3 GB.
const QUOTE_MAX: usize = 480;

/// The largest byte index at most `i` that is a character boundary of `text`.
fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` whole if it is at most `max` bytes, else its start and end with `…` between.
fn elide_middle(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let head = floor_char(text, max / 2);
    let mut tail = text.len() - max / 2;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    let cut = text[head..tail].chars().count();
    format!("{}…[{cut} characters]…{}", &text[..head], &text[tail..]).into()
}

/// A long `line` cut to about `max` bytes around `span` (itself cut to half of that),
/// with `…` where text was cut, and where the span is in what is left.
fn elide_around(
    line: &str,
    span: std::ops::Range<usize>,
    max: usize,
) -> (std::borrow::Cow<'_, str>, std::ops::Range<usize>) {
    if line.len() <= max {
        return (line.into(), span);
    }
    let from = floor_char(line, span.start);
    let to = floor_char(line, span.end.min(from + max / 2)).max(from);
    let context = max.saturating_sub(to - from) / 2;
    let start = floor_char(line, from.saturating_sub(context));
    let mut end = (to + context).min(line.len());
    while !line.is_char_boundary(end) {
        end += 1;
    }
    let (before, after) = (
        if start > 0 { "…" } else { "" },
        if end < line.len() { "…" } else { "" },
    );
    let shown = format!("{before}{}{after}", &line[start..end]);
    let shift = before.len();
    (shown.into(), from - start + shift..to - start + shift)
}

/// The line holding `loc` and the span to underline inside it. The parser gives a byte
/// span for most nodes; where it gives none, the token under the column is underlined.
fn window(source: &SourceFile, loc: Loc) -> (usize, &str, std::ops::Range<usize>) {
    let line_start = source.line_start(loc.line as usize);
    let line = source.line_text(loc.line as usize);
    let line_end = line_start + line.len();
    let col_byte = line
        .char_indices()
        .nth(loc.col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    let from = if loc.len > 0 && loc.offset >= line_start && loc.offset <= line_end {
        loc.offset - line_start
    } else {
        col_byte
    };
    let to = if loc.len > 0 && loc.offset >= line_start {
        (loc.offset + loc.len).min(line_end) - line_start
    } else {
        token_end(line, from)
    };
    let to = if to <= from {
        token_end(line, from)
    } else {
        to
    };
    (line_start, line, from..to.max(from))
}

fn token_end(line: &str, from: usize) -> usize {
    if from >= line.len() {
        return line.len();
    }
    let rest = &line[from..];
    let stop = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == ':' || *c == ',')
        .map_or(rest.len(), |(i, _)| i);
    from + stop.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// The closest candidate to `word`, if one is close enough to be what was meant: similar
/// (Jaro-Winkler) and a few edits away. Jaro-Winkler alone rewards a shared prefix so much
/// that `ClientSecret` would suggest `ClientId`.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // No name baton knows is this long: comparing a 50 MB key with each took minutes.
    if word.len() > 256 {
        return None;
    }
    let word = word.to_lowercase();
    let max_edits = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let score = strsim::jaro_winkler(&word, &lower);
            (score > 0.8 && strsim::osa_distance(&word, &lower) <= max_edits).then_some((score, c))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A line or message of megabytes is quoted around what matters, not whole.
    #[test]
    fn long_lines_and_messages_are_elided_around_the_caret() {
        let key = "é".repeat(100_000);
        let text = format!("a: 1\n? {key}x\n: 2\n");
        let src = SourceFile::new("x.yaml", text.as_str());
        let loc = Loc {
            line: 2,
            col: 3,
            offset: 7,
            len: key.len() + 1,
        };
        let d = Diagnostic::error(format!("unknown key '{key}x' in the collection"))
            .at(&src, loc)
            .label("unknown key");
        let shown = d.render(false);
        assert!(shown.len() < 2 * QUOTE_MAX, "{} bytes", shown.len());
        assert!(shown.contains("é…[99777 characters]…é"), "{shown}");
        assert!(shown.contains("x' in the collection"), "{shown}");
        assert!(shown.contains("2 | ? ééé"), "{shown}");
        assert!(shown.contains("^^^"), "{shown}");
        let (line, span) = elide_around("abcdefghij", 4..6, 4);
        assert_eq!((line.as_ref(), span), ("…defg…", 4..6));
        assert_eq!(did_you_mean(&"k".repeat(300), ["key"]), None);
    }

    #[test]
    fn renders_the_line_with_a_caret_and_the_place() {
        let src = SourceFile::new("x.yaml", "name: a\nrequests:\n  - methd: GET\n");
        let loc = Loc {
            line: 3,
            col: 5,
            offset: 14,
            len: 5,
        };
        let d = Diagnostic::error("unknown key 'methd'")
            .at(&src, loc)
            .label("did you mean 'method'?");
        let text = d.render(false);
        assert!(text.contains("x.yaml:3:5"), "{text}");
        assert!(text.contains("  - methd: GET"), "{text}");
        assert!(text.contains("^^^^^ did you mean 'method'?"), "{text}");
        assert_eq!(d.short(), "x.yaml:3:5: unknown key 'methd'");
    }

    #[test]
    fn line_starts_are_found_without_counting_from_the_top() {
        let src = SourceFile::new("x.yaml", "a\nbb\n\nccc");
        let starts: Vec<usize> = (0..=6).map(|l| src.line_start(l)).collect();
        assert_eq!(starts, [0, 0, 2, 5, 6, 9, 9]);
    }

    #[test]
    fn lines_end_at_lf_crlf_and_a_lone_cr() {
        let src = SourceFile::new("x.yaml", "a\rbb\r\ncc\nd");
        let lines: Vec<&str> = (1..=4).map(|l| src.line_text(l)).collect();
        assert_eq!(lines, ["a", "bb", "cc", "d"]);
        let cr = SourceFile::new("x.yaml", "name: a\rrequests:\r  - methd: GET\r");
        let d = Diagnostic::error("unknown key 'methd'").at(
            &cr,
            Loc {
                line: 3,
                col: 5,
                offset: 22,
                len: 5,
            },
        );
        let text = d.render(false);
        assert!(text.contains("x.yaml:3:5"), "{text}");
        assert!(text.contains("3 |   - methd: GET\n"), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
    }

    #[test]
    fn paths_from_the_working_directory_read_plainly() {
        assert_eq!(
            display_path(Path::new("./environments/dev.yaml")),
            "environments/dev.yaml"
        );
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("../x.yaml")), "../x.yaml");
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["method", "url", "headers"];
        assert_eq!(did_you_mean("methd", keys), Some("method"));
        assert_eq!(did_you_mean("hedaers", keys), Some("headers"));
        assert_eq!(did_you_mean("zzz", keys), None);
        assert_eq!(
            did_you_mean("baseAuthUrl", ["baseAuthURL"]),
            Some("baseAuthURL")
        );
        assert_eq!(did_you_mean("ClientSecret", ["ClientId"]), None);
        assert_eq!(did_you_mean("gtt", ["gt", "ge"]), Some("gt"));
    }
}
