//! The one place that redacts: a finished exchange becomes the `RequestReport` an event
//! carries (its URL, hops, captures and diagnostics masked here, and nowhere else in the
//! runner). The stages only teach the redactor the secrets they meet.

use super::request::Exchange;
use super::stop::{Judge, Stop};
use super::{FileRun, Runner, view};
use crate::collection::model::Request;
use crate::diag::Diagnostic;
use crate::diag::Loc;
use crate::event::{Outcome, RequestReport};
use crate::http::Hop;
use crate::secret::{MASK, Redactor, Said};
use std::time::Duration;

/// Something a request's response did not live up to, as found (not yet redacted).
pub(super) enum Finding {
    /// A capture that found nothing, and why.
    Capture {
        name: String,
        loc: Loc,
        why: Said,
    },
    /// The token could not be written to `--save`.
    Store(String),
    /// The body could not be written where `--output` or `save_body:` (at `loc`) says.
    Save {
        message: String,
        loc: Loc,
    },
    /// What the oauth2 flow found wrong after its exchange.
    Problem(String),
    /// An error status without `expect.status`.
    ErrorStatus {
        status: u16,
        hint: String,
    },
    Expectation(crate::expect::Failure),
}

impl Runner<'_> {
    /// The report of a request from what it exchanged and how it ended.
    pub(super) fn report(
        &self,
        st: &FileRun,
        index: usize,
        req: &Request,
        ex: Exchange,
        end: Result<(), Stop>,
    ) -> RequestReport {
        let r = &st.redactor;
        let mut report = unmade(st, index, req, Outcome::Passed);
        report.note = ex.note;
        if let Some(h) = ex.judged.and_then(|i| ex.hops.get(i)) {
            report.status = Some(h.response.status);
            report.duration = total(&ex.hops);
        }
        report.status = report.status.or(ex.status);
        if let Some(url) = &ex.url {
            report.url = r.redact(url).into_owned();
        }
        report.captures = ex
            .captures
            .iter()
            .map(|c| {
                let shown = match c.value.as_str() {
                    _ if c.secret && !r.showing() => MASK.to_string(),
                    Some(text) => text.to_string(),
                    None => c.value.to_string(),
                };
                (c.name.clone(), r.redact(&shown).into_owned())
            })
            .collect();
        let verbose = self.options.verbose;
        let show_hops = match end {
            Ok(()) if ex.findings.is_empty() => verbose,
            Ok(()) => {
                let d = ex.findings.into_iter().map(|f| diagnostic(f, st, req));
                report.outcome = Outcome::Failed(d.collect());
                true
            }
            Err(stop) => {
                if let Stop::Flow(_) = stop {
                    // A flow that stopped: timed as a finished request, shown where it stopped.
                    report.duration = total(&ex.hops);
                    report.url = match ex.hops.last() {
                        Some(h) => r.redact(&h.request.url).into_owned(),
                        None => self
                            .inputs
                            .templates
                            .render(&req.url, &st.scope)
                            .map_or(report.url, |u| r.redact(&u).into_owned()),
                    };
                }
                let show = stop.shows_hops(verbose);
                report.outcome = stop.outcome(&judge(st, req));
                show
            }
        };
        if show_hops {
            let timings = self.options.timings;
            report.hops = ex
                .hops
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mut v = view::hop(h, r);
                    v.timing = timings.then(|| h.response.timing.line());
                    v.judged = ex.judged == Some(i);
                    v
                })
                .collect();
        }
        report
    }
}

/// The report of a request that stopped before it exchanged anything (not made, or cut
/// short): named and placed like any other, its URL as written.
pub(super) fn stopped(st: &FileRun, index: usize, req: &Request, stop: Stop) -> RequestReport {
    unmade(st, index, req, stop.outcome(&judge(st, req)))
}

fn judge<'a>(st: &'a FileRun, req: &'a Request) -> Judge<'a> {
    Judge {
        file: st.source_of(req),
        req,
        redactor: &st.redactor,
        failed_captures: &st.failed_captures,
        unresolved: &st.unresolved,
    }
}

fn unmade(st: &FileRun, index: usize, req: &Request, outcome: Outcome) -> RequestReport {
    let mut report = skipped(&st.collection.file.display(), index, req, None, "");
    report.outcome = outcome;
    report
}

/// The report of a request a stop prevented: named and placed like any other, never sent.
pub(super) fn skipped(
    file: &str,
    index: usize,
    req: &Request,
    iteration: Option<usize>,
    reason: &str,
) -> RequestReport {
    RequestReport {
        file: file.to_string(),
        index,
        name: req.name.clone(),
        method: req.method.clone(),
        url: req.url.text.to_string(),
        line: req.loc.line,
        outcome: Outcome::Skipped(reason.to_string()),
        status: None,
        duration: Duration::ZERO,
        hops: Vec::new(),
        captures: Vec::new(),
        note: None,
        iteration: iteration.map(|i| i + 1),
    }
}

/// The report of a request that could not be read again from its file.
pub(super) fn unreadable(
    file: &str,
    index: usize,
    iteration: Option<usize>,
    diagnostic: Diagnostic,
) -> RequestReport {
    RequestReport {
        file: file.to_string(),
        index,
        name: format!("request {}", index + 1),
        method: String::new(),
        url: String::new(),
        line: diagnostic.loc.line,
        outcome: Outcome::Error {
            diagnostic,
            kind: crate::event::ErrorKind::Input,
        },
        status: None,
        duration: Duration::ZERO,
        hops: Vec::new(),
        captures: Vec::new(),
        note: None,
        iteration: iteration.map(|i| i + 1),
    }
}

fn total(hops: &[Hop]) -> Duration {
    hops.iter().map(|h| h.response.duration).sum()
}

fn diagnostic(f: Finding, st: &FileRun, req: &Request) -> Diagnostic {
    let (file, r): (_, &Redactor) = (st.source_of(req), &st.redactor);
    let oauth_loc = req.oauth2.as_ref().map_or(req.loc, |o| o.loc);
    match f {
        Finding::Capture { name, loc, why } => {
            Diagnostic::error(format!("capture `{name}` failed"))
                .at(file, loc)
                .label("nothing to capture")
                .note(r.said(&why))
        }
        Finding::Store(message) => Diagnostic::error(message),
        Finding::Save { message, loc } => Diagnostic::error(r.redact(&message).into_owned())
            .at(file, loc)
            .label("the body was not saved"),
        Finding::Problem(p) => Diagnostic::error(r.redact(&p).into_owned())
            .at(file, oauth_loc)
            .label("in this oauth2 request"),
        Finding::ErrorStatus { status, hint } => {
            let what = match req.oauth2 {
                Some(_) => "the provider refused the request:",
                None => "status",
            };
            Diagnostic::error(format!("{what} {status}{}", r.redact(&hint)))
                .at(file, oauth_loc)
                .label("this request got an error status")
                .help(format!(
                    "without `expect.status`, 4xx and 5xx fail a request; add \
                     `expect: {{ status: {status} }}` if this is the outcome you expect"
                ))
        }
        Finding::Expectation(f) => Diagnostic::error(format!("expectation failed: {}", f.subject))
            .at(file, f.loc)
            .label(format!("actual: {}", r.said(&f.actual)))
            .note(format!("expected: {}", r.said(&f.expected))),
    }
}
