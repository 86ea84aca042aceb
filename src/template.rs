//! Templates: `<<var>>` values, `<% %>` blocks and `<# #>` comments (minijinja with a
//! custom syntax), compiled once per run, rendered against a variable scope with strict
//! undefined, and the filters users of other runners expect.

use crate::collection::node::Loc;
use crate::diag::{Diagnostic, SourceFile, did_you_mean};
use crate::template_scan::CallKind;
use base64::Engine as _;
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

#[derive(Debug, PartialEq)]
enum Piece {
    Text(Box<str>),
    Var(Box<str>),
}

/// The pieces of a text made only of literal text and `<< name >>` placeholders (a name
/// being a template identifier that is not a literal such as `true` or `none`), or None
/// for any other template syntax.
fn simple_pieces(text: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("<<") {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].into()));
        }
        let after = &rest[open + 2..];
        let close = after.find(">>")?;
        let name = after[..close].trim_matches([' ', '\t']);
        let ident = name
            .bytes()
            .enumerate()
            .all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()));
        let literal = matches!(name, "true" | "false" | "none" | "True" | "False" | "None");
        if name.is_empty() || !ident || literal {
            return None;
        }
        pieces.push(Piece::Var(name.into()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.into()));
    }
    // Block and comment delimiters anywhere (or `<<` left inside a name) need the engine.
    let plain = |t: &str| !t.contains("<%") && !t.contains("<#") && !t.contains("<<");
    pieces
        .iter()
        .all(|p| match p {
            Piece::Text(t) => plain(t),
            Piece::Var(_) => true,
        })
        .then_some(pieces)
}

/// The text of `pieces` when each name holds a string in `scope` (the scope wins over
/// `env`, `vars` and the functions, as in the template); None for anything else.
fn render_pieces(pieces: &[Piece], scope: &Scope) -> Option<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => out.push_str(scope.vars.get(&**name)?.as_str()?),
        }
    }
    Some(out)
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

    pub fn is_literal(&self) -> bool {
        self.compiled.is_none()
    }
}

/// True when `text` holds template syntax at all.
pub fn has_template_syntax(text: &str) -> bool {
    text.contains("<<") || text.contains("<%") || text.contains("<#")
}

/// Variables visible to a template: name → value, the layers already merged in precedence
/// order by the caller, plus the process environment (and `.env`) under `env`.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Shared with the templates rendering it (each render hands the scope to minijinja as
    /// an object); copied only if it changes while one holds it.
    vars: Arc<BTreeMap<String, Value>>,
    env: Arc<EnvVars>,
}

/// The process environment with `.env` values under it (the process wins).
#[derive(Debug, Default)]
pub struct EnvVars {
    pub values: HashMap<String, String>,
}

impl Scope {
    pub fn new(env: Arc<EnvVars>) -> Scope {
        Scope {
            vars: Arc::default(),
            env,
        }
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        Arc::make_mut(&mut self.vars).insert(name.into(), value);
    }

    pub fn set_json(&mut self, name: impl Into<String>, value: &serde_json::Value) {
        self.set(name, json_to_value(value));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    pub fn env(&self) -> &Arc<EnvVars> {
        &self.env
    }

    fn context(&self) -> Value {
        Value::from_object(ScopeObject(self.clone()))
    }
}

pub fn json_to_value(value: &serde_json::Value) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The scope as a template context: names resolve to variables, `env` to the process
/// environment, and `vars` to the scope itself (for names like `vars['base-url']`).
#[derive(Debug)]
struct ScopeObject(Scope);

impl Object for ScopeObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if let Some(v) = self.0.vars.get(key) {
            return Some(v.clone());
        }
        match key {
            "env" => Some(Value::from_object(EnvObject(self.0.env.clone()))),
            "vars" => Some(Value::from_dyn_object(self.clone())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self
            .0
            .vars
            .keys()
            .map(|k| Value::from(k.as_str()))
            .collect();
        Enumerator::Values(keys)
    }
}

#[derive(Debug)]
struct EnvObject(Arc<EnvVars>);

impl Object for EnvObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0
            .values
            .get(key.as_str()?)
            .map(|v| Value::from(v.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.0
                .values
                .keys()
                .map(|k| Value::from(k.as_str()))
                .collect(),
        )
    }
}

/// Why a template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("undefined variable `{name}`")]
    Undefined {
        name: String,
        suggestion: Option<String>,
    },
    #[error("environment variable `{name}` is not set")]
    MissingEnv { name: String },
    #[error("{message}")]
    Other { message: String },
}

