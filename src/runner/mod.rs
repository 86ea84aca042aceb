//! The runner: files in order, each file's requests in order. For one request the order
//! lives here only: render, send, capture, expect. It emits events and never prints.

pub mod oauth;
pub mod render;
mod stop;
pub mod vars;
pub mod view;

use crate::collection::Layer;
use crate::collection::model::{Auth, Collection, Request};
use crate::diag::Diagnostic;
use crate::event::{Counts, ErrorKind, Event, Outcome, Reporter, RequestReport};
use crate::expect::{self, Eval};
use crate::http::{Http, HttpError, TimeoutCause, default_headers};
use crate::secret::{Redactor, looks_secret};
use crate::template::{EnvVars, RenderError, RenderFail, Scope, Templates};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Everything a run needs, loaded and checked.
pub struct Inputs {
    pub collections: Vec<Collection>,
    /// Variable layers above each collection's own `vars`, lowest first.
    pub layers: Vec<Layer>,
    pub env: Arc<EnvVars>,
    pub templates: Templates,
    /// The rows of `--data`, one layer each; iterations cycle through them.
    pub rows: Vec<Layer>,
    /// How many times each file runs: 0 means once, without iteration numbers (no `--data`
    /// and no `--iterations`). Iterations are counted, not listed: a soak run of a million
    /// held a million empty layers and a million units.
    pub iterations: usize,
    /// Where an iteration's layer goes among `layers` (above environments, below `--var`).
    pub iteration_position: usize,
}

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub bail: bool,
    /// Keep transcripts of every exchange (`-v`), not only of failures.
    pub verbose: bool,
    pub show_secrets: bool,
    /// The whole run's time limit.
    pub max_time: Option<Duration>,
    /// The token cache to read and write (`--save`).
    pub save: Option<std::path::PathBuf>,
    /// Collection files run at once (each with its own variables, cookies and captures).
    pub jobs: usize,
    /// Run only the requests with these names or tags (empty: all).
    pub only: Vec<String>,
    /// Skip the requests with these names or tags.
    pub skip: Vec<String>,
    /// Whether someone watches the run as it goes (a progress bar): with `--jobs`, each
    /// event then reaches the screen as it happens; otherwise events are passed on in
    /// batches (see `Sender`).
    pub live: bool,
}

pub struct Runner<'a> {
    inputs: &'a Inputs,
    options: &'a RunOptions,
    http: &'a Http,
    deadline: Option<Instant>,
    /// Set by Ctrl-C: the run stops between requests and reports what ran.
    pub cancel: Arc<Cancel>,
    /// Set once a request fails, in any file (for --bail, across --jobs threads).
    failed: Arc<AtomicBool>,
    /// Discovery documents and JWKS fetched during the run.
    oauth_cache: crate::oauth::discovery::Cache,
}

/// The state of one collection file while it runs.
struct FileRun<'c> {
    collection: &'c Collection,
    scope: Scope,
    redactor: Redactor,
    /// The cookies of the file's plain requests.
    jar: Arc<crate::http::Jar>,
    /// The user agents of the file's headless sign-ins, one per `login:` identity: their
    /// cookies (the provider's session) never reach plain requests or the back channel.
    browsers: HashMap<String, Arc<crate::http::Jar>>,
    unresolved: HashMap<String, Diagnostic>,
    /// Variables an earlier request should have captured but did not: that request's name,
    /// and why, when it failed before its captures could run.
    failed_captures: HashMap<String, (String, Option<String>)>,
    /// Tokens of the file's `oauth2` requests, by id.
    tokens: HashMap<String, oauth::TokenState>,
}

