//! The plan of an exported program, whatever its language: the variables at its top, and
//! for each request (after the discovery its token endpoint needs) the request with every
//! variable a marker, the status it must have, the expectations only written as comments,
//! and the captures the program can take.

use crate::capture::Source;
use crate::collection::model::{Collection, Request};
use crate::expect::Expectation;
use crate::expect::status::Pattern;
use crate::export::model::{self, HttpRequest, marker};
use crate::export::{ExportError, Values, credentials};
use crate::import::names::env_var;
use crate::secret::looks_secret;
use std::collections::{BTreeMap, BTreeSet};

/// A whole collection, planned.
pub(crate) struct Plan {
    pub title: String,
    /// The collection file, as given on the command line.
    pub source: String,
    pub vars: Vec<TopVar>,
    pub steps: Vec<Step>,
    /// What the program does not do as baton does, for stderr.
    pub warnings: Vec<String>,
}

/// A variable defined at the top of the program.
pub(super) enum TopVar {
    Literal {
        name: String,
        value: String,
    },
    /// A variable of the collection made of others (`<<host>>/api`): its text, with
    /// markers for the variables it reads, which come before it.
    Expr {
        name: String,
        value: String,
    },
    /// Read from the process environment variable `env`.
    Env {
        name: String,
        env: String,
        why: Why,
    },
}

/// Why a variable is read from the environment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    Secret,
    /// The collection (and the export's `-e`/`--var`) gives it no value.
    NoValue,
    /// The collection reads it from the environment itself (`<<env.NAME>>`).
    Env,
    /// The collection computes it with a filter or a function.
    Computed,
}

impl Why {
    pub(super) fn says(self) -> &'static str {
        match self {
            Why::Secret => "a secret",
            Why::NoValue => "no value in the collection",
            Why::Env => "read from the environment by the collection",
            Why::Computed => "computed by a template of the collection",
        }
    }
}

/// One request of the program.
pub(super) struct Step {
    pub name: String,
    pub req: HttpRequest,
    /// Comments written above the request.
    pub notes: Vec<String>,
    pub status: Status,
    /// The expectations other than the status, as comments.
    pub unchecked: Vec<String>,
    pub captures: Vec<Take>,
}

/// What the program checks of a response's status.
pub(super) enum Status {
    Allowed(Vec<Pattern>),
    /// No `status:` expectation: as in a run, a status of 400 or more fails.
    BelowFour,
    Unchecked,
}

/// A capture the program takes, into the variable `name`.
pub(super) struct Take {
    pub name: String,
    pub how: How,
}

pub(super) enum How {
    Json(Vec<Seg>),
    /// A discovered endpoint's mTLS alias (RFC 8705 5), else the endpoint: `token_endpoint`.
    MtlsAlias(String),
    Header(String),
    Status,
}

/// One step of a simple JSONPath: `.name`, `['name']` or `[0]`.
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// The members of a token response an `oauth2` request keeps under its id.
const TOKEN_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token_type",
    "scope",
    "expires_in",
];

