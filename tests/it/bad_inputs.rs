//! Invalid input, one small file at a time: each case of the corpus in `tests/bad_inputs/`
//! exits 2 with a message that names the problem and, where there is one, the
//! `file:line:col` it is at, and nothing panics; the whole message of each is pinned by a
//! snapshot (`snapshots/bad_inputs/<case>.snap`).

use crate::support::{Baton, Output, redact};

/// Every problem of a file is reported at once, not only the first.
#[test]
fn every_problem_of_a_file_is_reported() {
    let yaml = "requests:\n  - methd: GET\n    url: http://127.0.0.1:9/\n  - GET: http://127.0.0.1:9/\n    expect: { status: 6xx }\n  - post: http://127.0.0.1:9/\n";
    Baton::new()
        .file("x.yaml", yaml)
        .args(["run", "x.yaml"])
        .run()
        .code(2)
        .stderr_contains("x.yaml:2:5")
        .stderr_contains("x.yaml:5:23")
        .stderr_contains("x.yaml:6:5")
        .stderr_contains("3 errors in x.yaml")
        .output_lacks("passed");
}

/// A bad file stops the whole run before anything is sent, even from the good files.
#[test]
fn a_bad_file_stops_the_run_before_sending() {
    let server = crate::support::TestServer::start();
    Baton::new()
        .file("a.yaml", "requests:\n  - GET: <<base>>/echo\n")
        .file(
            "b.yaml",
            "requests:\n  - GET: <<base>>/echo\n    methd: x\n",
        )
        .args(["run", ".", "--var"])
        .arg(format!("base={}", server.url()))
        .run()
        .code(2)
        .stderr_contains("b.yaml:3:5");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn deep_block_nesting_is_refused() {
    let mut yaml = String::from("requests:\n");
    for depth in 1..200 {
        yaml.push_str(&" ".repeat(depth * 2));
        yaml.push_str("a:\n");
    }
    Baton::new()
        .file("x.yaml", yaml)
        .args(["run", "x.yaml"])
        .run()
        .code(2)
        .stderr_contains("x.yaml:")
        .stderr_contains("invalid YAML")
        .output_lacks("panicked");
}

/// The corpus in `tests/bad_inputs/`: one directory per case with its files and a `case`
/// file (`args: ...` and `expect: ...` lines). Each exits 2, says what is wrong and where,
/// and never panics; and its whole message, redacted, is the one its snapshot pins, so a
/// reworded or moved diagnostic shows up in review.
#[test]
fn the_corpus_of_bad_inputs_exits_2_with_a_place_and_no_panic() {
    let dirs = corpus_dirs();
    assert!(dirs.len() >= 150, "the corpus has {} cases", dirs.len());
    // A process per case: four threads keep the wall time down on a small machine.
    let outcomes: Vec<(String, CorpusCase, Output)> = std::thread::scope(|scope| {
        let handles: Vec<_> = dirs
            .chunks(dirs.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|dir| {
                            let case = CorpusCase::read(dir);
                            let out = case.baton().args(&case.args).run();
                            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                            (name, case, out)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut failures = Vec::new();
    for (name, case, out) in &outcomes {
        let all = format!("{}{}", out.stdout, out.stderr);
        let missing: Vec<&String> = case
            .expect
            .iter()
            .filter(|e| !all.contains(e.as_str()))
            .collect();
        if out.code != 2 || !missing.is_empty() || all.contains("panicked") {
            failures.push(format!(
                "--- {name}: exit {}, missing {missing:?}\n{all}",
                out.code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/bad_inputs");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, case, out) in &outcomes {
            insta::assert_snapshot!(name.as_str(), message(case, out));
        }
    });
}

/// What a case's snapshot holds: the command line, the exit code, and stdout and stderr
/// redacted (each under its own heading, so a message moving between them shows).
fn message(case: &CorpusCase, out: &Output) -> String {
    format!(
        "$ baton {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        case.args.join(" "),
        out.code,
        redact(&out.stdout),
        redact(&out.stderr)
    )
}

/// The case directories of `tests/bad_inputs/`, in name order.
pub(crate) fn corpus_dirs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// One case of the corpus: its files (all but `case`), its command line, the texts its
/// output must hold.
pub(crate) struct CorpusCase {
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) args: Vec<String>,
    pub(crate) expect: Vec<String>,
}

impl CorpusCase {
    pub(crate) fn read(dir: &std::path::Path) -> CorpusCase {
        let spec = std::fs::read_to_string(dir.join("case")).unwrap();
        let mut args: Vec<String> = Vec::new();
        let mut expect: Vec<String> = Vec::new();
        for line in spec.lines() {
            if let Some(a) = line.strip_prefix("args: ") {
                args = a.split(' ').map(str::to_string).collect();
            } else if let Some(e) = line.strip_prefix("expect: ") {
                // `\n` stands for a line break: a message that must end its line.
                expect.push(e.replace("\\n", "\n"));
            }
        }
        let files = walk(dir)
            .into_iter()
            .map(|file| {
                let rel = file
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read(&file).unwrap())
            })
            .filter(|(rel, _)| rel != "case")
            .collect();
        CorpusCase {
            files,
            args,
            expect,
        }
    }

    /// A `baton` in a fresh directory holding the case's files.
    pub(crate) fn baton(&self) -> Baton {
        self.files
            .iter()
            .fold(Baton::new(), |b, (rel, bytes)| b.file(rel, bytes))
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
