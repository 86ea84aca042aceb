//! The fluent `baton` command runner: a fresh tempdir per test, files written into it, a
//! hermetic environment, a timeout that kills the child, and assertions on the `Output`.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{TEMPDIR_PREFIX, redact};

/// Variables removed from the child's environment so results do not depend on the machine
/// or the CI service running the tests. Every `BATON_*` variable is removed as well.
const SCRUBBED: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "TF_BUILD",
    "JENKINS_URL",
    "TEAMCITY_VERSION",
    "FORCE_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "COLUMNS",
    "LINES",
    "RUST_LOG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "BROWSER",
];

/// One `baton` invocation being set up. `run` consumes it.
#[derive(Debug)]
pub(crate) struct Baton {
    program: OsString,
    dir: TempDir,
    cwd: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Default for Baton {
    fn default() -> Self {
        Self::new()
    }
}

impl Baton {
    /// The `baton` binary under test, run in a fresh tempdir.
    pub(crate) fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix(TEMPDIR_PREFIX)
            .tempdir()
            .expect("create test tempdir");
        Baton {
            program: env!("CARGO_BIN_EXE_baton").into(),
            dir,
            cwd: PathBuf::new(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            timeout: Duration::from_secs(60),
        }
    }

    /// Runs another program instead of `baton` (for testing this runner itself).
    pub(crate) fn program(mut self, program: impl AsRef<OsStr>) -> Self {
        program.as_ref().clone_into(&mut self.program);
        self
    }

    /// The tempdir, to build paths for arguments or expected output.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `path` (relative to the tempdir), creating directories.
    #[track_caller]
    pub(crate) fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Self {
        let path = self.inside(path.as_ref());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Appends one argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the child (applied after the defaults).
    pub(crate) fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Runs the child in a subdirectory of the tempdir (created if missing).
    #[track_caller]
    pub(crate) fn current_dir(mut self, subdir: impl AsRef<Path>) -> Self {
        let path = self.inside(subdir.as_ref());
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        subdir.as_ref().clone_into(&mut self.cwd);
        self
    }

    /// Feeds `input` to the child's stdin, then closes it. Without it stdin is empty.
    pub(crate) fn stdin(mut self, input: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(input.as_ref().to_owned());
        self
    }

    /// Kills the child and fails the test after `timeout` (default 60 s).
    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    #[track_caller]
    fn inside(&self, relative: &Path) -> PathBuf {
        assert!(
            relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir)),
            "test paths must stay inside the tempdir: {}",
            relative.display()
        );
        self.dir.path().join(relative)
    }

