//! Templates: `<<var>>` values, `<% %>` blocks and `<# #>` comments (minijinja with a
//! custom syntax), compiled once per run, rendered against a variable scope with strict
//! undefined, and the filters users of other runners expect.
//!
//! Here: `Tpl` (a located template text), `JsonTpl`, and `Templates` (compiling once per
//! run, rendering); the fast path, scopes, errors and the callable functions are submodules.

mod calls;
mod error;
mod fast;
pub(crate) mod fns;
mod scan;
mod scope;
#[cfg(test)]
mod tests;

pub(crate) use error::{RenderError, RenderFail};
pub(crate) use scope::json_to_value;
pub use scope::{EnvVars, Scope};

use crate::diag::Loc;
use crate::diag::{Diagnostic, SourceFile};
use base64::Engine as _;
use error::{render_error, syntax_diagnostic};
use fast::{Piece, render_pieces, simple_pieces, single_expression};
use minijinja::{Environment, UndefinedBehavior};
use scan::CallKind;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A string from a collection that may hold template expressions, with where it was written.
#[derive(Clone, Debug)]
pub struct Tpl {
    /// The text as written, shared by every `Tpl` of the same text (a collection repeats
    /// `<<baseURL>>/token` and `application/json` in every request).
    pub text: Arc<str>,
    pub loc: Loc,
    pub file: Arc<SourceFile>,
    /// The compiled template; `None` for literal text, which needs no rendering.
    compiled: Option<Arc<Compiled>>,
}

/// Names of a text's templates in the run's environment.
#[derive(Debug)]
struct Compiled {
    name: String,
    /// Set when the whole text is one `<< expr >>`: the name of a template that renders the
    /// expression as JSON, so that `json:` bodies keep numbers and booleans as they are.
    as_json: Option<String>,
    /// Set when the text is only literal text and `<< name >>` placeholders: rendered by
    /// joining the pieces when every name holds a string (the usual `<<baseURL>>/token`),
    /// without running the template. Anything else runs the template.
    pieces: Option<Vec<Piece>>,
}

impl Tpl {
    /// A literal that is never rendered (values from the command line, the sandbox).
    pub fn literal(text: impl Into<String>, file: &Arc<SourceFile>) -> Tpl {
        Tpl {
            text: Arc::from(text.into()),
            loc: Loc::default(),
            file: file.clone(),
            compiled: None,
        }
    }

    /// Text written `!literal` at `loc`: sent as it is, `<<` and all.
    pub(crate) fn literal_at(text: &str, loc: Loc, file: &Arc<SourceFile>) -> Tpl {
        Tpl {
            text: Arc::from(text),
            loc,
            file: file.clone(),
            compiled: None,
        }
    }

    pub fn is_literal(&self) -> bool {
        self.compiled.is_none()
    }
}

/// True when `text` holds template syntax at all.
pub(crate) fn has_template_syntax(text: &str) -> bool {
    text.contains("<<") || text.contains("<%") || text.contains("<#")
}

/// A JSON-shaped value whose strings may be templates (JSON bodies, variables, expected
/// values in expectations).
#[derive(Clone, Debug)]
pub enum JsonTpl {
    Value(serde_json::Value),
    Str(Tpl),
    Array(Vec<JsonTpl>),
    Object(Vec<(String, JsonTpl)>),
}

/// All templates of a run, compiled once.
pub struct Templates {
    env: Environment<'static>,
    /// Texts seen, each with its compiled templates (`None`: literal text): a collection
    /// repeats the same templates (`<<base>>`, `<<access_token>>`) and literals in every
    /// request; each is compiled once per run and its text kept once.
    by_text: HashMap<Arc<str>, Option<Arc<Compiled>>>,
    /// Filters, tests and functions named by templates, and whether they exist.
    known_calls: HashMap<(CallKind, String), bool>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    #[must_use]
    pub fn new() -> Templates {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .variable_delimiters("<<", ">>")
            .block_delimiters("<%", "%>")
            .comment_delimiters("<#", "#>")
            .keep_trailing_newline(true)
            .build()
            .expect("the custom delimiters are valid");
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Without debug info, strict-undefined errors lose the variable's name.
        env.set_debug(true);
        // A template is a value in a request, not a program: bound its work.
        env.set_fuel(Some(100_000));
        fns::register(&mut env);
        Templates {
            env,
            by_text: HashMap::new(),
            known_calls: HashMap::new(),
        }
    }

    /// Compile `text` found at `loc` in `file`. Literal text is kept as it is.
    pub fn compile(
        &mut self,
        text: &str,
        loc: Loc,
        file: &Arc<SourceFile>,
    ) -> Result<Tpl, Diagnostic> {
        if let Some(tpl) = self.known(text, loc, file) {
            return Ok(tpl);
        }
        let mut tpl = Tpl {
            text: Arc::from(text),
            loc,
            file: file.clone(),
            compiled: None,
        };
        if has_template_syntax(text) {
            // Names are unique in the process, so that templates compiled by the threads
            // that load files in parallel can all be adopted by one `Templates`.
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("t{n}");
            self.env
                .add_template_owned(name.clone(), text.to_string())
                .map_err(|e| syntax_diagnostic(&e, &tpl))?;
            let pieces = simple_pieces(text);
            // minijinja looks filters and functions up only as it renders: a misspelt one,
            // or a call that fails whatever the variables, is found now, where it is.
            if pieces.is_none()
                && let Some(p) = fns::in_dir_of(&tpl.file.path, || {
                    calls::problem(&self.env, text, &mut self.known_calls)
                })
            {
                return Err(Diagnostic::error(p.message)
                    .at(&tpl.file, tpl.loc)
                    .label(p.label)
                    .help(p.help));
            }
            let as_json = self.add_json(&format!("t{n}j"), text);
            tpl.compiled = Some(Arc::new(Compiled {
                name,
                as_json,
                pieces,
            }));
        }
        self.by_text.insert(tpl.text.clone(), tpl.compiled.clone());
        Ok(tpl)
    }

