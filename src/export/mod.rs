//! Export: a request of a collection as a snippet for documentation, in cURL, Python
//! `requests`, Node `axios` or raw HTTP, in the style of the provider guides the examples
//! come from. Variables without a value are `<your-client-id>` placeholders (the kebab case
//! of the variable's name), secrets and literal credentials too unless shown
//! (`credentials.rs`); an `oauth2` request is exported as the
//! token request it sends. [`snippet`] is the library entry point (the docs sync calls it
//! without the CLI); `cmd/export.rs` is `baton export`.

mod cert;
mod code;
mod credentials;
mod marker;
mod model;
mod node;
mod program;
mod shell;
mod token_request;

use crate::collection::model::Request;
use crate::template::Templates;
use std::collections::{BTreeMap, BTreeSet};

/// The snippet languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Curl,
    Python,
    Node,
    Http,
}

impl Lang {
    pub(crate) const NAMES: &'static [&'static str] = &["curl", "python", "node", "http"];

    pub(crate) fn parse(s: &str) -> Option<Lang> {
        Some(match s.to_ascii_lowercase().as_str() {
            "curl" => Lang::Curl,
            "python" | "py" | "requests" => Lang::Python,
            "node" | "js" | "javascript" | "axios" => Lang::Node,
            "http" | "raw" => Lang::Http,
            _ => return None,
        })
    }
}

/// What the variables of a request are worth in the snippet.
pub(crate) struct Values<'a> {
    /// The templates of the collection the request was loaded with.
    pub templates: &'a Templates,
    /// Known values; every other variable is a `<your-name>` placeholder.
    pub known: BTreeMap<String, serde_json::Value>,
    /// Names shown as placeholders even when known (unless `show_secrets`).
    pub secrets: BTreeSet<String>,
    pub show_secrets: bool,
    /// Every variable a marker the program defines (`program.rs`), named in full.
    pub program: bool,
    /// The requests of the collection, for what a request takes from the `oauth2` request
    /// whose token it sends: the certificate or the DPoP key the token is bound to.
    pub requests: &'a [Request],
}

impl<'a> Values<'a> {
    /// Every variable a placeholder: the snippet of a guide.
    pub(crate) fn placeholders(templates: &'a Templates) -> Values<'a> {
        Values {
            templates,
            known: BTreeMap::new(),
            secrets: BTreeSet::new(),
            show_secrets: false,
            program: false,
            requests: &[],
        }
    }
}

/// A snippet and what it could not say exactly.
#[derive(Debug, Clone)]
pub(crate) struct Export {
    pub text: String,
}

/// Why a request cannot be exported.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExportError {
    /// A template failed for a reason other than a missing variable (a filter error).
    #[error("{0}")]
    Render(String),
}

/// The request as a snippet in `lang`.
pub(crate) fn snippet(
    request: &Request,
    lang: Lang,
    values: &Values,
) -> Result<String, ExportError> {
    render(request, lang, values).map(|e| e.text)
}

/// The request as a snippet, with its notes apart.
pub(crate) fn render(
    request: &Request,
    lang: Lang,
    values: &Values,
) -> Result<Export, ExportError> {
    let mut notes = Vec::new();
    let mut req = model::build(request, values, &mut notes)?;
    req.fold_query();
    if !values.show_secrets {
        credentials::hide(&mut req, &mut notes);
    }
    let text = match lang {
        Lang::Curl => shell::curl(&req, &notes),
        Lang::Http => shell::http(&req, &notes, false),
        Lang::Python => code::python(&req, &notes),
        Lang::Node => node::node(&req, &notes),
    };
    Ok(Export {
        text: model::placeholders(&text),
    })
}

pub(crate) use model::needs_dpop_proof;
pub(crate) use program::program;
