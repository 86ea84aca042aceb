//! `baton docs sync`: the `baton:snippet` blocks directly under a `baton` block (until the
//! next `baton` block or heading) regenerated from its requests; the rest of the file is
//! kept byte for byte.

use super::Role;
use super::check::Guide;
use crate::export::{Lang, Values};
use crate::template::Templates;

/// A snippet block whose text is not what the request gives.
#[derive(Debug, Clone)]
pub(crate) struct Stale {
    /// 1-based line of the snippet's opening fence.
    pub line: usize,
    pub lang: Lang,
}

/// The guide's text with every snippet regenerated, and the snippets that changed.
pub(crate) fn sync(guide: &Guide, templates: &Templates) -> Result<(String, Vec<Stale>), String> {
    let values = Values::placeholders(templates);
    let mut out = String::with_capacity(guide.text.len());
    let mut copied = 0;
    let mut stale = Vec::new();
    let mut current: Option<usize> = None;
    for (i, block) in guide.blocks.iter().enumerate() {
        if block.heading_before {
            current = None;
        }
        match block.role() {
            Role::Yaml | Role::Curl => current = Some(i),
            Role::Snippet(lang) => {
                let Some(requests) = current.and_then(|b| guide.block_requests(b)) else {
                    continue;
                };
                let mut texts = Vec::new();
                for r in requests {
                    let text = crate::export::snippet(r, lang, &values)
                        .map_err(|e| format!("{}: {e}", block.line))?;
                    texts.push(text.trim_end().to_string());
                }
                let mut want = texts.join("\n\n");
                want.push('\n');
                if block.text.contains("\r\n") {
                    want = want.replace('\n', "\r\n");
                }
                if want != block.text {
                    stale.push(Stale {
                        line: block.line,
                        lang,
                    });
                }
                out.push_str(&guide.text[copied..block.content.start]);
                out.push_str(&want);
                copied = block.content.end;
            }
            Role::Other => {}
        }
    }
    out.push_str(&guide.text[copied..]);
    Ok((out, stale))
}
