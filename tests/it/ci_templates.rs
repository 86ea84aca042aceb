//! The CI templates users copy: `action.yml`, `ci/github/sharded.yml` and
//! `ci/gitlab/baton.gitlab-ci.yml`. Each validates against its service's schema (SchemaStore's,
//! vendored by `check-jsonschema`, from the venv `.ci/run` makes in `tests/ci/.venv`), and
//! their shell runs as the service would run it (services.rs) against the test server: shard
//! reports come out, and the merged JUnit counts every request once.

mod services;

use crate::support::{TEMPDIR_PREFIX, TestServer};
use services::{GitHub, read_yaml, run_gitlab, template_version};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const FILES: usize = 6;
const SECRET: &str = "staging-secret-3f9a1c";

/// A workspace as the templates expect it: `collections/` of six files of two requests each,
/// and `environments/staging.yaml` pointing at `server`, with a secret from the process
/// environment sent as a header.
fn workspace(server: &TestServer) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(TEMPDIR_PREFIX)
        .tempdir()
        .unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("collections")).unwrap();
    std::fs::create_dir_all(root.join("environments")).unwrap();
    for i in 0..FILES {
        let yaml = format!(
            "name: service {i}\nrequests:\n  - name: svc{i} status\n    GET: <<base>>/status/200\n    headers: {{ x-key: <<key>> }}\n  - name: svc{i} text\n    GET: <<base>>/text\n    expect:\n      body: {{ contains: hello }}\n"
        );
        std::fs::write(root.join(format!("collections/svc{i}.yaml")), yaml).unwrap();
    }
    let env = format!(
        "vars:\n  base: {}\n  key: <<env.STAGING_CLIENT_SECRET>>\nsecrets: [key]\n",
        server.url()
    );
    std::fs::write(root.join("environments/staging.yaml"), env).unwrap();
    dir
}

/// Every request of the workspace, by name.
fn all_requests() -> BTreeSet<String> {
    (0..FILES)
        .flat_map(|i| [format!("svc{i} status"), format!("svc{i} text")])
        .collect()
}

/// The names of the `<testcase>`s of a JUnit file, each once (a repeat fails the test).
fn junit_cases(path: &Path) -> BTreeSet<String> {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut names = BTreeSet::new();
    loop {
        match reader.read_event().expect("well-formed JUnit") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                // The names here are plain words: nothing to unescape.
                let name = e.try_get_attribute("name").unwrap().expect("testcase name");
                let name = String::from_utf8_lossy(&name.value).into_owned();
                assert!(
                    names.insert(name.clone()),
                    "{name} is twice in {}",
                    path.display()
                );
            }
            quick_xml::events::Event::Eof => return names,
            _ => {}
        }
    }
}

fn json_requests(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    ["passed", "failed", "errors", "skipped"]
        .iter()
        .map(|k| v["counts"][k].as_u64().unwrap())
        .sum()
}

/// No report and no log holds the staging secret.
fn assert_no_secret(dir: &Path, log: &str) {
    assert!(!log.contains(SECRET), "the secret is in the log:\n{log}");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with(".tool-cache") && !path.ends_with(".baton-cli") {
                assert_no_secret(&path, "");
            }
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            assert!(
                !text.contains(SECRET),
                "the secret is in {}",
                path.display()
            );
        }
    }
}

#[test]
fn the_sharded_workflow_merges_its_shards_into_one_report() {
    let server = TestServer::start();
    let ws = workspace(&server);
    let mut github = GitHub::new(ws.path());
    github
        .secrets
        .insert("STAGING_CLIENT_SECRET".into(), SECRET.into());
    let results = github.run_workflow(&read_yaml("ci/github/sharded.yml"));
    let log = github.log.clone();
    let codes: Vec<(&str, i32)> = results.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(
        codes,
        [
            ("shard (1)", 0),
            ("shard (2)", 0),
            ("shard (3)", 0),
            ("shard (4)", 0),
            ("report", 0)
        ],
        "{log}"
    );
    let reports = ws.path().join("reports");
    let per_shard: Vec<u64> = (1..=4)
        .map(|k| json_requests(&reports.join(format!("shard-{k}.json"))))
        .collect();
    assert_eq!(per_shard.iter().sum::<u64>(), 12, "{per_shard:?}");
    assert!(
        per_shard.iter().filter(|&&n| n > 0).count() > 1,
        "one shard ran all: {per_shard:?}"
    );
    assert_eq!(
        junit_cases(&ws.path().join("baton-junit.xml")),
        all_requests()
    );
    assert_eq!(json_requests(&ws.path().join("baton-report.json")), 12);
    assert_eq!(server.total_hits(), 12, "each request sent once");
    // What the merge job uploads: its three reports (the shards upload their JSON and JUnit).
    let uploaded: BTreeSet<String> = github
        .uploaded
        .iter()
        .map(|p| p.strip_prefix(ws.path()).unwrap().display().to_string())
        .collect();
    let mut expected: BTreeSet<String> = (1..=4)
        .flat_map(|k| {
            [
                format!("reports/shard-{k}.json"),
                format!("reports/shard-{k}.xml"),
            ]
        })
        .collect();
    expected
        .extend(["baton-junit.xml", "baton-report.html", "baton-report.json"].map(String::from));
    assert_eq!(uploaded, expected);
    assert_no_secret(ws.path(), &log);
}

