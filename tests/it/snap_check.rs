//! Pins what `baton check` says: the one line of a clean check of the examples, the
//! problems of the examples run against an environment whose secrets are not set, and the
//! problems of a collection with one of each kind `check` finds before sending.

use crate::support::{Baton, examples};

/// The whole output is one line: `stdout_is` keeps it in the test, where it reads best.
#[test]
fn a_clean_check_of_every_example() {
    examples()
        .args(["check", "collections", "--sandbox"])
        .run()
        .code(0)
        .stderr_is("")
        .stdout_is("ok: 16 files, 60 requests, every variable defined\n");
}

/// The README's MediaValet example without its `MEDIAVALET_*` variables exported.
#[test]
fn problems_of_an_example_whose_environment_is_not_set() {
    let out = examples()
        .file(
            "environments/mediavalet.yaml",
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/environments/mediavalet.yaml"
            ))
            .unwrap(),
        )
        .args(["check", "collections/mediavalet", "-e", "mediavalet"])
        .run();
    out.code(2).stdout_is("");
    insta::assert_snapshot!(out.stderr_redacted());
}

/// One problem of each kind `check` finds before sending, a file each. Problems of loading
/// (templates, headers: `LOAD`) stop `check` before it resolves variables, so those of
/// resolving (`RESOLVE`) are checked in a run of their own.
const LOAD: &[&str] = &["2-function.yaml", "3-filter.yaml", "5-header.yaml"];

const PROBLEMS: &[(&str, &str)] = &[
    (
        "1-cycle.yaml",
        "vars:\n  a: <<b>>-x\n  b: <<a>>-y\nrequests:\n  - name: a cycle of variables\n    GET: http://127.0.0.1:9/<<a>>\n",
    ),
    (
        "2-function.yaml",
        "requests:\n  - name: an unknown function\n    GET: http://127.0.0.1:9/<<nosuch()>>\n",
    ),
    (
        "3-filter.yaml",
        "requests:\n  - name: an unknown filter\n    GET: http://127.0.0.1:9/?q=<<ClientId | nosuchfilter>>\n",
    ),
    (
        "4-url.yaml",
        "requests:\n  - name: a URL that is no URL\n    GET: not a url/<<ClientId>>\n",
    ),
    (
        "5-header.yaml",
        "requests:\n  - name: headers that cannot be sent\n    GET: http://127.0.0.1:9/\n    headers: { \"bad header\": x, x-ok: \"line\\nbreak\" }\n",
    ),
    (
        "6-body-file.yaml",
        "requests:\n  - name: a body file that is not there\n    POST: http://127.0.0.1:9/\n    file: missing.bin\n",
    ),
    (
        "7-undefined.yaml",
        "requests:\n  - name: an undefined variable, and a near miss\n    GET: http://127.0.0.1:9/<<clientid>>/<<nowhere>>\n",
    ),
];

fn check(files: &[&(&str, &str)]) -> String {
    let mut baton = Baton::new();
    for (name, text) in files {
        baton = baton.file(name, text);
    }
    let out = baton.args(["check", ".", "--var", "ClientId=app"]).run();
    out.code(2).stdout_is("");
    out.stderr_redacted()
}

#[test]
fn problems_of_loading() {
    let files: Vec<_> = PROBLEMS.iter().filter(|(n, _)| LOAD.contains(n)).collect();
    insta::assert_snapshot!(check(&files));
}

#[test]
fn problems_of_resolving() {
    let files: Vec<_> = PROBLEMS.iter().filter(|(n, _)| !LOAD.contains(n)).collect();
    insta::assert_snapshot!(check(&files));
}
