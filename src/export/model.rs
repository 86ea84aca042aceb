//! A request rendered for a snippet: method, URL, headers, Basic credentials and body, with
//! every variable that has no value (or is a secret) rendered as a marker that becomes a
//! `<your-name>` placeholder once the snippet is written (markers survive encodings the
//! snippet applies, so a placeholder is never percent-encoded or base64-encoded).

use super::{ExportError, Values};
use crate::collection::model::{Auth, PartValue, Request};
use crate::oauth::form;
use crate::template::JsonTpl;
use crate::template::{EnvVars, Scope, Tpl};
use minijinja::value::{Object, ObjectRepr, Value};
use std::fmt;
use std::sync::Arc;

use super::marker::plain;
pub(super) use super::marker::{
    form_encode, has_marker, marker, markers, names, pieces, placeholders,
};

/// The request a snippet sends.
#[derive(Debug, Clone, Default)]
pub(super) struct HttpRequest {
    pub method: String,
    pub url: String,
    /// The `query:` of the request, apart from the URL: a snippet writes them into it
    /// ([`HttpRequest::fold_query`]), a program gives them to its client to encode.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// Basic credentials, as given to the tool (curl `-u`, requests `auth=`).
    pub basic: Option<(String, String)>,
    /// The Basic credentials are form-encoded before they are joined (an `oauth2` client,
    /// RFC 6749 2.3.1): done here for literal text, by the program for its variables.
    pub basic_form_encoded: bool,
    pub body: Option<Body>,
    pub follow_redirects: bool,
    /// The issuer and the member of its discovery document (`token_endpoint`) whose marker
    /// the URL is, when the endpoint is found by discovery: a program asks for it first.
    pub discovery: Option<(String, String)>,
    /// The client certificate presented (`cert.rs`).
    pub client_cert: Option<super::cert::CertFlags>,
}

#[derive(Debug, Clone)]
pub(super) enum Body {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Raw { text: String },
    Multipart(Vec<(String, Part)>),
    File { path: String },
}

#[derive(Debug, Clone)]
pub(super) enum Part {
    Text(String),
    File {
        path: String,
        filename: Option<String>,
        content_type: Option<String>,
    },
}

impl HttpRequest {
    /// The `query:` pairs written into the URL, form-encoded (markers kept).
    pub(super) fn fold_query(&mut self) {
        if self.query.is_empty() {
            return;
        }
        let q: Vec<String> = self
            .query
            .drain(..)
            .map(|(k, v)| format!("{}={}", form_encode(&k), form_encode(&v)))
            .collect();
        self.url
            .push(if self.url.contains('?') { '&' } else { '?' });
        self.url.push_str(&q.join("&"));
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A variable without a value: renders as a marker; its fields are placeholders too
/// (`<<login.access_token>>`, `<<env.CLIENT_SECRET>>`).
///
/// A program names each variable in full (`login.access_token`, `env.CLIENT_SECRET`), as it
/// defines or captures it; a snippet's placeholder reads best with the last name alone.
#[derive(Debug)]
struct Placeholder {
    name: String,
    full: bool,
}

impl Object for Placeholder {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = if self.full {
            format!("{}.{key}", self.name)
        } else {
            key.to_string()
        };
        Some(Value::from_object(Placeholder {
            name,
            full: self.full,
        }))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", marker(&self.name))
    }
}

pub(super) struct Renderer<'v> {
    values: &'v Values<'v>,
    scope: Scope,
    /// In a program: the templates that compute with a variable (a filter, a function),
    /// which the program cannot write as its variable.
    computed: Vec<String>,
}

