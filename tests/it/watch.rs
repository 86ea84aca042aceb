//! `baton run --watch`: the real binary left running against a loopback server, a file
//! edited under it, and each run awaited by its summary line (no sleep stands in for a
//! line): an edit that breaks an expectation runs again and fails, an invalid edit prints
//! its error and the watch goes on, a change to one file runs that file only, and Ctrl-C
//! ends the watch with the last run's exit code.

use crate::support::{Baton, TestServer};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// Generous: a debug build on a shared, loaded machine.
const WAIT: Duration = Duration::from_secs(60);

/// A watching `baton`, killed when the test ends however it ends.
struct Watching {
    child: Child,
    lines: Receiver<String>,
    /// Every line read so far, for failure messages.
    seen: Vec<String>,
}

impl Watching {
    fn start(dir: &Path, args: &[String]) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .env("NO_PROXY", "127.0.0.1,localhost,::1")
            .env("HOME", dir.join(".home"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start baton --watch");
        let (tx, lines) = channel();
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The lines up to and including the first that starts with `prefix`.
    #[track_caller]
    fn until(&mut self, prefix: &str) -> Vec<String> {
        self.until_all(&[prefix])
    }

    /// The lines read until one starting with each of `prefixes` has come (stdout and
    /// stderr are read apart, so lines of the two may come in either order).
    #[track_caller]
    fn until_all(&mut self, prefixes: &[&str]) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        let mut got: Vec<String> = Vec::new();
        while !prefixes
            .iter()
            .all(|p| got.iter().any(|l| l.starts_with(p)))
        {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                panic!(
                    "no lines starting {prefixes:?} within {WAIT:?}; output so far:\n{}",
                    self.seen.join("\n")
                );
            };
            self.seen.push(line.clone());
            got.push(line);
        }
        got
    }

    /// Asserts that no run starts within `time`.
    #[track_caller]
    fn quiet_for(&mut self, time: Duration) {
        let deadline = Instant::now() + time;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            assert!(!line.contains("── run "), "a run nothing asked for: {line}");
            self.seen.push(line);
        }
    }

    /// Ctrl-C, then the exit code.
    fn interrupt(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill -INT");
        assert!(status.success());
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("baton --watch did not end on Ctrl-C");
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PASSING: &str =
    "requests:\n  - name: text\n    GET: <<base>>/text\n    expect: { status: 200 }\n";

#[test]
fn an_edit_runs_again_and_an_invalid_edit_keeps_watching() {
    let server = TestServer::start();
    let baton = Baton::new().file("c.yaml", PASSING);
    let dir = baton.dir().to_path_buf();
    let args = ["run", "--watch", "c.yaml", "--var"].map(String::from);
    let mut args = args.to_vec();
    args.push(format!("base={}", server.url()));
    let mut w = Watching::start(&dir, &args);
    let first = w.until("watch: run 1:");
    assert!(
        first.iter().any(|l| l == "1 passed, 0 failed"),
        "{first:#?}"
    );
    assert_eq!(
        first.last().unwrap(),
        "watch: run 1: 1 passed, 0 failed (exit 0); watching 1 files, Ctrl-C ends"
    );

    std::fs::write(dir.join("c.yaml"), PASSING.replace("200 }", "201 }")).unwrap();
    let second = w.until("watch: run 2:");
    let text = second.join("\n");
    assert!(text.contains("── run 2 at "), "{text}");
    assert!(text.contains("c.yaml changed"), "{text}");
    assert!(text.contains("error: expectation failed: status"), "{text}");
    assert!(text.contains(" --> c.yaml:4:23"), "{text}");
    assert!(
        text.ends_with("watch: run 2: 0 passed, 1 failed (exit 1); watching 1 files, Ctrl-C ends"),
        "{text}"
    );

    std::fs::write(dir.join("c.yaml"), "requests:\n  - GET: [\n").unwrap();
    let third = w
        .until_all(&["watch: run 3:", "error: invalid YAML", " --> c.yaml:2:"])
        .join("\n");
    assert!(third.contains("error: invalid YAML"), "{third}");
    assert!(
        third.contains("watch: run 3: invalid input: nothing was sent (exit 2)"),
        "{third}"
    );

    std::fs::write(dir.join("c.yaml"), PASSING).unwrap();
    let fourth = w.until("watch: run 4:").join("\n");
    assert!(
        fourth.contains("watch: run 4: 1 passed, 0 failed (exit 0)"),
        "{fourth}"
    );
    assert_eq!(server.hits("/text"), 3);

    std::fs::write(dir.join("c.yaml"), PASSING.replace("200 }", "204 }")).unwrap();
    let fifth = w.until("watch: run 5:").join("\n");
    assert!(
        fifth.contains("watch: run 5: 0 passed, 1 failed (exit 1)"),
        "{fifth}"
    );
    // Each run reads the file, which inotify reports: a read is no change, so nothing runs
    // until the next edit (a negative check: here a wait is the assertion, not a sync).
    w.quiet_for(Duration::from_secs(2));

    // While waiting, Ctrl-C ends the watch with the last run's code.
    assert_eq!(w.interrupt(), Some(1));
    assert_eq!(server.hits("/text"), 4);
}

#[test]
fn a_changed_file_runs_alone_and_its_dependents_with_it() {
    let server = TestServer::start();
    let baton = Baton::new()
        .file(
            "suite/a.yaml",
            "export: [n]\nvars: { n: 1 }\nrequests:\n  - GET: <<base>>/echo?from=a\n",
        )
        .file(
            "suite/b.yaml",
            "needs: a.yaml\nrequests:\n  - GET: <<base>>/echo?from=b&n=<<n>>\n",
        )
        .file("suite/c.yaml", "requests:\n  - GET: <<base>>/echo?from=c\n");
    let dir = baton.dir().to_path_buf();
    let mut args = ["run", "--watch", "suite", "--var"]
        .map(String::from)
        .to_vec();
    args.push(format!("base={}", server.url()));
    let mut w = Watching::start(&dir, &args);
    w.until("watch: run 1: 3 passed");

    // c.yaml alone: nothing needs it.
    std::fs::write(
        dir.join("suite/c.yaml"),
        "requests:\n  - GET: <<base>>/echo?from=c2\n",
    )
    .unwrap();
    let second = w.until("watch: run 2:").join("\n");
    assert!(second.contains("suite/c.yaml — c"), "{second}");
    assert!(!second.contains("suite/a.yaml — a"), "{second}");
    assert!(
        second.contains("watch: run 2: 1 passed, 0 failed"),
        "{second}"
    );

    // a.yaml, and b.yaml which needs it.
    std::fs::write(
        dir.join("suite/a.yaml"),
        "export: [n]\nvars: { n: 2 }\nrequests:\n  - GET: <<base>>/echo?from=a2\n",
    )
    .unwrap();
    let third = w.until("watch: run 3:").join("\n");
    assert!(third.contains("suite/a.yaml — a"), "{third}");
    assert!(third.contains("suite/b.yaml — b"), "{third}");
    assert!(!third.contains("suite/c.yaml — c"), "{third}");
    assert!(
        third.contains("watch: run 3: 2 passed, 0 failed"),
        "{third}"
    );

    // A file added to the directory given: everything runs.
    std::fs::write(
        dir.join("suite/d.yaml"),
        "requests:\n  - GET: <<base>>/echo?from=d\n",
    )
    .unwrap();
    let fourth = w.until("watch: run 4:").join("\n");
    assert!(
        fourth.contains("watch: run 4: 4 passed, 0 failed"),
        "{fourth}"
    );
}
