//! `baton export FILE [--request NAME] --as curl|python|node|http [-e ENV]… [--var K=V]…
//! [--show-secrets]`: load the collection, resolve the variables it can (its `vars`, the
//! environments, `--var`), and print the request as a snippet (everything else, and every
//! secret unless `--show-secrets`, a `<your-name>` placeholder), or without `--request` the
//! whole collection as a program (`export/program`; what it cannot do as baton does is a
//! warning on stderr).

use crate::collection::model::Collection;
use crate::collection::{environment, load};
use crate::diag::{Diagnostic, display_path};
use crate::exit;
use crate::export::{Lang, Values};
use crate::secret::{Redactor, looks_secret};
use crate::template::Templates;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The options of `baton export`.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub file: PathBuf,
    /// The request's id or name; `None`: the whole collection as a program.
    pub request: Option<String>,
    pub lang: String,
    pub env: Vec<String>,
    /// `--var NAME=VALUE`, parsed.
    pub vars: Vec<(String, String)>,
    pub show_secrets: bool,
}

fn fail(problems: &[Diagnostic]) -> i32 {
    for d in problems {
        crate::errln!("{}", d.render(false));
    }
    exit::INVALID_INPUT
}

pub(crate) fn main(o: &ExportOptions) -> i32 {
    let Some(lang) = Lang::parse(&o.lang) else {
        crate::errln!(
            "error: --as `{}`: expected one of {}",
            o.lang,
            Lang::NAMES.join(", ")
        );
        return exit::INVALID_INPUT;
    };
    let mut problems = Vec::new();
    let mut templates = Templates::new();
    let Some(collection) = load::load_file(&o.file, &mut templates, &mut problems) else {
        return fail(&problems);
    };
    let request = match &o.request {
        None => None,
        Some(wanted) => {
            let found = collection
                .requests
                .iter()
                .find(|r| r.id.as_deref() == Some(wanted.as_str()))
                .or_else(|| collection.requests.iter().find(|r| &r.name == wanted));
            if found.is_none() {
                return no_such_request(o, wanted, &collection);
            }
            found
        }
    };
    let mut layers = crate::inputs::environments(
        &o.env,
        std::slice::from_ref(&o.file),
        &mut templates,
        &mut problems,
    );
    layers.extend(crate::inputs::var_layer(&o.vars));
    let dirs = vec![
        o.file.parent().map(Path::to_path_buf).unwrap_or_default(),
        PathBuf::from("."),
    ];
    let env = environment::env_vars(&dirs, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return fail(&problems);
    }
    let start = crate::runner::vars::start(
        &collection.vars,
        &layers,
        &env,
        &templates,
        &mut Redactor::new(true),
    );
    let mut known = BTreeMap::new();
    for name in start.scope.names() {
        if start.unresolved.contains_key(name) {
            continue;
        }
        if let Some(v) = start.scope.get(name)
            && let Ok(json) = serde_json::to_value(v)
        {
            known.insert(name.to_string(), json);
        }
    }
    let mut secrets: BTreeSet<String> = known.keys().filter(|n| looks_secret(n)).cloned().collect();
    for layer in &layers {
        secrets.extend(layer.secrets.iter().cloned());
        secrets.extend(
            layer
                .vars
                .iter()
                .filter(|v| v.secret)
                .map(|v| v.name.clone()),
        );
    }
    let values = Values {
        templates: &templates,
        known,
        secrets,
        show_secrets: o.show_secrets,
        program: request.is_none(),
        requests: &collection.requests,
    };
    // What no snippet or program can carry is said once here too (the comment on each request
    // is easy to miss in a long program): an OAuth 1.0a signature, a DPoP proof, each made
    // per request with a nonce and a time.
    let exported: Vec<&crate::collection::model::Request> = match request {
        Some(r) => vec![r],
        None => collection.requests.iter().collect(),
    };
    let signed = exported
        .iter()
        .filter(|r| {
            matches!(
                r.auth.as_deref(),
                Some(crate::collection::model::Auth::OAuth1(_))
            )
        })
        .count();
    if signed > 0 {
        crate::errln!(
            "warning: {signed} request(s) signed with OAuth 1.0a are written unsigned (a comment on each says so): sign them with an OAuth 1.0a library"
        );
    }
    let proofs = exported
        .iter()
        .filter(|r| crate::export::needs_dpop_proof(r, &collection.requests))
        .count();
    if proofs > 0 {
        crate::errln!(
            "warning: {proofs} request(s) need a DPoP proof, which is not written (a comment on each says so): sign one per request with the DPoP key (RFC 9449)"
        );
    }
    let text = match request {
        Some(request) => crate::export::render(request, lang, &values).map(|e| e.text),
        None => {
            crate::export::program(&collection, lang, &values, &display_path(&o.file)).map(|p| {
                for w in &p.warnings {
                    crate::errln!("warning: {w}");
                }
                p.text
            })
        }
    };
    match text {
        Ok(text) => {
            crate::out!("{}", text);
            exit::OK
        }
        Err(e) => {
            crate::errln!("error: {e}");
            exit::INVALID_INPUT
        }
    }
}

fn no_such_request(o: &ExportOptions, wanted: &str, collection: &Collection) -> i32 {
    let names: Vec<String> = collection
        .requests
        .iter()
        .map(|r| r.id.clone().unwrap_or_else(|| format!("'{}'", r.name)))
        .collect();
    crate::errln!(
        "error: {}: no request with the id or name `{}`",
        display_path(&o.file),
        wanted
    );
    crate::errln!("  = help: the requests: {}", names.join(", "));
    exit::INVALID_INPUT
}
