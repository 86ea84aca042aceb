//! The runner: files in order, each file's requests in order. For one request the order
//! lives here only: render, send, capture, expect. It emits events and never prints.

pub mod render;
pub mod vars;
pub mod view;

use crate::collection::model::{Collection, Request};
use crate::diag::Diagnostic;
use crate::event::{Counts, ErrorKind, Event, Outcome, Reporter, RequestReport};
use crate::expect::{self, Eval};
use crate::http::{Http, HttpError, default_headers};
use crate::secret::{Redactor, looks_secret};
use crate::template::{EnvVars, RenderError, Scope, Templates};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
pub use vars::Layer;

/// Everything a run needs, loaded and checked.
pub struct Inputs {
    pub collections: Vec<Collection>,
    /// Variable layers above each collection's own `vars`, lowest first.
    pub layers: Vec<Layer>,
    pub env: Arc<EnvVars>,
    pub templates: Templates,
}

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub bail: bool,
    /// Keep transcripts of every exchange (`-v`), not only of failures.
    pub verbose: bool,
    pub show_secrets: bool,
    /// The whole run's time limit.
    pub max_time: Option<Duration>,
}

pub struct Runner<'a> {
    inputs: &'a Inputs,
    options: &'a RunOptions,
    http: &'a Http,
    deadline: Option<Instant>,
    /// Set by Ctrl-C: the run stops between requests and reports what ran.
    pub cancel: Arc<AtomicBool>,
}

/// The state of one collection file while it runs.
struct FileRun<'c> {
    collection: &'c Collection,
    scope: Scope,
    redactor: Redactor,
    jar: Arc<reqwest::cookie::Jar>,
    unresolved: HashMap<String, Diagnostic>,
    /// Variables an earlier request should have captured but did not, with that request.
    failed_captures: HashMap<String, String>,
}

