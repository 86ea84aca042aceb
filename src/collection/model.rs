//! The collection model: what a YAML collection means once read, with templates compiled
//! and every part keeping the place it came from.

use super::vars::VarDef;
use crate::capture::Capture;
use crate::diag::Loc;
use crate::diag::SourceFile;
use crate::expect::Expectations;
use crate::template::{JsonTpl, Tpl};
use std::sync::Arc;
use std::time::Duration;

/// One collection file.
#[derive(Debug)]
pub struct Collection {
    pub file: Arc<SourceFile>,
    pub name: String,
    /// Defaults, lowest precedence.
    pub vars: Vec<VarDef>,
    pub requests: Vec<Request>,
    /// Requests checked when the file was loaded and not kept (`load::Keep::Within`), by
    /// the fingerprint of each one's YAML: the runner reads them again from the file
    /// (`Collection::requests`) and runs only what matches what was checked. When not empty,
    /// `requests` is.
    pub deferred: Vec<u64>,
    /// `needs:` the collections that run before this one, once per run, whose `export:`
    /// names this one sees (paths resolved against this file's folder).
    pub needs: Vec<Need>,
    /// `export:` the names (captures, variables, `oauth2` ids) the collections that need
    /// this one see; the others stay private.
    pub export: Vec<String>,
    /// `persist:` the names kept after the run in `.baton/state.json` and read back at the
    /// start of the next one.
    pub persist: Vec<String>,
    /// `defaults:` of the file, already applied to `requests`; kept so that requests read
    /// again from disk (`Collection::requests` of a file not kept) get them too.
    pub defaults: Option<Arc<super::defaults::Defaults>>,
    /// Postman's `{{name}}` in the file's requests (`None`: there is none), warned about by
    /// the front ends, which know what the run defines.
    pub(crate) habits: Option<Box<super::habits::Habits>>,
}

/// One entry of `needs:`: the file, resolved, and where the entry is written.
#[derive(Debug, Clone)]
pub struct Need {
    pub path: std::path::PathBuf,
    pub loc: Loc,
}

impl Collection {
    /// How many requests the file defines, kept or not.
    #[must_use]
    pub fn request_count(&self) -> usize {
        self.requests.len() + self.deferred.len()
    }
}

/// One HTTP request and what to check and keep from its response.
#[derive(Debug)]
pub struct Request {
    pub name: String,
    /// An identifier other requests refer to (letters, digits, `_`).
    pub id: Option<String>,
    /// Where the request starts in its file.
    pub loc: Loc,
    pub method: String,
    pub url: Tpl,
    pub headers: Vec<(String, Tpl)>,
    pub query: Vec<(String, Tpl)>,
    /// Boxed, as `auth`: most requests have neither, and inline they weighed on every
    /// request held (memory is per defined request: BENCHMARKS.md, Memory).
    pub body: Option<Box<Body>>,
    pub auth: Option<Box<Auth>>,
    /// Off by default: auth flows need to see the `Location` of a redirect. When
    /// `templated.follow_redirects` is set, that replaces this value (see `Templated`).
    pub follow_redirects: bool,
    /// When `templated.timeout` is set, that replaces this value (see `Templated`).
    pub timeout: Option<Duration>,
    /// `follow_redirects:` / `timeout:` written as templates (`<<follow>>`, for data rows):
    /// the runner renders them per run (`Request::render_follow_redirects`,
    /// `Request::render_timeout`). Boxed: almost no request has one.
    pub templated: Option<Box<Templated>>,
    /// Whether the request wrote `follow_redirects:` itself, so that a default does not
    /// replace its own `false` (`bool` alone cannot tell "not set" from `false`).
    pub own_follow_redirects: bool,
    pub expect: Expectations,
    pub capture: Vec<Capture>,
    pub skip: bool,
    pub tags: Vec<String>,
    /// Attempts until the expectations hold (`retry: { count, interval_ms }`).
    pub retry: Option<Retry>,
    /// Wait before sending (`delay_ms`).
    pub delay: Option<Duration>,
    /// An `oauth2:` request: the flow builds the HTTP itself (`method`/`url` then describe
    /// its token endpoint for reports).
    pub oauth2: Option<std::sync::Arc<crate::oauth::spec::OAuth2>>,
    /// `cookies: false`: the request neither sends the file's cookies nor keeps those it is
    /// given (`None`: not written, the `defaults:` value or true).
    pub cookies: Option<bool>,
    /// `clear_cookies: true`: the file's jar is emptied before the request is sent.
    pub clear_cookies: bool,
    /// `save_body: path`: the response body written there (relative to the file the
    /// request is written in), templated. Boxed: few requests have one.
    pub save_body: Option<Box<Tpl>>,
    /// Set on the requests inlined by `include:`: the `with:` variables they alone see, and
    /// where they were included (for reports and diagnostics).
    pub included: Option<std::sync::Arc<Included>>,
    /// `client_cert:` (its own, else the `defaults:` one): the certificate it presents.
    pub client_cert: Option<std::sync::Arc<super::client_cert::ClientCertSpec>>,
}

