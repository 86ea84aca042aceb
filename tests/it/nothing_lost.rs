//! Nothing lost: Ctrl-C ends a run cleanly with its summary and reports, and two runs
//! saving tokens at once leave a whole, valid cache holding both (they take turns).

use crate::oauth::Provider;
use crate::support::FaultServer;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigint_ends_the_run_with_its_summary_and_reports() {
    let hang = FaultServer::never_answers();
    let ok = crate::support::TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        format!("requests:\n  - name: first\n    GET: {}/status/200\n  - name: hangs\n    GET: {}/\n    timeout: 60s\n  - name: never sent\n    GET: {}/status/200\n", ok.url(), hang.url(), ok.url()),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "c.yaml", "--junit", "r.xml", "--json", "r.json"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the second request is in flight.
    let started = Instant::now();
    while hang.connections() == 0 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it did not wait for the 60 s timeout"
    );
    assert!(stdout.contains("1 passed, 0 failed, 1 skipped"), "{stdout}");
    assert!(stdout.contains("hangs (skipped: interrupted)"), "{stdout}");
    let junit =
        std::fs::read_to_string(dir.path().join("r.xml")).expect("the JUnit report was written");
    assert!(
        junit.contains("first") && junit.contains("interrupted"),
        "{junit}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["exit_code"], 130);
    assert_eq!(ok.hits("/status/200"), 1);
}

/// With `--jobs`, Ctrl-C reaches every file's thread, and a `delay_ms` or a retry's
/// interval is cut short too (they used to be waited out).
#[test]
fn sigint_with_jobs_ends_waits_and_requests_in_every_file() {
    let ok = crate::support::TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    for (f, wait) in [
        ("a", "delay_ms: 30000"),
        (
            "b",
            "retry: { count: 100, interval_ms: 30000 }\n    expect: { status: 201 }",
        ),
    ] {
        std::fs::write(
            dir.path().join(format!("{f}.yaml")),
            format!("requests:\n  - name: first\n    GET: {}/status/200\n  - name: waits\n    GET: {}/status/200\n    {wait}\n", ok.url(), ok.url()),
        )
        .unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", ".", "--jobs", "2", "--no-progress"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until both files are in their wait: a's first request and b's first attempt.
    let started = Instant::now();
    while ok.hits("/status/200") < 3 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it waited out a delay or a retry interval: {stdout}"
    );
    assert!(stdout.contains("waits (skipped: interrupted)"), "{stdout}");
    // The retried request reports its last attempt (a failure: it expected 201).
    assert!(
        stdout.contains("a.yaml") && stdout.contains("b.yaml"),
        "{stdout}"
    );
}

#[test]
fn two_runs_saving_tokens_at_once_keep_both_and_a_whole_file() {
    let provider = Provider::sandbox();
    let state = tempfile::tempdir().unwrap();
    let yaml = |client: &str, secret: &str| {
        format!(
            "requests:\n  - id: login\n    oauth2:\n      grant: client_credentials\n      issuer: <<issuer>>\n      client_id: {client}\n      client_secret: '{secret}'\n      scope: api\n"
        )
    };
    for round in 0..4 {
        let runs = [
            yaml("baton-cli", "sandbox-secret"),
            yaml("baton-special", "p@ss:w/rd+=%"),
        ]
        .map(|y| {
            let b = provider
                .baton(&y, &["run", "c.yaml", "--save"])
                .env("BATON_STATE_DIR", state.path());
            std::thread::spawn(move || b.run())
        });
        for r in runs {
            r.join().unwrap().code(0);
        }
        let text = std::fs::read_to_string(state.path().join("tokens.json")).unwrap();
        let cache: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("round {round}: a torn cache file: {e}\n{text}"));
        let clients: Vec<&str> = cache["tokens"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|e| e["client_id"].as_str())
            .collect();
        // The runs take turns on the cache: neither loses the other's token.
        assert!(
            clients.contains(&"baton-cli") && clients.contains(&"baton-special"),
            "round {round}: {clients:?}"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(state.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}
