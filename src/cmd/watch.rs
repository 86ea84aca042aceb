//! `baton run --watch` (and `baton watch`): a run, then the files it read are watched
//! (collections, the files they include and need, environments, `.env` files, `--data`,
//! `--cookies`), and each change, debounced, runs again what it affects: a changed
//! collection, itself and the files that need or include it; anything else, everything.
//! An invalid edit prints its error and the watch goes on. Ctrl-C ends it: while waiting,
//! with the last run's exit code; during a run, with 130 as any interrupted run.

use super::run::{RunCommand, once};
use crate::collection::load;
use crate::exit;
use crate::inputs::Plan;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, new_debouncer};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Editors save in bursts (a temporary file, a rename, a chmod): one run for the burst.
const DEBOUNCE: Duration = Duration::from_millis(150);

pub(crate) async fn main(cmd: RunCommand) -> i32 {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
    let debouncer = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| {
        // A watcher error (a watched directory removed) leaves the others watched.
        if let Ok(events) = events {
            let _ = tx.send(events.into_iter().map(|e| e.path).collect());
        }
    });
    let mut debouncer = match debouncer {
        Ok(d) => d,
        Err(e) => {
            crate::errln!("error: --watch: cannot watch files: {e}");
            return exit::REQUEST_FAILED;
        }
    };
    // One listener for the whole watch: a Ctrl-C that comes while files are read or a
    // save settles is kept (a permit) for the wait that follows.
    let stop = std::sync::Arc::new(tokio::sync::Notify::new());
    let listener = stop.clone();
    tokio::spawn(async move {
        loop {
            super::stop_signal().await;
            listener.notify_one();
        }
    });
    let mut watched: HashSet<PathBuf> = HashSet::new();
    // What each file held when last seen: reading a file is an event too (inotify's open),
    // and the run reads every file it watches; only a change of content runs again.
    let mut stamps: HashMap<PathBuf, Option<u64>> = HashMap::new();
    let mut run = 0;
    let mut paths = cmd.paths.clone();
    let mut why = String::new();
    loop {
        run += 1;
        // Before the run: an edit saved while it runs is then a change still to run.
        let graph = Graph::of(&cmd);
        for file in graph.files(&cmd.paths) {
            let now = stamp(&file);
            stamps.insert(file, now);
        }
        for (dir, mode) in graph.dirs(&cmd.paths) {
            if watched.insert(dir.clone()) {
                let _ = debouncer.watcher().watch(&dir, mode);
            }
        }
        if run > 1 {
            separator(&cmd, run, &why);
        }
        let ran = once(&cmd, &paths).await;
        if ran.interrupted {
            return exit::INTERRUPTED;
        }
        say(
            &cmd,
            &format!(
                "watch: run {run}: {} (exit {}); watching {} files, Ctrl-C ends",
                ran.summary,
                ran.code,
                graph.files(&cmd.paths).len()
            ),
        );
        // Changes that touch nothing the run read (an editor's swap file, a report written
        // beside the collections) are let go; the wait goes on.
        loop {
            let batch = tokio::select! {
                batch = rx.recv() => batch,
                () = stop.notified() => return ran.code,
            };
            let Some(mut changed) = batch else {
                return ran.code;
            };
            // A save is not one event: a truncation and a write may be seen apart (the
            // debouncer's window restarts with each). Until the files are quiet for two
            // windows, what comes belongs to the same save; only then are they read.
            while let Ok(Some(more)) = tokio::time::timeout(2 * DEBOUNCE, rx.recv()).await {
                changed.extend(more);
            }
            // Only what holds something new: an open, a chmod or a save of the same bytes
            // is let go.
            changed.retain(|p| {
                let k = key(p);
                // A directory's own event (an entry added) says nothing of a file's content.
                if k.is_dir() {
                    return false;
                }
                let now = stamp(&k);
                stamps.insert(k, now) != Some(now)
            });
            if let Some((next, said)) = graph.affected(&cmd.paths, &changed) {
                paths = next;
                why = said;
                break;
            }
        }
    }
}

/// A line for the watch itself: on stdout with the console, unless stdout carries NDJSON.
fn say(cmd: &RunCommand, line: &str) {
    if cmd.reports.json_to_stdout() {
        crate::errln!("{line}");
    } else {
        crate::outln!("{line}");
    }
}

/// Before a run again: the screen cleared on a terminal, then a line saying why.
fn separator(cmd: &RunCommand, run: usize, why: &str) {
    let tty = !cmd.reports.json_to_stdout() && std::io::stdout().is_terminal();
    if tty {
        crate::out!("\x1b[2J\x1b[H");
    }
    let time = chrono::Local::now().format("%H:%M:%S");
    say(
        cmd,
        &format!("\n── run {run} at {time}: {why} ──────────────────────────────"),
    );
}

/// What a run reads, as absolute paths: each collection with the files it includes and the
/// collections it needs, and the files every collection reads.
struct Graph {
    collections: Vec<Node>,
    /// Environments, `.env` files, `--data`, `--cookies`: a change runs everything.
    shared: Vec<PathBuf>,
}

struct Node {
    /// As the run names it (the path given or found), to run it again.
    path: PathBuf,
    key: PathBuf,
    includes: Vec<PathBuf>,
    needs: Vec<usize>,
}