/// `$.a.b[0]`, `$['a']["b"]`: the steps, or `None` for any other JSONPath.
pub(super) fn simple_path(text: &str) -> Option<Vec<Seg>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(r.len());
            if end == 0 || r.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                return None;
            }
            segs.push(Seg::Key(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = &r[..end];
            let quoted = |q: char| inner.strip_prefix(q).and_then(|i| i.strip_suffix(q));
            if let Some(key) = quoted('\'').or_else(|| quoted('"')) {
                if key.contains(['\'', '"', '\\']) {
                    return None;
                }
                segs.push(Seg::Key(key.to_string()));
            } else {
                segs.push(Seg::Index(inner.parse().ok()?));
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(segs)
}

pub(super) fn plan(
    collection: &Collection,
    values: &Values,
    source: &str,
) -> Result<Plan, ExportError> {
    let mut warnings = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    // The discovery step of each issuer, by its index: one document gives every endpoint.
    let mut discovered: BTreeMap<String, usize> = BTreeMap::new();
    let mut built = Vec::new();
    for request in collection.requests.iter().filter(|r| !r.skip) {
        let mut notes = Vec::new();
        let mut req = model::build(request, values, &mut notes)?;
        if !values.show_secrets {
            credentials::hide(&mut req, &mut notes);
        }
        // The program asks for a discovered endpoint itself (a step of its own), and its
        // notes name variables as the collection does.
        let notes: Vec<String> = notes
            .iter()
            .filter(|n| !(req.discovery.is_some() && n.contains("found by discovery")))
            .map(|n| model::names(n))
            .collect();
        built.push((request, req, notes));
    }
    let used: BTreeSet<String> = built
        .iter()
        .flat_map(|(_, req, _)| req.strings().into_iter().flat_map(model::markers))
        .collect();
    for (request, req, notes) in built {
        if let Some((issuer, member)) = &req.discovery {
            let how = match member.strip_prefix(crate::export::token_request::MTLS) {
                Some(endpoint) => How::MtlsAlias(endpoint.to_string()),
                None => How::Json(vec![Seg::Key(member.clone())]),
            };
            let take = Take {
                name: member.clone(),
                how,
            };
            match discovered.get(issuer) {
                Some(&i) if steps[i].captures.iter().any(|c| c.name == *member) => {}
                Some(&i) => steps[i].captures.push(take),
                None => {
                    discovered.insert(issuer.clone(), steps.len());
                    steps.push(discovery(issuer, take));
                }
            }
        }
        steps.push(step(request, req, notes, &used, &mut warnings));
    }
    for step in &steps {
        for n in step.notes.iter().filter(|n| n.contains(model::COMPUTED)) {
            warnings.push(format!("request '{}': {n}", step.name));
        }
    }
    for need in &collection.needs {
        warnings.push(format!(
            "the collection needs {}: what it exports is read from the environment (export it as a program of its own)",
            crate::diag::display_path(&need.path)
        ));
    }
    let unchecked: usize = steps.iter().map(|s| s.unchecked.len()).sum();
    if unchecked > 0 {
        warnings.push(format!(
            "{unchecked} expectation(s) other than the status are comments in the program, not checks"
        ));
    }
    let vars = top_vars(&steps, values, collection, &mut warnings);
    Ok(Plan {
        title: collection.name.clone(),
        source: source.to_string(),
        vars,
        steps,
        warnings,
    })
}

/// The request that finds the endpoints in the issuer's discovery document.
fn discovery(issuer: &str, take: Take) -> Step {
    Step {
        name: "discover the endpoints of the provider".into(),
        req: HttpRequest {
            method: "GET".into(),
            url: format!("{issuer}/.well-known/openid-configuration"),
            ..HttpRequest::default()
        },
        notes: Vec::new(),
        status: Status::Allowed(vec![Pattern::Code(200)]),
        unchecked: Vec::new(),
        captures: vec![take],
    }
}

fn step(
    request: &Request,
    req: HttpRequest,
    mut notes: Vec<String>,
    used: &BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Step {
    let name = request.name.clone();
    let mut status = Status::BelowFour;
    let mut unchecked = Vec::new();
    for e in &request.expect.items {
        match e {
            Expectation::Status(s) if s.template.is_some() => {
                status = Status::Unchecked;
                unchecked.push(format!(
                    "status {}",
                    s.template.as_ref().map_or("", |t| &*t.text)
                ));
            }
            Expectation::Status(s) if s.allowed.contains(&Pattern::Any) => {
                status = Status::Unchecked;
            }
            Expectation::Status(s) => status = Status::Allowed(s.allowed.clone()),
            Expectation::JsonPath(j) => unchecked.push(format!("body {}", j.path.text)),
            Expectation::Header(h) => unchecked.push(format!("header {}", h.name)),
            Expectation::Body(_) => unchecked.push("body".into()),
            Expectation::Duration(_) => unchecked.push("duration_ms".into()),
            Expectation::Jwt(_) => unchecked.push("jwt".into()),
            Expectation::Schema(s) => unchecked.push(format!("schema {}", s.shown)),
        }
    }
    let mut captures = Vec::new();
    let mut missing = |name: &str, why: String, notes: &mut Vec<String>| {
        notes.push(format!("`{name}` is not captured here: {why}"));
        warnings.push(format!(
            "request '{}': `{name}` is not captured by the program ({why}); a request that reads it reads it from the environment",
            request.name
        ));
    };
    if let Some(id) = request.id.as_deref().filter(|_| request.oauth2.is_some()) {
        for name in used.iter().filter(|n| n.starts_with(&format!("{id}."))) {
            let field = &name[id.len() + 1..];
            if TOKEN_FIELDS.contains(&field) {
                captures.push(Take {
                    name: name.clone(),
                    how: How::Json(vec![Seg::Key(field.to_string())]),
                });
            } else {
                missing(
                    name,
                    format!("baton works out `{field}` from the token response"),
                    &mut notes,
                );
            }
        }
    }
    for c in &request.capture {
        let how = match &c.source {
            Source::JsonPath(j) => simple_path(&j.0.text)
                .map(How::Json)
                .ok_or_else(|| format!("`{}` is not a JSONPath of the form $.a.b[0]", j.0.text)),
            Source::Header(h) => h
                .whole()
                .map(|n| How::Header(n.to_string()))
                .ok_or_else(|| "a part of a header (query: or regex:)".to_string()),
            Source::Status(_) => Ok(How::Status),
            Source::Jwt(_) => Err("a JWT claim".into()),
            Source::Cookie(_) => Err("a cookie".into()),
            Source::Body(_) => Err("the whole body".into()),
            Source::Url(_) => Err("the URL that answered".into()),
            Source::Regex(_) => Err("a regex".into()),
        };
        match how {
            Ok(how) => captures.push(Take {
                name: c.name.clone(),
                how,
            }),
            Err(why) => missing(&c.name, why, &mut notes),
        }
    }
    for (code, what) in [
        ("code", "authorization code"),
        ("device_code", "device code"),
    ] {
        if request.oauth2.is_some() && req.strings().iter().any(|s| s.contains(&marker(code))) {
            warnings.push(format!(
                "request '{}': the {what} comes from a browser sign-in; the program reads it from the environment",
                request.name
            ));
        }
    }
    Step {
        name,
        req,
        notes,
        status,
        unchecked,
        captures,
    }
}

/// The variables the steps read before a step captures them, in the order first read (a
/// variable made of others after those).
fn top_vars(
    steps: &[Step],
    values: &Values,
    collection: &Collection,
    warnings: &mut Vec<String>,
) -> Vec<TopVar> {
    let mut top = Top {
        values,
        collection,
        warnings,
        defined: BTreeSet::new(),
        out: Vec::new(),
    };
    for step in steps {
        for name in step.req.strings().into_iter().flat_map(model::markers) {
            top.define(&name);
        }
        top.defined
            .extend(step.captures.iter().map(|c| c.name.clone()));
    }
    top.out
}

struct Top<'a, 'v> {
    values: &'a Values<'v>,
    collection: &'a Collection,
    warnings: &'a mut Vec<String>,
    /// Defined at the top or captured so far (or being defined: a cycle stops there).
    defined: BTreeSet<String>,
    out: Vec<TopVar>,
}

impl Top<'_, '_> {
    fn define(&mut self, name: &str) {
        if !self.defined.insert(name.to_string()) {
            return;
        }
        let values = self.values;
        let top = name.split('.').next().unwrap_or(name);
        let env = |why| TopVar::Env {
            name: name.to_string(),
            env: env_var(name),
            why,
        };
        let var = if let Some(e) = name.strip_prefix("env.") {
            TopVar::Env {
                name: name.to_string(),
                env: e.to_string(),
                why: Why::Env,
            }
        } else if (values.secrets.contains(top) || looks_secret(top)) && !values.show_secrets {
            env(Why::Secret)
        } else if let Some(v) = values.known.get(name) {
            TopVar::Literal {
                name: name.to_string(),
                value: match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            }
        } else if let Some(def) = self.collection.vars.iter().find(|d| d.name == name) {
            if let Some(value) = model::var_template(&def.value, values) {
                for read in model::markers(&value) {
                    self.define(&read);
                }
                TopVar::Expr {
                    name: name.to_string(),
                    value,
                }
            } else {
                self.warnings.push(format!(
                    "the variable `{name}` is computed by a template (a filter or a function): the program reads it from the environment"
                ));
                env(Why::Computed)
            }
        } else {
            env(Why::NoValue)
        };
        self.out.push(var);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_are_keys_and_indexes_and_nothing_else() {
        let p = simple_path("$.a.b[0]['c d'][\"e\"]").unwrap();
        assert_eq!(p.len(), 5);
        assert!(matches!(&p[3], Seg::Key(k) if k == "c d"));
        assert!(matches!(&p[2], Seg::Index(0)));
        for other in ["$.a[*]", "$..a", "$.a[-1]", "$.a[0:2]", "$[?@.a]", "a.b"] {
            assert!(simple_path(other).is_none(), "{other}");
        }
    }
}
