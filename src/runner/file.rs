//! One run of a collection file: its variables, its requests in order with their
//! `delay_ms` and `retry`, `--only`/`--skip`, and the stops (`--bail`, `--max-time`,
//! Ctrl-C) that end it between requests.

use super::limits::Waited;
use super::stop::Stop;
use super::{FileRun, Runner, capture, layers, needs, report, tell, vars};
use crate::collection::Layer;
use crate::collection::model::{Collection, Request};
use crate::event::{Counts, ErrorKind, Event, Outcome, Reporter, RequestReport};
use crate::secret::Redactor;
use std::time::{Duration, Instant};

impl Runner<'_> {
    pub(super) async fn run_file(
        &self,
        index_of_file: usize,
        collection: &Collection,
        iteration: Option<usize>,
        reporter: &mut dyn Reporter,
    ) -> Counts {
        let started = Instant::now();
        let file = collection.file.display();
        tell(
            reporter,
            &Event::FileStarted {
                file: file.clone(),
                name: collection.name.clone(),
                requests: collection.request_count(),
                iteration: iteration.map(|i| (i + 1, self.inputs.iterations)),
                needed: self
                    .inputs
                    .needed
                    .get(index_of_file)
                    .copied()
                    .unwrap_or(false),
            },
        );
        let mut redactor = Redactor::new(self.options.show_secrets);
        let mut layers = self.inputs.layers.clone();
        if let Some(i) = iteration {
            let row = match self.inputs.rows.len() {
                0 => Layer::default(),
                n => self.inputs.rows[i % n].clone(),
            };
            layers.insert(self.inputs.iteration_position.min(layers.len()), row);
        }
        if let Some(kept) = self.persisted_for(collection) {
            // Above the environments and the sandbox, below the row and `--var`.
            layers.insert(self.inputs.iteration_position.min(layers.len()), kept);
        }
        let start = vars::start(
            &collection.vars,
            &layers,
            &self.inputs.env,
            &self.inputs.templates,
            &mut redactor,
        );
        let mut state = FileRun::new(collection, start, redactor, self.options.cookies.as_ref());
        state.iteration = iteration;
        // What the files it needs exported, or why its requests are skipped.
        let needs_failed = match self.wait_for_needs(index_of_file, iteration) {
            Ok(exported) => {
                needs::apply(&mut state, &exported);
                None
            }
            Err(why) => Some(why),
        };
        let mut first_failure = None;
        let mut counts = Counts::default();
        let requests = collection.requests(&self.inputs.templates);
        for (index, req) in requests.enumerate() {
            let req = match req {
                Ok(req) => req,
                Err(diagnostic) => {
                    // A file too big to keep, edited or removed since it was checked:
                    // the request is reported, not skipped, and nothing after it runs.
                    let report = report::unreadable(&file, index, iteration, diagnostic);
                    counts.add(&report.outcome);
                    tell(reporter, &Event::RequestFinished(Box::new(report)));
                    break;
                }
            };
            let shadowed = layers::enter(&mut state, &req, &self.inputs.templates);
            // `name: login <<user>>`: each data row's request under a name of its own.
            let name = self.name_of(&state, &req);
            tell(
                reporter,
                &Event::RequestStarted {
                    file: file.clone(),
                    index,
                    name: name.clone(),
                },
            );
            // A request --only/--skip leave out says so, stop or not.
            let stop = self
                .stop_reason()
                .filter(|_| self.deselected(&req).is_none());
            let mut report = match (&needs_failed, stop) {
                (Some(why), _) => report::skipped(&file, index, &req, iteration, why),
                (None, Some(why)) => report::skipped(&file, index, &req, iteration, why),
                (None, None) => {
                    let mut report = self
                        .run_with_retries(&mut state, index, &req, reporter)
                        .await;
                    report.iteration = iteration.map(|i| i + 1);
                    report
                }
            };
            layers::leave(&mut state, shadowed, &report);
            report.name = name;
            // Reported in the including file (JUnit, annotations): at its `include:` line.
            if let Some(included) = &req.included {
                report.line = included.loc.line;
            }
            if first_failure.is_none() {
                first_failure = failure_of(&report);
            }
            counts.add(&report.outcome);
            if counts.exit_code() != 0 {
                self.note_failure();
            }
            tell(reporter, &Event::RequestFinished(Box::new(report)));
            if self.cancel.is_cancelled() {
                break;
            }
        }
        self.post_exports(
            index_of_file,
            iteration,
            &state,
            &counts,
            needs_failed.as_deref(),
            first_failure,
        );
        self.keep_persisted(&state);
        tell(
            reporter,
            &Event::FileFinished {
                file,
                counts,
                duration: started.elapsed(),
            },
        );
        counts
    }

    /// A request with its `delay_ms` and `retry`: attempts until its expectations hold (a
    /// readiness check) or the attempts run out; the last attempt is the one reported.
    async fn run_with_retries(
        &self,
        st: &mut FileRun<'_>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        if let Some(why) = self.deselected(req) {
            return report::stopped(st, index, req, Stop::Skipped(why));
        }
        let report = self.attempts(st, index, req, reporter).await;
        capture::note_missing(st, req, &report);
        report
    }

    async fn attempts(
        &self,
        st: &mut FileRun<'_>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        // `skip` and `delay_ms` from the run's variables (a data row may set them).
        let (skip, delay) =
            match super::render::before_sending(req, &self.inputs.templates, &st.scope) {
                Ok(values) => values,
                Err(fail) => return report::stopped(st, index, req, Stop::from(fail)),
            };
        if skip {
            return report::stopped(st, index, req, Stop::Skipped("skip: true".into()));
        }
        if let Some(delay) = delay {
            let why = match self.wait(delay, false).await {
                Waited::Done => None,
                Waited::Interrupted => Some("interrupted"),
                Waited::OutOfTime => Some(crate::event::SKIPPED_BY_MAX_TIME),
            };
            // Another file may have failed meanwhile (--bail with --jobs).
            if let Some(why) = why.or_else(|| self.stop_reason()) {
                return report::stopped(st, index, req, Stop::Skipped(why.into()));
            }
        }
        let attempts = req.retry.as_ref().map_or(1, |r| r.count + 1);
        let mut attempt = 1;
        loop {
            // Ctrl-C ends the request in flight at once; the run then reports what ran.
            let attempt_result = tokio::select! {
                r = self.run_request(st, index, req, reporter) => Some(r),
                () = self.cancel.cancelled() => None,
                () = self.out_of_time() => {
                    let cut = self.cut_by_deadline(st.source_of(req), req);
                    return report::stopped(st, index, req, cut);
                }
            };
            let Some(mut report) = attempt_result else {
                let interrupted = Stop::Skipped("interrupted".into());
                return report::stopped(st, index, req, interrupted);
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
                Waited::Done => attempt += 1,
                Waited::Interrupted => return report,
                // The attempts not made are said beside the one reported, never "attempt
                // n of n" for attempts the run had no time for.
                Waited::OutOfTime => {
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

    /// The request's name as reports show it: rendered with the file's variables when it
    /// holds a template the loader compiled (`name: login <<user>>`), and masked; as written
    /// when it cannot be rendered (the request's own error says why).
    fn name_of(&self, st: &FileRun, req: &Request) -> String {
        if !crate::template::has_template_syntax(&req.name) {
            return req.name.clone();
        }
        let templates = &self.inputs.templates;
        let rendered = templates
            .known(&req.name, req.loc, &st.collection.file)
            .and_then(|tpl| templates.render(&tpl, &st.scope).ok());
        match rendered {
            Some(name) => st.redactor.redact(&name).into_owned(),
            None => req.name.clone(),
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
}

/// What a failed request says to the files that need its file: its name and the first
/// thing that went wrong (already redacted, as reports are).
fn failure_of(report: &RequestReport) -> Option<String> {
    let message = match &report.outcome {
        Outcome::Failed(d) => d.first().map_or_else(String::new, |d| d.message.clone()),
        Outcome::Error { diagnostic, .. } => diagnostic.message.clone(),
        Outcome::Passed | Outcome::Skipped(_) => return None,
    };
    Some(format!("'{}': {message}", report.name))
}
