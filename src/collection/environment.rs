//! Environments (`environments/NAME.yaml`: `vars` and `secrets`), `.env` files and the
//! process environment that `<<env.NAME>>` reads.

use super::load::{parse_with, read_source};
use super::vars::VarDef;
use super::vars::read_vars;
use crate::diag::{Diagnostic, SourceFile, display_path};
use crate::template::{EnvVars, Templates};
use crate::yaml::read::{Compiler, Reader};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// One environment file.
#[derive(Debug)]
pub(crate) struct Environment {
    pub vars: Vec<VarDef>,
    /// Names whose values are secret, whether defined here or elsewhere.
    pub secrets: Vec<String>,
}

/// Find `-e NAME`: a path to a file, or `environments/NAME.yaml` in the working directory
/// or in a directory above one of the collections.
pub(crate) fn resolve(name: &str, collections: &[PathBuf]) -> Result<PathBuf, Diagnostic> {
    let direct = PathBuf::from(name);
    // Anything there but a directory is the file meant (`-e dev` beside a directory `dev/`
    // still means environments/dev.yaml); reading it refuses what is not a regular file.
    if std::fs::metadata(&direct).is_ok_and(|m| !m.is_dir()) {
        return Ok(direct);
    }
    let mut roots: Vec<PathBuf> = vec![PathBuf::from(".")];
    for c in collections {
        let start = if c.is_dir() {
            Some(c.as_path())
        } else {
            c.parent()
        };
        let mut dir = start.map(Path::to_path_buf);
        while let Some(d) = dir {
            roots.push(d.clone());
            dir = d
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf);
        }
    }
    let mut looked = Vec::new();
    for root in &roots {
        for ext in ["yaml", "yml"] {
            let candidate = root.join("environments").join(format!("{name}.{ext}"));
            if candidate.exists() {
                return Ok(candidate);
            }
            looked.push(candidate);
        }
    }
    let mut d = Diagnostic::error(format!("environment `{name}` not found"));
    let available = available_environments(&roots);
    d = if available.is_empty() {
        d.help("give a path (-e environments/dev.yaml) or create environments/NAME.yaml")
    } else {
        d.help(format!("available: {}", available.join(", ")))
    };
    Err(d.note(format!("looked for {}", display_path(&looked[0]))))
}

pub(crate) fn available_environments(roots: &[PathBuf]) -> Vec<String> {
    let mut names = Vec::new();
    for root in roots {
        if let Ok(entries) = std::fs::read_dir(root.join("environments")) {
            for e in entries.flatten() {
                let p = e.path();
                if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
                    && let Some(stem) = p.file_stem()
                {
                    let n = stem.to_string_lossy().into_owned();
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
        }
    }
    names.sort();
    names
}

pub(crate) fn load(
    path: &Path,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Environment> {
    let real = read_source(path, problems)?;
    // Every problem quotes the file with its values masked: an environment holds secrets,
    // and the line quoted may be one of them. The values are read from the real text.
    let file = SourceFile::new(&real.path, mask_yaml_values(real.text()));
    let first = problems.len();
    let tree = parse_with(&file, problems, |_| crate::yaml::node::parse(real.text()))?;
    let before = problems.iter().filter(|d| d.is_error()).count();
    let mut r = Reader {
        file: &file,
        problems,
        templates: Compiler::New(templates),
    };
    let mut map = r.map(&tree, "the environment")?;
    let mut secrets: Vec<String> = Vec::new();
    let mut secret_vars = Vec::new();
    if let Some(node) = map.get("secrets") {
        match &node.kind {
            crate::yaml::node::Kind::Seq(items) => {
                for item in items {
                    if let Some(name) = r.text(item, "secrets") {
                        secrets.push(name);
                    }
                }
            }
            crate::yaml::node::Kind::Map(entries) => {
                secrets.extend(entries.iter().map(|(k, _)| k.name.to_string()));
                secret_vars = read_vars(&mut r, node, "secrets", &secrets);
            }
            _ => {
                let d = r.error(
                    node.loc,
                    "`secrets` must be a list of variable names, or a mapping of names to values",
                );
                d.help = Some("e.g. `secrets: [ClientSecret, password]`".into());
            }
        }
    }
    let mut vars = map
        .get("vars")
        .map(|n| read_vars(&mut r, n, "vars", &secrets))
        .unwrap_or_default();
    vars.extend(secret_vars);
    let _ = map.get("description");
    map.finish(
        &mut r,
        "the environment",
        &["vars", "secrets", "description"],
    );
    let after = r.problems.iter().filter(|d| d.is_error()).count();
    // A template's syntax error labels the text it stopped at: part of a value.
    for d in &mut r.problems[first..] {
        if d.label.as_deref().is_some_and(|l| l.contains('`')) {
            d.label = Some("in this value".into());
        }
    }
    (after == before).then_some(Environment { vars, secrets })
}

/// The process environment over `.env` files found in `dirs` (first found wins for a
/// name; the process always wins). A malformed `.env` is an error with its line.
pub(crate) fn env_vars(dirs: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Arc<EnvVars> {
    let mut values = std::collections::HashMap::new();
    let mut seen = Vec::new();
    for dir in dirs {
        let path = dir.join(".env");
        // A `.env` directory is a Python virtualenv, not ours; anything else that is there
        // (a FIFO, a link to /dev/zero) is refused by the read.
        if std::fs::metadata(&path).map_or(true, |m| m.is_dir()) {
            continue;
        }
        let canonical = path.canonicalize().unwrap_or(path.clone());
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical);
        let bytes = match crate::fsutil::read(&path, crate::fsutil::MAX_INPUT) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(Diagnostic::error(format!(
                    "{}: cannot read the file: {}",
                    display_path(&path),
                    crate::fsutil::io_reason(&e)
                )));
                continue;
            }
        };
        let lines = Rc::new(Cell::new(0));
        let reader = OneLineAtATime {
            rest: &bytes,
            lines: lines.clone(),
            ended: true,
        };
        for item in dotenvy::from_read_iter(reader) {
            match item {
                Ok((k, v)) => {
                    values.entry(k).or_insert(v);
                }
                Err(e) => {
                    problems.push(dotenv_problem(&path, &bytes, lines.get(), &e));
                    break;
                }
            }
        }
    }
    for (k, v) in std::env::vars() {
        values.insert(k, v);
    }
    Arc::new(EnvVars { values })
}

/// A `.env` handed to the parser one line per read, counting the lines handed out: when
/// the parser stops at a line, the count says which (dotenvy gives the line's text and a
/// byte in it, not its number).
struct OneLineAtATime<'a> {
    rest: &'a [u8],
    lines: Rc<Cell<usize>>,
    /// Whether what was handed out ends a line (a line longer than the parser's buffer
    /// goes out in pieces, and counts once).
    ended: bool,
}

