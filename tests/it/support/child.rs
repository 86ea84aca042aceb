//! A third-party server started as a child process for the interop tests (oidc-provider,
//! Django OAuth Toolkit, oauthlib): its stderr collected for failure messages, and its first
//! stdout line, `READY <url>`, awaited with a deadline. The child lives while its stdin is
//! held: each server exits when its stdin closes, so a test process that dies leaves none.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// A server that said it is ready.
pub(crate) struct Ready {
    pub child: Child,
    pub stdin: ChildStdin,
    /// What it wrote on stderr, for the message of a test that fails against it.
    pub log: Arc<Mutex<String>>,
    /// The text after `READY `: its URL or issuer.
    pub url: String,
}

/// Start `cmd` with piped stdio and wait up to 30 s for `READY <url>`; panics with its
/// stderr when it does not come (`what` names the server).
pub(crate) fn start_ready(mut cmd: Command, what: &str) -> Ready {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let stdin = child.stdin.take().expect("stdin");
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    let mut stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut chunk) {
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    // Generous: on two cores busy with the whole suite, node took more than 30 s to start
    // oidc-provider once; a server that never starts still fails here, only later.
    let line = rx.recv_timeout(Duration::from_secs(90)).unwrap_or_default();
    let Some(url) = line.trim().strip_prefix("READY ").map(str::to_string) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the {what} did not print READY within 90 s (got {line:?}); its stderr:\n{}",
            log.lock().unwrap()
        );
    };
    Ready {
        child,
        stdin,
        log,
        url,
    }
}