/// What an `include:` gives the requests it inlines.
#[derive(Debug)]
pub struct Included {
    /// The including file and the line of its `include:` item.
    pub from: Arc<SourceFile>,
    pub loc: Loc,
    /// The included file: the request's own `loc` (and its expectations' and captures')
    /// are places in this file, not in the collection's.
    pub file: Arc<SourceFile>,
    /// `with:`, then the included file's own `vars:` (below `with:`): a layer above the
    /// including file's scope, seen only by the included requests. Captures of included
    /// requests go to the including file's scope.
    pub with: Vec<VarDef>,
}

/// Scalars of a request written as templates, rendered by the runner when it runs the
/// request (each data row may give another value). An invalid rendered value is an error
/// of the request, worded by the `render_*` methods of `Request`.
#[derive(Debug, Clone, Default)]
pub struct Templated {
    pub follow_redirects: Option<Tpl>,
    pub timeout: Option<Tpl>,
    pub skip: Option<Tpl>,
    pub delay: Option<Tpl>,
}

impl Request {
    /// Whether to follow redirects, `render` giving the text of a template (the run's
    /// scope); `Err` is the message for an invalid rendered value.
    pub fn render_follow_redirects(
        &self,
        render: &mut dyn FnMut(&Tpl) -> Result<String, String>,
    ) -> Result<bool, String> {
        match self
            .templated
            .as_ref()
            .and_then(|t| t.follow_redirects.as_ref())
        {
            None => Ok(self.follow_redirects),
            Some(t) => parse_follow_redirects(&render(t)?),
        }
    }

    /// Whether the request is skipped (`skip: <<row_skips>>`), as `render_follow_redirects`.
    pub fn render_skip(
        &self,
        render: &mut dyn FnMut(&Tpl) -> Result<String, String>,
    ) -> Result<bool, String> {
        match self.templated.as_ref().and_then(|t| t.skip.as_ref()) {
            None => Ok(self.skip),
            Some(t) => {
                let text = render(t)?;
                parse_follow_redirects(&text)
                    .map_err(|_| format!("`skip` rendered as `{text}`: expected true or false"))
            }
        }
    }

    /// The wait before sending (`delay_ms: <<pause>>`), as `render_follow_redirects`.
    pub fn render_delay(
        &self,
        render: &mut dyn FnMut(&Tpl) -> Result<String, String>,
    ) -> Result<Option<Duration>, String> {
        match self.templated.as_ref().and_then(|t| t.delay.as_ref()) {
            None => Ok(self.delay),
            Some(t) => {
                let text = render(t)?;
                text.trim()
                    .parse::<u64>()
                    .map(|ms| Some(Duration::from_millis(ms)))
                    .map_err(|_| {
                        format!(
                            "`delay_ms` rendered as `{text}`: expected a number of milliseconds"
                        )
                    })
            }
        }
    }

    /// The request's timeout, as `render_follow_redirects`.
    pub fn render_timeout(
        &self,
        render: &mut dyn FnMut(&Tpl) -> Result<String, String>,
    ) -> Result<Option<Duration>, String> {
        match self.templated.as_ref().and_then(|t| t.timeout.as_ref()) {
            None => Ok(self.timeout),
            Some(t) => parse_timeout(&render(t)?).map(Some),
        }
    }
}

/// A rendered `follow_redirects:`: `true` or `false` (YAML's spellings of them too).
pub(crate) fn parse_follow_redirects(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "`follow_redirects` rendered as `{text}`: expected true or false"
        )),
    }
}

/// A rendered `timeout:`: a duration such as 30, 30s, 500ms or 2m, more than 0.
pub(crate) fn parse_timeout(text: &str) -> Result<Duration, String> {
    match crate::yaml::read::parse_duration(text) {
        Some(d) if !d.is_zero() => Ok(d),
        Some(_) => Err("`timeout` rendered as 0: it must be more than 0".into()),
        None => Err(format!(
            "`timeout` rendered as `{text}`: expected a duration such as 30, 30s, 500ms or 2m"
        )),
    }
}

/// Retries of a request: `count` more attempts, `interval` apart.
#[derive(Debug, Clone)]
pub struct Retry {
    pub count: u32,
    pub interval: Duration,
}

