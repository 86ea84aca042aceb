//! Pins the report files of a run with one request of each outcome (passed, failed,
//! skipped) against the sandbox: the JUnit XML, the JSON document, the HTML document (its
//! text, not a picture of it), and the NDJSON events of `--json -`.

use crate::snap_run::failing;

#[test]
fn junit_json_and_html_reports_of_a_failing_run() {
    let out = failing(&["--junit", "r.xml", "--json", "r.json", "--html", "r.html"]).run();
    out.code(1).stderr_is("");
    // Secrets are redacted in the files as on the console.
    for file in ["r.xml", "r.json", "r.html"] {
        let text = out.file(file);
        assert!(!text.contains("sandbox-secret"), "{file} holds the secret");
    }
    insta::assert_snapshot!("junit", out.file_redacted("r.xml"));
    insta::assert_snapshot!("json", out.file_redacted("r.json"));
    insta::assert_snapshot!("html", out.file_redacted("r.html"));
}

/// `--json -`: the events on stdout, one JSON document a line; the console on stderr.
#[test]
fn json_events_on_stdout_of_a_failing_run() {
    let out = failing(&["--json", "-"]).run();
    out.code(1);
    for line in out.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    insta::assert_snapshot!("ndjson_stdout", out.stdout_redacted());
    insta::assert_snapshot!("ndjson_stderr", out.stderr_redacted());
}

/// A passing run's reports, the examples' oauth2 requests: what CI keeps when all is well.
#[test]
fn junit_and_json_reports_of_a_passing_run() {
    let out = crate::support::examples()
        .args(["run", "collections/client-credentials.yaml", "--sandbox"])
        .args(["--junit", "r.xml", "--json", "r.json"])
        .run();
    out.code(0).stderr_is("");
    insta::assert_snapshot!("passing_junit", out.file_redacted("r.xml"));
    insta::assert_snapshot!("passing_json", out.file_redacted("r.json"));
}

/// `baton report merge` of two CI shards (the failing run and a passing example): the
/// console line, and the JUnit and HTML documents of the whole.
#[test]
fn merged_reports_of_two_shards() {
    let failing = failing(&["--json", "a.json"]).run();
    failing.code(1);
    let passing = crate::support::examples()
        .args(["run", "collections/client-credentials.yaml", "--sandbox"])
        .args(["--json", "b.json"])
        .run();
    passing.code(0);
    let out = crate::support::Baton::new()
        .file("a.json", failing.file("a.json"))
        .file("b.json", passing.file("b.json"))
        .args([
            "report", "merge", "a.json", "b.json", "--junit", "m.xml", "--html", "m.html",
        ])
        .run();
    out.code(1);
    insta::assert_snapshot!(
        "merge_console",
        format!(
            "--- stdout\n{}--- stderr\n{}",
            out.stdout_redacted(),
            out.stderr_redacted()
        )
    );
    insta::assert_snapshot!("merge_junit", out.file_redacted("m.xml"));
    insta::assert_snapshot!("merge_html", out.file_redacted("m.html"));
}
