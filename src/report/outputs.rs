//! Which reports a run writes besides the console, and the reporters that make them: the
//! document collector behind `--junit`, `--json FILE` and `--html`, NDJSON for `--json -`,
//! annotations under GitHub Actions. `app` writes the files; nothing here does.

use super::doc::{Collector, DocHandle, RunDoc};
use super::github::Annotations;
use super::json::Ndjson;
use super::{html, json, junit};
use crate::diag::Diagnostic;
use crate::event::{Fanout, Reporter};
use crate::stdio::Quiet;
use std::path::{Path, PathBuf};

/// The plain form of `--junit`, `--json` and `--html`.
#[derive(Debug, Clone, Default)]
pub struct ReportFiles {
    pub junit: Option<PathBuf>,
    /// `-`: stream the events as NDJSON to stdout (for `run`) or the document (for `merge`).
    pub json: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

impl ReportFiles {
    /// `--json -`: stdout is for JSON, so the console goes to stderr.
    pub fn json_to_stdout(&self) -> bool {
        self.json.as_deref().is_some_and(is_stdout)
    }

    /// True when some report needs the whole run's document.
    pub fn wants_document(&self) -> bool {
        self.junit.is_some()
            || self.html.is_some()
            || self.json.as_deref().is_some_and(|p| !is_stdout(p))
    }

    pub fn is_empty(&self) -> bool {
        self.junit.is_none() && self.json.is_none() && self.html.is_none()
    }

    /// Usage problems: only `--json` may write to stdout.
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (flag, path) in [("--junit", &self.junit), ("--html", &self.html)] {
            if path.as_deref().is_some_and(is_stdout) {
                problems.push(
                    Diagnostic::error(format!("{flag} -: only --json can write to stdout"))
                        .help(format!("give a file: {flag} report.{}", &flag[2..])),
                );
            }
        }
        problems
    }

    /// The files to write, each with its contents or why it cannot be made; `--json -`
    /// is not among them. One report that cannot be made does not stop the others.
    pub fn render(&self, doc: &RunDoc) -> Vec<(PathBuf, Result<Vec<u8>, String>)> {
        let mut out = Vec::new();
        if let Some(path) = &self.junit {
            let xml = junit::render(doc).map_err(|e| format!("cannot make the JUnit report: {e}"));
            out.push((path.clone(), xml));
        }
        if let Some(path) = self.json.as_ref().filter(|p| !is_stdout(p)) {
            out.push((path.clone(), Ok(json::document(doc))));
        }
        if let Some(path) = &self.html {
            out.push((path.clone(), Ok(html::render(doc).into_bytes())));
        }
        out
    }

    /// The option that names `path`, for messages (`--junit`).
    pub fn flag_of(&self, path: &Path) -> &'static str {
        if self.junit.as_deref() == Some(path) {
            "--junit"
        } else if self.html.as_deref() == Some(path) {
            "--html"
        } else {
            "--json"
        }
    }
}

fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The console and every report's reporter, fed the same events, and the handle of the
/// document when a report needs it. Under `--json -` annotations go to stderr, with the
/// console, so that stdout stays NDJSON (GitHub reads workflow commands from both).
pub(crate) fn reporters(
    files: &ReportFiles,
    console: Box<dyn Reporter>,
    github: bool,
) -> (Fanout, Option<DocHandle>) {
    let mut all: Vec<Box<dyn Reporter>> = vec![console];
    if files.json_to_stdout() {
        all.push(Box::new(Ndjson::new(Box::new(Quiet::stdout()))));
    }
    if github {
        let out: Box<dyn std::io::Write + Send> = if files.json_to_stdout() {
            Box::new(Quiet::stderr())
        } else {
            Box::new(Quiet::stdout())
        };
        all.push(Box::new(Annotations::new(out)));
    }
    let handle = files.wants_document().then(|| {
        let (collector, handle) = Collector::new();
        all.push(Box::new(collector));
        handle
    });
    (Fanout(all), handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_may_go_to_stdout() {
        let files = ReportFiles {
            junit: Some("-".into()),
            json: Some("-".into()),
            html: None,
        };
        assert!(files.json_to_stdout());
        let problems = files.check();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("--junit -"));
    }
}
