//! The runner: files in order, each file's requests in order; it emits events and never
//! prints. Where each stage lives: the run and a file's requests (`file.rs`), `--jobs`
//! (`schedule.rs`), the order of one request (`request.rs`), its token (`token/`), captures
//! (`capture.rs`), expectations (`expect.rs`), its redacted report (`report.rs`), why it
//! stopped (`stop.rs`), `--max-time`/`--bail` (`limits.rs`), what a needed file gives its
//! dependents (`needs.rs`), an include's `with:` and `persist:` (`layers.rs`), and the
//! response bodies `--output` and `save_body:` write (`saved.rs`).

mod capture;
mod client_cert;
mod expect;
mod file;
mod layers;
mod limits;
mod needs;
pub(crate) mod render;
mod report;
mod request;
mod saved;
mod schedule;
mod stop;
mod token;
pub(crate) mod vars;
pub(crate) mod view;

use crate::collection::Layer;
use crate::collection::model::Collection;
use crate::diag::Diagnostic;
use crate::event::{Counts, Event, Reporter};
use crate::http::Http;
use crate::secret::Redactor;
use crate::template::{EnvVars, Scope, Templates};
pub(crate) use schedule::Cancel;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Everything a run needs, loaded and checked.
pub(crate) struct Inputs {
    pub collections: Vec<Collection>,
    /// `needs[i]`: the indices of the files the `i`-th needs, each before it in
    /// `collections` (`inputs::needs` orders them so).
    pub needs: Vec<Vec<usize>>,
    /// `needed[i]`: whether a file of the run needs the `i`-th (reports mark it, so that
    /// `report merge` counts once a file each shard ran for its dependents).
    pub needed: Vec<bool>,
    /// The values `persist:` kept from earlier runs (none with `--fresh`): a layer put
    /// below the iteration's, for the files whose `persist:` names them.
    pub persisted: Option<Layer>,
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
pub(crate) struct RunOptions {
    pub bail: bool,
    /// Keep transcripts of every exchange (`-v`), not only of failures.
    pub verbose: bool,
    /// `-vv`: each exchange's timings beside its transcript.
    pub timings: bool,
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
    /// `--cookies FILE`: the cookies each collection run's jar starts with.
    pub cookies: Option<crate::http::CookieSeed>,
    /// `--output DIR`: every response body saved there (`saved.rs`).
    pub output: Option<std::path::PathBuf>,
}

pub(crate) struct Runner<'a> {
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
    /// How the needed files' runs ended, for their dependents (shared by `--jobs` workers).
    board: Arc<needs::Board>,
    /// The values `persist:` keeps, as the files that captured them ended (name, value,
    /// file), for the front end to write once the run is over.
    kept: Arc<std::sync::Mutex<Vec<(String, serde_json::Value, String)>>>,
}

/// The state of one collection file while it runs.
struct FileRun<'c> {
    collection: &'c Collection,
    scope: Scope,
    /// Learns the file's secrets as they appear; only `report.rs` masks with it.
    redactor: Redactor,
    /// The cookies of the file's plain requests.
    jar: Arc<crate::http::Jar>,
    unresolved: HashMap<String, Diagnostic>,
    /// Variables an earlier request should have captured but did not: that request's name,
    /// and why, when it failed before its captures could run.
    failed_captures: HashMap<String, (String, Option<String>)>,
    /// The tokens of the file's `oauth2` requests and the browsers of its sign-ins.
    tokens: token::Tokens,
    /// The names its requests captured (what `persist:` keeps is what the run captured).
    captured: std::collections::HashSet<String>,
    /// Which iteration of the file this is (`--data`, `--iterations`), from 0.
    iteration: Option<usize>,
}

impl<'c> FileRun<'c> {
    fn new(
        collection: &'c Collection,
        start: vars::Start,
        redactor: Redactor,
        cookies: Option<&crate::http::CookieSeed>,
    ) -> FileRun<'c> {
        FileRun {
            collection,
            scope: start.scope,
            redactor,
            jar: crate::http::new_jar(cookies),
            unresolved: start.unresolved,
            failed_captures: HashMap::new(),
            tokens: token::Tokens::default(),
            captured: std::collections::HashSet::default(),
            iteration: None,
        }
    }

    /// The file a request's places are in: an included request's are in the included file.
    fn source_of<'r>(
        &'r self,
        req: &'r crate::collection::model::Request,
    ) -> &'r Arc<crate::diag::SourceFile> {
        req.included
            .as_ref()
            .map_or(&self.collection.file, |i| &i.file)
    }

    /// Where a request's relative paths (body files) start: beside the file it is written
    /// in, the included file for an included request.
    fn base_dir_of(&self, req: &crate::collection::model::Request) -> std::path::PathBuf {
        let path = &self.source_of(req).path;
        path.parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Where the file's relative paths (keys of its oauth2 requests) start.
    fn base_dir(&self) -> std::path::PathBuf {
        let path = &self.collection.file.path;
        path.parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Passes an event on. A reporter that cannot write (a closed stdout, `baton run | head`)
/// does not stop the run: it goes on and exits with its own code. Report files are not
/// written through events (`app` writes them from the collected document, and says so).
fn tell(reporter: &mut dyn Reporter, event: &Event) {
    let _ = reporter.event(event);
}

impl<'a> Runner<'a> {
    pub(crate) fn new(inputs: &'a Inputs, options: &'a RunOptions, http: &'a Http) -> Runner<'a> {
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
            oauth_cache: crate::oauth::discovery::Cache::default(),
            board: Arc::default(),
            kept: Arc::default(),
        }
    }

    /// The values `persist:` keeps from this run (name, value, file), the latest last.
    pub(crate) fn kept(&self) -> Vec<(String, serde_json::Value, String)> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.clone()
    }

    /// How many runs of a file the run makes: one per file and iteration.
    fn units(&self) -> usize {
        self.inputs.collections.len() * self.inputs.iterations.max(1)
    }

    /// The `i`-th run of a file, in order (each file's iterations, then the next file), and
    /// the file's index.
    fn unit(&self, i: usize) -> Option<(usize, &Collection, Option<usize>)> {
        let its = self.inputs.iterations.max(1);
        let collection = self.inputs.collections.get(i / its)?;
        Some((
            i / its,
            collection,
            (self.inputs.iterations > 0).then_some(i % its),
        ))
    }

    pub(crate) async fn run(&self, reporter: &mut dyn Reporter) -> Counts {
        let started = Instant::now();
        let iterations = self.inputs.iterations.max(1);
        let requests = self
            .inputs
            .collections
            .iter()
            .map(super::collection::model::Collection::request_count)
            .sum::<usize>()
            * iterations;
        tell(
            reporter,
            &Event::RunStarted {
                files: self.inputs.collections.len(),
                requests,
            },
        );
        let mut total = Counts::default();
        if self.options.jobs <= 1 {
            // Files after a stop (--bail, --max-time) still run through `run_file`, which
            // reports their requests as skipped; only Ctrl-C ends the run where it is.
            for (index, collection, iteration) in (0..self.units()).filter_map(|i| self.unit(i)) {
                let counts = self.run_file(index, collection, iteration, reporter).await;
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
            tell(
                reporter,
                &Event::Notice {
                    file: String::new(),
                    message: "interrupted: the summary below holds what ran".into(),
                },
            );
        }
        tell(
            reporter,
            &Event::RunFinished {
                counts: total,
                duration: started.elapsed(),
            },
        );
        total
    }
}