impl RenderError {
    /// The error as a diagnostic pointing at the template's place in its file.
    pub fn diagnostic(&self, tpl: &Tpl) -> Diagnostic {
        let mut d = Diagnostic::error(self.to_string())
            .at(&tpl.file, tpl.loc)
            .label(match self {
                RenderError::Undefined { .. } => "used here".to_string(),
                RenderError::MissingEnv { .. } => "read here".to_string(),
                RenderError::Other { .. } => "in this template".to_string(),
            });
        match self {
            RenderError::Undefined { name, suggestion } => {
                d = match suggestion {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "define `{name}` in the collection's `vars`, an environment (-e), \
                         with --var {name}=..., or capture it in an earlier request"
                    )),
                };
            }
            RenderError::MissingEnv { name } => {
                d = d.help(format!("export {name}=... or put it in a .env file"));
            }
            RenderError::Other { .. } => {}
        }
        d
    }
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
        crate::template_fns::register(&mut env);
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
                && let Some(p) =
                    crate::template_calls::problem(&self.env, text, &mut self.known_calls)
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
        template
            .render(scope.context())
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
fn single_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("<<")?.strip_suffix(">>")?;
    if inner.contains("<<") || inner.contains(">>") || inner.contains("<%") {
        return None;
    }
    Some(inner.trim())
}

fn syntax_diagnostic(e: &minijinja::Error, tpl: &Tpl) -> Diagnostic {
    let what = match e.kind() {
        ErrorKind::SyntaxError => "invalid template",
        ErrorKind::UnknownFilter => "unknown filter",
        ErrorKind::UnknownFunction => "unknown function",
        _ => "invalid template",
    };
    let detail = e.detail().unwrap_or("").to_string();
    let mut d = Diagnostic::error(format!("{what}: {detail}")).at(&tpl.file, tpl.loc);
    if let Some(range) = e.range() {
        let excerpt = tpl.text.get(range).unwrap_or("");
        if !excerpt.is_empty() {
            d = d.label(format!("at `{excerpt}`"));
        }
    }
    if tpl.text.contains("{{") {
        d = d.help(
            "baton templates use << >> for values and <% %> for blocks; {{ }} is literal text",
        );
    } else {
        d = d.help("values are written <<name>>, blocks <% if x %>...<% endif %>; a literal << is written <% raw %><<<% endraw %>");
    }
    d
}

fn render_error(e: &minijinja::Error, tpl: &Tpl, scope: &Scope) -> RenderError {
    let undefined_in_detail = e.detail().is_some_and(|d| d.contains("` is undefined"));
    if e.kind() == ErrorKind::UndefinedError || undefined_in_detail {
        let excerpt = e.range().and_then(|r| tpl.text.get(r)).unwrap_or("").trim();
        let name = undefined_name(e, excerpt);
        if let Some(var) = name.strip_prefix("env.") {
            return RenderError::MissingEnv {
                name: var.to_string(),
            };
        }
        // `<<base-url>>` parses as `base - url`: point at the name the user meant.
        let dashed = scope
            .names()
            .find(|n| n.contains('-') && n.starts_with(&format!("{name}-")))
            .map(|n| format!("vars['{n}']"));
        let suggestion = dashed.or_else(|| did_you_mean(&name, scope.names()).map(str::to_string));
        return RenderError::Undefined { name, suggestion };
    }
    let mut message = format!("{}", e.kind());
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    RenderError::Other { message }
}

/// The name of the undefined variable: from the error detail (``undefined value: `x` is
/// undefined`` in minijinja's debug mode), else from the excerpt the error points at.
fn undefined_name(e: &minijinja::Error, excerpt: &str) -> String {
    if let Some(detail) = e.detail()
        && let Some(end) = detail.find("` is undefined")
        && let Some(start) = detail[..end].rfind('`')
    {
        return detail[start + 1..end].to_string();
    }
    if let Some(detail) = e.detail()
        && let Some(start) = detail.find('`')
        && let Some(len) = detail[start + 1..].find('`')
    {
        return detail[start + 1..start + 1 + len].to_string();
    }
    let token: String = excerpt
        .trim_start_matches("<<")
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    if token.is_empty() {
        excerpt.to_string()
    } else {
        token
    }
}

