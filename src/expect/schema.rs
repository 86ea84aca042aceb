//! `schema:` expectations: the JSON body validated against a JSON Schema, a file beside the
//! collection or a mapping written inline. Drafts 2020-12 and 7 (by `$schema`; 2020-12
//! without it), `$ref`s within the document and to files, never over the network.
//!
//! ```yaml
//! expect:
//!   schema: schemas/token.json
//! ```
//!
//! A schema is compiled when the collection is loaded (a bad one is the collection's
//! mistake, exit 2, found by `baton check` too) and once per run: the same schema read
//! again (a request read again from a large file, the same file named by several
//! requests) is the compiled one.

use super::predicate::show_value;
use super::{Eval, Failure};
use crate::diag::Loc;
use crate::diag::display_path;
use crate::secret::{Said, name, value};
use crate::yaml::node::{Key, Kind, Node};
use crate::yaml::read::Reader;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

#[derive(Debug, Clone)]
pub struct SchemaCheck {
    /// The `schema` key: where a failure is reported.
    pub loc: Loc,
    /// The path as written, or `inline`.
    pub shown: String,
    compiled: Arc<Compiled>,
}

/// A compiled schema, shared by every request and row that names it.
pub(crate) struct Compiled {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

/// The schemas compiled in this process, by the URL they were compiled at and their text:
/// the same schema is compiled once per run however often it is read.
type Cache = Mutex<HashMap<(String, String), Arc<Compiled>>>;
static COMPILED: LazyLock<Cache> = LazyLock::new(Cache::default);

/// How an inline schema is named in messages.
const INLINE: &str = "inline";

pub(crate) fn read(r: &mut Reader, key: &Key, node: &Node) -> Option<SchemaCheck> {
    let dir = r.file.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let (url, doc, shown) = match &node.kind {
        Kind::Str(written) => {
            let path = dir.join(written.as_ref());
            let doc = match load_json(&path) {
                Ok(doc) => doc,
                Err(why) => {
                    let d = r.error(
                        key.loc,
                        format!("cannot read the schema `{written}`: {why}"),
                    );
                    d.label = Some("this schema".into());
                    return None;
                }
            };
            (file_url(&path), doc, written.to_string())
        }
        // Inline: its relative `$ref`s resolve beside the collection, as a file's do.
        Kind::Map(_) | Kind::Bool(_) => (file_url(&r.file.path), node.to_json(), INLINE.into()),
        _ => {
            let d = r.error(
                key.loc,
                format!(
                    "`schema` must be the path of a JSON Schema file or a schema written inline (a mapping), found {}",
                    node.kind.describe()
                ),
            );
            d.help = Some("e.g. `schema: schemas/token.json`".into());
            return None;
        }
    };
    match compile(&url, doc) {
        Ok(compiled) => Some(SchemaCheck {
            loc: key.loc,
            shown,
            compiled,
        }),
        Err(why) => {
            let what = if shown == INLINE {
                "the inline schema".to_string()
            } else {
                format!("the schema `{shown}`")
            };
            let d = r.error(key.loc, format!("{what} is invalid: {why}"));
            d.label = Some("this schema".into());
            None
        }
    }
}

/// The `file:` URL of a path (absolute, as `$ref`s resolve against it). A path that has
/// none (no working directory) still validates, with relative `$ref`s unresolved by name.
fn file_url(path: &Path) -> String {
    std::path::absolute(path)
        .ok()
        .and_then(|abs| url::Url::from_file_path(abs).ok())
        .map_or_else(|| "file:///schema.json".to_string(), String::from)
}

/// A schema document: JSON, read with the cap of any input file.
fn load_json(path: &Path) -> Result<Value, String> {
    let bytes = crate::fsutil::read(path, crate::fsutil::MAX_INPUT)
        .map_err(|e| crate::fsutil::io_reason(&e))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("it is not JSON: {e}"))
}

/// The compiled schema of `doc` at `url`, compiled now or found compiled before.
pub(crate) fn compile(url: &str, doc: Value) -> Result<Arc<Compiled>, String> {
    let key = (url.to_string(), doc.to_string());
    if let Some(c) = COMPILED.lock().expect("not poisoned").get(&key) {
        return Ok(Arc::clone(c));
    }
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    compiler.use_loader(Box::new(LocalFiles));
    compiler
        .add_resource(url, doc)
        .map_err(|e| compile_error(&e))?;
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(url, &mut schemas)
        .map_err(|e| compile_error(&e))?;
    let compiled = Arc::new(Compiled { schemas, index });
    COMPILED
        .lock()
        .expect("not poisoned")
        .insert(key, Arc::clone(&compiled));
    Ok(compiled)
}