/// The report of a request that could not be read again from its file.
fn unreadable(
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

impl<'a> Runner<'a> {
    pub fn new(inputs: &'a Inputs, options: &'a RunOptions, http: &'a Http) -> Runner<'a> {
        let deadline = options.max_time.map(|d| Instant::now() + d);
        if let (Some(deadline), Some(limit)) = (deadline, options.max_time) {
            http.set_run_limit(deadline, limit);
        }
        Runner {
            inputs,
            options,
            http,
            deadline,
            cancel: Arc::new(Cancel::default()),
            failed: Arc::default(),
            oauth_cache: Default::default(),
        }
    }

    /// How many runs of a file the run makes: one per file and iteration.
    fn units(&self) -> usize {
        self.inputs.collections.len() * self.inputs.iterations.max(1)
    }

    /// The `i`-th run of a file, in order (each file's iterations, then the next file).
    fn unit(&self, i: usize) -> Option<(&Collection, Option<usize>)> {
        let its = self.inputs.iterations.max(1);
        let collection = self.inputs.collections.get(i / its)?;
        Some((collection, (self.inputs.iterations > 0).then_some(i % its)))
    }

    pub async fn run(&self, reporter: &mut dyn Reporter) -> Counts {
        let started = Instant::now();
        let iterations = self.inputs.iterations.max(1);
        let requests = self
            .inputs
            .collections
            .iter()
            .map(|c| c.request_count())
            .sum::<usize>()
            * iterations;
        reporter.event(&Event::RunStarted {
            files: self.inputs.collections.len(),
            requests,
        });
        let mut total = Counts::default();
        if self.options.jobs <= 1 {
            // Files after a stop (--bail, --max-time) still run through `run_file`, which
            // reports their requests as skipped; only Ctrl-C ends the run where it is.
            for (collection, iteration) in (0..self.units()).filter_map(|i| self.unit(i)) {
                let counts = self.run_file(collection, iteration, reporter).await;
                total.merge(counts);
                if self.cancel.is_cancelled() {
                    break;
                }
            }
        } else {
            total = self.run_parallel(reporter);
        }
        if self.cancel.is_cancelled() {
            // Said before the summary, which stays the console's last line.
            reporter.event(&Event::Notice {
                file: String::new(),
                message: "interrupted: the summary below holds what ran".into(),
            });
        }
        reporter.event(&Event::RunFinished {
            counts: total,
            duration: started.elapsed(),
        });
        total
    }

    /// `--jobs N`: N threads, each with its own runtime and connections, take the next
    /// file as they finish one. Files are shown in their order, so the output reads as with
    /// `--jobs 1`: the first file not yet done as it runs, later ones once it is done (a big
    /// file's events are not all held in memory, and its progress shows).
    fn run_parallel(&self, reporter: &mut dyn Reporter) -> Counts {
        let workers = self.options.jobs.min(self.units()).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::channel::<Sent>();
        let mut total = Counts::default();
        let work = |tx: std::sync::mpsc::Sender<Sent>| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let http = self.http.fork();
            let (runtime, http) = match (runtime, http) {
                (Ok(r), Ok(h)) => (r, h),
                (Err(e), _) => return Err(e.to_string()),
                (_, Err(e)) => return Err(e),
            };
            let worker = Runner {
                inputs: self.inputs,
                options: self.options,
                http: &http,
                deadline: self.deadline,
                cancel: self.cancel.clone(),
                failed: self.failed.clone(),
                oauth_cache: Default::default(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((collection, iteration)) = self.unit(i) else {
                    return Ok(());
                };
                let counts = if self.cancel.is_cancelled() {
                    None
                } else {
                    let mut sender = Sender::new(i, &tx, self.options.live);
                    let c = runtime.block_on(worker.run_file(collection, iteration, &mut sender));
                    sender.flush();
                    Some(c)
                };
                if tx.send(Sent::Done(i, counts)).is_err() {
                    return Ok(());
                }
            }
        };
        let mut trouble = None;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let tx = tx.clone();
                    scope.spawn(|| work(tx))
                })
                .collect();
            drop(tx);
            // Files are shown in order: the events of the first file not yet done as they
            // come, those of later files held until every file before them is done.
            let mut held: std::collections::BTreeMap<usize, Held> = Default::default();
            let mut shown = 0;
            for sent in rx {
                match sent {
                    Sent::Events(i, events) if i == shown => {
                        events.iter().for_each(|e| reporter.event(e))
                    }
                    Sent::Events(i, events) => held.entry(i).or_default().events.extend(events),
                    Sent::Done(i, counts) => held.entry(i).or_default().done = Some(counts),
                }
                // The first file is done: show the next ones, as far as they are done.
                while let Some(Some(counts)) = held.get(&shown).map(|h| h.done) {
                    held.remove(&shown);
                    if let Some(c) = counts {
                        total.merge(c);
                    }
                    shown += 1;
                    if let Some(h) = held.get_mut(&shown) {
                        for e in std::mem::take(&mut h.events) {
                            reporter.event(&e);
                        }
                    }
                }
            }
            for h in handles {
                match h.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => trouble = Some(e),
                    Err(_) => trouble = Some("a worker thread failed".into()),
                }
            }
        });
        if let Some(e) = trouble {
            // A worker that could not start leaves its files to the others; if none started,
            // the run could not run: an error, not an empty success.
            reporter.event(&Event::Notice {
                file: String::new(),
                message: format!("--jobs: a worker could not start: {e}"),
            });
            if total == Counts::default() {
                total.errors += 1;
            }
        }
        total
    }

    async fn run_file(
        &self,
        collection: &Collection,
        iteration: Option<usize>,
        reporter: &mut dyn Reporter,
    ) -> Counts {
        let started = Instant::now();
        let file = collection.file.display();
        reporter.event(&Event::FileStarted {
            file: file.clone(),
            name: collection.name.clone(),
            requests: collection.request_count(),
            iteration: iteration.map(|i| (i + 1, self.inputs.iterations)),
        });
        let mut redactor = Redactor::new(self.options.show_secrets);
        let mut layers = self.inputs.layers.clone();
        if let Some(i) = iteration {
            let row = match self.inputs.rows.len() {
                0 => Layer {
                    name: format!("iteration {}", i + 1),
                    vars: Vec::new(),
                    secrets: Vec::new(),
                },
                n => self.inputs.rows[i % n].clone(),
            };
            layers.insert(self.inputs.iteration_position.min(layers.len()), row);
        }
        let start = vars::start(
            &collection.vars,
            &layers,
            &self.inputs.env,
            &self.inputs.templates,
            &mut redactor,
        );
        let mut state = FileRun {
            collection,
            scope: start.scope,
            redactor,
            jar: crate::http::new_jar(),
            browsers: HashMap::new(),
            unresolved: start.unresolved,
            failed_captures: HashMap::new(),
            tokens: HashMap::new(),
        };
        let mut counts = Counts::default();
        let requests = collection.requests(&self.inputs.templates);
        for (index, req) in requests.enumerate() {
            let req = match req {
                Ok(req) => req,
                Err(diagnostic) => {
                    // A file too big to keep, edited or removed since it was checked:
                    // the request is reported, not skipped, and nothing after it runs.
                    let report = unreadable(&file, index, iteration, diagnostic);
                    counts.add(&report.outcome);
                    reporter.event(&Event::RequestFinished(Box::new(report)));
                    break;
                }
            };
            reporter.event(&Event::RequestStarted {
                file: file.clone(),
                index,
                name: req.name.clone(),
            });
            // A request --only/--skip leave out says so, stop or not.
            let stop = self
                .stop_reason()
                .filter(|_| self.deselected(&req).is_none());
            let report = match stop {
                Some(why) => stop::skipped(&file, index, &req, iteration, why),
                None => {
                    let mut report = self
                        .run_with_retries(&mut state, index, &req, reporter)
                        .await;
                    report.iteration = iteration.map(|i| i + 1);
                    report
                }
            };
            counts.add(&report.outcome);
            if counts.exit_code() != 0 {
                self.note_failure();
            }
            reporter.event(&Event::RequestFinished(Box::new(report)));
            if self.cancel.is_cancelled() {
                break;
            }
        }
        reporter.event(&Event::FileFinished {
            iteration: iteration.map(|i| (i + 1, self.inputs.iterations)),
            file,
            counts,
            duration: started.elapsed(),
        });
        counts
    }

    /// A request with its `delay_ms` and `retry`: attempts until its expectations hold (a
    /// readiness check) or the attempts run out; the last attempt is the one reported.
    async fn run_with_retries<'c>(
        &self,
        st: &mut FileRun<'c>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        if let Some(why) = self.deselected(req) {
            let mut report = self.blank_report(st, index, req);
            report.outcome = Outcome::Skipped(why);
            return report;
        }
        let report = self.attempts(st, index, req, reporter).await;
        // A request that failed before its captures ran (not sent, refused, a flow that
        // stopped), or an oauth2 request that got no tokens: the requests that use what it
        // should have captured are skipped, with it and its failure named as the reason,
        // rather than failing on an undefined variable.
        let why = match &report.outcome {
            Outcome::Error { diagnostic, .. } => Some(diagnostic.message.clone()),
            Outcome::Failed(d) if report.status.is_none() => d.first().map(|d| d.message.clone()),
            // Its own capture or expectation failure says why, above it.
            _ => None,
        };
        if !matches!(report.outcome, Outcome::Passed | Outcome::Skipped(_)) {
            let names = req.capture.iter().map(|c| &c.name).chain(&req.id);
            for name in names {
                let captured = report.captures.iter().any(|(n, _)| n == name);
                let is_token = req.oauth2.is_some() && Some(name) == req.id.as_ref();
                let missing = if is_token {
                    !st.tokens.contains_key(name) && !st.scope.contains(name)
                } else {
                    !captured && !st.scope.contains(name)
                };
                if missing && (why.is_some() || !st.failed_captures.contains_key(name)) {
                    st.failed_captures
                        .insert(name.clone(), (req.name.clone(), why.clone()));
                }
            }
        }
        report
    }

    async fn attempts<'c>(
        &self,
        st: &mut FileRun<'c>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        if let Some(delay) = req.delay {
            let why = match self.wait(delay, false).await {
                stop::Waited::Done => None,
                stop::Waited::Interrupted => Some("interrupted"),
                stop::Waited::OutOfTime => Some(crate::event::SKIPPED_BY_MAX_TIME),
            };
            // Another file may have failed meanwhile (--bail with --jobs).
            if let Some(why) = why.or_else(|| self.stop_reason()) {
                let mut report = self.blank_report(st, index, req);
                report.outcome = Outcome::Skipped(why.into());
                return report;
            }
        }
        let attempts = req.retry.as_ref().map_or(1, |r| r.count + 1);
        let mut attempt = 1;
        loop {
            // Ctrl-C ends the request in flight at once; the run then reports what ran.
            let attempt_result = tokio::select! {
                r = self.run_request(st, index, req, reporter) => Some(r),
                _ = self.cancel.cancelled() => None,
                _ = self.out_of_time() => {
                    let mut report = self.blank_report(st, index, req);
                    report.outcome = self.cut_by_deadline(&st.collection.file, req);
                    return report;
                }
            };
            let Some(mut report) = attempt_result else {
                let mut report = self.blank_report(st, index, req);
                report.outcome = Outcome::Skipped("interrupted".into());
                return report;
            };
            let retryable = matches!(
                report.outcome,
                Outcome::Failed(_)
                    | Outcome::Error {
                        kind: ErrorKind::Network,
                        ..
                    }
            );
            if !retryable || attempt >= attempts || self.cancel.is_cancelled() {
                if attempt > 1 {
                    let note = format!("attempt {attempt} of {attempts}");
                    report.note = Some(match report.note.take() {
                        Some(n) => format!("{n}; {note}"),
                        None => note,
                    });
                }
                return report;
            }
            let interval = req.retry.as_ref().map_or(Duration::ZERO, |r| r.interval);
            match self.wait(interval, true).await {
                stop::Waited::Done => attempt += 1,
                stop::Waited::Interrupted => return report,
                // The attempts not made are said beside the one reported, never "attempt
                // n of n" for attempts the run had no time for.
                stop::Waited::OutOfTime => {
                    let note = format!(
                        "attempt {attempt} of {attempts}; {} before attempt {}",
                        crate::event::SKIPPED_BY_MAX_TIME,
                        attempt + 1
                    );
                    report.note = Some(match report.note.take() {
                        Some(n) => format!("{n}; {note}"),
                        None => note,
                    });
                    return report;
                }
            }
        }
    }

    /// Why `--only`/`--skip` leave this request out, if they do.
    fn deselected(&self, req: &Request) -> Option<String> {
        let matches = |sel: &String| {
            req.name == *sel
                || req.id.as_deref() == Some(sel.as_str())
                || req.tags.iter().any(|t| t == sel)
        };
        if !self.options.only.is_empty() && !self.options.only.iter().any(matches) {
            return Some("not selected by --only".into());
        }
        self.options
            .skip
            .iter()
            .find(|s| matches(s))
            .map(|s| format!("--skip {s}"))
    }

    /// The report of a request before anything happened to it.
    fn blank_report(&self, st: &FileRun, index: usize, req: &Request) -> RequestReport {
        RequestReport {
            file: st.collection.file.display(),
            index,
            name: req.name.clone(),
            method: req.method.clone(),
            url: req.url.text.to_string(),
            line: req.loc.line,
            outcome: Outcome::Passed,
            status: None,
            duration: Duration::ZERO,
            hops: Vec::new(),
            captures: Vec::new(),
            note: None,
            iteration: None,
        }
    }

    async fn run_request<'c>(
        &self,
        st: &mut FileRun<'c>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        let mut report = self.blank_report(st, index, req);
        if req.skip {
            report.outcome = Outcome::Skipped("skip: true".into());
            return report;
        }
        let base_dir = st
            .collection
            .file
            .path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let file = report.file.clone();
        let mut notify = |message: String| {
            reporter.event(&Event::Notice {
                file: file.clone(),
                message,
            })
        };
        let mut hops = Vec::new();
        // The hop whose response the request is judged on (the last, but for an oauth2
        // request whose id_token verification fetched the JWKS after it).
        let mut judged = None;
        let mut problems = Vec::new();
        let mut id_claims = None;
        // 0. A token from an `oauth2` request, renewed first when it has expired.
        if let Some(Auth::OAuth2 { id, .. }) = req.auth.as_deref()
            && let Some(state) = st.tokens.get(id)
            && state.expired(oauth::now())
        {
            let spec = state.spec.clone();
            let refresh_token = state.refresh_token.clone();
            let browser = st.browser(&spec, &self.inputs.templates);
            let renewal = {
                let mut cx = flow_ctx(self, st, &browser, &base_dir, req, &mut notify);
                oauth::renew(&spec, refresh_token.as_deref(), &mut cx).await
            };
            match renewal {
                Ok((renewal, Some(v))) => {
                    hops.extend(renewal);
                    oauth::remember(&spec, id, &v, &mut st.scope, &mut st.tokens);
                }
                Ok((renewal, None)) => {
                    // The provider refused to renew: say so rather than send a stale token.
                    let hint = renewal
                        .last()
                        .map(|h| format!("{}{}", h.response.status, h.response.error_hint()))
                        .unwrap_or_default();
                    let d = Diagnostic::error(format!(
                        "the token of `{id}` expired and could not be renewed: {}",
                        st.redactor.redact(&hint)
                    ))
                    .at(&st.collection.file, req.loc)
                    .label("this request needs it");
                    report.hops = renewal.iter().map(|h| view::hop(h, &st.redactor)).collect();
                    report.outcome = Outcome::Failed(vec![d]);
                    return report;
                }
                Err(failure) => {
                    self.flow_failed(st, req, &mut report, hops, failure);
                    return report;
                }
            }
        }
        let mut slot = None;
        let mut used_code = None;
        if let Some(spec) = &req.oauth2 {
            let browser = st.browser(spec, &self.inputs.templates);
            // With --save, a cached token (or one renewed from the cache) stands in for the flow.
            if let Some(path) = &self.options.save {
                let cached = {
                    let mut cx = flow_ctx(self, st, &browser, &base_dir, req, &mut notify);
                    slot = oauth::cache_slot(spec, &cx);
                    match &slot {
                        Some(s) => oauth::from_cache(path, s, spec, &mut cx).await,
                        None => oauth::Cached::Miss,
                    }
                };
                let (note, renewal, value) = match cached {
                    oauth::Cached::Fresh(v) => (
                        "token from the cache (--save): not requested again",
                        Vec::new(),
                        Some(v),
                    ),
                    oauth::Cached::Refreshed(h, v) => (
                        "cached token renewed with its refresh token (--save)",
                        h,
                        Some(v),
                    ),
                    oauth::Cached::Miss => ("", Vec::new(), None),
                };
                if let Some(value) = value {
                    if let (Some(id), Some(s)) = (&req.id, &slot) {
                        oauth::remember(spec, id, &value, &mut st.scope, &mut st.tokens);
                        if !renewal.is_empty()
                            && let Err(e) = oauth::store(path, s, &value)
                        {
                            report.outcome = network_error(Diagnostic::error(e.to_string()));
                            return report;
                        }
                    }
                    // The request's captures still apply, to the cached token response.
                    let cached = crate::http::Response::new(
                        200,
                        vec![("content-type".into(), "application/json".into())],
                        serde_json::to_vec(&value).unwrap_or_default(),
                    );
                    for cap in &req.capture {
                        if let Ok(v) = cap.eval(&cached) {
                            st.scope.set_json(&cap.name, &v);
                        }
                    }
                    report.note = Some(format!("{note}; expectations not checked"));
                    report.status = renewal.last().map(|h| h.response.status);
                    if self.options.verbose {
                        report.hops = renewal.iter().map(|h| view::hop(h, &st.redactor)).collect();
                    }
                    return report;
                }
            }
            // 1–2. An oauth2 request runs its flow: render, discover, authenticate, exchange.
            let result = {
                let mut cx = flow_ctx(self, st, &browser, &base_dir, req, &mut notify);
                crate::oauth::flow::execute(spec, &mut cx).await
            };
            match result {
                Ok(outcome) => {
                    judged = Some(hops.len() + outcome.judged);
                    hops.extend(outcome.hops);
                    problems = outcome.problems;
                    id_claims = outcome.id_claims;
                    used_code = outcome.code;
                }
                Err(failure) => {
                    self.flow_failed(st, req, &mut report, hops, failure);
                    return report;
                }
            }
            if let Some(h) = judged.and_then(|i| hops.get(i)) {
                report.url = st.redactor.redact(&h.request.url).into_owned();
            }
        } else {
            // 1. Render.
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
            // 2. Send (within its limit and what is left of the run's: `Http` sees to both).
            match self.http.exchange(prepared, &st.jar).await {
                Ok(h) => hops.extend(h),
                Err(e) => {
                    report.outcome = http_failure(req, &e, &st.redactor);
                    return report;
                }
            }
        }
        let Some(last_hop) = judged.map_or(hops.last(), |i| hops.get(i)) else {
            report.outcome =
                network_error(Diagnostic::error("no response").at(&st.collection.file, req.loc));
            return report;
        };
        let last = &last_hop.response;
        report.status = Some(last.status);
        report.duration = hops.iter().map(|h| h.response.duration).sum();
        vars::add_cookie_secrets(&mut st.redactor, &hops);
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
                    let secret = looks_secret(&cap.name);
                    if secret {
                        match value.as_str() {
                            Some(text) => st.redactor.add(text),
                            None => st.redactor.add(&value.to_string()),
                        }
                    }
                    vars::add_secret_fields(&mut st.redactor, &value);
                    st.scope.set_json(&cap.name, &value);
                    st.failed_captures.remove(&cap.name);
                    let shown = if secret && !st.redactor.showing() {
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
                        .insert(cap.name.clone(), (req.name.clone(), None));
                    failures.push(
                        Diagnostic::error(format!("capture `{}` failed", cap.name))
                            .at(&st.collection.file, cap.loc)
                            .label("nothing to capture")
                            .note(st.redactor.said(&missing.message)),
                    );
                }
            }
        }
        if let Some(id) = &req.id
            && let Ok(json) = last.json()
        {
            vars::add_secret_fields(&mut st.redactor, json);
            match &req.oauth2 {
                Some(spec) if last.status == 200 => {
                    let value = oauth::token_value(json, id_claims.as_ref());
                    if let (Some(path), Some(s)) = (&self.options.save, &slot)
                        && let Err(e) = oauth::store(path, s, &value)
                    {
                        failures.push(Diagnostic::error(e.to_string()));
                    }
                    // The code and verifier are the run's, not the cache's: a spent code is
                    // kept only so that a collection can show it is refused a second time.
                    let value = oauth::with_code(value, used_code.as_ref());
                    oauth::remember(spec, id, &value, &mut st.scope, &mut st.tokens);
                }
                _ => st.scope.set_json(id, json),
            }
        }
        // A sign-in stopped at its redirect (`exchange: false`): the code is its value.
        if let (Some(id), Some(used)) = (&req.id, &used_code)
            && req.oauth2.as_ref().is_some_and(|o| !o.exchange)
        {
            let value = oauth::with_code(serde_json::json!({}), Some(used));
            st.scope.set_json(id, &value);
        }
        let oauth_loc = req.oauth2.as_ref().map_or(req.loc, |o| o.loc);
        for problem in problems {
            failures.push(
                Diagnostic::error(st.redactor.redact(&problem).into_owned())
                    .at(&st.collection.file, oauth_loc)
                    .label("in this oauth2 request"),
            );
        }
        // 4. Expect. Without `expect.status`, an error status fails the request.
        if !req.expect.has_status() && last.status >= 400 {
            let what = if req.oauth2.is_some() {
                "the provider refused the request:"
            } else {
                "status"
            };
            failures.push(
                Diagnostic::error(format!("{what} {}{}", last.status, st.redactor.redact(&last.error_hint())))
                    .at(&st.collection.file, if req.oauth2.is_some() { oauth_loc } else { req.loc })
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
        let expect_scope = if replaced.is_empty() {
            &st.scope
        } else {
            let mut s = st.scope.clone();
            for (name, value) in replaced {
                s.set(name, value);
            }
            sent_scope = s;
            &sent_scope
        };
        // Keys for `jwt:` expectations that verify signatures, fetched once per run.
        let mut jwks = HashMap::new();
        for e in &req.expect.items {
            if let crate::expect::Expectation::Jwt(j) = e
                && let Some(url) = &j.jwks_url
                && let Ok(url) = self.inputs.templates.render(url, expect_scope)
            {
                let mut fetched = Vec::new();
                if let Ok(doc) = self.oauth_cache.jwks(self.http, &url, &mut fetched).await {
                    jwks.insert(url, doc);
                }
            }
        }
        let scope = expect_scope;
        // An expected value that cannot be rendered is a mistake in the collection (exit 2),
        // unless it reads a capture that failed: that failure already says why.
        let failed_captures = &st.failed_captures;
        let mut invalid: Option<Diagnostic> = None;
        let mut render = |v: &crate::template::JsonTpl| {
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
            jwks: &jwks,
        };
        for e in &req.expect.items {
            if let Some(f) = expect::eval(e, &mut ctx) {
                failures.push(
                    Diagnostic::error(format!("expectation failed: {}", f.subject))
                        .at(&st.collection.file, f.loc)
                        .label(format!("actual: {}", st.redactor.said(&f.actual)))
                        .note(format!("expected: {}", st.redactor.said(&f.expected))),
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

    /// The report of an oauth2 flow that stopped: its outcome, and every hop it sent before
    /// (`hops_before`: a renewal's), shown and timed as a finished request's are.
    fn flow_failed(
        &self,
        st: &FileRun,
        req: &Request,
        report: &mut RequestReport,
        mut hops: Vec<crate::http::Hop>,
        failure: crate::oauth::flow::Failure,
    ) {
        hops.extend(failure.hops);
        report.outcome = self.flow_failure(st, req, failure.error);
        report.duration = hops.iter().map(|h| h.response.duration).sum();
        // The URL shown is where the flow stopped, else the request's own rendered.
        report.url = match hops.last() {
            Some(h) => st.redactor.redact(&h.request.url).into_owned(),
            None => self
                .inputs
                .templates
                .render(&req.url, &st.scope)
                .map_or_else(
                    |_| report.url.clone(),
                    |u| st.redactor.redact(&u).into_owned(),
                ),
        };
        report.hops = hops.iter().map(|h| view::hop(h, &st.redactor)).collect();
    }

    fn flow_failure(
        &self,
        st: &FileRun,
        req: &Request,
        e: crate::oauth::flow::FlowError,
    ) -> Outcome {
        use crate::oauth::flow::FlowError;
        let loc = req.oauth2.as_ref().map_or(req.loc, |o| o.loc);
        let at = |m: String| {
            Diagnostic::error(st.redactor.redact(&m).into_owned())
                .at(&st.collection.file, loc)
                .label("this oauth2 request")
        };
        match e {
            FlowError::Render(fail) => self.render_failure(st, *fail),
            FlowError::Http(h) => http_failure(req, &h, &st.redactor),
            FlowError::Protocol(m) => Outcome::Failed(vec![at(m)]),
            FlowError::Timeout(m) => network_error(at(m)),
            FlowError::Input(m) => Outcome::Error {
                diagnostic: at(m),
                kind: ErrorKind::Input,
            },
        }
    }

    fn render_failure(&self, st: &FileRun, fail: RenderFail) -> Outcome {
        if let Some(var) = &fail.missing {
            if let Some((by, why)) = st.failed_captures.get(var) {
                let why = why
                    .as_ref()
                    .map(|w| format!(": {}", w.lines().next().unwrap_or_default()))
                    .unwrap_or_default();
                return Outcome::Skipped(format!(
                    "needs `{var}`, which request '{by}' did not capture{why}"
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

impl FileRun<'_> {
    /// The user agent a headless sign-in of `spec` runs in: the file's browser for its
    /// `login:` identity (a second sign-in of the same user rides on the provider's session,
    /// as in a browser; another user gets a browser of their own), or a new one for
    /// `session: fresh`, which later sign-ins of that user then share.
    fn browser(
        &mut self,
        spec: &crate::oauth::spec::OAuth2,
        templates: &Templates,
    ) -> Arc<crate::http::Jar> {
        let key = oauth::identity(spec, templates, &self.scope);
        if spec.session == crate::oauth::spec::Session::Fresh {
            let jar = crate::http::new_jar();
            self.browsers.insert(key, jar.clone());
            return jar;
        }
        self.browsers
            .entry(key)
            .or_insert_with(crate::http::new_jar)
            .clone()
    }
}

fn flow_ctx<'a>(
    runner: &'a Runner,
    st: &'a mut FileRun,
    browser: &'a crate::http::Jar,
    base_dir: &'a std::path::Path,
    req: &Request,
    notify: &'a mut (dyn FnMut(String) + Send),
) -> crate::oauth::flow::Ctx<'a> {
    crate::oauth::flow::Ctx {
        http: runner.http,
        browser,
        templates: &runner.inputs.templates,
        scope: &st.scope,
        redactor: &mut st.redactor,
        base_dir,
        cache: &runner.oauth_cache,
        headers: req
            .headers
            .iter()
            .filter(|(_, v)| v.is_literal())
            .map(|(k, v)| (k.clone(), v.text.to_string()))
            .collect(),
        timeout: req.timeout,
        notify,
    }
}

fn network_error(d: Diagnostic) -> Outcome {
    Outcome::Error {
        diagnostic: d,
        kind: ErrorKind::Network,
    }
}

fn http_failure(req: &Request, e: &HttpError, redactor: &Redactor) -> Outcome {
    let message = redactor.redact(&e.to_string()).into_owned();
    let d = Diagnostic::error(message)
        .at(&req.url.file, req.loc)
        .label("this request");
    let d = match e {
        HttpError::Refused { .. } => d.help("is the server running, and is the URL's port right?"),
        HttpError::Timeout {
            cause: TimeoutCause::RunLimit,
            ..
        } => d.help("raise --max-time if the run is just long"),
        HttpError::Timeout { .. } => {
            d.help("raise the request's `timeout:` or --timeout if the server is just slow")
        }
        HttpError::BadRedirect { .. } => d.help(
            "the server sent this redirect; with `follow_redirects: false` the response is kept as it is",
        ),
        HttpError::TooLarge { .. } => {
            d.help("raise --max-body if the response is meant to be this large")
        }
        HttpError::Tls { cacert: None, .. } => {
            d.help("for a self-signed certificate, pass --cacert FILE (or --insecure)")
        }
        HttpError::Tls {
            cacert: Some(file), ..
        } => d.help(format!(
            "with --cacert {file}, the server's certificate must be one of that file or be \
             issued by one (or by a system root), name this host and be in date; `openssl \
             s_client -connect HOST:PORT -showcerts` shows what the server sends"
        )),
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

/// Why `baton token` could not print a token, with the exit code it calls for.
pub struct TokenFailure {
    pub diagnostic: Diagnostic,
    pub exit: i32,
}

impl<'a> Runner<'a> {
    /// A valid access token from the `oauth2` request `req` of `collection`: from the cache
    /// when still fresh, renewed with a cached refresh token, or by running the grant;
    /// saved to the cache at `cache_path`. Returns the token and how it was obtained.
    pub async fn obtain_token(
        &self,
        collection: &'a Collection,
        req: &'a Request,
        cache_path: &std::path::Path,
        notify: &mut (dyn FnMut(String) + Send),
    ) -> Result<(String, &'static str), TokenFailure> {
        let fail = |m: String, exit: i32| TokenFailure {
            diagnostic: Diagnostic::error(m).at(&collection.file, req.loc),
            exit,
        };
        let Some(spec) = req.oauth2.as_deref() else {
            return Err(fail(
                format!("request '{}' is not an `oauth2` request", req.name),
                crate::exit::INVALID_INPUT,
            ));
        };
        let mut redactor = Redactor::new(false);
        let start = vars::start(
            &collection.vars,
            &self.inputs.layers,
            &self.inputs.env,
            &self.inputs.templates,
            &mut redactor,
        );
        let mut st = FileRun {
            collection,
            scope: start.scope,
            redactor,
            jar: crate::http::new_jar(),
            browsers: HashMap::new(),
            unresolved: start.unresolved,
            failed_captures: HashMap::new(),
            tokens: HashMap::new(),
        };
        let base_dir = collection
            .file
            .path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let browser = st.browser(spec, &self.inputs.templates);
        let mut cx = flow_ctx(self, &mut st, &browser, &base_dir, req, notify);
        let slot = oauth::cache_slot(spec, &cx).ok_or_else(|| {
            fail(
                format!(
                    "request '{}' does not obtain a token of its own (grant {})",
                    req.name,
                    spec.grant.as_str()
                ),
                crate::exit::INVALID_INPUT,
            )
        })?;
        let token_of = |v: &serde_json::Value| {
            v.get("access_token")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        };
        match oauth::from_cache(cache_path, &slot, spec, &mut cx).await {
            oauth::Cached::Fresh(v) => {
                return token_of(&v).map(|t| (t, "cache")).ok_or_else(|| {
                    fail(
                        "the cached entry has no access token".into(),
                        crate::exit::EXPECTATION_FAILED,
                    )
                });
            }
            oauth::Cached::Refreshed(_, v) => {
                oauth::store(cache_path, &slot, &v)
                    .map_err(|e| fail(e.to_string(), crate::exit::REQUEST_FAILED))?;
                return token_of(&v).map(|t| (t, "refreshed")).ok_or_else(|| {
                    fail(
                        "the refresh response has no access token".into(),
                        crate::exit::EXPECTATION_FAILED,
                    )
                });
            }
            oauth::Cached::Miss => {}
        }
        let outcome = crate::oauth::flow::execute(spec, &mut cx)
            .await
            .map_err(|failure| {
                let e = failure.error;
                use crate::oauth::flow::FlowError;
                let exit = match &e {
                    FlowError::Render(_) | FlowError::Input(_) => crate::exit::INVALID_INPUT,
                    FlowError::Http(h) if h.is_input() => crate::exit::INVALID_INPUT,
                    FlowError::Http(_) | FlowError::Timeout(_) => crate::exit::REQUEST_FAILED,
                    FlowError::Protocol(_) => crate::exit::EXPECTATION_FAILED,
                };
                fail(e.to_string(), exit)
            })?;
        let resp = &outcome.hops[outcome.judged].response;
        if resp.status != 200 {
            return Err(fail(
                format!("the provider refused: {}{}", resp.status, resp.error_hint()),
                crate::exit::EXPECTATION_FAILED,
            ));
        }
        if let Some(problem) = outcome.problems.first() {
            return Err(fail(problem.clone(), crate::exit::EXPECTATION_FAILED));
        }
        let json = resp
            .json()
            .map_err(|e| fail(e, crate::exit::EXPECTATION_FAILED))?;
        let value = oauth::token_value(json, outcome.id_claims.as_ref());
        oauth::store(cache_path, &slot, &value)
            .map_err(|e| fail(e.to_string(), crate::exit::REQUEST_FAILED))?;
        token_of(&value).map(|t| (t, "requested")).ok_or_else(|| {
            fail(
                "the token response has no access_token".into(),
                crate::exit::EXPECTATION_FAILED,
            )
        })
    }
}

/// What a thread running files in parallel sends: a file's events as they happen, and the
/// file's counts once it is done (`None`: not run, the run being stopped).
enum Sent {
    Events(usize, Vec<Event>),
    Done(usize, Option<Counts>),
}

/// A file's events on their way to the thread that shows them. Unless the run is watched
/// live, they go in batches: at most `BATCH` events or `BATCH_WAIT` apart, and at the end
/// of the file. One send per event woke the showing thread for each: 5,200 context
/// switches for 1,000 requests in 200 files against 1,000 with `--jobs 1`, a fifth more
/// CPU time.
struct Sender<'a> {
    unit: usize,
    tx: &'a std::sync::mpsc::Sender<Sent>,
    live: bool,
    batch: Vec<Event>,
    since: Instant,
}

const BATCH: usize = 256;
const BATCH_WAIT: Duration = Duration::from_millis(100);

impl<'a> Sender<'a> {
    fn new(unit: usize, tx: &'a std::sync::mpsc::Sender<Sent>, live: bool) -> Sender<'a> {
        Sender {
            unit,
            tx,
            live,
            batch: Vec::new(),
            since: Instant::now(),
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            let _ = self.tx.send(Sent::Events(self.unit, batch));
        }
        self.since = Instant::now();
    }
}

impl Reporter for Sender<'_> {
    fn event(&mut self, event: &Event) {
        self.batch.push(event.clone());
        if self.live || self.batch.len() >= BATCH || self.since.elapsed() >= BATCH_WAIT {
            self.flush();
        }
    }
}

/// Events of a file that cannot be shown yet (a file before it is still running).
#[derive(Default)]
struct Held {
    events: Vec<Event>,
    done: Option<Option<Counts>>,
}

/// Interruption of a run (Ctrl-C, SIGTERM): a flag checked between requests, and a
/// notification that ends the request in flight.
#[derive(Default)]
pub struct Cancel {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Resolves once the run is cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