    /// For a text that is one `<< expr >>`, a template named `name` that renders the
    /// expression as JSON.
    fn add_json(&mut self, name: &str, text: &str) -> Option<String> {
        let expr = single_expression(text)?;
        // `tojson` turns an undefined value into `null` even under strict undefined: print
        // the expression itself in that case, so that it fails with its name.
        let source = format!(
            "<% set baton_value__ = ({expr}) %><% if baton_value__ is undefined %><< {expr} >><% else %><< baton_value__ | tojson >><% endif %>"
        );
        self.env
            .add_template_owned(name.to_string(), source)
            .ok()
            .map(|()| name.to_string())
    }

    /// Take in the templates `other` compiled (a thread that loaded files), under the same
    /// names, so that what was read with `other` renders with `self`.
    pub fn adopt(&mut self, other: Templates) {
        for (text, compiled) in other.by_text {
            if let Some(c) = &compiled {
                // Compiled before by `other`, so it compiles again.
                let _ = self
                    .env
                    .add_template_owned(c.name.clone(), text.to_string());
                if let Some(json) = &c.as_json {
                    self.add_json(json, &text);
                }
            }
            self.by_text.entry(text).or_insert(compiled);
        }
    }

    /// The template of a text compiled before, without compiling: for a request read again
    /// at run time, when these templates are shared by the running files.
    pub fn known(&self, text: &str, loc: Loc, file: &Arc<SourceFile>) -> Option<Tpl> {
        let (text, compiled) = self.by_text.get_key_value(text)?;
        Some(Tpl {
            text: text.clone(),
            loc,
            file: file.clone(),
            compiled: compiled.clone(),
        })
    }

    /// Render to text.
    pub fn render(&self, tpl: &Tpl, scope: &Scope) -> Result<String, RenderError> {
        let pieces = tpl.compiled.as_ref().and_then(|c| c.pieces.as_deref());
        match pieces.and_then(|p| render_pieces(p, scope)) {
            Some(text) => Ok(text),
            None => self.render_with_engine(tpl, scope),
        }
    }

    /// Render to a JSON value: a template that is one expression keeps the value's type
    /// (`<<count>>` stays a number), anything else is a string.
    pub fn render_json(&self, tpl: &Tpl, scope: &Scope) -> Result<serde_json::Value, RenderError> {
        // One name holding a string is that string.
        if let Some([piece @ Piece::Var(_)]) =
            tpl.compiled.as_ref().and_then(|c| c.pieces.as_deref())
            && let Some(text) = render_pieces(std::slice::from_ref(piece), scope)
        {
            return Ok(serde_json::Value::String(text));
        }
        match tpl.compiled.as_ref().and_then(|c| c.as_json.as_ref()) {
            Some(name) => {
                let text = self.render_named(name, tpl, scope)?;
                serde_json::from_str(&text).map_err(|e| RenderError::Other {
                    message: format!("the value is not JSON: {e}"),
                })
            }
            None => self.render(tpl, scope).map(serde_json::Value::String),
        }
    }

    /// Render with the template engine even where joining the pieces would do: the fuzz
    /// target checks that both give the same text.
    #[doc(hidden)]
    pub fn render_with_engine(&self, tpl: &Tpl, scope: &Scope) -> Result<String, RenderError> {
        match &tpl.compiled {
            None => Ok(tpl.text.to_string()),
            Some(c) => self.render_named(&c.name, tpl, scope),
        }
    }

    fn render_named(&self, name: &str, tpl: &Tpl, scope: &Scope) -> Result<String, RenderError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| RenderError::Other {
                message: e.to_string(),
            })?;
        fns::in_dir_of(&tpl.file.path, || template.render(scope.context()))
            .map_err(|e| render_error(&e, tpl, scope))
    }

    /// The top-level variable names a template reads (for `baton check`); `env.X` reads
    /// come back as `env.X`.
    pub fn variables(&self, tpl: &Tpl) -> BTreeSet<String> {
        let Some(c) = &tpl.compiled else {
            return BTreeSet::new();
        };
        let Ok(template) = self.env.get_template(&c.name) else {
            return BTreeSet::new();
        };
        let nested = template.undeclared_variables(true);
        let mut out = BTreeSet::new();
        for v in template.undeclared_variables(false) {
            if v == "env" {
                out.extend(nested.iter().filter(|n| n.starts_with("env.")).cloned());
            } else if !self.env.globals().any(|(name, _)| name == v) {
                // Functions (`uuid`, and minijinja's `range`, `dict`, `namespace`) are
                // globals, read like variables.
                out.insert(v);
            }
        }
        out
    }
}

/// `<< expr >>` alone (blank around it allowed) → `expr`.
/// Encodes a string as standard base64 (used by the `base64` filter and Basic auth).
pub(crate) fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}