impl<'a> Runner<'a> {
    pub fn new(inputs: &'a Inputs, options: &'a RunOptions, http: &'a Http) -> Runner<'a> {
        Runner {
            inputs,
            options,
            http,
            deadline: options.max_time.map(|d| Instant::now() + d),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    pub async fn run(&self, reporter: &mut dyn Reporter) -> Counts {
        let started = Instant::now();
        let requests = self
            .inputs
            .collections
            .iter()
            .map(|c| c.requests.len())
            .sum();
        reporter.event(&Event::RunStarted {
            files: self.inputs.collections.len(),
            requests,
        });
        let mut total = Counts::default();
        for collection in &self.inputs.collections {
            let counts = self.run_file(collection, reporter).await;
            total.merge(counts);
            if self.stopped(&total) {
                break;
            }
        }
        reporter.event(&Event::RunFinished {
            counts: total,
            duration: started.elapsed(),
        });
        total
    }

    fn stopped(&self, counts: &Counts) -> bool {
        self.cancel.load(Ordering::Relaxed) || (self.options.bail && counts.exit_code() != 0)
    }

    async fn run_file(&self, collection: &Collection, reporter: &mut dyn Reporter) -> Counts {
        let started = Instant::now();
        let file = collection.file.display();
        reporter.event(&Event::FileStarted {
            file: file.clone(),
            name: collection.name.clone(),
            requests: collection.requests.len(),
        });
        let mut redactor = Redactor::new(self.options.show_secrets);
        let start = vars::start(
            &collection.vars,
            &self.inputs.layers,
            &self.inputs.env,
            &self.inputs.templates,
            &mut redactor,
        );
        let mut state = FileRun {
            collection,
            scope: start.scope,
            redactor,
            jar: crate::http::new_jar(),
            unresolved: start.unresolved,
            failed_captures: HashMap::new(),
        };
        let mut counts = Counts::default();
        for (index, req) in collection.requests.iter().enumerate() {
            reporter.event(&Event::RequestStarted {
                file: file.clone(),
                index,
                name: req.name.clone(),
            });
            let report = self.run_request(&mut state, index, req).await;
            counts.add(&report.outcome);
            reporter.event(&Event::RequestFinished(Box::new(report)));
            if self.stopped(&counts) {
                break;
            }
        }
        reporter.event(&Event::FileFinished {
            file,
            counts,
            duration: started.elapsed(),
        });
        counts
    }

    async fn run_request(
        &self,
        st: &mut FileRun<'_>,
        index: usize,
        req: &Request,
    ) -> RequestReport {
        let mut report = RequestReport {
            file: st.collection.file.display(),
            index,
            name: req.name.clone(),
            method: req.method.clone(),
            url: req.url.text.clone(),
            line: req.loc.line,
            outcome: Outcome::Passed,
            status: None,
            duration: Duration::ZERO,
            hops: Vec::new(),
            captures: Vec::new(),
        };
        if req.skip {
            report.outcome = Outcome::Skipped("skip: true".into());
            return report;
        }
        // 1. Render.
        let base_dir = st
            .collection
            .file
            .path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let mut prepared = match render::prepare(
            req,
            &self.inputs.templates,
            &st.scope,
            &mut st.redactor,
            &base_dir,
        ) {
            Ok(p) => p,
            Err(fail) => {
                report.outcome = self.render_failure(st, fail);
                return report;
            }
        };
        default_headers(&mut prepared, &st.jar);
        report.url = st.redactor.redact(&prepared.url).into_owned();
        // 2. Send, within what is left of the run's time.
        let mut cut_by_max_time = false;
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                report.outcome = network_error(Diagnostic::error(
                    "the run took longer than --max-time; this request was not sent",
                ));
                return report;
            }
            let wanted = prepared.timeout.unwrap_or(self.http.default_timeout());
            cut_by_max_time = left < wanted;
            prepared.timeout = Some(wanted.min(left));
        }
        let hops = match self.http.exchange(prepared, &st.jar).await {
            Ok(h) => h,
            Err(e) => {
                report.outcome = http_failure(req, &e, &st.redactor, cut_by_max_time);
                return report;
            }
        };
        let last = &hops
            .last()
            .expect("an exchange has at least one hop")
            .response;
        report.status = Some(last.status);
        report.duration = hops.iter().map(|h| h.response.duration).sum();
        // 3. Capture, before expectations so that they may use what was captured.
        let mut failures = Vec::new();
        // Values the captures replace, as the request was sent with them (see step 4).
        let mut replaced: Vec<(String, minijinja::Value)> = Vec::new();
        for cap in &req.capture {
            match cap.eval(last) {
                Ok(value) => {
                    if let Some(old) = st.scope.get(&cap.name)
                        && !replaced.iter().any(|(n, _)| *n == cap.name)
                    {
                        replaced.push((cap.name.clone(), old.clone()));
                    }
                    if looks_secret(&cap.name) {
                        st.redactor
                            .add(value.as_str().unwrap_or(&value.to_string()));
                    }
                    vars::add_secret_fields(&mut st.redactor, &value);
                    st.scope.set_json(&cap.name, &value);
                    st.failed_captures.remove(&cap.name);
                    let shown = if looks_secret(&cap.name) && !st.redactor.showing() {
                        crate::secret::MASK.to_string()
                    } else {
                        value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_string)
                    };
                    report
                        .captures
                        .push((cap.name.clone(), st.redactor.redact(&shown).into_owned()));
                }
                Err(missing) => {
                    st.failed_captures
                        .insert(cap.name.clone(), req.name.clone());
                    failures.push(
                        Diagnostic::error(format!("capture `{}` failed", cap.name))
                            .at(&st.collection.file, cap.loc)
                            .label("nothing to capture")
                            .note(st.redactor.redact(&missing.message).into_owned()),
                    );
                }
            }
        }
        if let Some(id) = &req.id
            && let Ok(json) = last.json()
        {
            vars::add_secret_fields(&mut st.redactor, json);
            st.scope.set_json(id, json);
        }
        // 4. Expect. Without `expect.status`, an error status fails the request.
        if !req.expect.has_status() && last.status >= 400 {
            failures.push(
                Diagnostic::error(format!("status {}{}", last.status, st.redactor.redact(&last.error_hint())))
                    .at(&st.collection.file, req.loc)
                    .label("this request got an error status")
                    .help(format!("without `expect.status`, 4xx and 5xx fail a request; add `expect: {{ status: {} }}` if this is the outcome you expect", last.status)),
            );
        }
        let templates = &self.inputs.templates;
        // Expectations read a variable as the request was sent with it: in
        // `ne: <<refresh_token>>` beside `capture: { refresh_token: ... }`, the token sent,
        // not the one just captured. Names this request captures for the first time are
        // visible.
        let sent_scope;
        let scope = if replaced.is_empty() {
            &st.scope
        } else {
            let mut s = st.scope.clone();
            for (name, value) in replaced {
                s.set(name, value);
            }
            sent_scope = s;
            &sent_scope
        };
        // An expected value that cannot be rendered is a mistake in the collection (exit 2),
        // unless it reads a capture that failed: that failure already says why.
        let failed_captures = &st.failed_captures;
        let mut invalid: Option<Diagnostic> = None;
        let mut render = |v: &crate::collection::model::JsonTpl| {
            vars::render_json_tpl(v, templates, scope).map_err(|(tpl, e)| {
                let after_failed_capture = matches!(&e, RenderError::Undefined { name, .. } if failed_captures.contains_key(name.split('.').next().unwrap_or(name)));
                if invalid.is_none() && !after_failed_capture {
                    invalid = Some(e.diagnostic(&tpl));
                }
                e.to_string()
            })
        };
        let mut ctx = Eval {
            response: last,
            render: &mut render,
        };
        for e in &req.expect.items {
            if let Some(f) = expect::eval(e, &mut ctx) {
                failures.push(
                    Diagnostic::error(format!("expectation failed: {}", f.subject))
                        .at(&st.collection.file, f.loc)
                        .label(format!("actual: {}", st.redactor.redact(&f.actual)))
                        .note(format!("expected: {}", st.redactor.redact(&f.expected))),
                );
            }
        }
        if let Some(diagnostic) = invalid {
            report.outcome = Outcome::Error {
                diagnostic,
                kind: ErrorKind::Input,
            };
            if self.options.verbose {
                report.hops = hops.iter().map(|h| view::hop(h, &st.redactor)).collect();
            }
            return report;
        }
        let failed = !failures.is_empty();
        if failed {
            report.outcome = Outcome::Failed(failures);
        }
        if failed || self.options.verbose {
            report.hops = hops.iter().map(|h| view::hop(h, &st.redactor)).collect();
        }
        report
    }

