//! The files a request reads when it is sent (body files, multipart files, the private key
//! of `private_key_jwt`), checked by `baton check` where their paths are written literally:
//! with the messages and places the run gives when it reads them.

use crate::collection::model::{Body, PartValue, Request};
use crate::collection::sendable::body_file_problem;
use crate::diag::Diagnostic;
use crate::oauth::spec::{ClientAuth, private_key_pem};
use crate::template::Tpl;
use std::path::Path;

/// Problems of the files `req` reads, relative to `base_dir` (the collection's directory).
pub fn check(req: &Request, base_dir: &Path, problems: &mut Vec<Diagnostic>) {
    let mut paths: Vec<&Tpl> = Vec::new();
    match req.body.as_deref() {
        Some(Body::File { path, .. }) => paths.push(path),
        Some(Body::Multipart(parts)) => paths.extend(parts.iter().filter_map(|p| match &p.value {
            PartValue::File { path, .. } => Some(path),
            PartValue::Text(_) => None,
        })),
        _ => {}
    }
    for path in paths.into_iter().filter(|p| p.is_literal()) {
        if let Some(problem) = body_file_problem(&base_dir.join(&*path.text), &path.text) {
            problems.push(
                Diagnostic::error(problem)
                    .at(&path.file, path.loc)
                    .help("file paths are relative to the collection file"),
            );
        }
    }
    if let Some(spec) = &req.oauth2
        && spec.client_auth() == ClientAuth::PrivateKeyJwt
        && let Some(key) = spec.private_key.as_ref().filter(|k| k.is_literal())
        && let Err(d) = private_key_pem(key, &key.text, base_dir)
    {
        problems.push(d);
    }
}