#[test]
fn the_action_fails_with_baton_annotates_and_uploads_its_reports() {
    let server = TestServer::start();
    let ws = workspace(&server);
    std::fs::write(
        ws.path().join("collections/svc0.yaml"),
        "name: broken\nrequests:\n  - name: wrong status\n    GET: <<base>>/status/200\n    expect:\n      status: 201\n",
    )
    .unwrap();
    let mut github = GitHub::new(ws.path());
    let with = BTreeMap::from([
        (
            "paths".to_string(),
            "collections/svc0.yaml\ncollections/svc1.yaml".to_string(),
        ),
        (
            "args".to_string(),
            format!("--var base={} --var key=k", server.url()),
        ),
    ]);
    let mut env = BTreeMap::from([("PATH".to_string(), "/usr/bin:/bin".to_string())]);
    let run = github.run_action(&with, &mut env);
    let log = &github.log;
    assert_eq!(run.code, 1, "{log}");
    assert_eq!(run.outputs["run.exit-code"], "1", "{log}");
    assert!(
        log.contains("::error file=collections/svc0.yaml,line=6,col="),
        "no annotation on the failed expectation:\n{log}"
    );
    let names = junit_cases(&ws.path().join("baton-junit.xml"));
    assert_eq!(names.len(), 3, "{names:?}");
    let uploaded: Vec<PathBuf> = github.uploaded.clone();
    assert_eq!(
        uploaded,
        [
            ws.path().join("baton-junit.xml"),
            ws.path().join("baton-report.html")
        ],
        "the HTML and JUnit reports are uploaded, also when the run failed"
    );
    // The `args` input is read as shell words; the other inputs are values, never code.
    let mut github = GitHub::new(ws.path());
    let with = BTreeMap::from([(
        "merge".to_string(),
        "nothing/$(touch pwned)*.json".to_string(),
    )]);
    let run = github.run_action(&with, &mut env);
    assert_eq!(run.code, 2, "{}", github.log);
    assert!(
        github
            .log
            .contains("::error title=baton::no JSON report matches"),
        "{}",
        github.log
    );
    assert!(
        !ws.path().join("pwned").exists(),
        "an input ran as a command"
    );
}

#[test]
fn the_gitlab_template_merges_its_parallel_jobs_into_one_junit_report() {
    let server = TestServer::start();
    let ws = workspace(&server);
    let project = BTreeMap::from([
        ("BATON_PATHS".to_string(), "collections/".to_string()),
        ("BATON_ARGS".to_string(), "-e staging".to_string()),
        ("STAGING_CLIENT_SECRET".to_string(), SECRET.to_string()),
    ]);
    let template = read_yaml("ci/gitlab/baton.gitlab-ci.yml");
    assert_eq!(template["variables"]["BATON_VERSION"], template_version());
    let (results, junit, log) = run_gitlab(&template, ws.path(), &project);
    let codes: Vec<(&str, i32)> = results.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(
        codes,
        [
            ("baton 1/4", 0),
            ("baton 2/4", 0),
            ("baton 3/4", 0),
            ("baton 4/4", 0),
            ("baton-report 1/1", 0)
        ],
        "{log}"
    );
    let per_shard: u64 = (1..=4)
        .map(|k| json_requests(&ws.path().join(format!("reports/shard-{k}.json"))))
        .sum();
    assert_eq!(per_shard, 12);
    // One JUnit report for GitLab's test view, the merged one: each request once.
    assert_eq!(junit, [ws.path().join("baton-junit.xml")]);
    assert_eq!(junit_cases(&junit[0]), all_requests());
    assert_eq!(server.total_hits(), 12, "each request sent once");
    assert_no_secret(ws.path(), &log);
}

#[test]
fn the_action_installs_the_version_of_this_crate() {
    let action = read_yaml("action.yml");
    assert_eq!(action["inputs"]["version"]["default"], template_version());
}

/// `check-jsonschema` from `tests/ci/.venv`, or why it is missing (a panic under `CI`).
fn check_jsonschema() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ci/.venv/bin/check-jsonschema");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tests/ci/.venv/bin/check-jsonschema is missing under CI"
    );
    eprintln!(
        "skipped: tests/ci/.venv is missing: `python3 -m venv tests/ci/.venv && \
         tests/ci/.venv/bin/pip install --only-binary=:all: -r tests/ci/requirements.txt`"
    );
    None
}

fn validates(tool: &Path, schema: &str, file: &Path) -> Result<(), String> {
    let out = Command::new(tool)
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .expect("run check-jsonschema");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(())
    } else {
        Err(text)
    }
}

#[test]
fn the_templates_validate_against_the_services_schemas() {
    let Some(tool) = check_jsonschema() else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let broken = tempfile::Builder::new()
        .prefix(TEMPDIR_PREFIX)
        .tempdir()
        .unwrap();
    for (file, schema, good, bad) in [
        (
            "action.yml",
            "vendor.github-actions",
            "using: composite",
            "using: compose",
        ),
        (
            "ci/github/sharded.yml",
            "vendor.github-workflows",
            "runs-on: ubuntu-latest",
            "runs-of: ubuntu-latest",
        ),
        (
            "ci/gitlab/baton.gitlab-ci.yml",
            "vendor.gitlab-ci",
            "when: always",
            "when: sometimes",
        ),
    ] {
        validates(&tool, schema, &repo.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        // The same file with one mistake fails: the schema is really applied.
        let text = std::fs::read_to_string(repo.join(file)).unwrap();
        assert!(text.contains(good), "{file} lacks {good:?}");
        let copy = broken.path().join(Path::new(file).file_name().unwrap());
        std::fs::write(&copy, text.replacen(good, bad, 1)).unwrap();
        let error =
            validates(&tool, schema, &copy).expect_err(&format!("{file} with {bad:?} passed"));
        assert!(
            error.contains("Schema validation errors"),
            "{file}: {error}"
        );
    }
}
