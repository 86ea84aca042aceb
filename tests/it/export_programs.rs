//! `baton export FILE --as python|node|curl` without `--request`: the whole collection as one
//! program, proven to run. The guide collection (`collections/guide.yaml`: a client-credentials
//! token found by discovery, the API checking it, a user's token, the API answering with it) is
//! exported and each program is run against the sandbox on 127.0.0.1: Python with `requests`
//! from the venv `.ci/run` makes (`tests/interop/dot/.venv`), Node with `axios` from
//! `tests/interop/node_modules`, the script with bash, curl and jq. A wrong secret makes each
//! program fail on the status. A value with a space reaches a server encoded, from a snippet
//! and from every program. The programs themselves are pinned as snapshots.
//!
//! Without a tool the test prints `skipped: …`; under `CI` a missing tool fails it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use baton::{Sandbox, SandboxConfig};

use crate::support::{Baton, Output, TestServer, examples};

const GUIDE: &str = "collections/guide.yaml";

/// Why a language's programs cannot run here, if they cannot; a panic under `CI`.
pub(crate) fn unavailable(lang: &str) -> Option<String> {
    let why = match lang {
        "python" => (!python().is_file()).then(|| {
            "tests/interop/dot/.venv is missing: `python3 -m venv tests/interop/dot/.venv && \
             tests/interop/dot/.venv/bin/pip install -r tests/interop/dot/requirements.txt`"
                .to_string()
        }),
        "node" => missing_tools(&["node"]).or_else(|| {
            (!interop().join("node_modules/axios").is_dir()).then(|| {
                "tests/interop/node_modules/axios is missing: `cd tests/interop && npm ci`".into()
            })
        }),
        _ => missing_tools(&["bash", "curl", "jq"]),
    };
    if let Some(why) = &why {
        assert!(
            std::env::var_os("CI").is_none(),
            "the {lang} program cannot run under CI: {why}"
        );
        eprintln!("skipped: the exported {lang} program cannot run here ({why})");
    }
    why
}

fn missing_tools(tools: &[&str]) -> Option<String> {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            std::process::Command::new(t)
                .arg("--version")
                .output()
                .map_or(true, |o| !o.status.success())
        })
        .collect();
    (!missing.is_empty()).then(|| format!("not on PATH: {}", missing.join(", ")))
}

fn interop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

fn python() -> PathBuf {
    interop().join("dot/.venv/bin/python")
}

/// `baton export FILE --as LANG --var …` of the example collections: its program.
pub(crate) fn export(file: &str, lang: &str, vars: &[(&str, &str)]) -> Output {
    let mut baton = examples().args(["export", file, "--as", lang]);
    for (k, v) in vars {
        baton = baton.arg("--var").arg(format!("{k}={v}"));
    }
    baton.run()
}

/// Runs `program` (the text of an exported program in `lang`) with `env`.
pub(crate) fn run(lang: &str, program: &str, env: &[(&str, &str)]) -> Output {
    let mut baton = match lang {
        "python" => Baton::new()
            .program(python())
            .file("program.py", program)
            .arg("program.py"),
        // A .js file outside a package is CommonJS, as the program is written.
        "node" => Baton::new()
            .program("node")
            .file("program.js", program)
            .arg("program.js")
            .env("NODE_PATH", interop().join("node_modules")),
        _ => Baton::new()
            .program("bash")
            .file("program.sh", program)
            .arg("program.sh"),
    };
    for (k, v) in env {
        baton = baton.env(k, v);
    }
    baton.run()
}

/// The sandbox in-process, on its own runtime, and the variables of `--sandbox`.
pub(crate) fn sandbox() -> (tokio::runtime::Runtime, Sandbox, HashMap<String, String>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig::default()))
        .expect("the sandbox starts");
    let vars = sandbox.vars().into_iter().collect();
    (runtime, sandbox, vars)
}