impl std::io::Read for OneLineAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let line = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |i| i + 1);
        let n = line.min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        buf[..n].copy_from_slice(&self.rest[..n]);
        if self.ended {
            self.lines.set(self.lines.get() + 1);
        }
        self.ended = self.rest[n - 1] == b'\n';
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// The error for a `.env` the parser stopped in: its line and column, the line quoted
/// with its value masked (a `.env` holds secrets), and what a line should be.
fn dotenv_problem(path: &Path, bytes: &[u8], lines: usize, e: &dotenvy::Error) -> Diagnostic {
    let shown = display_path(path);
    let text = String::from_utf8_lossy(bytes);
    let dotenvy::Error::LineParse(reported, index) = e else {
        return Diagnostic::error(format!("{shown}: cannot parse: {e}"));
    };
    // The text up to the end of the line the parser stopped in; what it reports (the
    // whole logical line, or the value in it) ends there.
    let end = text
        .match_indices('\n')
        .nth(lines.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let upto = text[..end].trim_end();
    let reported = reported.trim_end();
    let start = if upto.ends_with(reported) {
        upto.len() - reported.len()
    } else {
        upto.rfind('\n').map_or(0, |i| i + 1)
    };
    // A quote left open runs to the end of the file, where the parser stops: the quote
    // is what to fix.
    let open_quote = (index + 1 >= reported.len())
        .then(|| open_quote_at(reported))
        .flatten();
    let index = open_quote.unwrap_or(*index);
    let open_quote = open_quote.is_some();
    let mut at = (start + index).min(upto.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..at].chars().count() + 1;
    let masked = SourceFile::new(path, mask_dotenv_values(&text));
    let loc = crate::diag::Loc {
        line: line as u32,
        col: col as u32,
        offset: at,
        len: text[at..].chars().next().map_or(0, char::len_utf8),
    };
    Diagnostic::error(format!(
        "{shown}: cannot parse line {line}, column {col}: lines are NAME=value"
    ))
    .at(&masked, loc)
    .label(if open_quote {
        "this quote is never closed"
    } else {
        "here"
    })
    .help("quote a value with spaces or quotes in it: NAME=\"a b\" or NAME='a \"b\"'")
}

/// Where the quote that is still open at the end of `text` opened (`'` or `"`, a `\`
/// escaping the next character inside double quotes, as dotenvy reads them).
fn open_quote_at(text: &str) -> Option<usize> {
    let mut open: Option<(usize, char)> = None;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match (open, c) {
            (Some((_, '"')), '\\') => {
                chars.next();
            }
            (Some((_, q)), c) if c == q => open = None,
            (None, '"' | '\'') => open = Some((i, c)),
            _ => {}
        }
    }
    open.map(|(i, _)| i)
}

