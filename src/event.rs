//! What a run reports: the runner emits these events and never prints; reporters (console,
//! JUnit, JSON) consume them and never call back. Everything in an event is already
//! redacted: a request's report is built in one place, `runner/report.rs`, which masks it.

use crate::diag::Diagnostic;
use std::time::Duration;

#[derive(Debug, Clone)]
pub(crate) enum Event {
    RunStarted {
        files: usize,
        requests: usize,
    },
    FileStarted {
        file: String,
        name: String,
        requests: usize,
        /// `(n, of)` when the file runs once per data row or `--iterations`.
        iteration: Option<(usize, usize)>,
        /// A file of the run needs it (`needs:`): it runs once, before its dependents.
        needed: bool,
    },
    RequestStarted {
        file: String,
        index: usize,
        name: String,
    },
    /// Something the person running baton must see now (a device code to enter, a URL to
    /// open in a browser).
    Notice {
        file: String,
        message: String,
    },
    RequestFinished(Box<RequestReport>),
    FileFinished {
        file: String,
        counts: Counts,
        duration: Duration,
    },
    RunFinished {
        counts: Counts,
        duration: Duration,
    },
}

/// How one request went.
#[derive(Debug, Clone)]
pub struct RequestReport {
    pub file: String,
    pub index: usize,
    pub name: String,
    pub method: String,
    /// The URL as sent, redacted.
    pub url: String,
    pub line: u32,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub duration: Duration,
    /// Request and response of each hop, redacted: filled for `-v` and for failures.
    pub hops: Vec<HopView>,
    /// Values captured, by name, redacted.
    pub captures: Vec<(String, String)>,
    /// A remark on how the request went (a token taken from the cache, the attempt).
    pub note: Option<String>,
    /// The iteration (1-based) when the file runs several times.
    pub iteration: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Passed,
    /// Expectations or captures that did not hold.
    Failed(Vec<Diagnostic>),
    /// The request could not be made or rendered.
    Error {
        diagnostic: Diagnostic,
        kind: ErrorKind,
    },
    Skipped(String),
}

/// Why the requests after the run's deadline were skipped. Such a skip makes the run exit 3:
/// a run cut short by its time limit did not do what it was asked to.
pub(crate) const SKIPPED_BY_MAX_TIME: &str = "--max-time reached";
/// Why the requests after a failure were skipped under `--bail`.
pub(crate) const SKIPPED_BY_BAIL: &str = "--bail: an earlier request failed";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The collection is wrong (an undefined variable, an invalid header): exit 2.
    Input,
    /// The network or server failed (refused, timeout, TLS, body over the cap): exit 3.
    Network,
}

/// One HTTP request and response as text a person reads.
#[derive(Debug, Clone)]
pub struct HopView {
    pub request: String,
    pub response: String,
    /// The equivalent curl command, for reproducing it by hand.
    pub curl: String,
    /// Where the hop's time went (`-vv` only): `dns …, connect …, first byte …, body …`.
    pub timing: Option<String>,
    /// The hop the request is judged on (its own, not a flow's JWKS fetch after it): the
    /// one `reproduce:` shows.
    pub judged: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub input_errors: usize,
    pub skipped: usize,
    /// Of the skipped, those --max-time prevented.
    pub out_of_time: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Error {
                kind: ErrorKind::Network,
                ..
            } => self.errors += 1,
            Outcome::Error {
                kind: ErrorKind::Input,
                ..
            } => self.input_errors += 1,
            Outcome::Skipped(why) => {
                self.skipped += 1;
                if why == SKIPPED_BY_MAX_TIME {
                    self.out_of_time += 1;
                }
            }
        }
    }

    pub(crate) fn merge(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.errors += other.errors;
        self.input_errors += other.input_errors;
        self.skipped += other.skipped;
        self.out_of_time += other.out_of_time;
    }

    /// The exit code these counts call for (see `exit.rs`).
    pub(crate) fn exit_code(&self) -> i32 {
        if self.input_errors > 0 {
            crate::exit::INVALID_INPUT
        } else if self.errors > 0 || self.out_of_time > 0 {
            crate::exit::REQUEST_FAILED
        } else if self.failed > 0 {
            crate::exit::EXPECTATION_FAILED
        } else {
            crate::exit::OK
        }
    }
}

/// Something that consumes events. A write error is returned, not dropped: the caller
/// decides what it means (the runner goes on past a closed stdout, see `runner::tell`).
pub(crate) trait Reporter: Send {
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
}

/// Several reporters fed the same events.
#[derive(Default)]
pub(crate) struct Fanout(pub Vec<Box<dyn Reporter>>);

impl Reporter for Fanout {
    /// Every reporter gets the event, whichever fails; the first error is returned.
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        let mut result = Ok(());
        for r in &mut self.0 {
            let written = r.event(event);
            if result.is_ok() {
                result = written;
            }
        }
        result
    }
}
