//! Why a template failed: at compile time (a syntax error, an unknown filter) as a
//! diagnostic at its place, at render time as a `RenderError` that names the undefined
//! variable (with a suggestion), and as the `RenderFail` the runner and the OAuth flows
//! report, which remembers which variable was missing.

use super::{Scope, Tpl};
use crate::diag::{Diagnostic, did_you_mean};
use minijinja::ErrorKind;

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

/// Why a request (or an OAuth flow's request) could not be rendered, and the variable that
/// was missing, if that was it: a missing variable may be one a skipped request would have
/// captured, which the runner reports differently.
#[derive(Debug)]
pub(crate) struct RenderFail {
    pub diagnostic: Diagnostic,
    pub missing: Option<String>,
}

impl RenderFail {
    /// The failure of rendering `tpl`, naming the missing variable (`a` of `a.b`).
    pub(crate) fn new(tpl: &Tpl, e: RenderError) -> RenderFail {
        let missing = match &e {
            RenderError::Undefined { name, .. } => {
                Some(name.split('.').next().unwrap_or(name).to_string())
            }
            _ => None,
        };
        RenderFail {
            diagnostic: e.diagnostic(tpl),
            missing,
        }
    }
}

pub(super) fn syntax_diagnostic(e: &minijinja::Error, tpl: &Tpl) -> Diagnostic {
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

pub(super) fn render_error(e: &minijinja::Error, tpl: &Tpl, scope: &Scope) -> RenderError {
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