impl Renderer<'_> {
    fn new<'v>(values: &'v Values<'v>) -> Renderer<'v> {
        let mut scope = Scope::new(Arc::new(EnvVars::default()));
        // A program defines every variable itself: each one is a marker.
        for (k, v) in values.known.iter().filter(|_| !values.program) {
            if values.show_secrets || !values.secrets.contains(k) {
                scope.set_json(k, v);
            }
        }
        Renderer {
            values,
            scope,
            computed: Vec::new(),
        }
    }

    /// Make sure every name `tpl` reads exists: placeholders for the unknown ones.
    fn prepare(&mut self, tpl: &Tpl) {
        let mut names: Vec<String> = self.values.templates.variables(tpl).into_iter().collect();
        for quote in ['\'', '"'] {
            let open = format!("vars[{quote}");
            let mut rest: &str = &tpl.text;
            while let Some(i) = rest.find(&open) {
                rest = &rest[i + open.len()..];
                if let Some(end) = rest.find(quote) {
                    names.push(rest[..end].to_string());
                }
            }
        }
        for n in names {
            let top = if n.starts_with("env.") {
                "env"
            } else {
                n.as_str()
            };
            if !self.scope.contains(top) {
                self.scope.set(
                    top,
                    Value::from_object(Placeholder {
                        name: top.to_string(),
                        full: self.values.program,
                    }),
                );
            }
        }
    }

    pub(super) fn text(&mut self, tpl: &Tpl) -> Result<String, ExportError> {
        let computed = self.values.program
            && !plain(&tpl.text)
            && !self.values.templates.variables(tpl).is_empty();
        if computed && !self.computed.iter().any(|t| **t == *tpl.text) {
            self.computed.push(tpl.text.to_string());
        }
        self.prepare(tpl);
        match self.values.templates.render(tpl, &self.scope) {
            Ok(text) => Ok(text),
            // A filter that cannot work on a variable the program only knows when it runs
            // (`<<ids | length>>`): a variable of its own, named after the expression, that
            // the program reads from the environment (the note on `computed` says so).
            Err(_) if computed => {
                let words: Vec<&str> = tpl
                    .text
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                Ok(marker(&words.join("_")))
            }
            Err(e) => Err(ExportError::Render(format!(
                "{}:{}: {e}",
                tpl.file.display(),
                tpl.loc.line
            ))),
        }
    }

    pub(super) fn opt(&mut self, tpl: &Option<Tpl>) -> Result<Option<String>, ExportError> {
        tpl.as_ref().map(|t| self.text(t)).transpose()
    }

    fn json(&mut self, v: &JsonTpl) -> Result<serde_json::Value, ExportError> {
        Ok(match v {
            JsonTpl::Value(v) => v.clone(),
            JsonTpl::Str(t) => {
                let text = self.text(t)?;
                if has_marker(&text) {
                    serde_json::Value::String(text)
                } else {
                    self.values
                        .templates
                        .render_json(t, &self.scope)
                        .unwrap_or(serde_json::Value::String(text))
                }
            }
            JsonTpl::Array(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|i| self.json(i))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTpl::Object(entries) => {
                let mut m = serde_json::Map::new();
                for (k, v) in entries {
                    m.insert(k.clone(), self.json(v)?);
                }
                serde_json::Value::Object(m)
            }
        })
    }
}

/// A snippet renders the block's templates with placeholders for what has no value.
impl form::Render for Renderer<'_> {
    type Error = ExportError;

    fn text(&mut self, tpl: &Tpl) -> Result<String, ExportError> {
        Renderer::text(self, tpl)
    }
}

/// The first words of the note on a template a program cannot write (`program/plan.rs`
/// makes a warning of it).
pub(super) const COMPUTED: &str = "computed by baton's templates";

/// A variable of the collection as a program defines it: its template with markers for the
/// variables it reads, or `None` when it computes with them (a filter, a function).
pub(super) fn var_template(value: &JsonTpl, values: &Values) -> Option<String> {
    match value {
        JsonTpl::Str(tpl) if plain(&tpl.text) => Renderer::new(values).text(tpl).ok(),
        _ => None,
    }
}

/// The `oauth2` request among `requests` whose token `req` sends (`auth: { oauth2: id }`).
fn token_source<'r>(req: &Request, requests: &'r [Request]) -> Option<&'r Request> {
    let Some(Auth::OAuth2 { id, .. }) = req.auth.as_deref() else {
        return None;
    };
    requests
        .iter()
        .find(|o| o.oauth2.is_some() && o.id.as_deref() == Some(id.as_str()))
}

fn has_dpop(req: &Request) -> bool {
    req.oauth2.as_ref().is_some_and(|o| o.dpop.is_some())
}

/// Whether `req` needs a DPoP proof, which no snippet or program writes: a token request
/// with `dpop:`, or a request sending a token bound to a DPoP key.
pub(crate) fn needs_dpop_proof(req: &Request, requests: &[Request]) -> bool {
    let token_request = req
        .oauth2
        .as_ref()
        .is_some_and(|o| o.dpop.is_some() && o.grant.issues_tokens());
    token_request || token_source(req, requests).is_some_and(has_dpop)
}

/// The request as it would be sent (an `oauth2` request: its token request).
pub(super) fn build(
    req: &Request,
    values: &Values,
    notes: &mut Vec<String>,
) -> Result<HttpRequest, ExportError> {
    let mut r = Renderer::new(values);
    let out = build_with(&mut r, req, values, notes)?;
    for t in r.computed {
        notes.push(format!(
            "`{t}` is {COMPUTED} (a filter or a function), which the program does not do"
        ));
    }
    Ok(out)
}

