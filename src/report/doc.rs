//! The run as one document: the shape of `--json FILE`, built from events by `Collector`,
//! read back by `report merge`, and rendered by the JUnit and HTML reporters.
//!
//! Everything here comes from events, so it is already redacted.

use crate::diag::Diagnostic;
use crate::event::{ErrorKind, Event, HopView, Outcome, Reporter, RequestReport};
use crate::exit;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The version of the document's shape; `report merge` refuses any other.
pub(crate) const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct RunDoc {
    pub version: u32,
    /// The baton that wrote it.
    #[serde(default)]
    pub baton: String,
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: u64,
    pub counts: CountsDoc,
    pub exit_code: i32,
    pub files: Vec<FileDoc>,
}

/// `errors` counts both kinds of error: each request says which in `error_kind`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountsDoc {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FileDoc {
    pub file: String,
    pub name: String,
    /// The iteration (1-based) when the file runs once per data row or `--iterations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration: Option<usize>,
    /// A file of the run needs it: each shard that runs a dependent runs it too, and
    /// `report merge` counts it once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needed: bool,
    /// RFC 3339.
    #[serde(default)]
    pub started_at: String,
    pub duration_ms: u64,
    pub requests: Vec<RequestDoc>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    Passed,
    Failed,
    Error,
    Skipped,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct RequestDoc {
    pub name: String,
    pub method: String,
    pub url: String,
    /// The request's line in its file.
    #[serde(default)]
    pub line: u32,
    pub status: Option<u16>,
    pub outcome: OutcomeKind,
    /// `input` (exit 2) or `network` (exit 3), for `outcome: error` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// Why it was skipped, for `outcome: skipped` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it started, from the start of the run (for the timeline).
    #[serde(default)]
    pub started_ms: u64,
    pub duration_ms: u64,
    /// The failed expectations and captures, or the one error.
    #[serde(default)]
    pub failures: Vec<FailureDoc>,
    #[serde(default)]
    pub captures: serde_json::Map<String, serde_json::Value>,
    /// Only on failure or with `-v`.
    #[serde(default)]
    pub exchange: Vec<ExchangeDoc>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FailureDoc {
    pub message: String,
    /// `file:line:col`.
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The whole diagnostic as the console prints it, without colour.
    pub text: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ExchangeDoc {
    pub request: String,
    pub response: String,
    pub curl: String,
}

impl FailureDoc {
    /// Expectation failures carry `actual: …` as their label and `expected: …` as a note.
    pub fn from_diagnostic(d: &Diagnostic) -> FailureDoc {
        let actual = d
            .label
            .as_deref()
            .and_then(|l| l.strip_prefix("actual: "))
            .map(str::to_string);
        let expected = d
            .notes
            .iter()
            .find_map(|n| n.strip_prefix("expected: "))
            .map(str::to_string);
        FailureDoc {
            message: d.message.clone(),
            location: d.location(),
            expected,
            actual,
            text: d.render(false),
        }
    }
}

impl RequestDoc {
    pub fn from_report(r: &RequestReport, started_ms: u64) -> RequestDoc {
        let (outcome, error_kind, reason, failures) = match &r.outcome {
            Outcome::Passed => (OutcomeKind::Passed, None, None, Vec::new()),
            Outcome::Failed(diags) => (
                OutcomeKind::Failed,
                None,
                None,
                diags.iter().map(FailureDoc::from_diagnostic).collect(),
            ),
            Outcome::Error { diagnostic, kind } => (
                OutcomeKind::Error,
                Some(match kind {
                    ErrorKind::Input => "input".to_string(),
                    ErrorKind::Network => "network".to_string(),
                }),
                None,
                vec![FailureDoc::from_diagnostic(diagnostic)],
            ),
            Outcome::Skipped(why) => (OutcomeKind::Skipped, None, Some(why.clone()), Vec::new()),
        };
        RequestDoc {
            name: r.name.clone(),
            method: r.method.clone(),
            url: r.url.clone(),
            line: r.line,
            status: r.status,
            outcome,
            error_kind,
            reason,
            started_ms,
            duration_ms: millis(r.duration),
            failures,
            captures: r
                .captures
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
            exchange: r.hops.iter().map(exchange).collect(),
        }
    }
}

fn exchange(h: &HopView) -> ExchangeDoc {
    ExchangeDoc {
        request: h.request.clone(),
        response: h.response.clone(),
        curl: h.curl.clone(),
    }
}

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Now, as RFC 3339 with milliseconds and the local offset.
pub(crate) fn now_rfc3339() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// The counts and the exit code that the requests of `files` call for. The exit code's
/// precedence is that of `exit.rs`: invalid input, then a request not made, then a failure.
pub(crate) fn tally(files: &[FileDoc]) -> (CountsDoc, i32) {
    let mut counts = CountsDoc::default();
    let (mut input, mut network) = (false, false);
    for r in files.iter().flat_map(|f| &f.requests) {
        match r.outcome {
            OutcomeKind::Passed => counts.passed += 1,
            OutcomeKind::Failed => counts.failed += 1,
            OutcomeKind::Skipped => {
                counts.skipped += 1;
                // A run cut short by --max-time exits 3, merged or not (`Counts::exit_code`).
                network |= r.reason.as_deref() == Some(crate::event::SKIPPED_BY_MAX_TIME);
            }
            OutcomeKind::Error => {
                counts.errors += 1;
                if r.error_kind.as_deref() == Some("input") {
                    input = true;
                } else {
                    network = true;
                }
            }
        }
    }
    let code = if input {
        exit::INVALID_INPUT
    } else if network {
        exit::REQUEST_FAILED
    } else if counts.failed > 0 {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    };
    (counts, code)
}

/// Builds the document from events. The document stays behind a `DocHandle`, so that the
/// caller can take it once the run is over.
pub(crate) struct Collector {
    shared: Arc<Mutex<Building>>,
}

/// Where the document is taken from after the run.
#[derive(Clone)]
pub(crate) struct DocHandle(Arc<Mutex<Building>>);

struct Building {
    doc: RunDoc,
    run_start: Instant,
    request_start: Instant,
}

impl Collector {
    pub(crate) fn new() -> (Collector, DocHandle) {
        let now = Instant::now();
        let shared = Arc::new(Mutex::new(Building {
            doc: RunDoc {
                version: VERSION,
                baton: env!("CARGO_PKG_VERSION").to_string(),
                started_at: now_rfc3339(),
                duration_ms: 0,
                counts: CountsDoc::default(),
                exit_code: exit::OK,
                files: Vec::new(),
            },
            run_start: now,
            request_start: now,
        }));
        (
            Collector {
                shared: shared.clone(),
            },
            DocHandle(shared),
        )
    }
}

impl DocHandle {
    /// The document as it stands, with `exit_code` (the run's, which may be an interrupt's).
    pub(crate) fn finish(&self, exit_code: i32) -> RunDoc {
        let mut b = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        b.doc.exit_code = exit_code;
        b.doc.clone()
    }
}

impl Reporter for Collector {
    /// Writes nothing: the document is written when the run is over.
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        let mut b = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::RunStarted { .. } => {
                b.run_start = Instant::now();
                b.doc.started_at = now_rfc3339();
            }
            Event::FileStarted {
                file,
                name,
                iteration,
                needed,
                ..
            } => b.doc.files.push(FileDoc {
                file: file.clone(),
                name: name.clone(),
                iteration: iteration.map(|(n, _)| n),
                needed: *needed,
                started_at: now_rfc3339(),
                duration_ms: 0,
                requests: Vec::new(),
            }),
            Event::RequestStarted { .. } => b.request_start = Instant::now(),
            Event::RequestFinished(r) => {
                let started = millis(b.request_start.duration_since(b.run_start));
                let doc = RequestDoc::from_report(r, started);
                if let Some(f) = b.doc.files.iter_mut().rev().find(|f| f.file == r.file) {
                    f.requests.push(doc);
                }
            }
            Event::FileFinished { file, duration, .. } => {
                if let Some(f) = b.doc.files.iter_mut().rev().find(|f| &f.file == file) {
                    f.duration_ms = millis(*duration);
                }
            }
            Event::RunFinished { counts, duration } => {
                b.doc.duration_ms = millis(*duration);
                b.doc.counts = CountsDoc {
                    passed: counts.passed,
                    failed: counts.failed,
                    errors: counts.errors + counts.input_errors,
                    skipped: counts.skipped,
                };
                b.doc.exit_code = counts.exit_code();
            }
            Event::Notice { .. } => {}
        }
        Ok(())
    }
}
