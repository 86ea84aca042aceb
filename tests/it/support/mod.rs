//! Shared support for the integration tests: the test server, fault servers, the `baton`
//! command runner and `redact` for snapshots.

// Test modules merged later use different subsets of these helpers; unused ones are not dead.
#![allow(dead_code)]

mod cmd;
mod fault;
pub mod field;
mod oauth;
mod server;

use std::sync::LazyLock;

use regex::Regex;

pub use cmd::{Baton, Output};
pub use fault::FaultServer;
pub use oauth::{
    CLIENT_ID, CLIENT_SECRET, PASSWORD, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, USERNAME,
};
pub use server::{JWT_SECRET, TestServer, minted, minted_cookie};

/// Prefix of every tempdir `Baton::new` creates, so `redact` can find them in any output.
pub const TEMPDIR_PREFIX: &str = "baton-test-";

static ANSI: LazyLock<Regex> = LazyLock::new(|| {
    // CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
    Regex::new(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)").unwrap()
});

static TEMPDIR: LazyLock<Regex> = LazyLock::new(|| {
    let root = std::env::temp_dir();
    let mut roots = vec![root.display().to_string()];
    // macOS hands out /var/... but processes may print the canonical /private/var/...
    if let Ok(canonical) = root.canonicalize() {
        roots.push(canonical.display().to_string());
    }
    let roots: Vec<String> = roots
        .iter()
        .map(|r| regex::escape(r.trim_end_matches(['/', '\\'])))
        .collect();
    Regex::new(&format!(
        r"(?:{})[/\\]{}[A-Za-z0-9_]+",
        roots.join("|"),
        regex::escape(TEMPDIR_PREFIX)
    ))
    .unwrap()
});

static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\b").unwrap());

static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
        .unwrap()
});

/// HTTP dates (RFC 9110 IMF-fixdate), as in a response's `date:` header.
static HTTP_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b",
    )
    .unwrap()
});

/// JUnit's `time="0.123"` (seconds, no unit).
static JUNIT_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\btime="\d+(?:\.\d+)?""#).unwrap());

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    // `12ms`, `1.2s`, `34 ms`, `1m 2s`, `850µs`; the trailing \b keeps `3 steps` intact.
    Regex::new(r"\b(?:\d+m\s?)?\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s)\b").unwrap()
});

/// `baton run c.yaml --var base=URL` in a fresh tempdir holding `yaml` as `c.yaml`: the
/// usual shape of a test, with the collection text free of ports so its lines stay put.
pub fn run_yaml(base: &str, yaml: &str) -> Baton {
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml", "--var"])
        .arg(format!("base={base}"))
}

/// `file:line:col` of the first occurrence of `needle` in `text` (1-based, columns in
/// characters), as diagnostics print it: tests say what a caret points at, not where. A
/// `^` in `needle` marks the character meant (`"gt: ^5"` is the `5` after `gt: `).
#[track_caller]
pub fn place(file: &str, text: &str, needle: &str) -> String {
    let (search, skip) = match needle.split_once('^') {
        Some((before, after)) => (format!("{before}{after}"), before.len()),
        None => (needle.to_owned(), 0),
    };
    let offset = text
        .find(&search)
        .unwrap_or_else(|| panic!("{search:?} is not in the text"))
        + skip;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{file}:{line}:{col}")
}

/// Makes output stable for snapshots: strips ANSI escapes and replaces test tempdirs with
/// `[TMP]`, loopback ports with `127.0.0.1:[PORT]`, RFC 3339 timestamps and HTTP dates with
/// `[TIMESTAMP]`, and durations (`12ms`, `1.2s`, `34 ms`, JUnit `time="0.1"`) with `[DURATION]`.
pub fn redact(text: &str) -> String {
    let text = ANSI.replace_all(text, "");
    let text = TEMPDIR.replace_all(&text, "[TMP]");
    let text = PORT.replace_all(&text, "$1:[PORT]");
    let text = TIMESTAMP.replace_all(&text, "[TIMESTAMP]");
    let text = HTTP_DATE.replace_all(&text, "[TIMESTAMP]");
    let text = JUNIT_TIME.replace_all(&text, r#"time="[DURATION]""#);
    DURATION.replace_all(&text, "[DURATION]").into_owned()
}