const NOT_FETCHED: &str =
    "baton never fetches a schema over the network (save it beside the schema and `$ref` the file)";

/// Loads the files a `$ref` names, and nothing over the network.
struct LocalFiles;

impl boon::UrlLoader for LocalFiles {
    fn load(&self, url: &str) -> Result<Value, Box<dyn std::error::Error>> {
        let parsed = url::Url::parse(url)?;
        if parsed.scheme() != "file" {
            return Err(NOT_FETCHED.into());
        }
        let path = parsed
            .to_file_path()
            .map_err(|()| format!("`{url}` is not a file path"))?;
        Ok(load_json(&path)?)
    }
}

/// A compile error in a sentence, with file URLs as the paths users wrote.
fn compile_error(e: &boon::CompileError) -> String {
    use boon::CompileError as E;
    match e {
        E::LoadUrlError { url, src } => {
            format!("cannot load the `$ref` {}: {src}", shown_url(url))
        }
        E::UnsupportedUrlScheme { url } => format!("cannot load the `$ref` {url}: {NOT_FETCHED}"),
        E::ValidationError { src, .. } => {
            let problems = errors(src);
            let first = problems
                .first()
                .map_or_else(|| src.kind.to_string(), Problem::schema_text);
            format!("it is not a valid JSON Schema: {first}")
        }
        E::JsonPointerNotFound(url) => format!("the `$ref` {} is not found", shown_url(url)),
        other => {
            let text = format!("{other:#}");
            text.split_whitespace()
                .map(shown_url)
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// A `file:` URL as the path it names (relative to the working directory when below it).
fn shown_url(word: &str) -> String {
    let (url, frag) = word.split_once('#').unwrap_or((word, ""));
    let Some(path) = url::Url::parse(url)
        .ok()
        .filter(|u| u.scheme() == "file")
        .and_then(|u| u.to_file_path().ok())
    else {
        return word.to_string();
    };
    let shown = display_path(&path);
    if frag.is_empty() {
        shown
    } else {
        format!("{shown}#{frag}")
    }
}

/// One keyword the instance fails: where in the instance, which keyword, and why.
struct Problem {
    pointer: String,
    keyword: String,
    message: String,
}

impl Problem {
    fn at(&self) -> String {
        if self.pointer.is_empty() {
            "the body".into()
        } else {
            self.pointer.clone()
        }
    }

    /// For a schema checked against its metaschema: the instance is the schema.
    fn schema_text(&self) -> String {
        let at = if self.pointer.is_empty() {
            "the top".into()
        } else {
            self.pointer.clone()
        };
        format!("at {at}, `{}`: {}", self.keyword, self.message)
    }
}

/// The keywords that failed, outermost first: a `$ref` or a group is looked through, a
/// combinator (`anyOf`, `oneOf`, `not`) is itself the keyword that failed.
fn errors(e: &boon::ValidationError) -> Vec<Problem> {
    let mut out = Vec::new();
    walk(e, &mut out);
    out
}

fn walk(e: &boon::ValidationError, out: &mut Vec<Problem>) {
    use boon::ErrorKind as K;
    if matches!(e.kind, K::Group | K::Schema { .. } | K::Reference { .. }) && !e.causes.is_empty() {
        for c in &e.causes {
            walk(c, out);
        }
        return;
    }
    let keyword = match e.kind.keyword_path().map(|k| k.keyword) {
        // boon names the keyword by what it reports (a property): users wrote this.
        Some("additionalProperty") => "additionalProperties".to_string(),
        Some(k) => k.to_string(),
        None => "false".to_string(),
    };
    // A combinator says only that it failed: the first reason under it says why.
    let mut message = e.kind.to_string();
    if matches!(
        e.kind,
        K::AnyOf | K::OneOf(None) | K::AllOf | K::ContentSchema
    ) && let Some(why) = errors_under(e).into_iter().next()
    {
        let here = e.instance_location.to_string();
        message = if why.pointer == here {
            format!("{message}: {}", why.message)
        } else {
            format!("{message}: {} at {}", why.message, why.at())
        };
    }
    out.push(Problem {
        pointer: e.instance_location.to_string(),
        keyword,
        message: cut(&message),
    });
}

/// The innermost failures under a combinator, first found first.
fn errors_under(e: &boon::ValidationError) -> Vec<Problem> {
    let mut out = Vec::new();
    for c in &e.causes {
        if c.causes.is_empty() {
            walk(c, &mut out);
        } else {
            out.extend(errors_under(c));
        }
    }
    out
}

fn cut(text: &str) -> String {
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

pub(crate) fn eval(s: &SchemaCheck, ctx: &mut Eval) -> Option<Failure> {
    let fail = |expected: Said, actual: Said| {
        Some(Failure {
            subject: format!("schema {}", s.shown),
            expected,
            actual,
            loc: s.loc,
            invalid: None,
        })
    };
    let json = match ctx.response.json() {
        Ok(json) => json,
        Err(reason) => {
            return fail(
                Said::words("a JSON body that matches the schema"),
                Said::value(reason),
            );
        }
    };
    let err = s.compiled.schemas.validate(json, s.compiled.index).err()?;
    let problems = errors(&err);
    let Some(first) = problems.first() else {
        return fail(
            Said::words("a body that matches the schema"),
            Said::value(cut(&err.to_string())),
        );
    };
    let actual = json
        .pointer(&first.pointer)
        .map_or(Said::words("nothing"), |v| Said::value(show_value(v)));
    let mut expected = Said::new(
        "{} to satisfy `{}` ({})",
        [
            name(first.at()),
            name(&first.keyword),
            value(&first.message),
        ],
    );
    // The others briefly: where and which keyword, enough to find them in the body.
    let others: Vec<String> = problems[1..]
        .iter()
        .take(5)
        .map(|p| format!("{} `{}`", p.at(), p.keyword))
        .collect();
    if !others.is_empty() {
        let more = problems.len() - 1;
        let list = others.join(", ");
        let tail = if more > others.len() { ", …" } else { "" };
        expected = expected.then(Said::new(
            "; {} more: {}{}",
            [name(more), name(list), name(tail)],
        ));
    }
    fail(expected, actual)
}

impl super::Kind for SchemaCheck {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, _out: &mut Vec<&'a crate::template::Tpl>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The same schema at the same place is compiled once, however often it is read.
    #[test]
    fn compiled_once() {
        let doc = json!({ "type": "object", "required": ["once"] });
        let a = compile("file:///tmp/once.yaml", doc.clone()).unwrap();
        let b = compile("file:///tmp/once.yaml", doc).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn draft_7_and_2020_12_by_schema() {
        // `items` as a list is draft 7's tuple form; 2020-12 refuses it as a schema.
        let seven = json!({ "$schema": "http://json-schema.org/draft-07/schema#", "items": [{ "type": "string" }] });
        let c = compile("file:///tmp/seven.yaml", seven).unwrap();
        assert!(c.schemas.validate(&json!([1]), c.index).is_err());
        assert!(c.schemas.validate(&json!(["a", 1]), c.index).is_ok());
        let twenty = json!({ "prefixItems": [{ "type": "string" }], "items": false });
        let c = compile("file:///tmp/twenty.yaml", twenty).unwrap();
        assert!(c.schemas.validate(&json!(["a", 1]), c.index).is_err());
    }

    #[test]
    fn remote_refs_are_refused_by_name() {
        let doc = json!({ "$ref": "https://example.com/token.json" });
        let e = compile("file:///tmp/remote.yaml", doc).unwrap_err();
        assert!(e.contains("https://example.com/token.json"), "{e}");
        assert!(e.contains("never fetches"), "{e}");
    }

    #[test]
    fn problems_name_pointer_and_keyword() {
        let doc = json!({ "properties": { "a": { "$ref": "#/$defs/n" } }, "required": ["b"], "$defs": { "n": { "type": "integer" } } });
        let c = compile("file:///tmp/problems.yaml", doc).unwrap();
        let v = json!({ "a": "x" });
        let e = c.schemas.validate(&v, c.index).unwrap_err();
        let got: Vec<(String, String)> = errors(&e)
            .into_iter()
            .map(|p| (p.pointer, p.keyword))
            .collect();
        assert!(got.contains(&("/a".into(), "type".into())), "{got:?}");
        assert!(got.contains(&(String::new(), "required".into())), "{got:?}");
    }
}