    fn render_failure(&self, st: &FileRun, fail: render::RenderFail) -> Outcome {
        if let Some(var) = &fail.missing {
            if let Some(by) = st.failed_captures.get(var) {
                return Outcome::Skipped(format!(
                    "needs `{var}`, which request '{by}' did not capture"
                ));
            }
            if let Some(d) = st.unresolved.get(var) {
                return Outcome::Error {
                    diagnostic: d.clone(),
                    kind: ErrorKind::Input,
                };
            }
        }
        Outcome::Error {
            diagnostic: fail.diagnostic,
            kind: ErrorKind::Input,
        }
    }
}

fn network_error(d: Diagnostic) -> Outcome {
    Outcome::Error {
        diagnostic: d,
        kind: ErrorKind::Network,
    }
}

/// `cut_by_max_time`: the request's time limit was what was left of --max-time.
fn http_failure(
    req: &Request,
    e: &HttpError,
    redactor: &Redactor,
    cut_by_max_time: bool,
) -> Outcome {
    let message = redactor.redact(&e.to_string()).into_owned();
    let d = Diagnostic::error(message)
        .at(&req.url.file, req.loc)
        .label("this request");
    let d = match e {
        HttpError::Refused { .. } => d.help("is the server running, and is the URL's port right?"),
        HttpError::Timeout { .. } if cut_by_max_time => d.help(
            "the run reached --max-time while waiting; raise --max-time if the run is just long",
        ),
        HttpError::Timeout { .. } => {
            d.help("raise the request's `timeout:` or --timeout if the server is just slow")
        }
        HttpError::TooLarge { .. } => {
            d.help("raise --max-body if the response is meant to be this large")
        }
        HttpError::Tls { .. } => {
            d.help("for a self-signed certificate, pass --cacert FILE (or --insecure)")
        }
        _ => d,
    };
    if e.is_input() {
        Outcome::Error {
            diagnostic: d,
            kind: ErrorKind::Input,
        }
    } else {
        network_error(d)
    }
}
