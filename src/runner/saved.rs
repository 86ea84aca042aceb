//! Response bodies written to files: `--output DIR` saves every request's as
//! `DIR/<collection path without .yaml>/<NN>-<request name>[.iter-K].<ext>` (NN its
//! position in the file, K the iteration with `--data`/`--iterations`, the extension from
//! the content type), and a request's `save_body: path` (templated, relative to the file it
//! is written in) saves its own. Bodies are written as the server sent them (decoded from
//! gzip/br/deflate), atomically; a retried request's file holds its last attempt. A body
//! holding a token is written in clear, as `curl -o` and Hurl's `--output` do: that is the
//! point of saving it, and the console's masking is for what people read over a shoulder.

use super::report::Finding;
use super::request::Exchange;
use super::{FileRun, Runner};
use crate::collection::model::Request;
use std::path::{Component, Path, PathBuf};

impl Runner<'_> {
    /// Write the judged response's body where `--output` and `save_body:` say; what cannot
    /// be written is a finding of the request (it fails, the run goes on).
    pub(super) fn save_bodies(&self, st: &FileRun, index: usize, req: &Request, ex: &mut Exchange) {
        let Some(hop) = ex.judged.and_then(|i| ex.hops.get(i)) else {
            return;
        };
        let mut findings = Vec::new();
        let body = &hop.response.body;
        let mut writes: Vec<(PathBuf, crate::diag::Loc)> = Vec::new();
        if let Some(dir) = &self.options.output {
            let ext = extension(hop.response.header("content-type"));
            let path = dir
                .join(collection_dir(&st.collection.file.display()))
                .join(file_name(index, &req.name, st.iteration, ext));
            writes.push((path, req.loc));
        }
        if let Some(tpl) = &req.save_body {
            match self.inputs.templates.render(tpl, &st.scope) {
                Ok(path) if path.trim().is_empty() => {
                    findings.push(Finding::Save {
                        message: "`save_body` rendered as an empty path".into(),
                        loc: tpl.loc,
                    });
                }
                Ok(path) => writes.push((st.base_dir_of(req).join(path.trim()), tpl.loc)),
                Err(e) => findings.push(Finding::Save {
                    message: format!("`save_body`: {e}"),
                    loc: tpl.loc,
                }),
            }
        }
        for (path, loc) in writes {
            if let Err(e) = crate::fsutil::write_atomic(&path, body, false) {
                findings.push(Finding::Save {
                    message: format!(
                        "cannot save the response body to {}: {}",
                        crate::diag::display_path(&path),
                        crate::fsutil::io_reason(&e)
                    ),
                    loc,
                });
            }
        }
        ex.findings.extend(findings);
    }
}

/// `collections/auth.yaml` as the folder of its bodies: `collections/auth`, each part made
/// safe, `..` and roots left out so that nothing is written outside DIR.
fn collection_dir(file: &str) -> PathBuf {
    let path = Path::new(file).with_extension("");
    let mut out = PathBuf::new();
    for c in path.components() {
        if let Component::Normal(part) = c {
            out.push(slug(&part.to_string_lossy(), false));
        }
    }
    if out.as_os_str().is_empty() {
        out.push("collection");
    }
    out
}

/// `01-get-token.json`, `03-login-alice.iter-2.json`.
fn file_name(index: usize, name: &str, iteration: Option<usize>, ext: &str) -> String {
    let name = match slug(name, true) {
        s if s.is_empty() => "request".to_string(),
        s => s,
    };
    let iteration = iteration
        .map(|i| format!(".iter-{}", i + 1))
        .unwrap_or_default();
    format!("{:02}-{name}{iteration}.{ext}", index + 1)
}

/// Letters, digits, `.` `_` `-` kept (lower-cased for request names), every other run of
/// characters one `-`; at most 60 characters; never `.` or `..`.
fn slug(text: &str, lower: bool) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') || (c == '-' && !out.ends_with('-'))
        {
            out.push(if lower { c.to_ascii_lowercase() } else { c });
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if out.chars().all(|c| c == '.') {
        String::new()
    } else {
        out
    }
}

/// The extension a content type calls for; `bin` when there is none or it is unknown.
fn extension(content_type: Option<&str>) -> &'static str {
    let Some(ct) = content_type else {
        return "bin";
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        m if m.ends_with("/json") || m.ends_with("+json") => "json",
        m if m.ends_with("/xml") || (m.ends_with("+xml") && m != "image/svg+xml") => "xml",
        "image/svg+xml" => "svg",
        "text/html" => "html",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/css" => "css",
        "text/javascript" | "application/javascript" => "js",
        "application/x-www-form-urlencoded" => "txt",
        "application/jwt" => "jwt",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        m if m.starts_with("text/") => "txt",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_unique_per_iteration() {
        assert_eq!(file_name(0, "Get token", None, "json"), "01-get-token.json");
        assert_eq!(
            file_name(11, "login <<user>>", Some(1), "json"),
            "12-login-user.iter-2.json"
        );
        assert_eq!(
            file_name(2, "../../etc/passwd", None, "txt"),
            "03-etc-passwd.txt"
        );
        assert_eq!(file_name(0, "✓✓", None, "bin"), "01-request.bin");
        assert_eq!(
            collection_dir("collections/auth.yaml"),
            PathBuf::from("collections/auth")
        );
        assert_eq!(collection_dir("../up/a b.yaml"), PathBuf::from("up/a-b"));
        assert_eq!(collection_dir("/abs/x.yml"), PathBuf::from("abs/x"));
    }

    #[test]
    fn extensions_follow_the_content_type() {
        assert_eq!(extension(Some("application/json; charset=utf-8")), "json");
        assert_eq!(extension(Some("application/problem+json")), "json");
        assert_eq!(extension(Some("text/html")), "html");
        assert_eq!(extension(Some("image/svg+xml")), "svg");
        assert_eq!(extension(Some("application/soap+xml")), "xml");
        assert_eq!(extension(Some("text/x-log")), "txt");
        assert_eq!(extension(Some("application/octet-stream")), "bin");
        assert_eq!(extension(None), "bin");
    }
}
