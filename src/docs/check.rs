//! Loading a guide: its `baton` blocks, in document order, as one collection whose
//! diagnostics point at the Markdown file and line. `cmd::docs` runs it like `run`.

use super::{Block, Role, blocks};
use crate::collection::load;
use crate::collection::model::{Collection, Request};
use crate::collection::read_requests;
use crate::diag::Loc;
use crate::diag::{Diagnostic, SourceFile};
use crate::template::Templates;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::{Compiler, Reader};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

static VARIABLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"<<\s*([A-Za-z_][A-Za-z0-9_]*)\s*>>").expect("valid regex")
});

/// A guide read as a collection.
pub(crate) struct Guide {
    pub collection: Collection,
    /// The Markdown text.
    pub text: String,
    /// Every block of the guide.
    pub blocks: Vec<Block>,
    /// For each `baton` block (by its index in `blocks`): its requests in `collection`.
    pub requests: Vec<(usize, Range<usize>)>,
}

impl Guide {
    pub(crate) fn block_requests(&self, block: usize) -> Option<&[Request]> {
        self.requests
            .iter()
            .find(|(b, _)| *b == block)
            .map(|(_, r)| &self.collection.requests[r.clone()])
    }
}

/// Read and load a guide; `None` after pushing the problems that stop it.
pub(crate) fn load_guide(
    path: &Path,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Guide> {
    let file = load::read_source(path, problems)?;
    let before = problems.iter().filter(|d| d.is_error()).count();
    let all = blocks(file.text());
    // The YAML blocks are read as one list, so that `auth: { oauth2: id }` may name a
    // request of an earlier block; their locations are the Markdown's (the text read has
    // the blocks' lines where the Markdown has them, and nothing else).
    let merged = SourceFile::new(path, yaml_lines_only(file.text(), &all));
    let mut items = Vec::new();
    // Per block: Ok(number of YAML items) or Err(the curl block's requests).
    let mut parts: Vec<(usize, Result<usize, Vec<Request>>)> = Vec::new();
    for (i, block) in all.iter().enumerate() {
        match block.role() {
            Role::Yaml => {
                let found = yaml_items(path, block, problems);
                parts.push((i, Ok(found.len())));
                items.extend(found);
            }
            Role::Curl => parts.push((i, Err(curl_block(&file, block, templates, problems)))),
            _ => {}
        }
    }
    if parts.is_empty() {
        problems.push(
            Diagnostic::error(format!("{}: no ```baton blocks", file.display()))
                .help("a request goes in a fenced block whose info string is `baton`"),
        );
    }
    let mut yaml_requests = if items.is_empty() {
        Vec::new()
    } else {
        let mut r = Reader {
            file: &merged,
            problems,
            templates: Compiler::New(templates),
        };
        let list = Node::new(Kind::Seq(items), Loc::default());
        read_requests(&mut r, &list)
    }
    .into_iter();
    if problems.iter().filter(|d| d.is_error()).count() > before {
        return None;
    }
    let mut requests = Vec::new();
    let mut ranges = Vec::new();
    for (i, part) in parts {
        let start = requests.len();
        match part {
            Ok(n) => requests.extend(yaml_requests.by_ref().take(n)),
            Err(curl) => requests.extend(curl),
        }
        ranges.push((i, start..requests.len()));
    }
    Some(Guide {
        collection: Collection {
            file: file.clone(),
            name: title(file.text()).unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            vars: Vec::new(),
            requests,
            deferred: Vec::new(),
            needs: Vec::new(),
            export: Vec::new(),
            persist: Vec::new(),
            defaults: None,
            habits: None,
        },
        text: file.text().to_string(),
        blocks: all,
        requests: ranges,
    })
}

/// The first `# Title` of the guide.
fn title(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The Markdown with every line outside the YAML blocks emptied.
fn yaml_lines_only(text: &str, all: &[Block]) -> String {
    let keep: Vec<std::ops::Range<usize>> = all
        .iter()
        .filter(|b| b.role() == Role::Yaml)
        .map(|b| b.content.clone())
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if keep.iter().any(|k| k.contains(&offset)) {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
        offset += line.len();
    }
    out
}

/// The block's text placed at its lines of the Markdown file, so that every location in it
/// is the Markdown's.
fn placed(path: &Path, block: &Block, text: &str) -> Arc<SourceFile> {
    SourceFile::new(path, format!("{}{text}", "\n".repeat(block.line)))
}

/// The requests of a YAML block, unread: one mapping, or the items of a list.
fn yaml_items(path: &Path, block: &Block, problems: &mut Vec<Diagnostic>) -> Vec<Node<'static>> {
    let file = placed(path, block, &block.text);
    if block.text.trim().is_empty() {
        problems.push(
            Diagnostic::error("the ```baton block is empty")
                .at(&file, fence_loc(block))
                .help("write one request (`GET: https://…`) or a list of requests"),
        );
        return Vec::new();
    }
    let Some(tree) = load::parse_tree(&file, problems) else {
        return Vec::new();
    };
    match tree.kind {
        Kind::Seq(items) => items.into_iter().map(Node::into_owned).collect(),
        _ => vec![tree.into_owned()],
    }
}

fn fence_loc(block: &Block) -> Loc {
    Loc {
        line: block.line as u32,
        col: 1,
        offset: 0,
        len: 0,
    }
}

fn curl_block(
    markdown: &Arc<SourceFile>,
    block: &Block,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Request> {
    let path = markdown.path.as_path();
    // `<<name>>` is how the rest of the guide writes variables; the importer reads `{{name}}`.
    let command = VARIABLE.replace_all(&block.text, "{{$1}}");
    // A guide's command runs as written, its literal credentials too.
    let keep = crate::import::curl::Options { keep_secrets: true };
    let imported = match crate::import::curl::import_with(&command, &keep) {
        Ok(i) => i,
        Err(e) => {
            problems.push(
                Diagnostic::error(format!("the curl command cannot be read: {e}"))
                    .at(markdown, fence_loc(block)),
            );
            return Vec::new();
        }
    };
    // Without the comments, the request's URL is on the fourth line: put it on the line of
    // the command, so that what is said about the URL names that line.
    let yaml: String = crate::import::curl::to_yaml(&imported)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = SourceFile::new(
        path,
        format!("{}{yaml}", "\n".repeat(block.line.saturating_sub(3))),
    );
    let Some(c) = load::load_source(&file, templates, problems) else {
        return Vec::new();
    };
    let name = format!("{}:{}", crate::diag::display_path(path), block.line);
    c.requests
        .into_iter()
        .map(|mut r| {
            r.name.clone_from(&name);
            r.loc = Loc {
                line: block.line as u32 + 1,
                ..fence_loc(block)
            };
            r
        })
        .collect()
}