impl Graph {
    /// Loaded again (not sent): the files as they are now, whether this run's load failed
    /// or not (what did load is watched; a file that did not is watched as given).
    fn of(cmd: &RunCommand) -> Graph {
        let plan = Plan {
            keep: load::Keep::All,
            data: cmd.data.clone(),
            ..Plan::default()
        };
        let (inputs, _) = crate::inputs::assemble(&cmd.paths, &cmd.vars, None, &plan);
        let collections = inputs
            .collections
            .iter()
            .enumerate()
            .map(|(i, c)| Node {
                path: c.file.path.clone(),
                key: key(&c.file.path),
                includes: c
                    .requests
                    .iter()
                    .filter_map(|r| r.included.as_ref().map(|inc| key(&inc.file.path)))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                needs: inputs.needs.get(i).cloned().unwrap_or_default(),
            })
            .collect::<Vec<_>>();
        let mut shared: Vec<PathBuf> = cmd
            .vars
            .env
            .iter()
            .filter_map(|name| {
                crate::collection::environment::resolve(name, &cmd.paths)
                    .ok()
                    .map(|p| key(&p))
            })
            .collect();
        let mut dirs: BTreeSet<PathBuf> = collections
            .iter()
            .filter_map(|n| n.key.parent().map(Path::to_path_buf))
            .collect();
        if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
            dirs.insert(cwd);
        }
        shared.extend(dirs.iter().map(|d| d.join(".env")));
        shared.extend(cmd.data.iter().chain(&cmd.cookies).map(|p| key(p)));
        Graph {
            collections,
            shared,
        }
    }

    /// The files the run reads (the files given among them, loaded or not).
    fn files(&self, given: &[PathBuf]) -> BTreeSet<PathBuf> {
        let mut all: BTreeSet<PathBuf> =
            self.shared.iter().filter(|p| p.exists()).cloned().collect();
        for n in &self.collections {
            all.insert(n.key.clone());
            all.extend(n.includes.iter().cloned());
        }
        all.extend(given.iter().map(|g| key(g)).filter(|g| g.is_file()));
        all
    }

    /// The directories to watch: each file's own (an editor's save replaces the file, and a
    /// watch on the file would end with it), and the directories given, whole (a file
    /// added there is a collection of the run).
    fn dirs(&self, given: &[PathBuf]) -> Vec<(PathBuf, RecursiveMode)> {
        let mut out: BTreeSet<PathBuf> = BTreeSet::new();
        let files = self
            .collections
            .iter()
            .flat_map(|n| std::iter::once(&n.key).chain(&n.includes))
            .chain(&self.shared);
        for f in files {
            if let Some(dir) = f.parent().filter(|d| d.is_dir()) {
                out.insert(dir.to_path_buf());
            }
        }
        let mut dirs: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for g in given {
            let k = key(g);
            if k.is_dir() {
                dirs.push((k, RecursiveMode::Recursive));
            } else if let Some(dir) = k.parent().filter(|d| d.is_dir()) {
                out.insert(dir.to_path_buf());
            }
        }
        dirs.extend(out.into_iter().map(|d| (d, RecursiveMode::NonRecursive)));
        dirs
    }

    /// The paths to run after `changed`, and why; `None` when nothing the run reads changed.
    fn affected(&self, given: &[PathBuf], changed: &[PathBuf]) -> Option<(Vec<PathBuf>, String)> {
        let changed: BTreeSet<PathBuf> = changed.iter().map(|p| key(p)).collect();
        let mut marked = vec![false; self.collections.len()];
        let mut names = Vec::new();
        let mut everything = false;
        let given_dirs: Vec<PathBuf> = given
            .iter()
            .map(|g| key(g))
            .filter(|g| g.is_dir())
            .collect();
        let given_files: Vec<PathBuf> = given
            .iter()
            .map(|g| key(g))
            .filter(|g| !g.is_dir())
            .collect();
        for p in &changed {
            let mut hit = false;
            for (i, n) in self.collections.iter().enumerate() {
                if n.key == *p || n.includes.contains(p) {
                    marked[i] = true;
                    hit = true;
                }
            }
            let yaml = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml"));
            let new_collection = yaml && given_dirs.iter().any(|d| p.starts_with(d));
            if !hit && (self.shared.contains(p) || given_files.contains(p) || new_collection) {
                everything = true;
                hit = true;
            }
            if hit {
                names.push(shown(p));
            }
        }
        if names.is_empty() {
            return None;
        }
        let why = format!("{} changed", names.join(", "));
        if everything {
            return Some((given.to_vec(), why));
        }
        // The files that need a marked one, and those that need them, run again too.
        loop {
            let mut more = false;
            for (i, n) in self.collections.iter().enumerate() {
                if !marked[i] && n.needs.iter().any(|&j| marked.get(j) == Some(&true)) {
                    marked[i] = true;
                    more = true;
                }
            }
            if !more {
                break;
            }
        }
        let paths = self
            .collections
            .iter()
            .zip(&marked)
            .filter(|(_, m)| **m)
            .map(|(n, _)| n.path.clone())
            .collect();
        Some((paths, why))
    }
}

/// A fingerprint of what a file holds (`None`: it is not there, or not readable).
fn stamp(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let bytes = crate::fsutil::read(path, crate::fsutil::MAX_INPUT).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    Some(h.finish())
}

/// A path as events name it: absolute, its directory resolved (symbolic links, `..`).
fn key(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => match dir.canonicalize() {
            Ok(dir) => dir.join(name),
            Err(_) => abs,
        },
        _ => abs.canonicalize().unwrap_or(abs),
    }
}

/// A changed path as the line before a run names it: relative to the working directory.
fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    match cwd.and_then(|c| path.strip_prefix(c).ok().map(Path::to_path_buf)) {
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}
