//! Shared support for the integration tests: the test server, fault servers, the `baton`
//! command runner and `redact` for snapshots.

// Test modules merged later use different subsets of these helpers; unused ones are not dead.
#![allow(dead_code)]

mod child;
mod cmd;
mod fault;
pub(crate) mod field;
mod oauth;
mod server;

use std::sync::LazyLock;

use regex::Regex;

pub(crate) use child::{Ready, start_ready};
pub(crate) use cmd::{Baton, Output};
pub(crate) use fault::FaultServer;
pub(crate) use oauth::{
    CLIENT_ID, CLIENT_SECRET, PASSWORD, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, USERNAME,
};
pub(crate) use server::{JWT_SECRET, TestServer, minted, minted_cookie};

/// Prefix of every tempdir `Baton::new` creates, so `redact` can find them in any output.
pub(crate) const TEMPDIR_PREFIX: &str = "baton-test-";

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

/// A loopback port inside a URL-encoded value (`redirect_uri=http%3A%2F%2F127.0.0.1%3A8765`,
/// an `iss` in a query string), encoded once or more (`%253A` in a `ReturnUrl`).
static PORT_ENCODED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(127\.0\.0\.1|localhost|%5B%3A%3A1%5D)(%(?:25)*3[Aa])\d{1,5}\b").unwrap()
});

/// The repository's own directory, where a test runs files of `collections/` in place.
static REPO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&regex::escape(env!("CARGO_MANIFEST_DIR"))).unwrap());

/// A JWT (three base64url parts, the first a JSON header): signed anew on every run.
static JWT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*").unwrap());

/// A UUID (a token's `jti`, a run's id).
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
        .unwrap()
});

/// The random values of an OAuth 2.0 flow in a query string or a form, plain or URL-encoded
/// inside another (`%26state%3D...` in a `ReturnUrl`): `state`, `nonce`, the PKCE challenge
/// (the verifier and the code are secrets, already `•••`); and the anti-forgery token of the
/// sandbox's login and consent pages.
static OAUTH_RANDOM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(state|nonce|code_challenge|dpop_jkt|__RequestVerificationToken)(=|%(?:25)*3[Dd]|" value=")[A-Za-z0-9_~.-]+"#,
    )
    .unwrap()
});

/// A `cookie:` request header: its pairs sorted by name. baton sends a jar's cookies in an
/// order that varies from run to run (see the report of the snapshot work); the set sent is
/// what the transcript pins.
static COOKIE_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^(.*> cookie: )(.*)$").unwrap());

/// JSON members whose value is a clock reading in seconds (`"exp": 1796599095`) or the
/// sandbox's key of the day (`"kid"`, the RSA modulus `"n"`), made anew on every start; in
/// plain JSON, JSON inside a JSON string (`\"exp\"`) or HTML (`&quot;exp&quot;`).
static JSON_VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(\b(?:exp|iat|nbf|auth_time)(?:\\?"|&quot;):\s*)\d{9,}|(\b(?:kid|n|x|y)(?:\\?"|&quot;):\s*(?:\\?"|&quot;))[A-Za-z0-9_-]{20,}"#,
    )
    .unwrap()
});

/// A server's DPoP nonce (`dpop-nonce:` header) and a pushed request's reference
/// (`urn:ietf:params:oauth:request_uri:…`, plain or URL-encoded): random per run.
static DPOP_AND_PAR_RANDOM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(dpop-nonce: |request_uri(?::|%3A))[A-Za-z0-9_-]{16,}").unwrap()
});

/// The JSON report's times in milliseconds (`"duration_ms": 5`, `"started_ms": 4`).
static JSON_MS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"("(?:duration|started)_ms":\s*)\d+"#).unwrap());

/// The HTML report's timeline bars: where each starts and how long it is, as a share of
/// the run's time (`left:80.00%;width:0.00%`).
static SHARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(left|width):\d+(?:\.\d+)?%").unwrap());

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
pub(crate) fn run_yaml(base: &str, yaml: &str) -> Baton {
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml", "--var"])
        .arg(format!("base={base}"))
}

/// `file:line:col` of the first occurrence of `needle` in `text` (1-based, columns in
/// characters), as diagnostics print it: tests say what a caret points at, not where. A
/// `^` in `needle` marks the character meant (`"gt: ^5"` is the `5` after `gt: `).
#[track_caller]
pub(crate) fn place(file: &str, text: &str, needle: &str) -> String {
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
/// `[TMP]`, the repository's directory with `[REPO]`, loopback ports with
/// `127.0.0.1:[PORT]` (`%3A[PORT]` URL-encoded), JWTs with `[JWT]`, UUIDs with `[UUID]`,
/// OAuth `state`, `nonce`, `code_challenge` and `dpop_jkt` values and JWKS key material with `[RANDOM]`,
/// RFC 3339 timestamps, HTTP dates and JSON `exp`/`iat` seconds with `[TIMESTAMP]`,
/// durations (`12ms`, `1.2s`, `34 ms`, JUnit `time="0.1"`, JSON `duration_ms`) with
/// `[DURATION]`, the HTML timeline's bar positions with `[SHARE]`, and DPoP nonces and PAR
/// `request_uri` references with `[RANDOM]`.
pub(crate) fn redact(text: &str) -> String {
    let text = ANSI.replace_all(text, "");
    let text = TEMPDIR.replace_all(&text, "[TMP]");
    let text = REPO.replace_all(&text, "[REPO]");
    let text = PORT.replace_all(&text, "$1:[PORT]");
    let text = PORT_ENCODED.replace_all(&text, "${1}${2}[PORT]");
    let text = JWT.replace_all(&text, "[JWT]");
    let text = UUID.replace_all(&text, "[UUID]");
    let text = OAUTH_RANDOM.replace_all(&text, "${1}${2}[RANDOM]");
    let text = DPOP_AND_PAR_RANDOM.replace_all(&text, "${1}[RANDOM]");
    let text = JSON_VOLATILE.replace_all(&text, |c: &regex::Captures| match (c.get(1), c.get(2)) {
        (Some(key), _) => format!("{}[TIMESTAMP]", key.as_str()),
        (_, Some(key)) => format!("{}[RANDOM]", key.as_str()),
        _ => unreachable!(),
    });
    let text = COOKIE_HEADER.replace_all(&text, |c: &regex::Captures| {
        let mut pairs: Vec<&str> = c[2].split("; ").collect();
        pairs.sort_unstable();
        format!("{}{}", &c[1], pairs.join("; "))
    });
    let text = JSON_MS.replace_all(&text, "${1}[DURATION]");
    let text = SHARE.replace_all(&text, "$1:[SHARE]");
    let text = TIMESTAMP.replace_all(&text, "[TIMESTAMP]");
    let text = HTTP_DATE.replace_all(&text, "[TIMESTAMP]");
    let text = JUNIT_TIME.replace_all(&text, r#"time="[DURATION]""#);
    DURATION.replace_all(&text, "[DURATION]").into_owned()
}

/// A `baton` whose tempdir holds a copy of the repository's `collections/`: the real
/// examples, at paths (`collections/client-credentials.yaml`) that print the same on every
/// machine.
pub(crate) fn examples() -> Baton {
    repo_copy(&["collections"])
}

/// A `baton` whose tempdir holds copies of these directories of the repository, at the same
/// paths.
pub(crate) fn repo_copy(dirs: &[&str]) -> Baton {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut baton = Baton::new();
    let mut stack: Vec<_> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_owned();
                baton = baton.file(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    baton
}