#[derive(Debug)]
pub enum Body {
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, Tpl)>),
    Json(JsonTpl),
    /// Raw text with an optional content type (else the request's header, else text/plain).
    Raw {
        text: Tpl,
        content_type: Option<Tpl>,
    },
    Multipart(Vec<Part>),
    /// The bytes of a file, path relative to the collection.
    File {
        path: Tpl,
        content_type: Option<Tpl>,
    },
}

#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub value: PartValue,
}

#[derive(Debug)]
pub enum PartValue {
    Text(Tpl),
    File {
        path: Tpl,
        filename: Option<Tpl>,
        content_type: Option<Tpl>,
    },
}

#[derive(Debug, Clone)]
pub enum Auth {
    /// RFC 7617 Basic: `user:password` in base64.
    Basic {
        username: Tpl,
        password: Tpl,
    },
    Bearer(Tpl),
    /// The access token of the `oauth2` request with this id, refreshed when it expires.
    OAuth2 {
        id: String,
        loc: Loc,
    },
    /// OAuth 1.0a (RFC 5849): the request signed as it is sent.
    OAuth1(Box<OAuth1>),
}

/// `auth: { oauth1: { ... } }`: what signs a request; the secrets are templates rendered
/// (and registered with the redactor) at each send.
#[derive(Debug, Clone)]
pub struct OAuth1 {
    pub consumer_key: Tpl,
    pub consumer_secret: Tpl,
    pub token: Option<Tpl>,
    pub token_secret: Option<Tpl>,
    pub(crate) method: crate::http::oauth1::SignatureMethod,
    pub(crate) placement: crate::http::oauth1::Placement,
    pub realm: Option<Tpl>,
    pub callback: Option<Tpl>,
    pub verifier: Option<Tpl>,
}

impl OAuth1 {
    /// Every template, in the order the keys are documented.
    pub fn templates<'a>(&'a self, out: &mut Vec<&'a Tpl>) {
        out.extend([&self.consumer_key, &self.consumer_secret]);
        out.extend(self.token.iter().chain(&self.token_secret));
        out.extend(
            self.realm
                .iter()
                .chain(&self.callback)
                .chain(&self.verifier),
        );
    }
}

/// The methods that may be written as a key: `POST: url`.
pub(crate) const METHOD_KEYS: &[&str] =
    &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl JsonTpl {
    /// Every template inside the value.
    pub fn templates<'a>(&'a self, out: &mut Vec<&'a Tpl>) {
        match self {
            JsonTpl::Value(_) => {}
            JsonTpl::Str(t) => out.push(t),
            JsonTpl::Array(items) => items.iter().for_each(|i| i.templates(out)),
            JsonTpl::Object(entries) => entries.iter().for_each(|(_, v)| v.templates(out)),
        }
    }
}

impl Request {
    /// Every template the request renders, in the order they appear.
    pub fn templates(&self) -> Vec<&Tpl> {
        let mut out = self.send_templates();
        // Rendered once the response is in, before the request's own captures.
        out.extend(self.save_body.as_deref());
        crate::expect::templates(&self.expect, &mut out);
        out
    }

    /// The templates rendered to send the request (its expectations are rendered after
    /// its captures, and may read them).
    pub fn send_templates(&self) -> Vec<&Tpl> {
        let mut out = vec![&self.url];
        out.extend(self.query.iter().map(|(_, v)| v));
        out.extend(self.headers.iter().map(|(_, v)| v));
        match self.auth.as_deref() {
            Some(Auth::Basic { username, password }) => out.extend([username, password]),
            Some(Auth::Bearer(t)) => out.push(t),
            Some(Auth::OAuth1(o)) => o.templates(&mut out),
            Some(Auth::OAuth2 { .. }) | None => {}
        }
        match self.body.as_deref() {
            Some(Body::Form(fields)) => out.extend(fields.iter().map(|(_, v)| v)),
            Some(Body::Json(v)) => v.templates(&mut out),
            Some(Body::Raw { text, content_type }) => {
                out.extend(std::iter::once(text).chain(content_type));
            }
            Some(Body::File { path, content_type }) => {
                out.extend(std::iter::once(path).chain(content_type));
            }
            Some(Body::Multipart(parts)) => {
                for p in parts {
                    match &p.value {
                        PartValue::Text(t) => out.push(t),
                        PartValue::File {
                            path,
                            filename,
                            content_type,
                        } => out.extend(std::iter::once(path).chain(filename).chain(content_type)),
                    }
                }
            }
            None => {}
        }
        if let Some(o) = &self.oauth2 {
            out.extend(o.templates());
        }
        if let Some(c) = &self.client_cert {
            out.extend(c.templates());
        }
        if let Some(t) = &self.templated {
            out.extend(
                t.follow_redirects
                    .iter()
                    .chain(t.timeout.iter())
                    .chain(t.skip.iter())
                    .chain(t.delay.iter()),
            );
        }
        out
    }
}
