//! Where things are: a file baton read (`SourceFile`, kept so that diagnostics can quote
//! it) and a place in it (`Loc`). Every layer above (the YAML tree, templates, the model)
//! points at its text with these, so they sit at the bottom beside `Diagnostic`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where a node starts in its file: 1-based line and column, and its byte span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
    pub len: usize,
}

impl Loc {
    /// True when the parser could not say where the node was.
    pub fn is_unknown(&self) -> bool {
        self.line == 0
    }
}

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
            // Read as every file is (a regular file, capped), and not copied once more
            // when it is UTF-8, as it was when it was checked.
            crate::fsutil::read(&self.path, crate::fsutil::MAX_COLLECTION)
                .map(|b| {
                    String::from_utf8(b)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
                })
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
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
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
pub(crate) fn display_path(path: &Path) -> String {
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
