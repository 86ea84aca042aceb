//! `baton check` is the pre-flight of `baton run`: every bad input of the corpus (the
//! directories of `tests/bad_inputs/`) goes through both, and both must exit 2 with the same
//! errors at the same places.

use crate::bad_inputs::{CorpusCase, corpus_dirs};
use crate::support::{Baton, Output};

/// Options of `run` alone: a case that needs one is about `run`'s command line, which
/// `check` does not take, so there is nothing to compare.
const RUN_ONLY: &[&str] = &[
    "--timeout",
    "--max-time",
    "--max-body",
    "--insecure",
    "--cacert",
    "--iterations",
    "--data",
    "--jobs",
    "--shard",
    "--only",
    "--skip",
    "--save",
    "--bail",
    "--junit",
    "--json",
    "--html",
];

/// One bad input, ready to go through both commands.
struct Pair {
    name: String,
    files: Vec<(String, Vec<u8>)>,
    /// The command line after the subcommand.
    args: Vec<String>,
}

impl Pair {
    fn baton(&self) -> Baton {
        self.files
            .iter()
            .fold(Baton::new(), |b, (rel, bytes)| b.file(rel, bytes))
    }

    fn run(&self, command: &str) -> Output {
        self.baton().arg(command).args(&self.args).run()
    }
}

/// Every bad input whose command is `run` or `check`, with the rest of its command line;
/// and the names of those left out because they use an option of `run` alone.
fn pairs() -> (Vec<Pair>, Vec<String>) {
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    for dir in corpus_dirs() {
        let case = CorpusCase::read(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some((command, rest)) = case.args.split_first() else {
            continue;
        };
        if command != "run" && command != "check" {
            continue;
        }
        if rest.iter().any(|a| RUN_ONLY.contains(&a.as_str())) {
            left_out.push(name);
            continue;
        }
        out.push(Pair {
            name,
            files: case.files,
            args: rest.to_vec(),
        });
    }
    (out, left_out)
}

/// The errors of an output: each `error:` line with the `-->` place under it (if any).
/// `check` names the request an undefined variable is in, where `run` shows it in the line
/// above: that tail is not part of the comparison.
fn errors(out: &Output) -> Vec<(String, String)> {
    let text = format!("{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let message = match message.find(" in request '") {
            Some(cut) if message.ends_with('\'') => &message[..cut],
            _ => message,
        };
        let place = lines
            .get(i + 1)
            .and_then(|l| l.trim_start().strip_prefix("--> "))
            .unwrap_or("");
        found.push((message.to_string(), place.to_string()));
    }
    found
}

/// How `run` and `check` differ on one input; None when they agree: both exit 2, neither
/// panics, and every error `run` reports is one `check` reports, at the same place.
fn difference(run: &Output, check: &Output) -> Option<String> {
    let (run_errors, check_errors) = (errors(run), errors(check));
    let panicked = |o: &Output| o.stderr.contains("panicked");
    let missing: Vec<&(String, String)> = run_errors
        .iter()
        .filter(|e| !check_errors.contains(e))
        .collect();
    if run.code == 2 && check.code == 2 && !panicked(run) && !panicked(check) && missing.is_empty()
    {
        return None;
    }
    Some(format!(
        "run exit {}, check exit {}; run's errors check lacks: {missing:?}\n--- run:\n{}{}--- check:\n{}{}",
        run.code, check.code, run.stdout, run.stderr, check.stdout, check.stderr
    ))
}

#[test]
fn check_finds_every_bad_input_run_refuses_at_the_same_place() {
    let (pairs, left_out) = pairs();
    assert!(pairs.len() >= 130, "{} inputs", pairs.len());
    let results: Vec<(String, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .chunks(pairs.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|p| (p.name.clone(), difference(&p.run("run"), &p.run("check"))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let differ: Vec<String> = results
        .iter()
        .filter_map(|(name, d)| d.as_ref().map(|d| format!("=== {name}: {d}")))
        .collect();
    let names: Vec<&str> = results
        .iter()
        .filter(|(_, d)| d.is_some())
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(
        differ.is_empty(),
        "run and check differ on {} of {} bad inputs ({} left out, options of run alone: {left_out:?}): {names:?}\n{}",
        differ.len(),
        results.len(),
        left_out.len(),
        differ.join("\n")
    );
}

/// minijinja's globals are functions, not variables a collection must define.
#[test]
fn check_accepts_range_dict_and_namespace() {
    let yaml = "requests:\n  - GET: http://127.0.0.1:9/<% for i in range(2) %><<i>><% endfor %>\n    headers:\n      x-a: <<dict(a='1').a>>\n      x-b: <% set ns = namespace(n=2) %><<ns.n>>\n";
    Baton::new()
        .file("c.yaml", yaml)
        .args(["check", "c.yaml"])
        .run()
        .code(0)
        .stdout_contains("ok: 1 file, 1 request, every variable defined");
}