    fn command_line(&self) -> String {
        std::iter::once(
            Path::new(&self.program)
                .file_name()
                .unwrap_or(&self.program),
        )
        .chain(self.args.iter().map(OsString::as_os_str))
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Runs the command and waits for it. Panics if it cannot start or times out.
    #[track_caller]
    pub(crate) fn run(self) -> Output {
        let command = self.command_line();
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .current_dir(self.dir.path().join(&self.cwd))
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BATON_") {
                cmd.env_remove(name);
            }
        }
        for name in SCRUBBED {
            cmd.env_remove(name);
        }
        // A HOME of its own keeps user config and token caches out of the tests.
        let home = self.dir.path().join(".home");
        std::fs::create_dir_all(&home).expect("create test HOME");
        cmd.env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .env("NO_PROXY", "127.0.0.1,localhost,::1")
            .env("no_proxy", "127.0.0.1,localhost,::1")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"));
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));

        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{command}`: {e}"));
        if let (Some(input), Some(mut pipe)) = (self.stdin, child.stdin.take()) {
            // A child that never reads must not block us: write from a thread.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        let stdout = Capture::start(child.stdout.take().unwrap());
        let stderr = Capture::start(child.stderr.take().unwrap());
        let status = wait(&mut child, self.timeout);
        let elapsed = started.elapsed();
        let stdout = stdout.finish();
        let stderr = stderr.finish();

        let Some(status) = status else {
            panic!(
                "`{command}` timed out after {:?} and was killed\n{}",
                self.timeout,
                dump(&stdout, &stderr)
            );
        };
        Output {
            code: status.code().unwrap_or(-1),
            status,
            stdout,
            stderr,
            dir: self.dir.path().to_owned(),
            elapsed,
            command,
            _tempdir: self.dir,
        }
    }
}

/// Waits for the child; `None` if it ran past `timeout` and was killed.
fn wait(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads a pipe on a thread into a shared buffer, so partial output survives a timeout.
struct Capture {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: JoinHandle<()>,
}

impl Capture {
    fn start(mut pipe: impl Read + Send + 'static) -> Capture {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let thread = std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Capture { buffer, thread }
    }

    /// The text read so far, after at most 2 s more: a grandchild (a browser, say) may hold
    /// the pipe open long after the child exited.
    fn finish(self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}

fn dump(stdout: &str, stderr: &str) -> String {
    let mut text = String::new();
    for (name, content) in [("stdout", stdout), ("stderr", stderr)] {
        let _ = write!(text, "--- {name} ---\n{content}");
        if !content.is_empty() && !content.ends_with('\n') {
            text.push('\n');
        }
    }
    text.push_str("--- end ---");
    text
}

/// The lines of `expected` and `actual`, `-` for a line only expected, `+` for one only
/// found, ` ` for one in both at the same place: enough to see a one-word change.
fn line_diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) =
        (expected.split('\n').collect(), actual.split('\n').collect());
    let mut text = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => writeln!(text, "  {x:?}"),
            (x, y) => {
                if let Some(x) = x {
                    let _ = writeln!(text, "- {x:?}");
                }
                match y {
                    Some(y) => writeln!(text, "+ {y:?}"),
                    None => Ok(()),
                }
            }
        }
        .unwrap();
    }
    text
}

/// What one run produced. Holds the tempdir, which lives as long as this value.
#[derive(Debug)]
pub(crate) struct Output {
    /// The exit code, or -1 if a signal ended the process.
    pub code: i32,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// The tempdir the command ran in.
    pub dir: PathBuf,
    pub elapsed: Duration,
    /// The command line, for messages.
    pub command: String,
    _tempdir: TempDir,
}

impl Output {
    #[track_caller]
    fn fail(&self, problem: &str) -> ! {
        panic!(
            "`{}` (exit {}): {problem}\n{}",
            self.command,
            self.status,
            dump(&self.stdout, &self.stderr)
        );
    }

    /// Asserts the exit code.
    #[track_caller]
    pub(crate) fn code(&self, expected: i32) -> &Self {
        if self.code != expected {
            self.fail(&format!("expected exit code {expected}, got {}", self.code));
        }
        self
    }

    /// Asserts that stdout contains `needle`.
    #[track_caller]
    pub(crate) fn stdout_contains(&self, needle: &str) -> &Self {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout lacks {needle:?}"));
        }
        self
    }

    /// Asserts that stderr contains `needle`.
    #[track_caller]
    pub(crate) fn stderr_contains(&self, needle: &str) -> &Self {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr lacks {needle:?}"));
        }
        self
    }

    /// Asserts that stdout, redacted (`redact`), is exactly `expected`: for an output short
    /// enough to read in the test itself, where a snapshot file would hide it.
    #[track_caller]
    pub(crate) fn stdout_is(&self, expected: &str) -> &Self {
        self.is("stdout", &self.stdout, expected)
    }

    /// Asserts that stderr, redacted (`redact`), is exactly `expected` (`""`: nothing).
    #[track_caller]
    pub(crate) fn stderr_is(&self, expected: &str) -> &Self {
        self.is("stderr", &self.stderr, expected)
    }

    #[track_caller]
    fn is(&self, stream: &str, actual: &str, expected: &str) -> &Self {
        let actual = redact(actual);
        if actual != expected {
            self.fail(&format!(
                "{stream}, redacted, is not the text expected\n{}",
                line_diff(expected, &actual)
            ));
        }
        self
    }

    /// Asserts that stdout or stderr contains `needle`.
    #[track_caller]
    pub(crate) fn output_contains(&self, needle: &str) -> &Self {
        if !self.stdout.contains(needle) && !self.stderr.contains(needle) {
            self.fail(&format!("neither stdout nor stderr contains {needle:?}"));
        }
        self
    }

    /// Asserts that neither stdout nor stderr contains `needle` (a secret, say).
    #[track_caller]
    pub(crate) fn output_lacks(&self, needle: &str) -> &Self {
        if self.stdout.contains(needle) || self.stderr.contains(needle) {
            self.fail(&format!("output contains {needle:?}"));
        }
        self
    }

    /// The absolute path of `relative` in the tempdir.
    pub(crate) fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.dir.join(relative)
    }

    /// The contents of a file the command left in the tempdir.
    #[track_caller]
    pub(crate) fn file(&self, relative: impl AsRef<Path>) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| self.fail(&format!("cannot read {}: {e}", path.display())))
    }

    /// `redact` of a file the command left in the tempdir (a report), for snapshots.
    #[track_caller]
    pub(crate) fn file_redacted(&self, relative: impl AsRef<Path>) -> String {
        redact(&self.file(relative))
    }

    /// Stdout parsed as JSON (for `--format json` style output).
    #[track_caller]
    pub(crate) fn stdout_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }

    /// `redact(stdout)`, for snapshots.
    pub(crate) fn stdout_redacted(&self) -> String {
        redact(&self.stdout)
    }

    /// `redact(stderr)`, for snapshots.
    pub(crate) fn stderr_redacted(&self) -> String {
        redact(&self.stderr)
    }
}
