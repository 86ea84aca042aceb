//! Turning a request of the model into the exact HTTP request to send: templates rendered,
//! query appended, auth and body encoded (form, JSON, raw, multipart, file).

use super::vars::render_json_tpl;
use crate::collection::model::{Auth, Body, OAuth1, PartValue, Request};
use crate::diag::Diagnostic;
use crate::http::Prepared;
use crate::secret::{Redactor, Secret};
use crate::template::{RenderFail, Scope, Templates, Tpl};
use std::path::Path;

pub(crate) struct Ctx<'a> {
    templates: &'a Templates,
    scope: &'a Scope,
}

impl Ctx<'_> {
    fn render(&self, tpl: &Tpl) -> Result<String, RenderFail> {
        self.templates
            .render(tpl, self.scope)
            .map_err(|e| RenderFail::new(tpl, e))
    }
}

pub(crate) fn prepare(
    req: &Request,
    templates: &Templates,
    scope: &Scope,
    redactor: &mut Redactor,
    base_dir: &Path,
) -> Result<Prepared, RenderFail> {
    let cx = Ctx { templates, scope };
    let mut url = cx.render(&req.url)?;
    // Refused here, at the URL's line, rather than by the client at the request's.
    if let Some(problem) = crate::sendable::rendered_url_problem(&url) {
        return Err(RenderFail {
            diagnostic: Diagnostic::error(redactor.redact(&problem).into_owned())
                .at(&req.url.file, req.url.loc),
            missing: None,
        });
    }
    if !req.query.is_empty() {
        let mut pairs = Vec::new();
        for (k, v) in &req.query {
            pairs.push((k.clone(), cx.render(v)?));
        }
        url = append_query(&url, &pairs).map_err(|reason| RenderFail {
            diagnostic: Diagnostic::error(format!(
                "invalid URL `{}`: {reason}",
                redactor.redact(&url)
            ))
            .at(&req.url.file, req.url.loc),
            missing: None,
        })?;
    }
    redactor.add_userinfo(&url);
    let mut headers = Vec::new();
    for (k, v) in &req.headers {
        let value = cx.render(v)?;
        // Refused here, at the header's line, rather than by the client at the request's.
        if let Some(problem) = crate::sendable::header_value_problem(k, &value) {
            return Err(RenderFail {
                diagnostic: Diagnostic::error(problem).at(&v.file, v.loc),
                missing: None,
            });
        }
        headers.push((k.clone(), value));
    }
    let mut signer = None;
    match req.auth.as_deref() {
        Some(Auth::OAuth1(o)) => {
            signer = Some(std::sync::Arc::new(oauth1_signer(&cx, o, redactor)?));
        }
        Some(Auth::Basic { username, password }) => {
            let (u, p) = (cx.render(username)?, cx.render(password)?);
            redactor.add_basic(&u, &p);
            headers.push((
                "authorization".into(),
                format!("Basic {}", crate::template::base64(&format!("{u}:{p}"))),
            ));
        }
        Some(Auth::Bearer(token)) => {
            let t = cx.render(token)?;
            redactor.add(&t);
            headers.push(("authorization".into(), format!("Bearer {t}")));
        }
        Some(Auth::OAuth2 { id, loc }) => {
            let token = scope
                .get(id)
                .and_then(|v| v.get_attr("access_token").ok())
                .and_then(|v| v.as_str().map(str::to_string));
            let Some(t) = token else {
                return Err(RenderFail {
                    diagnostic: Diagnostic::error(format!(
                        "request `{id}` has no access token to use"
                    ))
                    .at(&req.url.file, *loc),
                    missing: Some(id.clone()),
                });
            };
            redactor.add(&t);
            headers.push(("authorization".into(), format!("Bearer {t}")));
        }
        None => {}
    }
    let body = match req.body.as_deref() {
        None => None,
        Some(body) => {
            let (bytes, content_type) = encode_body(&cx, body, base_dir)?;
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                && let Some(ct) = content_type
            {
                headers.push(("content-type".into(), ct));
            }
            Some(bytes)
        }
    };
    let (follow_redirects, timeout) = scalars(req, &cx)?;
    let mut prepared = Prepared {
        method: req.method.clone(),
        url,
        headers,
        body,
        timeout,
        follow_redirects,
        oauth1: signer,
        dpop: None,
        client_cert: None,
    };
    // Signed last: the signature covers the final URL and form body.
    if let Some(s) = prepared.oauth1.clone() {
        s.sign(&mut prepared).map_err(|problem| RenderFail {
            diagnostic: Diagnostic::error(redactor.redact(&problem).into_owned())
                .at(&req.url.file, req.url.loc),
            missing: None,
        })?;
    }
    Ok(prepared)
}

