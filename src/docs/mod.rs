//! `baton docs`: request collections written inside Markdown guides. A fenced block whose
//! info string starts with `baton` holds YAML (one request, or a list of requests); a block
//! tagged `curl baton` (or `sh baton`) holds a curl command. `check` runs a guide's blocks
//! in order as one collection; `sync` regenerates the `baton:snippet` blocks under each.

pub(crate) mod check;
pub(crate) mod sync;

use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};

/// A fenced code block of a Markdown text.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The words of the info string.
    pub info: Vec<String>,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// Byte range of the content (the lines between the fences, with their newlines).
    pub content: std::ops::Range<usize>,
    /// The content text.
    pub text: String,
    /// Headings between the previous block and this one.
    pub heading_before: bool,
}

/// What a block is to baton.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// ```` ```baton ````: YAML requests.
    Yaml,
    /// ```` ```curl baton ````: a curl command.
    Curl,
    /// ```` ```python baton:snippet ````: generated from the request above.
    Snippet(crate::export::Lang),
    Other,
}

impl Block {
    pub(crate) fn role(&self) -> Role {
        let first = self.info.first().map(String::as_str).unwrap_or_default();
        if first == "baton" {
            return Role::Yaml;
        }
        if self.info.iter().any(|w| w == "baton:snippet") {
            let lang = match first {
                "sh" | "bash" | "shell" | "console" => Some(crate::export::Lang::Curl),
                other => crate::export::Lang::parse(other),
            };
            return lang.map_or(Role::Other, Role::Snippet);
        }
        if self.info.iter().skip(1).any(|w| w == "baton")
            && matches!(first, "curl" | "sh" | "bash" | "shell" | "console")
        {
            return Role::Curl;
        }
        Role::Other
    }
}

/// The fenced code blocks of `text` in order (CommonMark fences: ``` or ~~~, up to three
/// spaces of indent; an unclosed fence runs to the end).
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut heading = false;
    let mut open: Option<(char, usize, Vec<String>, usize, usize)> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let bare = line.trim_end_matches(['\n', '\r']);
        let indent = bare.len() - bare.trim_start_matches(' ').len();
        let trimmed = &bare[indent.min(bare.len())..];
        let fence = |t: &str| -> Option<(char, usize)> {
            let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
            let n = t.chars().take_while(|x| *x == c).count();
            (n >= 3).then_some((c, n))
        };
        match &open {
            Some((c, n, _, _, _)) => {
                if indent <= 3
                    && let Some((c2, n2)) = fence(trimmed)
                    && c2 == *c
                    && n2 >= *n
                    && trimmed[n2..].trim().is_empty()
                {
                    let (_, _, info, line_no, content_start) = open.take().unwrap_or_default();
                    out.push(Block {
                        info,
                        line: line_no,
                        content: content_start..start,
                        text: text[content_start..start].to_string(),
                        heading_before: std::mem::take(&mut heading),
                    });
                }
            }
            None => {
                if indent <= 3
                    && let Some((c, n)) = fence(trimmed)
                    && !(c == '`' && trimmed[n..].contains('`'))
                {
                    let info = trimmed[n..].split_whitespace().map(String::from).collect();
                    open = Some((c, n, info, i + 1, offset));
                } else if indent <= 3 && trimmed.starts_with('#') {
                    heading = true;
                }
            }
        }
    }
    if let Some((_, _, info, line, content_start)) = open {
        out.push(Block {
            info,
            line,
            content: content_start..text.len(),
            text: text[content_start..].to_string(),
            heading_before: heading,
        });
    }
    out
}

/// Guides under `paths`: files as given, and in directories (walked in sorted order) the
/// Markdown files that hold a `baton` block. Each guide is checked once however it is
/// reached (given twice, or through a link), each directory walked once.
pub(crate) fn discover(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let filter = crate::fsutil::Filter {
        enter: &|name| !(name.starts_with('.') || name == "node_modules" || name == "target"),
        take: &|p, name| {
            !name.starts_with('.')
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("md" | "markdown")
                )
                && has_requests(p)
        },
    };
    // An unreadable directory holds no guide we can check.
    crate::inputs::find_files(
        paths,
        &filter,
        "no Markdown file (.md) with a ```baton block in this directory",
        false,
        problems,
    )
}

/// A guide that cannot be read (a FIFO named `x.md` would block) is not one.
fn has_requests(path: &Path) -> bool {
    crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT).is_ok_and(|text| {
        blocks(&text)
            .iter()
            .any(|b| matches!(b.role(), Role::Yaml | Role::Curl))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_lines_and_roles() {
        let md = "# T\n\ntext\n\n```baton\nGET: http://x\n```\n\n```python baton:snippet\nold\n```\n\n````curl baton\ncurl http://y\n````\n";
        let b = blocks(md);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].line, b[0].role()), (5, Role::Yaml));
        assert_eq!(b[0].text, "GET: http://x\n");
        assert!(b[0].heading_before);
        assert_eq!(b[1].role(), Role::Snippet(crate::export::Lang::Python));
        assert_eq!(&md[b[1].content.clone()], "old\n");
        assert_eq!(b[2].role(), Role::Curl);
        assert_eq!(b[2].line, 13);
    }
}