/// The text with each byte of a value replaced by `*`, so that a quoted line shows its
/// names and not its values, and every place in it stays where it was.
fn mask(line: &str, keep: usize) -> String {
    let keep = keep.min(line.len());
    let body = line[keep..].trim_end_matches('\r');
    let masked: String = body
        .bytes()
        .map(|b| {
            if b == b' ' || b == b'\t' {
                b as char
            } else {
                '*'
            }
        })
        .collect();
    format!("{}{masked}{}", &line[..keep], &line[keep + body.len()..])
}

/// A `.env` with its values masked: a line keeps what is before its first `=` (comments
/// are kept whole); a line without `=` (a value's continuation, a pasted secret) is
/// masked whole.
fn mask_dotenv_values(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            match line.find('=') {
                _ if line.trim_start().starts_with('#') => line.to_string(),
                Some(eq) => mask(line, eq + 1),
                None => mask(line, indent),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An environment file with its values masked: a line keeps its indentation, list
/// dashes and key (`ClientSecret:`); what follows, and a line with no key (a list item,
/// a block scalar's text, a flow collection), is masked. Comments are kept.
pub(crate) fn mask_yaml_values(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let rest = line.trim_start_matches([' ', '\t', '-', '?']);
            let keep = line.len() - rest.len();
            if rest.starts_with('#') {
                return line.to_string();
            }
            match yaml_key_end(rest) {
                Some(end) => mask(line, keep + end),
                None => mask(line, keep),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the key of `rest` (a line after its indentation and dashes) ends, after its
/// `:`; None when the line has no key.
fn yaml_key_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let after_key = match bytes.first()? {
        q @ (b'"' | b'\'') => {
            let close = rest[1..].find(*q as char)? + 2;
            close + rest[close..].len() - rest[close..].trim_start().len()
        }
        b'{' | b'[' | b'|' | b'>' | b'&' | b'*' | b'!' => return None,
        _ => {
            let colon = rest
                .match_indices(':')
                .find(|(i, _)| matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\r')))?
                .0;
            if rest[..colon].contains(" #") {
                return None;
            }
            colon
        }
    };
    (bytes.get(after_key) == Some(&b':')).then_some(after_key + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_values_are_masked_byte_for_byte_and_keys_kept() {
        let text = "vars:\n  ClientSecret: \"s3cr3t\" # x\n  'a b': v\n  - item\n  url: http://h:1/\n# keep me\nkey: |\n  -----BEGIN KEY-----\n";
        let masked = mask_yaml_values(text);
        assert_eq!(
            masked,
            "vars:\n  ClientSecret: ******** * *\n  'a b': *\n  - ****\n  url: ***********\n# keep me\nkey: *\n  -----***** ********\n"
        );
        assert_eq!(masked.len(), text.len());
        assert_eq!(mask_yaml_values("a: {b: 1}\r\n"), "a: *** **\r\n");
    }

    #[test]
    fn dotenv_values_are_masked_and_open_quotes_found() {
        assert_eq!(
            mask_dotenv_values("# c=1\nA=secret\nexport B=\"x y\"\nsk_live_1\n"),
            "# c=1\nA=******\nexport B=** **\n*********\n"
        );
        assert_eq!(open_quote_at("A=\"x\\\"y"), Some(2));
        assert_eq!(open_quote_at("K='a'b'"), Some(6));
        assert_eq!(open_quote_at("K='a\"'"), None);
    }

    #[test]
    fn a_dotenv_error_has_its_line_and_column_and_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let mut problems = Vec::new();
        let cases = [
            (
                "A=1\n# note\nTOKEN=sk_live 42\n",
                "line 3, column 15",
                "TOKEN=******* **",
            ),
            ("A=1\nB=\"open\nC=2\n", "line 2, column 3", "B=*****"),
            (
                "A=1\r\nnot an assignment\r\n",
                "line 2, column 5",
                "*** ** **********",
            ),
            (
                &format!("{}X=a b\n", "L=1\n".repeat(3000)),
                "line 3001, column 5",
                "X=* *",
            ),
        ];
        for (text, place, quoted) in cases {
            std::fs::write(dir.path().join(".env"), text).unwrap();
            problems.clear();
            env_vars(&[dir.path().to_path_buf()], &mut problems);
            let shown = problems[0].render(false);
            assert!(shown.contains(place), "{shown}");
            assert!(shown.contains(quoted), "{shown}");
            assert!(
                !shown.contains("sk_live") && !shown.contains("open"),
                "{shown}"
            );
        }
    }
}