/// The rendered credentials of `auth: { oauth1 }`; every secret among them is masked in
/// every output from here on.
fn oauth1_signer(
    cx: &Ctx,
    o: &OAuth1,
    redactor: &mut Redactor,
) -> Result<crate::http::oauth1::Signer, RenderFail> {
    let opt = |t: &Option<Tpl>| t.as_ref().map(|t| cx.render(t)).transpose();
    let consumer_secret = cx.render(&o.consumer_secret)?;
    let token = opt(&o.token)?;
    let token_secret = opt(&o.token_secret)?;
    for s in [
        Some(&consumer_secret),
        token.as_ref(),
        token_secret.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        redactor.add(s);
    }
    if o.method == crate::http::oauth1::SignatureMethod::Plaintext {
        // The PLAINTEXT signature is the secrets themselves, joined as one value.
        let encode = crate::http::oauth1::encode;
        redactor.add(&format!(
            "{}&{}",
            encode(&consumer_secret),
            encode(token_secret.as_deref().unwrap_or_default())
        ));
    }
    Ok(crate::http::oauth1::Signer {
        consumer_key: cx.render(&o.consumer_key)?,
        consumer_secret: Secret::new(consumer_secret),
        token: token.map(Secret::new),
        token_secret: token_secret.map(Secret::new),
        method: o.method,
        placement: o.placement,
        realm: opt(&o.realm)?,
        callback: opt(&o.callback)?,
        verifier: opt(&o.verifier)?,
        version: true,
    })
}

/// `follow_redirects` and `timeout`, rendered when written as templates (`<<follow>>`
/// from a data row): a value that is not one is the request's input error, at its line.
pub(crate) fn scalars(
    req: &Request,
    cx: &Ctx,
) -> Result<(bool, Option<std::time::Duration>), RenderFail> {
    rendered(cx, |render| {
        let follow = req.render_follow_redirects(render)?;
        Ok((follow, req.render_timeout(render)?))
    })
}

/// `skip` and `delay_ms`, rendered when written as templates: whether the request is
/// skipped, and how long to wait before sending it.
pub(crate) fn before_sending(
    req: &Request,
    templates: &Templates,
    scope: &Scope,
) -> Result<(bool, Option<std::time::Duration>), RenderFail> {
    let cx = Ctx { templates, scope };
    rendered(&cx, |render| {
        let skip = req.render_skip(render)?;
        Ok((skip, req.render_delay(render)?))
    })
}

/// What `values` reads through a template renderer; its failure as the request's input
/// error: the template's own (an undefined variable), or the words of `values` for a
/// rendered text that is not a value, placed at the template.
fn rendered<T>(
    cx: &Ctx,
    values: impl FnOnce(&mut dyn FnMut(&Tpl) -> Result<String, String>) -> Result<T, String>,
) -> Result<T, RenderFail> {
    let mut failed: Option<RenderFail> = None;
    let mut at = None;
    let mut render = |tpl: &Tpl| {
        at = Some((tpl.file.clone(), tpl.loc));
        cx.render(tpl).map_err(|f| {
            let message = f.diagnostic.message.clone();
            failed = Some(f);
            message
        })
    };
    values(&mut render).map_err(|message| {
        failed.unwrap_or_else(|| {
            let mut d = Diagnostic::error(message);
            if let Some((file, loc)) = at {
                d = d.at(&file, loc);
            }
            RenderFail {
                diagnostic: d,
                missing: None,
            }
        })
    })
}

