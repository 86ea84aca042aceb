//! `baton import postman`: a Postman collection (and optionally an environment) as baton
//! files. The layout: the collection's own requests are one file, each folder a directory
//! holding one file for its requests and a directory per subfolder; names are numbered in
//! Postman's order (`1-auth.yaml`, `2-users/`) so `baton run DIR` runs them in that order.
//! Each file carries the collection and folder variables it reads, an `oauth2` request
//! before the requests that use an OAuth 2.0 helper, and a `defaults:` with the auth its
//! requests inherit and Postman's redirect behaviour (`defaults.rs`). Captures do not cross files (baton
//! keeps them per file), so a name captured in one file and read in another is a warning.

mod after;
mod apply;
mod auth;
mod body;
mod chain;
mod defaults;
mod env;
mod files;
mod js;
mod jsexpr;
mod jslex;
mod links;
mod migration;
mod model;
mod oauth1_script;
mod prerequest;
mod request;
mod script;
mod sendrequest;

use super::names::{Names, convert};
use super::{ImportError, Warning};
use crate::secret::{looks_secret, not_a_secret_value};
use serde_json::Value;
use std::path::PathBuf;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Write secret values (environment secrets, literal passwords) instead of
    /// `<<env.NAME>>` references.
    pub keep_secrets: bool,
}

/// The files to write (paths relative to the output directory) and what was made.
#[derive(Debug, Default)]
pub struct Imported {
    pub files: Vec<(PathBuf, String)>,
    pub collection: String,
    /// `2.0` or `2.1`.
    pub version: String,
    /// `(file, requests in it)`.
    pub per_file: Vec<(PathBuf, usize)>,
    pub requests: usize,
    /// `oauth2` requests made from OAuth 2.0 helpers.
    pub token_requests: usize,
    pub captures: usize,
    pub expectations: usize,
    pub warnings: Vec<Warning>,
    /// Process environment variables the files read secrets from (`<<env.NAME>>`), with
    /// why each value was taken for a secret.
    pub secret_env: Vec<(String, String)>,
    /// The environment file's name for `-e`, when one was imported.
    pub environment: Option<String>,
    /// `(Postman name, baton name)` of renamed variables.
    pub renames: Vec<(String, String)>,
    /// The tally of script lines, one fixed-format line (`scripts: test N lines: …`).
    pub scripts: String,
}

/// What conversion needs everywhere: names, the secret policy, warnings, and the
/// variables the file being written reads.
pub(crate) struct Ctx<'a> {
    pub names: &'a Names,
    pub keep_secrets: bool,
    pub warnings: Vec<Warning>,
    /// `(NAME, value)` of secrets replaced by `<<env.NAME>>`.
    pub secret_env: Vec<(String, String)>,
    /// `(NAME, why)` of the same, for the summary.
    pub moved: Vec<(String, String)>,
    /// Baton names read by the file being written.
    pub seen: Vec<String>,
    /// Where warnings come from now.
    pub place: String,
    /// Every variable name defined by the collection or the environment (Postman spelling).
    pub known: Vec<String>,
    /// `(Postman name, value)` of the environment's, the collection's and the folders'
    /// variables, in that order.
    pub values: Vec<(String, String)>,
    /// Baton names a URL needs that the collection leaves empty (`{{baseUrl}}` defined as
    /// "", or a `<placeholder>`): listed with the undefined names.
    pub blank: Vec<String>,
    /// What MIGRATION.md says, gathered as the files are written.
    notes: migration::Notes,
}

