//! `persist:` keeps values after the run in `.baton/state.json` (mode 0600, beside the token
//! cache, ignored by git) and reads them back at the start of the next run: above
//! environments, below `--var`; `--fresh` ignores it; its secrets are never printed. Against
//! the test server's rotating refresh grant, where a refresh token works once.
//!
//! Every run of a test works in one project directory (as a user's runs do): each `Baton`
//! tempdir links `proj` to it and runs there.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use super::base;
use crate::support::{
    Baton, CLIENT_ID, CLIENT_SECRET, Output, PASSWORD, TEMPDIR_PREFIX, TestServer, USERNAME,
};

const ROTATE: &str = r"name: rotate
persist: [refresh_token]
requests:
  - name: refresh
    POST: <<base>>/token
    auth: { basic: [<<client>>, <<client_secret>>] }
    form: { grant_type: refresh_token, refresh_token: <<refresh_token>> }
    expect: { status: 200 }
    capture: { refresh_token: $.refresh_token, access_token: $.access_token }
  - name: the new access token works
    GET: <<base>>/me
    auth: { bearer: <<access_token>> }
    expect: { body: { $.sub: alice } }
";

/// One working directory shared by several runs.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::Builder::new()
            .prefix(TEMPDIR_PREFIX)
            .tempdir()
            .unwrap();
        std::fs::write(dir.path().join("rotate.yaml"), ROTATE).unwrap();
        std::fs::create_dir_all(dir.path().join("environments")).unwrap();
        std::fs::write(
            dir.path().join("environments/dev.yaml"),
            format!(
                "vars: {{ client: {CLIENT_ID}, client_secret: {CLIENT_SECRET}, refresh_token: rt-stale-from-env }}\nsecrets: [client_secret]\n"
            ),
        )
        .unwrap();
        Project { dir }
    }

    /// `baton run rotate.yaml -e dev --var base=… ARGS` in the project directory.
    fn run(&self, server: &TestServer, args: &[&str]) -> Output {
        let baton = Baton::new();
        std::os::unix::fs::symlink(self.dir.path(), baton.dir().join("proj")).unwrap();
        baton
            .current_dir("proj")
            .args(["run", "rotate.yaml", "-e", "dev", "-v"])
            .args(base(server))
            .args(args)
            .run()
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join(".baton/state.json")
    }

    /// The one refresh token the state holds.
    #[track_caller]
    fn persisted(&self) -> String {
        let text = std::fs::read_to_string(self.state()).expect("the state file");
        serde_json::from_str::<Value>(&text).expect("the state is JSON");
        let tokens: Vec<&str> = refresh_tokens()
            .find_iter(&text)
            .map(|m| m.as_str())
            .collect();
        assert_eq!(tokens.len(), 1, "{text}");
        tokens[0].to_owned()
    }
}

fn refresh_tokens() -> Regex {
    Regex::new(r"\brt-[0-9a-f]{32}\b").unwrap()
}

fn token_request(server: &TestServer, form: &[(&str, &str)]) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/token", server.url()))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    })
}

/// A refresh token of a password grant, got outside baton.
fn signed_in(server: &TestServer) -> String {
    let (status, body) = token_request(
        server,
        &[
            ("grant_type", "password"),
            ("username", USERNAME),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(status, 200, "{body}");
    body["refresh_token"].as_str().unwrap().to_owned()
}

/// Whether the server still takes `token` (using it up).
fn still_valid(server: &TestServer, token: &str) -> bool {
    token_request(
        server,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .0 == 200
}

#[track_caller]
fn prints_no_token(out: &Output) {
    let tokens = refresh_tokens();
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !tokens.is_match(text),
            "a refresh token on {stream}:\n{text}"
        );
    }
}

#[test]
fn a_persisted_refresh_token_continues_the_chain_from_run_to_run() {
    let server = TestServer::start();
    let project = Project::new();
    let first = signed_in(&server);

    // Run 1: the chain starts from `--var`; the token it ends with is kept.
    let out = project.run(&server, &["--var", &format!("refresh_token={first}")]);
    out.code(0).stdout_contains("2 passed, 0 failed");
    prints_no_token(&out);
    let kept = project.persisted();
    assert_ne!(
        kept, first,
        "the state holds the rotated token, not the one given"
    );
    assert!(server.issued_tokens().contains(&kept));
    let mode = std::fs::metadata(project.state())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "state.json mode {mode:o}");
    // Ignored by git as the token cache is, and written atomically: nothing else left.
    let ignore = std::fs::read_to_string(project.dir.path().join(".baton/.gitignore"))
        .expect(".baton/.gitignore");
    assert!(!ignore.trim().is_empty());
    let mut left: Vec<String> = std::fs::read_dir(project.dir.path().join(".baton"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".gitignore", "state.json"]);

    // Run 2: nothing given; the kept token (above the environment's stale one) refreshes,
    // and the next one is kept in its place.
    let out = project.run(&server, &[]);
    out.code(0).stdout_contains("2 passed, 0 failed");
    prints_no_token(&out);
    let next = project.persisted();
    assert_ne!(next, kept);
    assert!(
        !still_valid(&server, &kept),
        "run 2 did not use the kept token"
    );
    assert_eq!(server.hits("/me"), 2);
}

/// `--var` sits above the state, so it can reset the chain: the token given is the one
/// sent, and the kept one is left unused.
#[test]
fn var_overrides_a_persisted_value() {
    let server = TestServer::start();
    let project = Project::new();
    let first = signed_in(&server);
    project
        .run(&server, &["--var", &format!("refresh_token={first}")])
        .code(0);
    let kept = project.persisted();

    let reset = signed_in(&server);
    let out = project.run(&server, &["--var", &format!("refresh_token={reset}")]);
    out.code(0).stdout_contains("2 passed, 0 failed");
    prints_no_token(&out);
    assert!(
        !still_valid(&server, &reset),
        "the --var token was not sent"
    );
    assert!(
        still_valid(&server, &kept),
        "the kept token was sent instead"
    );
}

/// `--fresh` runs as if there were no state: the refresh token then comes from the
/// environment (a stale one, refused).
#[test]
fn fresh_ignores_the_state() {
    let server = TestServer::start();
    let project = Project::new();
    let first = signed_in(&server);
    project
        .run(&server, &["--var", &format!("refresh_token={first}")])
        .code(0);
    let kept = project.persisted();

    let out = project.run(&server, &["--fresh"]);
    out.code(1)
        .stdout_contains("✗ refresh")
        .stdout_contains("invalid_grant")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    prints_no_token(&out);
    assert!(still_valid(&server, &kept), "--fresh sent the kept token");
}

/// The state file itself is never shown, and the kept value is masked where a request
/// sends it, with or without `-v`.
#[test]
fn a_persisted_value_is_masked_wherever_it_is_sent() {
    let server = TestServer::start();
    let project = Project::new();
    let first = signed_in(&server);
    project
        .run(&server, &["--var", &format!("refresh_token={first}")])
        .code(0);
    let out = project.run(&server, &["--json", "r.json", "--junit", "r.xml"]);
    out.code(0);
    prints_no_token(&out);
    for report in ["r.json", "r.xml"] {
        let text = std::fs::read_to_string(project.dir.path().join(report)).unwrap();
        assert!(
            !refresh_tokens().is_match(&text),
            "a refresh token in {report}"
        );
    }
    assert!(Path::new(&project.state()).exists());
}
