//! Outputs that cannot be written. A reader that goes away: every command whose stdout or
//! stderr is a pipe closed before it writes (`baton … | head -1`) exits quietly with its
//! own code, never 101, whatever it prints (the console, diagnostics, NDJSON, `check`,
//! `export`, `import`, `schema`, `completions`, `report merge`, `docs`, `sandbox`). A
//! report file or a stdout that cannot be written is an error that says which.

use crate::support::{Baton, TestServer};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

fn command(dir: &Path, args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .env("HOME", dir.join(".home"))
        .env("XDG_CACHE_HOME", dir.join(".home"))
        .env("NO_PROXY", "127.0.0.1")
        .env("RUST_BACKTRACE", "0")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CI");
    cmd
}

/// The exit code of `baton args` run in `dir` with stdout closed, and stderr closed too or
/// read (returned, to show no panic was printed).
fn run_closed(dir: &Path, args: &[String], close_stderr: bool) -> (Option<i32>, String) {
    let mut cmd = command(dir, args);
    cmd.stdout(closed_pipe());
    if close_stderr {
        cmd.stderr(closed_pipe());
    } else {
        cmd.stderr(Stdio::piped());
    }
    let out = cmd.output().expect("baton starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const PASSING: &str = "requests:\n  - name: ok\n    GET: <<base>>/echo\n    expect: { status: 200 }\n    capture: { m: $.method }\n";
const FAILING: &str =
    "requests:\n  - name: teapot\n    GET: <<base>>/echo\n    expect: { status: 418 }\n";
const UNREACHABLE: &str = "requests:\n  - GET: http://127.0.0.1:9/\n";
const INVALID: &str = "requests:\n  - methd: GET\n";
const GUIDE: &str = "# Guide\n\n```baton\nGET: <<base>>/echo\nexpect: { status: 200 }\n```\n";

#[test]
fn every_command_exits_with_its_own_code_when_its_output_is_closed() {
    let server = TestServer::start();
    let base = format!("base={}", server.url());
    let setup = Baton::new()
        .file("pass.yaml", PASSING)
        .file("fail.yaml", FAILING)
        .file("down.yaml", UNREACHABLE)
        .file("bad.yaml", INVALID)
        .file("guide.md", GUIDE)
        .file(
            "pm.json",
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/postman/auth-code.postman_collection.json"),
            )
            .unwrap(),
        );
    let dir = setup.dir().to_owned();
    // A report to merge, written by a run whose output is seen.
    let written = command(
        &dir,
        &["run", "pass.yaml", "--json", "shard.json", "--var", &base].map(String::from),
    )
    .output()
    .unwrap();
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let cases: &[(&str, &[&str], i32)] = &[
        (
            "a passing run, -v",
            &["run", "pass.yaml", "-v", "--var", &base],
            0,
        ),
        (
            "NDJSON on stdout",
            &["run", "pass.yaml", "--json", "-", "--var", &base],
            0,
        ),
        (
            "a failed expectation",
            &["run", "fail.yaml", "--var", &base],
            1,
        ),
        (
            "a request not made",
            &["run", "down.yaml", "--timeout", "2s"],
            3,
        ),
        ("invalid input", &["run", "bad.yaml"], 2),
        (
            "an invalid and a failing file",
            &["run", "bad.yaml", "fail.yaml", "--var", &base],
            2,
        ),
        (
            "check",
            &["check", "pass.yaml", "--var", "base=http://127.0.0.1:9"],
            0,
        ),
        ("check of a broken file", &["check", "bad.yaml"], 2),
        (
            "export",
            &["export", "pass.yaml", "--request", "ok", "--as", "python"],
            0,
        ),
        (
            "import curl",
            &["import", "curl", "curl -d a=1 http://x/y"],
            0,
        ),
        (
            "import postman",
            &["import", "postman", "pm.json", "-o", "imported", "--force"],
            0,
        ),
        ("schema", &["schema", "collection"], 0),
        ("completions", &["completions", "bash"], 0),
        ("report merge", &["report", "merge", "shard.json"], 0),
        (
            "docs check",
            &["docs", "check", "guide.md", "--var", &base],
            0,
        ),
        (
            "docs sync --check",
            &["docs", "sync", "guide.md", "--check"],
            0,
        ),
        ("help", &["--help"], 0),
        ("an unknown flag", &["run", "--bial"], 2),
    ];
    let mut wrong = Vec::new();
    for (name, args, expected) in cases {
        let args: Vec<String> = args.iter().map(std::string::ToString::to_string).collect();
        for close_stderr in [false, true] {
            let (code, stderr) = run_closed(&dir, &args, close_stderr);
            if code != Some(*expected) || stderr.contains("panicked") {
                wrong.push(format!(
                    "{name} (stderr closed: {close_stderr}): exit {code:?}, expected {expected}\n{stderr}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The issue's own command line: a shell pipe into `head -1`, which exits after one line
/// while baton still has diagnostics to print.
#[test]
fn diagnostics_piped_into_head_end_quietly_with_the_run_s_code() {
    // More than a pipe holds (64 KiB): baton is still writing when `head` exits.
    let mut yaml = String::from("requests:\n");
    for i in 0..3000 {
        yaml.push_str(&format!("  - methd{i}: GET\n"));
    }
    let out = Baton::new()
        .file("bad.yaml", yaml)
        .program("bash")
        .args([
            "-c",
            "\"$0\" run bad.yaml 2>&1 | head -1; exit ${PIPESTATUS[0]}",
            env!("CARGO_BIN_EXE_baton"),
        ])
        .run();
    out.code(2).output_lacks("panicked");
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
}

/// The sandbox prints its banner and goes on serving when nobody reads it.
#[test]
fn the_sandbox_serves_with_its_banner_unread() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(
        dir.path(),
        &["sandbox".into(), "--port".into(), port.to_string()],
    )
    .stdout(closed_pipe())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let served = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Err(format!("the sandbox ended: {status}"));
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Past the banner (printed once it listens): still alive, and serving.
            std::thread::sleep(Duration::from_secs(1));
            break match child.try_wait().unwrap() {
                None => discovery(port),
                Some(status) => Err(format!("the sandbox ended: {status}")),
            };
        }
        if Instant::now() > deadline {
            break Err("the sandbox never listened".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    served.unwrap();
}

/// A report file that cannot be written is named with its option and why, the other
/// reports are still written, and the exit code is 2 whatever the run's (2 wins over 3,
/// 3 over 1): before, a run with a request not made kept its 3, and the first report
/// that failed stopped the others.
#[test]
fn an_unwritable_report_is_named_and_exits_2_over_3_and_1() {
    let server = TestServer::start();
    let base = format!("base={}", server.url());
    let cases: &[(&str, &str, i32)] = &[
        ("passing", PASSING, 0),
        ("failing", FAILING, 1),
        ("not made", UNREACHABLE, 3),
        (
            "invalid",
            // A call that reads a variable fails as the request renders, in a run that ran.
            "requests:\n  - GET: <<base>>/echo?x=<<base | now('%Q')>>\n",
            2,
        ),
    ];
    for (name, yaml, own) in cases {
        // Without the broken report: the run's own code.
        let ok = Baton::new()
            .file("c.yaml", yaml)
            .args(["run", "c.yaml", "--timeout", "2s", "--var", &base])
            .run();
        ok.code(*own);
        let out = Baton::new()
            .file("c.yaml", yaml)
            .file("taken", "a file where a directory is wanted")
            .file("dir/keep", "")
            .args(["run", "c.yaml", "--timeout", "2s", "--var", &base])
            .args([
                "--json",
                "taken/r.json",
                "--junit",
                "dir",
                "--html",
                "r.html",
            ])
            .run();
        out.code(2)
            .stderr_contains(
                "cannot write the report taken/r.json (--json): cannot make its directory taken: it is a file, not a directory",
            )
            .stderr_contains("cannot write the report dir (--junit): ");
        assert!(
            out.path("r.html").is_file(),
            "{name}: the HTML report is written"
        );
    }
    // `report merge` the same way.
    let shard = Baton::new()
        .file("c.yaml", PASSING)
        .args(["run", "c.yaml", "--json", "s.json", "--var", &base])
        .run();
    shard.code(0);
    Baton::new()
        .file("s.json", shard.file("s.json"))
        .file("taken", "")
        .args(["report", "merge", "s.json", "--junit", "taken/j.xml"])
        .run()
        .code(2)
        .stderr_contains("cannot write the report taken/j.xml (--junit)");
}

/// Output that cannot be written for another reason than a closed pipe (a full disk) is
/// not lost silently: it is said on stderr, and the exit code says it.
#[test]
fn a_full_stdout_is_an_error_not_a_silent_loss() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &["schema".into(), "collection".into()])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot write to stdout: No space left on device"),
        "{stderr}"
    );
}

/// The status line of the sandbox's discovery document.
fn discovery(port: u16) -> Result<(), String> {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /.well-known/openid-configuration HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("the sandbox answered {:?}", answer.lines().next()))
    }
}