impl Ctx<'_> {
    pub(crate) fn warn(&mut self, message: impl Into<String>) {
        let w = Warning {
            place: self.place.clone(),
            message: message.into(),
        };
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// Postman text with `{{var}}` as `<<var>>`.
    pub(crate) fn text(&mut self, s: &str) -> String {
        let mut messages = Vec::new();
        let out = convert(s, self.names, &mut self.seen, &mut |m| messages.push(m));
        for m in messages {
            self.warn(m);
        }
        out
    }

    /// A value that is a secret when written literally (a password, a bearer token, a client
    /// secret of an auth helper): unless `--keep-secrets`, it becomes `<<env.NAME>>` (NAME
    /// from `hint`), and the value is never written.
    pub(crate) fn secret(&mut self, hint: &str, value: &str) -> String {
        let why = format!("the auth's `{hint}`{}", self.at());
        self.secret_because(hint, value, &why)
    }

    /// A header, form field, parameter or JSON value whose name looks secret: a secret unless
    /// its value cannot be one (`tokenPath: /connect/token` is a path, not a token).
    pub(crate) fn named(&mut self, key: &str, value: &str) -> String {
        if !looks_secret(key) || not_a_secret_value(key, value).is_some() {
            return self.text(value);
        }
        let why = format!("`{key}`{} (its name says secret)", self.at());
        self.secret_because(key, value, &why)
    }

    /// ` in PLACE`, for saying where a secret was found.
    fn at(&self) -> String {
        if self.place.is_empty() {
            String::new()
        } else {
            format!(" in {}", self.place)
        }
    }

    pub(crate) fn secret_because(&mut self, hint: &str, value: &str, why: &str) -> String {
        if value.is_empty() || value.contains("{{") || self.keep_secrets {
            return self.text(value);
        }
        let name = self.env_name(hint, value, why);
        self.warn(format!(
            "a literal secret (`{hint}`) is written as <<env.{name}>>: export {name} before running (or import with --keep-secrets)"
        ));
        format!("<<env.{name}>>")
    }

    /// The environment variable that holds this secret: the same for the same value. `why`
    /// is what the summary says of it.
    pub(crate) fn env_name(&mut self, hint: &str, value: &str, why: &str) -> String {
        if !value.is_empty()
            && let Some((n, _)) = self.secret_env.iter().find(|(_, v)| v == value)
        {
            return n.clone();
        }
        let base = super::names::env_var(hint);
        let mut name = base.clone();
        let mut i = 2;
        while self.secret_env.iter().any(|(n, _)| *n == name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        self.secret_env.push((name.clone(), value.to_string()));
        self.moved.push((name.clone(), why.to_string()));
        name
    }

    /// The value a variable has when a request is sent: the environment's, else the
    /// collection's, else a folder's.
    pub(crate) fn value_of(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when a variable of this (Postman or baton) name is defined somewhere.
    pub(crate) fn is_known_variable(&self, name: &str) -> bool {
        self.known
            .iter()
            .any(|k| k == name || self.names.key(k) == name)
    }

    /// Collection or environment variable value: secret ones (Postman's type `secret`, or a
    /// name that looks secret with a value that could be one) as `<<env.NAME>>`.
    pub(crate) fn variable_value(&mut self, key: &str, value: &str, secret: bool) -> String {
        let why = if secret {
            format!("variable `{key}` (Postman's type secret)")
        } else if looks_secret(key) && not_a_secret_value(key, value).is_none() {
            format!("variable `{key}` (its name says secret)")
        } else {
            return self.text(value);
        };
        if value.is_empty() || value.contains("{{") || self.keep_secrets {
            return self.text(value);
        }
        let name = self.env_name(key, value, &why);
        format!("<<env.{name}>>")
    }
}

/// Import a collection (JSON text) and, optionally, an environment export.
pub fn import(
    collection: &str,
    environment: Option<&str>,
    options: &Options,
) -> Result<Imported, ImportError> {
    let v = super::parse_json(collection, "the collection")?;
    let obj = v.as_object().ok_or_else(|| {
        ImportError::Shape(
            "the collection is not a JSON object: is this a Postman collection export?".into(),
        )
    })?;
    // What the Postman API returns (`GET /collections/{id}`): the export inside
    // `{"collection": …}`.
    let obj = match obj.get("collection").and_then(Value::as_object) {
        Some(inner) if !obj.contains_key("info") && inner.contains_key("info") => inner,
        _ => obj,
    };
    if obj.contains_key("requests") && obj.contains_key("order") {
        return Err(ImportError::Shape("this is a Postman collection in format v1: export it again as Collection v2.1 (Postman: ··· → Export → Collection v2.1)".into()));
    }
    let Some(info) = obj.get("info").and_then(Value::as_object) else {
        return Err(ImportError::Shape("the collection has no `info`: is this a Postman collection (v2.0 or v2.1) export? An environment goes with --env".into()));
    };
    let name = info
        .get("name")
        .map(model::text)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Postman collection".into());
    let schema = info.get("schema").map(model::text).unwrap_or_default();
    let mut warnings = Vec::new();
    let version = if schema.contains("v2.0") {
        "2.0"
    } else if schema.contains("v2.1") {
        "2.1"
    } else {
        warnings.push(Warning {
            place: String::new(),
            message: format!("unknown collection schema `{schema}`: read as v2.1"),
        });
        "2.1"
    };
    let mut root = model::folder(obj, name.clone(), 0);
    if root.description.is_none() {
        root.description = model::description(info.get("description"));
    }
    let env = environment.map(env::parse).transpose()?;

    let (captured, known) = links::all_names(&root, env.as_ref());
    let names = Names::new(
        captured.iter().map(String::as_str),
        known.iter().map(String::as_str),
    );
    let mut cx = Ctx {
        names: &names,
        keep_secrets: options.keep_secrets,
        warnings,
        secret_env: Vec::new(),
        moved: Vec::new(),
        seen: Vec::new(),
        place: String::new(),
        known,
        values: values(&root, env.as_ref()),
        blank: Vec::new(),
        notes: migration::Notes::default(),
    };
    let mut result = Imported {
        collection: name,
        version: version.to_string(),
        ..Imported::default()
    };
    let mut env_reads = Vec::new();
    let env_keys = match &env {
        Some(e) => {
            let (path, text, keys) = env::write(e, &mut cx);
            env_reads = std::mem::take(&mut cx.seen);
            result.environment = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            result.files.push((path, text));
            keys
        }
        None => Vec::new(),
    };
    files::write_all(
        &root,
        &version_label(version),
        &env_keys,
        &env_reads,
        &mut cx,
        &mut result,
    );
    result.warnings = std::mem::take(&mut cx.warnings);
    result.secret_env = std::mem::take(&mut cx.moved);
    result.scripts = cx.notes.tally.line();
    let totals = migration::Totals {
        files: result.per_file.len(),
        requests: result.requests,
        token_requests: result.token_requests,
        captures: result.captures,
        expectations: result.expectations,
        warnings: result.warnings.len(),
    };
    result.files.push((
        PathBuf::from("MIGRATION.md"),
        migration::render(&result.collection, &totals, &result.secret_env, &cx.notes),
    ));
    result.renames = names
        .renames()
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect();
    Ok(result)
}

/// Every enabled variable's value: the environment's, then the collection's and its folders'.
fn values(root: &model::Folder, env: Option<&env::EnvIn>) -> Vec<(String, String)> {
    fn walk(f: &model::Folder, out: &mut Vec<(String, String)>) {
        out.extend(
            f.variables
                .iter()
                .filter(|v| !v.disabled)
                .map(|v| (v.key.clone(), v.value.clone())),
        );
        for i in &f.items {
            if let model::Node::Folder(sub) = i {
                walk(sub, out);
            }
        }
    }
    let mut out = Vec::new();
    // The environment's first: in Postman (and with `-e` in baton) it overrides the
    // collection's variables, even with an empty value.
    if let Some(e) = env {
        out.extend(
            e.values
                .iter()
                .filter(|v| !v.disabled)
                .map(|v| (v.key.clone(), v.value.clone())),
        );
    }
    walk(root, &mut out);
    out
}

fn version_label(version: &str) -> String {
    format!("Postman v{version}")
}