fn build_with(
    r: &mut Renderer,
    req: &Request,
    values: &Values,
    notes: &mut Vec<String>,
) -> Result<HttpRequest, ExportError> {
    let mut out = HttpRequest {
        method: req.method.clone(),
        follow_redirects: req.follow_redirects,
        ..HttpRequest::default()
    };
    for (k, v) in &req.headers {
        out.headers.push((k.clone(), r.text(v)?));
    }
    // The oauth2 request whose token this one sends: its certificate and DPoP key go along.
    let token_from = token_source(req, values.requests);
    let dpop = token_from.is_some_and(has_dpop);
    let scheme = if dpop { "DPoP" } else { "Bearer" };
    if dpop {
        notes.push("the token is bound to a DPoP key (RFC 9449): it goes as `Authorization: DPoP` with a `DPoP` proof header signed with that key for each request (with `ath`, the token's hash), which this cannot sign".into());
    }
    if let Some(c) = super::cert::spec(req, token_from) {
        let flags = super::cert::CertFlags {
            cert: r.text(&c.cert)?,
            key: r.opt(&c.key)?,
            password_env: r.opt(&c.password_env)?,
        };
        super::cert::notes(&flags, notes);
        out.client_cert = Some(flags);
    }
    if let Some(spec) = &req.oauth2 {
        super::token_request::build(spec, r, &mut out, notes)?;
        return Ok(out);
    }
    out.url = super::marker::encode_url(&r.text(&req.url)?);
    for (k, v) in &req.query {
        out.query.push((k.clone(), r.text(v)?));
    }
    match req.auth.as_deref() {
        Some(Auth::Basic { username, password }) => {
            out.basic = Some((r.text(username)?, r.text(password)?));
        }
        Some(Auth::Bearer(t)) => {
            let t = r.text(t)?;
            out.headers
                .push(("Authorization".into(), format!("Bearer {t}")));
        }
        Some(Auth::OAuth2 { id, .. }) if values.program => {
            // The program keeps the tokens of an oauth2 request under its id, as a run does.
            out.headers.push((
                "Authorization".into(),
                format!("{scheme} {}", marker(&format!("{id}.access_token"))),
            ));
        }
        Some(Auth::OAuth2 { id, .. }) => {
            notes.push(format!(
                "the access token comes from the oauth2 request `{id}`"
            ));
            out.headers.push((
                "Authorization".into(),
                format!("{scheme} {}", marker("access_token")),
            ));
        }
        Some(Auth::OAuth1(o)) => {
            // A signature holds a nonce and a timestamp: a literal one would be refused, and
            // curl cannot sign (it has no OAuth 1.0a), so the snippet says what it lacks.
            notes.push(format!(
                "not signed: baton signs this request with OAuth 1.0a ({}); sign it with an \
                 OAuth 1.0a library (Python: requests_oauthlib.OAuth1) before sending",
                o.method.name()
            ));
        }
        None => {}
    }
    let content_type = |out: &mut HttpRequest, ct: String| {
        if out.header("content-type").is_none() {
            out.headers.push(("Content-Type".into(), ct));
        }
    };
    out.body = match req.body.as_deref() {
        None => None,
        Some(crate::collection::model::Body::Form(fields)) => {
            content_type(&mut out, "application/x-www-form-urlencoded".into());
            let mut f = Vec::new();
            for (k, v) in fields {
                f.push((k.clone(), r.text(v)?));
            }
            Some(Body::Form(f))
        }
        Some(crate::collection::model::Body::Json(v)) => {
            content_type(&mut out, "application/json".into());
            Some(Body::Json(r.json(v)?))
        }
        Some(crate::collection::model::Body::Raw {
            text,
            content_type: ct,
        }) => {
            let ct = r
                .opt(ct)?
                .unwrap_or_else(|| "text/plain; charset=utf-8".into());
            content_type(&mut out, ct);
            Some(Body::Raw {
                text: r.text(text)?,
            })
        }
        Some(crate::collection::model::Body::File {
            path,
            content_type: ct,
        }) => {
            if let Some(ct) = r.opt(ct)? {
                content_type(&mut out, ct);
            }
            Some(Body::File {
                path: r.text(path)?,
            })
        }
        Some(crate::collection::model::Body::Multipart(parts)) => {
            let mut out_parts = Vec::new();
            for p in parts {
                let v = match &p.value {
                    PartValue::Text(t) => Part::Text(r.text(t)?),
                    PartValue::File {
                        path,
                        filename,
                        content_type,
                    } => Part::File {
                        path: r.text(path)?,
                        filename: r.opt(filename)?,
                        content_type: r.opt(content_type)?,
                    },
                };
                out_parts.push((p.name.clone(), v));
            }
            Some(Body::Multipart(out_parts))
        }
    };
    Ok(out)
}
