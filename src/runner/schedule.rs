//! `--jobs N`: the schedule of files over worker threads, the ordered relay that shows
//! their events as with `--jobs 1`, the batching of those events, and the cancellation
//! (Ctrl-C) every worker watches.

use super::{Runner, tell};
use crate::event::{Counts, Event, Reporter};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

impl Runner<'_> {
    /// `--jobs N`: N threads, each with its own runtime and connections, take the next
    /// file as they finish one. Files are shown in their order, so the output reads as with
    /// `--jobs 1`: the first file not yet done as it runs, later ones once it is done (a big
    /// file's events are not all held in memory, and its progress shows).
    pub(super) fn run_parallel(&self, reporter: &mut dyn Reporter) -> Counts {
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
                oauth_cache: crate::oauth::discovery::Cache::default(),
                board: self.board.clone(),
                kept: self.kept.clone(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((index, collection, iteration)) = self.unit(i) else {
                    return Ok(());
                };
                let counts = if self.cancel.is_cancelled() {
                    None
                } else {
                    let mut sender = Sender::new(i, &tx, self.options.live);
                    let c = runtime.block_on(worker.run_file(
                        index,
                        collection,
                        iteration,
                        &mut sender,
                    ));
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
            let mut held: std::collections::BTreeMap<usize, Held> =
                std::collections::BTreeMap::default();
            let mut shown = 0;
            for sent in rx {
                match sent {
                    Sent::Events(i, events) if i == shown => {
                        for e in &events {
                            tell(reporter, e);
                        }
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
                            tell(reporter, &e);
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
            tell(
                reporter,
                &Event::Notice {
                    file: String::new(),
                    message: format!("--jobs: a worker could not start: {e}"),
                },
            );
            if total == Counts::default() {
                total.errors += 1;
            }
        }
        total
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
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        self.batch.push(event.clone());
        if self.live || self.batch.len() >= BATCH || self.since.elapsed() >= BATCH_WAIT {
            self.flush();
        }
        Ok(())
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
pub(crate) struct Cancel {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub(crate) fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Resolves once the run is cancelled.
    pub(crate) async fn cancelled(&self) {
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
