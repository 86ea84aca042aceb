//! Runner control: iterations and data rows, files in parallel with isolated state, shards
//! that add up to the whole run, retries and --only/--skip, against the test server.

use crate::support::{Baton, TestServer};
use std::collections::BTreeSet;

fn echo_collection(server: &TestServer, name: &str) -> String {
    format!(
        "name: {name}\nrequests:\n  - name: echo <<user>>\n    GET: {}/echo\n    query: {{ user: <<user>> }}\n    expect:\n      body: {{ $.query.user: <<user>> }}\n",
        server.url()
    )
}

#[test]
fn data_rows_run_the_collection_once_each_with_their_values() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("c.yaml", echo_collection(&server, "rows"))
        .file("rows.csv", "user\nalice\nbob\ncarol\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .run();
    out.code(0)
        .stdout_contains("[iteration 3/3]")
        .stdout_contains("3 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 3);
    let json = Baton::new()
        .file("c.yaml", echo_collection(&server, "rows"))
        .file("rows.json", r#"[{"user": "dave"}, {"user": "erin"}]"#)
        .args(["run", "c.yaml", "--data", "rows.json", "--iterations", "4"])
        .run();
    // Four iterations cycle through two rows.
    json.code(0)
        .stdout_contains("[iteration 4/4]")
        .stdout_contains("4 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 7);
}

#[test]
fn iterations_without_data_run_each_file_in_turn() {
    // Iterations are counted, not listed: each file's iterations, then the next file's,
    // with --jobs 1 and 2 alike.
    let server = TestServer::start();
    for jobs in ["1", "2"] {
        let out = Baton::new()
            .file("a.yaml", echo_collection(&server, "a"))
            .file("b.yaml", echo_collection(&server, "b"))
            .args([
                "run",
                "a.yaml",
                "b.yaml",
                "--iterations",
                "3",
                "--var",
                "user=u",
                "--jobs",
                jobs,
            ])
            .run();
        out.code(0).stdout_contains("6 passed, 0 failed");
        let stdout = out.stdout.clone();
        let places: Vec<usize> = ["a.yaml", "b.yaml"]
            .iter()
            .map(|f| {
                stdout
                    .find(f)
                    .unwrap_or_else(|| panic!("{f} not shown:\n{stdout}"))
            })
            .collect();
        assert!(places[0] < places[1], "{stdout}");
        assert_eq!(stdout.matches("[iteration 3/3]").count(), 2, "{stdout}");
    }
    assert_eq!(server.hits("/echo"), 12);
}

#[test]
fn a_data_row_sits_above_the_environment_and_below_var() {
    let server = TestServer::start();
    let base = Baton::new()
        .file("c.yaml", echo_collection(&server, "layers"))
        .file("environments/dev.yaml", "vars: { user: from-env }\n")
        .file("rows.csv", "user\nfrom-row\n");
    let out = base
        .args(["run", "c.yaml", "-e", "dev", "--data", "rows.csv", "-v"])
        .run();
    out.code(0).stdout_contains("user=from-row");
    let out = Baton::new()
        .file("c.yaml", echo_collection(&server, "layers"))
        .file("rows.csv", "user\nfrom-row\n")
        .args([
            "run",
            "c.yaml",
            "--data",
            "rows.csv",
            "--var",
            "user=from-var",
            "-v",
        ])
        .run();
    out.code(0).stdout_contains("user=from-var");
}

#[test]
fn bad_data_files_are_invalid_input() {
    let out = Baton::new()
        .file("c.yaml", "requests:\n  - GET: http://127.0.0.1:1/\n")
        .file("rows.csv", "a,b\n1\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .run();
    out.code(2)
        .stderr_contains("rows.csv:2")
        .stderr_contains("1 fields, the header 2");
}

#[test]
fn jobs_keep_each_file_s_variables_and_cookies_apart() {
    let server = TestServer::start();
    let url = server.url();
    let a = format!(
        "vars: {{ who: a }}\nrequests:\n  - GET: {url}/set-cookie?name=sid&value=a\n  - GET: {url}/slow?ms=200\n  - GET: {url}/cookies\n    expect: {{ body: {{ $.sid: a }} }}\n    capture: {{ who: $.sid }}\n"
    );
    let b = format!(
        "vars: {{ who: b }}\nrequests:\n  - GET: {url}/slow?ms=200\n  - GET: {url}/cookies\n    expect: {{ body: {{ $.sid: {{ exists: false }} }} }}\n  - GET: {url}/echo?who=<<who>>\n    expect: {{ body: {{ $.query.who: b }} }}\n"
    );
    let out = Baton::new()
        .file("a.yaml", a)
        .file("b.yaml", b)
        .args(["run", ".", "--jobs", "2"])
        .run();
    out.code(0).stdout_contains("6 passed, 0 failed");
    // Output stays grouped by file: a's requests all come before b's header.
    let stdout = &out.stdout;
    let b_header = stdout.find("b.yaml").expect("b's header");
    assert!(stdout[..b_header].matches('✓').count() == 3, "{stdout}");
}

/// The first file shows as it runs while later ones, finished first, wait their turn:
/// the output is in the files' order, each file whole.
#[test]
fn jobs_show_files_in_order_when_later_ones_finish_first() {
    let server = TestServer::start();
    let url = server.url();
    let slow = format!(
        "requests:\n  - GET: {url}/slow?ms=150\n  - GET: {url}/slow?ms=150\n  - GET: {url}/slow?ms=150\n"
    );
    let fast = format!("requests:\n  - GET: {url}/status/200\n  - GET: {url}/status/200\n");
    let out = Baton::new()
        .file("a.yaml", slow)
        .file("b.yaml", fast.clone())
        .file("c.yaml", fast.clone())
        .file("d.yaml", fast)
        .args(["run", ".", "--jobs", "2"])
        .run();
    out.code(0).stdout_contains("9 passed, 0 failed");
    let stdout = &out.stdout;
    let at = |name: &str| {
        stdout
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {stdout}"))
    };
    let (a, b, c, d) = (at("a.yaml"), at("b.yaml"), at("c.yaml"), at("d.yaml"));
    assert!(a < b && b < c && c < d, "{stdout}");
    assert_eq!(stdout[a..b].matches('✓').count(), 3, "{stdout}");
    assert_eq!(stdout[b..c].matches('✓').count(), 2, "{stdout}");
    assert_eq!(stdout[c..d].matches('✓').count(), 2, "{stdout}");
}

#[test]
fn jobs_run_files_at_the_same_time() {
    let server = TestServer::start();
    let slow = format!("requests:\n  - GET: {}/slow?ms=400\n", server.url());
    let mut one = Baton::new();
    for i in 0..4 {
        one = one.file(format!("f{i}.yaml"), slow.clone());
    }
    let sequential = one.args(["run", ".", "--jobs", "1"]).run();
    let mut four = Baton::new();
    for i in 0..4 {
        four = four.file(format!("f{i}.yaml"), slow.clone());
    }
    let parallel = four.args(["run", ".", "--jobs", "4"]).run();
    sequential.code(0);
    parallel.code(0);
    // Four 400 ms requests: at least 1.6 s one by one, well under that four at a time.
    assert!(
        sequential.elapsed.as_millis() >= 1600,
        "{:?}",
        sequential.elapsed
    );
    assert!(
        parallel.elapsed.as_millis() < 1400,
        "{:?}",
        parallel.elapsed
    );
}

#[test]
fn shards_add_up_to_the_whole_run_for_one_to_five_parts() {
    let server = TestServer::start();
    let names: BTreeSet<String> = (0..13).map(|i| format!("p{i}")).collect();
    let suite = |k: u32, n: u32| {
        let mut b = Baton::new();
        for i in 0..13 {
            b = b.file(
                format!("suite/part{i:02}.yaml"),
                format!(
                    "name: p{i}\nrequests:\n  - GET: {}/status/200\n",
                    server.url()
                ),
            );
        }
        b.args(["run", "suite", "--shard", &format!("{k}/{n}")])
            .run()
    };
    for n in 1..=5u32 {
        let mut union = BTreeSet::new();
        for k in 1..=n {
            let out = suite(k, n);
            out.code(0);
            for line in out.stdout.lines() {
                if let Some((_, name)) = line.split_once(" — ") {
                    assert!(
                        union.insert(name.trim().to_string()),
                        "{name} ran in two shards of {n}"
                    );
                }
            }
        }
        assert_eq!(union, names, "the shards of {n} are not the whole run");
    }
    // 15 runs of 13 files in shards: each file ran once per n.
    assert_eq!(server.hits("/status/200"), 13 * 5);
}

#[test]
fn retry_polls_until_the_expectations_hold_or_attempts_run_out() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("c.yaml", format!("requests:\n  - name: never ready\n    GET: {}/status/503\n    retry: {{ count: 3, interval_ms: 10 }}\n", server.url()))
        .args(["run", "c.yaml"])
        .run();
    out.code(1).stdout_contains("attempt 4 of 4");
    assert_eq!(server.hits("/status/503"), 4);
    let ok = Baton::new()
        .file(
            "c.yaml",
            format!(
                "requests:\n  - GET: {}/status/200\n    retry: 5\n",
                server.url()
            ),
        )
        .args(["run", "c.yaml"])
        .run();
    ok.code(0);
    assert_eq!(server.hits("/status/200"), 1);
}

#[test]
fn only_and_skip_select_by_name_id_or_tag() {
    let server = TestServer::start();
    let c = format!(
        "requests:\n  - name: one\n    GET: {u}/status/200\n    tags: [smoke]\n  - name: two\n    id: second\n    GET: {u}/status/201\n  - name: three\n    GET: {u}/status/202\n    tags: [slow]\n",
        u = server.url()
    );
    let out = Baton::new()
        .file("c.yaml", &c)
        .args(["run", "c.yaml", "--only", "smoke", "--only", "second"])
        .run();
    out.code(0)
        .stdout_contains("2 passed, 0 failed, 1 skipped")
        .stdout_contains("three (skipped: not selected by --only)");
    let out = Baton::new()
        .file("c.yaml", &c)
        .args(["run", "c.yaml", "--skip", "slow"])
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed, 1 skipped");
    assert_eq!(server.hits("/status/202"), 0);
}
