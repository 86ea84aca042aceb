//! Invalid input, one small file at a time: each exits 2 with a message that names the
//! problem and, where there is one, the `file:line:col` it is at, and nothing panics.

use crate::support::{Baton, Output};

pub(crate) struct Case {
    pub(crate) name: &'static str,
    /// Files to write; the first is the collection passed to `baton run` unless `args`
    /// says otherwise.
    pub(crate) files: &'static [(&'static str, &'static [u8])],
    /// Arguments after `run`; empty means the first file.
    pub(crate) args: &'static [&'static str],
    /// Text the output must contain: the message and the place.
    expect: &'static [&'static str],
}

pub(crate) const CASES: &[Case] = &[
    Case {
        name: "unknown key with a suggestion",
        files: &[("x.yaml", b"name: x\nrequests:\n  - methd: GET\n    url: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:3:5", "unknown key 'methd' in a request (did you mean 'method'?)"],
    },
    Case {
        name: "a number where a boolean belongs",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    follow_redirects: 3\n")],
        args: &[],
        expect: &["x.yaml:3:23", "`follow_redirects` must be true or false, found"],
    },
    Case {
        name: "a number where a mapping of headers belongs",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    headers: 5\n")],
        args: &[],
        expect: &["x.yaml:3:14", "`headers` must be a mapping of names to values"],
    },
    Case {
        name: "a list where a mapping belongs",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect: [200]\n")],
        args: &[],
        expect: &["x.yaml:3:13", "`expect` must be a mapping, found"],
    },
    Case {
        name: "a mapping where the list of requests belongs",
        files: &[("x.yaml", b"requests:\n  GET: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:2:3", "`requests` must be a list"],
    },
    Case {
        name: "two bodies",
        files: &[("x.yaml", b"requests:\n  - POST: http://127.0.0.1:9/\n    form: { a: 1 }\n    json: { a: 1 }\n")],
        args: &[],
        expect: &["x.yaml:4:5", "a request has one body; found `form` and `json`"],
    },
    Case {
        name: "two methods",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    POST: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:3:5", "a request has one method; found `GET` and `POST`"],
    },
    Case {
        name: "no URL",
        files: &[("x.yaml", b"requests:\n  - name: nothing to send\n    method: POST\n")],
        args: &[],
        expect: &["x.yaml:2:5", "the request has no URL"],
    },
    Case {
        name: "a lowercase method",
        files: &[("x.yaml", b"requests:\n  - post: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:2:5", "unknown key 'post' (did you mean 'POST'?)", "methods are written in capitals"],
    },
    Case {
        name: "a tab indent",
        files: &[("x.yaml", b"requests:\n\t- GET: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:2:", "invalid YAML", "tabs"],
    },
    Case {
        name: "a duplicate key",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    name: a\n    name: b\n")],
        args: &[],
        expect: &["x.yaml:4:5", "invalid YAML: duplicate mapping key: name\n"],
    },
    Case {
        name: "an unclosed template",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/<< x\n")],
        args: &[],
        expect: &["x.yaml:2:10", "invalid template"],
    },
    Case {
        name: "an unknown filter",
        files: &[("x.yaml", b"vars: { x: 1 }\nrequests:\n  - GET: http://127.0.0.1:9/<< x | nosuchfilter >>\n")],
        args: &[],
        expect: &["x.yaml:3:10", "unknown filter"],
    },
    Case {
        name: "an invalid JSONPath in a capture",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    capture: { t: \"$.[\" }\n")],
        args: &[],
        expect: &["x.yaml:3:19", "invalid JSONPath `$.[`"],
    },
    Case {
        name: "an invalid JSONPath in an expectation",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect:\n      body: { \"$..[?\": 1 }\n")],
        args: &[],
        expect: &["x.yaml:4:15", "invalid JSONPath"],
    },
    Case {
        name: "a JSONPath name with a dash",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect:\n      body:\n        $.headers.content-type: json\n")],
        args: &[],
        expect: &["x.yaml:5:9", "invalid JSONPath `$.headers.content-type`", "written in brackets: `$.headers['content-type']`"],
    },
    Case {
        name: "a capture that is not a JSONPath",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    capture: { t: access_token }\n")],
        args: &[],
        expect: &["x.yaml:3:19", "capture `t`: `access_token` is not a JSONPath"],
    },
    Case {
        name: "an invalid regex",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    capture: { t: { regex: \"(unclosed\" } }\n")],
        args: &[],
        expect: &["x.yaml:3:28", "invalid regex `(unclosed`: unclosed group", "1 error in x.yaml"],
    },
    Case {
        name: "an invalid status class",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect: { status: 6xx }\n")],
        args: &[],
        expect: &["x.yaml:3:23", "invalid status"],
    },
    Case {
        name: "an unknown predicate",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect:\n      body: { $.a: { gtt: 1 } }\n")],
        args: &[],
        expect: &["x.yaml:4:22", "unknown predicate 'gtt'", "did you mean 'gt'?"],
    },
    Case {
        name: "an unknown type",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    expect:\n      body: { $.a: { type: strng } }\n")],
        args: &[],
        expect: &["x.yaml:4:28", "unknown type `strng`"],
    },
    Case {
        name: "a timeout that is no duration",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    timeout: forever\n")],
        args: &[],
        expect: &["x.yaml:3:14", "`timeout` must be a duration"],
    },
    Case {
        name: "an id with a space",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    id: sign in\n")],
        args: &[],
        expect: &["x.yaml:3:9", "`sign in` is not a valid id"],
    },
    Case {
        name: "an unknown auth scheme",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n    auth: { digest: x }\n")],
        args: &[],
        expect: &["x.yaml:3:11", "`auth` needs `basic`, `bearer` or `oauth2`"],
    },
    Case {
        name: "an unknown top-level key",
        files: &[("x.yaml", b"name: x\nrequest:\n  - GET: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:2:1", "unknown key 'request' in the collection (did you mean 'requests'?)"],
    },
    Case {
        name: "no requests",
        files: &[("x.yaml", b"name: x\nrequests: []\n")],
        args: &[],
        expect: &["x.yaml:2:11", "`requests` is empty"],
    },
    Case {
        name: "an invalid variable name",
        files: &[("x.yaml", b"vars:\n  \"my var\": 1\nrequests:\n  - GET: http://127.0.0.1:9/\n")],
        args: &[],
        expect: &["x.yaml:2:3", "`my var` is not a valid variable name"],
    },
    Case {
        name: "an empty file",
        files: &[("x.yaml", b"")],
        args: &[],
        expect: &["x.yaml: the file is empty"],
    },
    Case {
        name: "an alias bomb",
        files: &[("x.yaml", ALIAS_BOMB.as_bytes())],
        args: &[],
        expect: &["x.yaml:6:8", "invalid YAML: alias replay limit exceeded: total_replayed_events=100001 > 100000\n"],
    },
    Case {
        name: "deep flow nesting",
        files: &[("x.yaml", DEEP_FLOW.as_bytes())],
        args: &[],
        expect: &["x.yaml:2:", "nests deeper than 64 levels"],
    },
    Case {
        name: "invalid UTF-8",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\xff\n")],
        args: &[],
        expect: &["x.yaml:2: the file is not valid UTF-8"],
    },
    Case {
        name: "a directory with no collections",
        files: &[("empty/notes.txt", b"not a collection\n")],
        args: &["empty"],
        expect: &["empty: no collections (.yaml or .yml files) in this directory"],
    },
    Case {
        name: "a missing file",
        files: &[],
        args: &["missing.yaml"],
        expect: &["missing.yaml: no such file or directory"],
    },
    Case {
        name: "a --var without a value",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n")],
        args: &["x.yaml", "--var", "novalue"],
        expect: &["--var `novalue`: expected NAME=VALUE"],
    },
    Case {
        name: "a bad --timeout",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n")],
        args: &["x.yaml", "--timeout", "soon"],
        expect: &["invalid value 'soon' for '--timeout <DURATION>': expected a duration"],
    },
    Case {
        name: "a bad --max-body",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n")],
        args: &["x.yaml", "--max-body", "lots"],
        expect: &["--max-body `lots`: expected a size"],
    },
    Case {
        name: "an unknown environment",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n"), ("environments/dev.yaml", b"vars: { a: 1 }\n")],
        args: &["x.yaml", "-e", "staging"],
        expect: &["environment `staging` not found", "looked for environments/staging.yaml", "available: dev"],
    },
    Case {
        name: "an environment with an unknown key",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n"), ("environments/dev.yaml", b"vars: { a: 1 }\nsecret: [a]\n")],
        args: &["x.yaml", "-e", "dev"],
        expect: &["--> environments/dev.yaml:2:1", "unknown key 'secret' in the environment (did you mean 'secrets'?)"],
    },
    Case {
        name: "a malformed .env",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n"), (".env", b"GOOD=1\nthis line is not an assignment\n")],
        args: &[],
        expect: &[".env: cannot parse"],
    },
    Case {
        name: "an unknown flag",
        files: &[("x.yaml", b"requests:\n  - GET: http://127.0.0.1:9/\n")],
        args: &["x.yaml", "--bial"],
        expect: &["--bial", "--bail"],
    },
];

const ALIAS_BOMB: &str = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\nrequests: [*h]\n";

const DEEP_FLOW: &str = concat!(
    "requests:\n  - GET: ",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "\n"
);

fn run_case(case: &Case) -> Output {
    let mut baton = Baton::new();
    for (path, contents) in case.files {
        baton = baton.file(path, contents);
    }
    let args: Vec<&str> = if case.args.is_empty() {
        vec![case.files[0].0]
    } else {
        case.args.to_vec()
    };
    baton.arg("run").args(args).run()
}

#[test]
fn each_bad_input_exits_2_with_its_place_and_without_a_panic() {
    assert!(CASES.len() >= 20);
    let outcomes: Vec<(&Case, Output)> = std::thread::scope(|scope| {
        let handles: Vec<_> = CASES
            .chunks(CASES.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|c| (c, run_case(c))).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut problems = Vec::new();
    for (case, out) in &outcomes {
        let text = format!("{}{}", out.stdout, out.stderr);
        let missing: Vec<&&str> = case.expect.iter().filter(|e| !text.contains(**e)).collect();
        if out.code != 2 || !missing.is_empty() || text.contains("panicked") {
            problems.push(format!(
                "--- {}: exit {}, missing {missing:?}\n{text}",
                case.name, out.code
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases:\n{}",
        problems.len(),
        CASES.len(),
        problems.join("\n")
    );
}

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
/// and never panics.
#[test]
fn the_corpus_of_bad_inputs_exits_2_with_a_place_and_no_panic() {
    let dirs = corpus_dirs();
    assert!(dirs.len() >= 70, "the corpus has {} cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let case = CorpusCase::read(dir);
        let out = case.baton().args(&case.args).run();
        let expect = case.expect;
        let all = format!("{}{}", out.stdout, out.stderr);
        let missing: Vec<&String> = expect
            .iter()
            .filter(|e| !all.contains(e.as_str()))
            .collect();
        if out.code != 2 || !missing.is_empty() || all.contains("panicked") {
            failures.push(format!(
                "--- {}: exit {}, missing {missing:?}\n{all}",
                dir.file_name().unwrap().to_string_lossy(),
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
                expect.push(e.to_string());
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
