//! What a request would send, worked out by `baton check` wherever a value does not wait
//! on an earlier response (literal text, or variables the run starts with): its URL,
//! header values, body files and `private_key_jwt` key, refused with the messages and
//! places the run gives when it renders or reads them.

use crate::collection::model::{Body, PartValue, Request};
use crate::diag::Diagnostic;
use crate::oauth::spec::{ClientAuth, private_key_pem};
use crate::sendable::{body_file_problem, header_value_problem, url_problem};
use crate::template::Tpl;
use std::path::Path;

/// Problems of what `req` would send. `value` is a template's value when it can be known
/// now; `base_dir` is the collection's directory.
pub(super) fn check(
    req: &Request,
    value: &dyn Fn(&Tpl) -> Option<String>,
    base_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) {
    // An oauth2 request's `url` only names its endpoint in reports; its flow checks its own.
    if req.oauth2.is_none()
        && let Some(problem) = value(&req.url).and_then(|u| url_problem(&u))
    {
        problems.push(Diagnostic::error(problem).at(&req.url.file, req.url.loc));
    }
    for (name, v) in &req.headers {
        if let Some(problem) = value(v).and_then(|text| header_value_problem(name, &text)) {
            problems.push(Diagnostic::error(problem).at(&v.file, v.loc));
        }
    }
    let mut paths: Vec<&Tpl> = Vec::new();
    match req.body.as_deref() {
        Some(Body::File { path, .. }) => paths.push(path),
        Some(Body::Multipart(parts)) => paths.extend(parts.iter().filter_map(|p| match &p.value {
            PartValue::File { path, .. } => Some(path),
            PartValue::Text(_) => None,
        })),
        _ => {}
    }
    for path in paths {
        let Some(rel) = value(path) else { continue };
        if let Some(problem) = body_file_problem(&base_dir.join(&rel), &rel) {
            problems.push(
                Diagnostic::error(problem)
                    .at(&path.file, path.loc)
                    .help("file paths are relative to the collection file"),
            );
        }
    }
    if let Some(spec) = &req.oauth2
        && spec.client_auth() == ClientAuth::PrivateKeyJwt
        && let Some(key) = &spec.private_key
        && let Some(rendered) = value(key)
        && let Err(d) = private_key_pem(key, &rendered, base_dir)
    {
        problems.push(d);
    }
    if let Some(dpop) = req.oauth2.as_ref().and_then(|s| s.dpop.as_ref())
        && let Some(key) = &dpop.key
        && let Some(rendered) = value(key)
        && let Err(d) = crate::oauth::dpop::key_file(dpop.alg, key, &rendered, base_dir)
    {
        problems.push(d);
    }
}