/// Encodes a string as standard base64 (used by the `base64` filter and Basic auth).
pub fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(text: &str) -> (Templates, Tpl) {
        let mut t = Templates::new();
        let file = SourceFile::new("t.yaml", text);
        let tpl = t
            .compile(
                text,
                Loc {
                    line: 1,
                    col: 1,
                    offset: 0,
                    len: text.len(),
                },
                &file,
            )
            .unwrap();
        (t, tpl)
    }

    fn scope() -> Scope {
        let mut env = EnvVars::default();
        env.values.insert("HOME_URL".into(), "http://h".into());
        let mut s = Scope::new(Arc::new(env));
        s.set("baseAuthURL", Value::from("https://id.example"));
        s.set("count", Value::from(3));
        s.set("base-url", Value::from("http://dash"));
        s
    }

    #[test]
    fn joined_pieces_render_as_the_template_does() {
        // Texts of literal text and `<< name >>` render without the engine when each name
        // holds a string; the result must be the engine's, and anything else goes to it.
        let mut s = scope();
        s.set("env", Value::from("shadowed env"));
        s.set("uuid", Value::from("shadowed function"));
        s.set("t_1", Value::from("ünï <<not a template>>"));
        let cases = [
            ("<<baseAuthURL>>/connect/token", true),
            ("a << baseAuthURL >> b <<\tt_1 >>", true),
            ("<<env>> <<uuid>> >> > < <", true),
            ("<<baseAuthURL>> {{ literal }}", true),
            ("<<count>>", false),
            ("<<true>>", false),
            ("<<missing>>", false),
            ("<<env.HOME_URL>>", false),
            ("<<baseAuthURL|upper>>", false),
            ("<<- baseAuthURL >>", false),
            ("<<baseAuthURL>><# c #>", false),
            ("<% if true %>x<% endif %><<t_1>>", false),
            ("<<x1>> <<a[0]>>", false),
        ];
        for (text, simple) in cases {
            let (t, tpl) = setup(text);
            let c = tpl.compiled.as_ref().expect("a template");
            let fast = c.pieces.as_deref().and_then(|p| render_pieces(p, &s));
            assert_eq!(fast.is_some(), simple, "{text}");
            let engine = t.render_named(&c.name, &tpl, &s).map_err(|e| e.to_string());
            assert_eq!(
                t.render(&tpl, &s).map_err(|e| e.to_string()),
                engine,
                "{text}"
            );
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), engine, "{text}");
            }
            let json_engine = c.as_json.as_ref().map(|name| {
                t.render_named(name, &tpl, &s)
                    .ok()
                    .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            });
            if let Some(Some(expected)) = json_engine {
                assert_eq!(t.render_json(&tpl, &s).ok(), Some(expected), "{text}");
            }
        }
    }

    #[test]
    fn renders_values_blocks_and_env() {
        let (t, tpl) =
            setup("<<baseAuthURL>>/connect/token<# c #><% if count > 2 %>?many<% endif %>");
        assert_eq!(
            t.render(&tpl, &scope()).unwrap(),
            "https://id.example/connect/token?many"
        );
        let (t, tpl) = setup("<<env.HOME_URL>>/x <<vars['base-url']>>");
        assert_eq!(t.render(&tpl, &scope()).unwrap(), "http://h/x http://dash");
    }

    #[test]
    fn literal_text_and_jinja_braces_pass_through() {
        let (t, tpl) = setup("{{ not a template }} {% x %}");
        assert!(tpl.is_literal());
        assert_eq!(
            t.render(&tpl, &scope()).unwrap(),
            "{{ not a template }} {% x %}"
        );
    }

    #[test]
    fn undefined_variables_are_named_with_a_suggestion() {
        let (t, tpl) = setup("<<baseAuthUrl>>/x");
        match t.render(&tpl, &scope()).unwrap_err() {
            RenderError::Undefined { name, suggestion } => {
                assert_eq!(name, "baseAuthUrl");
                assert_eq!(suggestion.as_deref(), Some("baseAuthURL"));
            }
            other => panic!("{other:?}"),
        }
        let (t, tpl) = setup("<<env.NOPE_NOT_SET>>");
        assert!(
            matches!(t.render(&tpl, &scope()).unwrap_err(), RenderError::MissingEnv { name } if name == "NOPE_NOT_SET")
        );
        let (t, tpl) = setup("<<base-url>>");
        match t.render(&tpl, &scope()).unwrap_err() {
            RenderError::Undefined { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("vars['base-url']"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn single_expressions_keep_their_json_type() {
        let (t, tpl) = setup("<< count >>");
        assert_eq!(t.render_json(&tpl, &scope()).unwrap(), serde_json::json!(3));
        let (t, tpl) = setup("n=<<count>>");
        assert_eq!(
            t.render_json(&tpl, &scope()).unwrap(),
            serde_json::json!("n=3")
        );
        let (t, tpl) = setup("<<uuid()>>");
        assert_eq!(
            t.render_json(&tpl, &scope())
                .unwrap()
                .as_str()
                .map(str::len),
            Some(36)
        );
        let mut with_null = scope();
        with_null.set("nothing", Value::from(()));
        let (t, tpl) = setup("<<nothing>>");
        assert_eq!(
            t.render_json(&tpl, &with_null).unwrap(),
            serde_json::Value::Null
        );
    }

    #[test]
    fn an_undefined_single_expression_is_an_error_not_null() {
        let (t, tpl) = setup("<< nope >>");
        match t.render_json(&tpl, &scope()).unwrap_err() {
            RenderError::Undefined { name, .. } => assert_eq!(name, "nope"),
            other => panic!("{other:?}"),
        }
        let (t, tpl) = setup("<<env.NOPE_NOT_SET>>");
        assert!(matches!(
            t.render_json(&tpl, &scope()).unwrap_err(),
            RenderError::MissingEnv { .. }
        ));
    }

    #[test]
    fn syntax_errors_are_diagnostics() {
        let mut t = Templates::new();
        let file = SourceFile::new("t.yaml", "x");
        let err = t.compile("<< x | nosuchfilter >>", Loc::default(), &file);
        let err2 = t.compile("<< x ", Loc::default(), &file);
        assert!(err.is_err() || err2.is_err());
        assert!(err2.unwrap_err().message.contains("invalid template"));
    }

    #[test]
    fn lists_variables_read() {
        let (t, tpl) = setup("<<a>>/<<env.B>>/<<c.d>>");
        let vars: Vec<_> = t.variables(&tpl).into_iter().collect();
        assert_eq!(vars, vec!["a", "c", "env.B"]);
    }
}
