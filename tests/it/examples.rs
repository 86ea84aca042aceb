//! The repository's example collections, run by the real binary against the embedded
//! sandbox: what the README's main command does.

use crate::support::Baton;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn collections() -> String {
    format!("{}/collections", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_example_passes_against_the_sandbox() {
    let out = Baton::new()
        .args(["run", &collections(), "--sandbox"])
        .run();
    out.code(0).stdout_contains(" 0 failed");
    for file in [
        "client-credentials.yaml",
        "headless-sign-in.yaml",
        "mediavalet/authorization-code.yaml",
        "mediavalet/login.yaml",
        "mediavalet/api.yaml",
        "mediavalet/refresh-token.yaml",
        "processmaker/refresh-token.yaml",
    ] {
        out.stdout_contains(file);
    }
    // The rotation check and the single-use code check ran and passed.
    out.stdout_contains("✓ the old refresh token is refused 400");
    out.stdout_contains("✓ a code works only once 400");
    // Through the login form and the consent page with its declining button first.
    out.stdout_contains("✓ sign in as alice (login form, then consent) 200");
    out.stdout_contains("✓ the code of the first sign-in works only once 400");
    // The sandbox's client secret and user password never show.
    out.output_lacks("sandbox-secret")
        .output_lacks("wonderland");
}

/// `--jobs` runs files on threads of their own while the in-process sandbox keeps serving,
/// and the output is the same file by file as one at a time.
#[test]
fn every_example_passes_with_jobs_against_the_sandbox() {
    let one = Baton::new()
        .args(["run", &collections(), "--sandbox", "--jobs", "1"])
        .run();
    let three = Baton::new()
        .args(["run", &collections(), "--sandbox", "--jobs", "3"])
        .run();
    one.code(0);
    three.code(0).stdout_contains(" 0 failed");
    let files = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains(".yaml") && !l.starts_with(' '))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(files(&one.stdout), files(&three.stdout));
    assert!(files(&three.stdout).len() >= 4, "{}", three.stdout);
}

/// The "done when": the examples pass with `--jobs 4` and in every `--shard K/3`
/// (the shared MediaValet login runs in each part that needs it), and the merged shards
/// are the whole run, the login counted once.
#[test]
fn every_example_passes_with_jobs_4_and_in_every_shard() {
    let whole = Baton::new()
        .args([
            "run",
            &collections(),
            "--sandbox",
            "--jobs",
            "4",
            "--json",
            "r.json",
        ])
        .run();
    whole.code(0).stdout_contains(" 0 failed");
    let counts = |text: &str| {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        doc["counts"].clone()
    };
    let mut shards = Vec::new();
    for k in 1..=3 {
        let out = Baton::new()
            .args([
                "run",
                &collections(),
                "--sandbox",
                "--json",
                "r.json",
                "--shard",
            ])
            .arg(format!("{k}/3"))
            .run();
        out.code(0);
        shards.push(out);
    }
    let merged = Baton::new()
        .args(["report", "merge"])
        .args(shards.iter().map(|s| s.path("r.json")))
        .args(["--json", "m.json"])
        .run();
    merged.code(0);
    assert_eq!(
        counts(&merged.file("m.json")),
        counts(&whole.file("r.json"))
    );
}

#[test]
fn examples_check_clean_with_the_sandbox_variables() {
    Baton::new()
        .args(["check", &collections(), "--sandbox"])
        .run()
        .code(0)
        .stdout_contains("every variable defined");
}

#[test]
fn examples_without_variables_are_reported_by_check() {
    let out = Baton::new().args(["check", &collections()]).run();
    out.code(2)
        .stderr_contains("undefined variable `baseAuthURL`")
        .stderr_contains("collections/client-credentials.yaml:");
}

#[test]
fn sandbox_command_serves_discovery_on_loopback() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start baton sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let mut issuer = None;
    for line in BufReader::new(stdout).lines().take(20) {
        let line = line.expect("read");
        if let Some(rest) = line.trim().strip_prefix("issuer") {
            issuer = Some(rest.trim().to_string());
            break;
        }
    }
    let issuer = issuer.expect("the banner names the issuer");
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let doc: serde_json::Value = rt.block_on(async {
        reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(doc["issuer"], issuer.as_str());
    assert_eq!(doc["token_endpoint"], format!("{issuer}/connect/token"));
}
