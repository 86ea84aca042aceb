//! The main scenario: a login file and three API files that need it, run with
//! `--jobs 1`, `--jobs 3` and each `--shard K/3`. The token endpoint's hit count says the
//! login ran once per process; the per-request results are the same all three ways; and
//! `report merge` of the shards counts the login once.

use std::collections::BTreeMap;

use super::{base, counts, json_file, results, suite};
use crate::support::{Baton, TestServer};

#[test]
fn the_login_runs_once_per_process_with_jobs_1_and_jobs_3() {
    let server = TestServer::start();
    let mut reports = Vec::new();
    for (n, jobs) in ["1", "3"].into_iter().enumerate() {
        let out = suite()
            .args(["run", "suite", "--jobs", jobs, "--json", "r.json"])
            .args(base(&server))
            .run();
        out.code(0)
            .stderr_is("")
            .stdout_contains("7 passed, 0 failed")
            .output_lacks("skipped");
        // The login file is given (the directory holds it) and needed three times: it runs,
        // and is shown, once.
        assert_eq!(
            out.stdout.matches("suite/login.yaml").count(),
            1,
            "--jobs {jobs}:\n{}",
            out.stdout
        );
        assert_eq!(
            server.hits("/token"),
            n as u64 + 1,
            "--jobs {jobs}: the login ran more than once"
        );
        let doc = json_file(&out, "r.json");
        assert_eq!(counts(&doc["counts"]), [7, 0, 0, 0]);
        reports.push(results(&doc));
    }
    assert_eq!(reports[0], reports[1], "--jobs 1 and --jobs 3 differ");
    assert_eq!(reports[0].len(), 7);
    // Every API request carried the one token the login got: `/me` knew it each time.
    assert_eq!(server.hits("/me"), 6);
}

/// `--shard K/3`: a shard that runs a dependent runs the login (once, reported in that
/// shard); a shard with nothing of the suite does not. The union of the shards is the whole
/// run, request by request, and `report merge` counts the login once however many shards
/// ran it.
#[test]
fn each_shard_runs_the_login_it_needs_and_merge_counts_it_once() {
    let server = TestServer::start();
    let whole = suite()
        .args(["run", "suite", "--jobs", "1", "--json", "r.json"])
        .args(base(&server))
        .run();
    whole.code(0);
    let whole = json_file(&whole, "r.json");
    let mut union = BTreeMap::new();
    let mut shards = Vec::new();
    let mut ran_in = BTreeMap::<String, u32>::new();
    for k in 1..=3 {
        let before = server.hits("/token");
        let out = suite()
            .args([
                "run",
                "suite",
                "--shard",
                &format!("{k}/3"),
                "--json",
                "r.json",
            ])
            .args(base(&server))
            .run();
        out.code(0).stderr_is("");
        let doc = json_file(&out, "r.json");
        let files: Vec<String> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].as_str().unwrap().to_owned())
            .collect();
        for file in &files {
            *ran_in.entry(file.clone()).or_default() += 1;
        }
        // Every file of the suite is the login or needs it: a shard that ran anything ran
        // the login, once; an empty shard sent nothing.
        if files.is_empty() {
            assert_eq!(server.hits("/token"), before, "shard {k}/3 ran nothing");
        } else {
            assert!(
                files.iter().any(|f| f == "suite/login.yaml"),
                "shard {k}/3 ran {files:?} without reporting the login it needs"
            );
            assert_eq!(
                server.hits("/token") - before,
                1,
                "shard {k}/3 ({files:?}): the login ran other than once"
            );
        }
        for (key, result) in results(&doc) {
            if let Some(earlier) = union.insert(key.clone(), result.clone()) {
                assert_eq!(key.0, "suite/login.yaml", "{key:?} ran in two shards");
                assert_eq!(earlier, result, "{key:?} differs between shards");
            }
        }
        shards.push(out);
    }
    // Each API file in exactly one shard; the login in every shard that ran one.
    for api in ["suite/items.yaml", "suite/orders.yaml", "suite/users.yaml"] {
        assert_eq!(ran_in.get(api), Some(&1), "{api}: {ran_in:?}");
    }
    assert_eq!(union, results(&whole), "the shards are not the whole run");

    let merged = Baton::new()
        .args(["report", "merge"])
        .args(shards.iter().map(|s| s.path("r.json")))
        .args(["--json", "m.json", "--junit", "m.xml"])
        .run();
    merged.code(0).stderr_contains("7 passed, 0 failed");
    let m = json_file(&merged, "m.json");
    assert_eq!(counts(&m["counts"]), counts(&whole["counts"]));
    assert_eq!(counts(&m["counts"]), [7, 0, 0, 0]);
    assert_eq!(results(&m), results(&whole));
    let junit = merged.file("m.xml");
    assert_eq!(
        junit.matches("<testcase ").count(),
        7,
        "the login's case is in the merged JUnit once:\n{junit}"
    );
}

/// Only dependents on the command line: what they need runs first, once, and is reported
/// like a file that was given.
#[test]
fn dependents_alone_bring_the_login_along() {
    let server = TestServer::start();
    server.expect_hits("/token", 1);
    let out = suite()
        .args([
            "run",
            "suite/orders.yaml",
            "suite/users.yaml",
            "--jobs",
            "2",
        ])
        .args(base(&server))
        .run();
    out.code(0)
        .stdout_contains("suite/login.yaml")
        .stdout_contains("✓ password grant")
        .stdout_contains("✓ who am I (orders)")
        .stdout_contains("✓ who am I (users)")
        .stdout_contains("5 passed, 0 failed");
    // Needed, so first.
    let login = out.stdout.find("suite/login.yaml").unwrap();
    let orders = out.stdout.find("suite/orders.yaml").unwrap();
    assert!(login < orders, "{}", out.stdout);
    assert_eq!(server.hits("/echo/items"), 0);
}