/// The guide's program in `lang` runs against the sandbox: it signs in, reaches userinfo as
/// alice (the last response, which it prints), and exits 0; with a wrong secret it stops at
/// the first request, on its status, with a non-zero exit.
fn guide_runs(lang: &str) {
    if unavailable(lang).is_some() {
        return;
    }
    let (_runtime, _sandbox, vars) = sandbox();
    let exported = export(
        GUIDE,
        lang,
        &[
            ("baseAuthURL", &vars["baseAuthURL"]),
            ("ClientId", &vars["ClientId"]),
            ("username", &vars["username"]),
        ],
    );
    exported.code(0);
    let program = &exported.stdout;
    for secret in [&vars["ClientSecret"], &vars["password"]] {
        assert!(
            !program.contains(secret.as_str()),
            "a secret written in\n{program}"
        );
    }
    let ok = run(
        lang,
        program,
        &[
            ("CLIENT_SECRET", &vars["ClientSecret"]),
            ("PASSWORD", &vars["password"]),
        ],
    );
    ok.code(0).stdout_contains("alice@example.com");
    let refused = run(
        lang,
        program,
        &[
            ("CLIENT_SECRET", "not-the-secret"),
            ("PASSWORD", &vars["password"]),
        ],
    );
    assert_ne!(refused.code, 0, "{lang}: a refused token request must fail");
    refused.stderr_contains("get a token for the machine client: status 401, expected 200");
}

#[test]
fn the_python_program_runs_against_the_sandbox() {
    guide_runs("python");
}

#[test]
fn the_node_program_runs_against_the_sandbox() {
    guide_runs("node");
}

#[test]
fn the_shell_program_runs_against_the_sandbox() {
    guide_runs("curl");
}

/// A request whose path and query hold values with a space.
const SPACES: &str = r"name: spaces
vars: { folder: my docs, q: a b }
requests:
  - name: list
    GET: <<base>>/echo/<<folder>>/list?q=<<q>>
    query: { page: first one }
";

/// The snippet (`--request`) and every program send a value with a space encoded: the server
/// sees the path `/echo/my%20docs/list` and the query values `a b` and `first one`.
#[test]
fn a_value_with_a_space_reaches_the_server_encoded() {
    let server = TestServer::start();
    let base = server.url();
    for lang in ["curl", "python", "node"] {
        if unavailable(lang).is_some() {
            continue;
        }
        for request in [Some("list"), None] {
            let mut baton = Baton::new()
                .file("spaces.yaml", SPACES)
                .args(["export", "spaces.yaml", "--as", lang, "--var"])
                .arg(format!("base={base}"));
            if let Some(r) = request {
                baton = baton.args(["--request", r]);
            }
            let exported = baton.run();
            exported.code(0);
            if request.is_some() && lang != "curl" {
                continue;
            }
            let out = run(lang, &exported.stdout, &[]);
            out.code(0);
            let body = out.stdout.trim();
            let echoed: serde_json::Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("{lang} {request:?}: {e}: {body}"));
            assert_eq!(echoed["path"], "/echo/my%20docs/list", "{lang} {request:?}");
            assert_eq!(echoed["query"]["q"], "a b", "{lang} {request:?}");
            assert_eq!(echoed["query"]["page"], "first one", "{lang} {request:?}");
        }
    }
}

/// The guide's program in each language, with values for what is not secret: pinned.
#[test]
fn guide_programs_are_pinned() {
    for lang in ["python", "node", "curl", "http"] {
        let out = export(
            GUIDE,
            lang,
            &[
                ("baseAuthURL", "https://id.example.com"),
                ("ClientId", "app"),
                ("username", "alice"),
            ],
        );
        out.code(0);
        insta::assert_snapshot!(
            format!("guide_{lang}"),
            format!(
                "{}--- stderr\n{}",
                out.stdout_redacted(),
                out.stderr_redacted()
            )
        );
    }
}

/// What a program cannot do as baton does, in a collection that does most of it.
const ODD: &str = r"name: odd
vars:
  api: <<host>>/v1
  tag: <<host | upper>>
requests:
  - name: list
    GET: <<api>>/items
    headers: { X-Env: <<env.HOME_TOKEN>> }
    expect:
      status: [200, 3xx]
      headers: { content-type: { contains: json } }
    capture:
      ids: $.items[*].id
      first: $.items[0]['the id']
      csrf: { regex: 'csrf=(\w+)' }
      code: { header: location, query: code }
      seen: { status: true }
  - name: next
    POST: <<api>>/next?tag=<<tag>>
    json: { csrf: <<csrf>>, count: <<ids | length>>, first: <<first>>, seen: <<seen>> }
";

/// Each is a comment where it happens and a warning on stderr; the rest is written.
#[test]
fn what_a_program_cannot_do_is_a_comment_and_a_warning() {
    let mut text = String::new();
    for lang in ["python", "curl"] {
        let out = Baton::new()
            .file("odd.yaml", ODD)
            .args(["export", "odd.yaml", "--as", lang])
            .run();
        out.code(0);
        text.push_str(&format!(
            "### {lang}\n{}--- stderr\n{}\n",
            out.stdout_redacted(),
            out.stderr_redacted()
        ));
    }
    insta::assert_snapshot!(text);
}
