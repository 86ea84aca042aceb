//! Self-tests of `redact` and of the `Baton` command runner (with `sh` standing in for the
//! CLI where a script is needed).

use std::time::{Duration, Instant};

use crate::support::{Baton, Output, redact};

#[test]
fn redact_makes_output_stable() {
    let tmp = std::env::temp_dir()
        .join("baton-test-Ab12cd")
        .join("out.xml");
    let text = format!(
        "\x1b[1;32mPASS\x1b[0m GET http://127.0.0.1:54321/me 200 (34 ms) 12ms 1.5s 850µs 1m 2s\n\
         wrote {}\n\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ 3 steps in localhost:8080, 2 requests\n\
         <testsuite time=\"0.123\" timestamp=\"2026-11-23T08:59:00.123+00:00\">\n\
         date: Mon, 23 Nov 2026 08:59:00 GMT",
        tmp.display()
    );
    assert_eq!(
        redact(&text),
        "PASS GET http://127.0.0.1:[PORT]/me 200 ([DURATION]) [DURATION] [DURATION] [DURATION] [DURATION]\n\
         wrote [TMP]/out.xml\nlink 3 steps in localhost:[PORT], 2 requests\n\
         <testsuite time=\"[DURATION]\" timestamp=\"[TIMESTAMP]\">\n\
         date: [TIMESTAMP]"
    );
}

#[test]
fn builder_writes_files_and_sets_the_environment() {
    let baton = Baton::new()
        .file("login.yaml", "name: login\n")
        .file("env/dev.yaml", b"base: x\n");
    let dir = baton.dir().to_owned();
    assert!(
        dir.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("baton-test-")
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("env/dev.yaml")).unwrap(),
        "base: x\n"
    );
    if cfg!(unix) {
        let output = baton
            .env("BATON_EXTRA", "e")
            .program("sh")
            .args(["-c", r#"cat login.yaml; cat; echo "$NO_COLOR $TERM $BATON_EXTRA" >&2; echo made > out.txt; exit 3"#])
            .stdin("from stdin\n")
            .run();
        output
            .code(3)
            .stdout_contains("name: login\nfrom stdin\n")
            .stderr_contains("1 dumb e")
            .output_contains("from stdin")
            .output_lacks("secret");
        assert_eq!(output.file("out.txt"), "made\n");
        assert_eq!(output.dir, dir);
        assert_eq!(redact(&output.dir.display().to_string()), "[TMP]");
    }
}

#[test]
fn failed_assertions_show_both_streams() {
    if !cfg!(unix) {
        return;
    }
    let output: Output = Baton::new()
        .program("sh")
        .args(["-c", "echo out; echo err >&2"])
        .run();
    let caught = std::panic::catch_unwind(|| {
        output.code(1);
    });
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("expected exit code 1, got 0"), "{message}");
    assert!(
        message.contains("--- stdout ---\nout\n--- stderr ---\nerr\n"),
        "{message}"
    );
}

/// `stdout_is`/`stderr_is` compare the redacted text exactly, and a mismatch shows the lines
/// that differ.
#[test]
fn exact_comparisons_are_redacted_and_show_the_difference() {
    if !cfg!(unix) {
        return;
    }
    let output: Output = Baton::new()
        .program("sh")
        .args([
            "-c",
            "echo 'GET http://127.0.0.1:4321/ (3 ms)'; echo two; echo err >&2",
        ])
        .run();
    output
        .stdout_is("GET http://127.0.0.1:[PORT]/ ([DURATION])\ntwo\n")
        .stderr_is("err\n");
    let caught = std::panic::catch_unwind(|| {
        output.stdout_is("GET http://127.0.0.1:[PORT]/ ([DURATION])\nthree\n");
    });
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("stdout, redacted, is not the text expected"),
        "{message}"
    );
    assert!(message.contains("- \"three\"\n+ \"two\"\n"), "{message}");
}

/// What varies in an OAuth flow and in reports: encoded ports, the flow's random values,
/// JWTs, UUIDs, clock seconds, key material, report times, cookie order.
#[test]
fn redact_hides_what_varies_in_flows_and_reports() {
    let text = "redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcb&state=Ab_1-x&nonce=n0&code_challenge=c-1&code_challenge_method=S256\n\
         ReturnUrl=%2Fa%3Fstate%3DQx9%26redirect_uri%3Dhttp%253A%252F%252F127.0.0.1%253A8765\n\
         eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln 123e4567-e89b-12d3-a456-426614174000\n\
         \"exp\": 1796599095, \\\"iat\\\": 1796599095, &quot;auth_time&quot;: 1796599095, \"expires_in\": 3600\n\
         \"kid\": \"UvL_l3g1RcVGre06BU7ByXx3TGkpd0mKpACOFTnz_LI\", \"duration_ms\": 5, style=\"left:8.50%;width:1%\"\n\
         <input name=\"__RequestVerificationToken\" value=\"mHJV5BIuL\">\n    > cookie: b=•••; a=•••";
    assert_eq!(
        redact(text),
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A[PORT]%2Fcb&state=[RANDOM]&nonce=[RANDOM]&code_challenge=[RANDOM]&code_challenge_method=S256\n\
         ReturnUrl=%2Fa%3Fstate%3D[RANDOM]%26redirect_uri%3Dhttp%253A%252F%252F127.0.0.1%253A[PORT]\n\
         [JWT] [UUID]\n\
         \"exp\": [TIMESTAMP], \\\"iat\\\": [TIMESTAMP], &quot;auth_time&quot;: [TIMESTAMP], \"expires_in\": 3600\n\
         \"kid\": \"[RANDOM]\", \"duration_ms\": [DURATION], style=\"left:[SHARE];width:[SHARE]\"\n\
         <input name=\"__RequestVerificationToken\" value=\"[RANDOM]\">\n    > cookie: a=•••; b=•••"
    );
}

#[test]
fn timeout_kills_the_child() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let pid_dir = tempfile::tempdir().unwrap();
    let pid_file = pid_dir.path().join("pid");
    let script = format!(
        "echo started; echo $$ > {}; exec sleep 30",
        pid_file.display()
    );
    let started = Instant::now();
    let caught = std::panic::catch_unwind(|| {
        Baton::new()
            .program("sh")
            .args(["-c", &script])
            .timeout(Duration::from_millis(300))
            .run()
    });
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("timed out after 300ms and was killed"),
        "{message}"
    );
    assert!(
        message.contains("started"),
        "partial output is kept: {message}"
    );
    let pid = std::fs::read_to_string(pid_file).unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "child {pid} survived"
    );
}

#[test]
fn runs_the_real_binary() {
    // Holds for the stub and for the real CLI alike.
    Baton::new().arg("--help").run().code(0);
}

#[test]
fn environment_is_hermetic() {
    if !cfg!(unix) {
        return;
    }
    let script = r#"printf '{"home":"%s","no_proxy":"%s","ci":"%s","pwd":"%s"}' "$HOME" "$NO_PROXY" "${CI-unset}" "$PWD""#;
    let output = Baton::new()
        .current_dir("sub/dir")
        .program("sh")
        .args(["-c", script])
        .run();
    let json = output.code(0).stdout_json();
    assert_eq!(redact(json["home"].as_str().unwrap()), "[TMP]/.home");
    assert_eq!(json["no_proxy"], "127.0.0.1,localhost,::1");
    assert_eq!(json["ci"], "unset");
    assert_eq!(redact(json["pwd"].as_str().unwrap()), "[TMP]/sub/dir");
}