/// The request's time limit for a flow (an oauth2 request): its `timeout`, rendered when
/// it is a template; one that does not render leaves the run's.
pub(crate) fn timeout_of(
    req: &Request,
    templates: &Templates,
    scope: &Scope,
) -> Option<std::time::Duration> {
    let cx = Ctx { templates, scope };
    scalars(req, &cx).map_or(req.timeout, |(_, t)| t)
}

fn append_query(url: &str, pairs: &[(String, String)]) -> Result<String, String> {
    let mut parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    {
        let mut q = parsed.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    Ok(parsed.to_string())
}

fn encode_body(
    cx: &Ctx,
    body: &Body,
    base_dir: &Path,
) -> Result<(Vec<u8>, Option<String>), RenderFail> {
    Ok(match body {
        Body::Form(fields) => {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                s.append_pair(k, &cx.render(v)?);
            }
            (
                s.finish().into_bytes(),
                Some("application/x-www-form-urlencoded".into()),
            )
        }
        Body::Json(value) => {
            let v = render_json_tpl(value, cx.templates, cx.scope)
                .map_err(|(t, e)| RenderFail::new(&t, e))?;
            (
                serde_json::to_vec(&v).unwrap_or_default(),
                Some("application/json".into()),
            )
        }
        Body::Raw { text, content_type } => {
            let ct = match content_type {
                Some(c) => Some(cx.render(c)?),
                None => Some("text/plain; charset=utf-8".into()),
            };
            (cx.render(text)?.into_bytes(), ct)
        }
        Body::File { path, content_type } => {
            let (bytes, guessed) = read_file(cx, path, base_dir)?;
            let ct = match content_type {
                Some(c) => cx.render(c)?,
                None => guessed,
            };
            (bytes, Some(ct))
        }
        Body::Multipart(parts) => {
            let boundary = format!("baton-{}", uuid::Uuid::new_v4().simple());
            let mut out = Vec::new();
            for part in parts {
                out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                match &part.value {
                    PartValue::Text(t) => {
                        out.extend_from_slice(
                            format!(
                                "content-disposition: form-data; name=\"{}\"\r\n\r\n",
                                quote(&part.name)
                            )
                            .as_bytes(),
                        );
                        out.extend_from_slice(cx.render(t)?.as_bytes());
                    }
                    PartValue::File {
                        path,
                        filename,
                        content_type,
                    } => {
                        let (bytes, guessed) = read_file(cx, path, base_dir)?;
                        let name = match filename {
                            Some(f) => cx.render(f)?,
                            None => Path::new(&cx.render(path)?)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                        };
                        let ct = match content_type {
                            Some(c) => cx.render(c)?,
                            None => guessed,
                        };
                        out.extend_from_slice(
                            format!("content-disposition: form-data; name=\"{}\"; filename=\"{}\"\r\ncontent-type: {ct}\r\n\r\n", quote(&part.name), quote(&name)).as_bytes(),
                        );
                        out.extend_from_slice(&bytes);
                    }
                }
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            (
                out,
                Some(format!("multipart/form-data; boundary={boundary}")),
            )
        }
    })
}

fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn read_file(cx: &Ctx, path: &Tpl, base_dir: &Path) -> Result<(Vec<u8>, String), RenderFail> {
    let rel = cx.render(path)?;
    let full = base_dir.join(&rel);
    let unreadable = |problem: String| RenderFail {
        diagnostic: Diagnostic::error(problem)
            .at(&path.file, path.loc)
            .help("file paths are relative to the collection file"),
        missing: None,
    };
    // A directory, or a device that never ends (/dev/zero), is refused before reading.
    if let Some(problem) = crate::sendable::body_file_problem(&full, &rel) {
        return Err(unreadable(problem));
    }
    let bytes = crate::fsutil::read(&full, crate::fsutil::MAX_BODY).map_err(|e| {
        unreadable(format!(
            "cannot read `{rel}`: {}",
            crate::fsutil::io_reason(&e)
        ))
    })?;
    Ok((bytes, guess_content_type(&rel).to_string()))
}

fn guess_content_type(path: &str) -> &'static str {
    match Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("pdf") => "application/pdf",
        Some("yaml" | "yml") => "application/yaml",
        _ => "application/octet-stream",
    }
}
