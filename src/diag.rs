//! Diagnostics a user reads: an error or warning that names its file, line and column,
//! rendered like rustc (the source line with a caret) by annotate-snippets.

use crate::collection::node::Loc;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A file baton read, kept so that diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    text: OnceLock<String>,
    /// Whether the text stays on disk (a collection too big to keep, parsed as it is read:
    /// see `collection::load::Keep`): it is read only if a problem in it is shown.
    on_disk: bool,
    /// Where each line starts, built the first time a problem in the file is shown: a run
    /// of 10,000 failing requests in one file showed each by counting lines from the top.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: OnceLock::from(text.into()),
            on_disk: false,
            line_starts: OnceLock::new(),
        })
    }

    /// A file whose text is not kept: it is read as it is parsed.
    pub fn on_disk(path: impl Into<PathBuf>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: OnceLock::new(),
            on_disk: true,
            line_starts: OnceLock::new(),
        })
    }

    pub fn is_on_disk(&self) -> bool {
        self.on_disk
    }

    /// The file's text; for a file on disk, read now (to quote it in a message), and
    /// empty if it can no longer be read.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            std::fs::read(&self.path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        })
    }

    /// The byte offset where line `line` (1-based) starts; the end of the text past the
    /// last line.
    pub fn line_start(&self, line: usize) -> usize {
        let text = self.text();
        let starts = self.line_starts.get_or_init(|| line_starts(text));
        match line.checked_sub(1).and_then(|i| starts.get(i)) {
            Some(&start) => start,
            None if line <= 1 => 0,
            None => text.len(),
        }
    }

    /// The text of line `line` (1-based), without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let text = self.text();
        let start = self.line_start(line);
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        &text[start..end]
    }

    /// The path as shown to users: relative to the working directory when it is below it.
    pub fn display(&self) -> String {
        display_path(&self.path)
    }
}

/// Where each line of `text` starts. A line ends at `\n`, `\r\n` or a lone `\r` (files
/// saved by old Mac editors), as YAML says and as the parser counts lines.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// A path relative to the working directory when possible, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    // `./environments/dev.yaml` (found from the working directory) reads as the path it is.
    let shown = match shown.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => shown,
    };
    shown.to_string_lossy().replace('\\', "/")
}

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

    pub fn at(mut self, source: &Arc<SourceFile>, loc: Loc) -> Diagnostic {
        self.source = Some(source.clone());
        self.loc = loc;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just the file, or nothing.
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
    pub fn short(&self) -> String {
        match self.location() {
            Some(place) => format!("{place}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The rustc-like form with the quoted source line.
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
        let title = level.primary_title(self.message.as_str());
        let mut groups = Vec::new();
        let snippet_window = self.source.as_ref().filter(|_| !self.loc.is_unknown());
        let group = match snippet_window {
            Some(source) => {
                let (start, line_text, span) = window(source, self.loc);
                let display = source.display();
                let mut annotation = AnnotationKind::Primary.span(span);
                if let Some(label) = &self.label {
                    annotation = annotation.label(label.as_str());
                }
                let _ = start;
                title.element(
                    Snippet::source(line_text)
                        .line_start(self.loc.line as usize)
                        .path(display)
                        .annotation(annotation),
                )
            }
            None => {
                let mut group = Group::with_title(title);
                if let Some(place) = self.location() {
                    group = group.element(Level::NOTE.message(format!("in {place}")));
                }
                if let Some(label) = &self.label {
                    group = group.element(Level::NOTE.message(label.clone()));
                }
                group
            }
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
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
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
