//! CI reports of `baton run` (`--junit`, `--json`, `--json -`, `--html`, GitHub annotations)
//! and `baton report merge`, for one run holding a passing, a failing, an erroring
//! (connection refused) and a skipped request.

mod browser;
mod xml;

use crate::support::{Baton, CLIENT_SECRET, FaultServer, Output, PASSWORD, TestServer};
use regex::Regex;
use serde_json::Value;

/// `api.yaml`: sign in (passes), call with the token (passes), a hostile response that
/// fails `status: 201` (the body holds markup and the client secret), a skipped request.
/// `down.yaml`: a request to a refused port (an error). Exit code 3.
fn fixture(server: &TestServer) -> Baton {
    let env = format!(
        "vars:\n  base: {}\n  ClientId: app\n  ClientSecret: {CLIENT_SECRET}\n  username: alice\n  password: {PASSWORD}\nsecrets: [ClientSecret, password]\n",
        server.url()
    );
    let api = r#"name: Reports
requests:
  - name: sign in
    POST: <<base>>/token
    auth: { basic: [<<ClientId>>, <<ClientSecret>>] }
    form: { grant_type: password, username: <<username>>, password: <<password>> }
    expect: { status: 200 }
    capture: { access_token: $.access_token, refresh_token: $.refresh_token }
  - name: call with the token
    GET: <<base>>/echo
    headers: { Authorization: Bearer <<access_token>> }
    expect: { status: 200 }
    capture: { seen_path: $.path }
  - name: hostile body fails
    POST: <<base>>/echo
    json:
      note: "<script>alert(1)</script><img src=x onerror=alert(2)> 50%, a:b"
      leaked: <<ClientSecret>>
    expect:
      status: 201
  - name: not today
    GET: <<base>>/echo
    skip: true
"#;
    let down = format!(
        "name: Down\nrequests:\n  - name: refused\n    GET: {}/health\n",
        FaultServer::refused_url()
    );
    Baton::new()
        .file("environments/test.yaml", env)
        .file("api.yaml", api)
        .file("down.yaml", down)
}

fn run(server: &TestServer, extra: &[&str]) -> Output {
    fixture(server)
        .args(["run", "api.yaml", "down.yaml", "-e", "test"])
        .args(extra)
        .run()
}

fn json_file(out: &Output, name: &str) -> Value {
    serde_json::from_str(&out.file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn counts(v: &Value) -> [u64; 4] {
    ["passed", "failed", "errors", "skipped"].map(|k| v[k].as_u64().unwrap())
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_request() {
    let server = TestServer::start();
    let out = run(&server, &["--junit", "out/junit.xml"]);
    out.code(3);
    let root = xml::parse(&out.file("out/junit.xml"));
    xml::check_junit(&root).unwrap();
    assert!(root.attr("timestamp").is_some(), "run timestamp");
    let suites: Vec<&xml::Node> = root.kids("testsuite").collect();
    let names: Vec<_> = suites.iter().map(|s| s.attr("name").unwrap()).collect();
    assert_eq!(names, ["api.yaml", "down.yaml"]);
    let api = suites[0];
    for (attr, n) in [
        ("tests", "4"),
        ("failures", "1"),
        ("errors", "0"),
        ("skipped", "1"),
    ] {
        assert_eq!(api.attr(attr), Some(n), "api.yaml {attr}");
    }
    assert_eq!(suites[1].attr("errors"), Some("1"));
    fn case<'a>(suite: &'a xml::Node, name: &str) -> &'a xml::Node {
        let c = suite
            .kids("testcase")
            .find(|c| c.attr("name") == Some(name))
            .unwrap_or_else(|| panic!("no testcase {name}"));
        assert_eq!(c.attr("classname"), suite.attr("name"));
        c
    }
    assert!(
        case(api, "sign in")
            .children
            .iter()
            .all(|c| c.name != "failure")
    );
    let failure = case(api, "hostile body fails")
        .kid("failure")
        .expect("<failure>");
    assert_eq!(failure.attr("message"), Some("expectation failed: status"));
    assert_eq!(failure.attr("type"), Some("expectation"));
    // The rendered diagnostic, plain, and the exchange with the hostile body.
    assert!(failure.text.contains("--> api.yaml:"), "{}", failure.text);
    assert!(failure.text.contains("expected: 201"), "{}", failure.text);
    assert!(failure.text.contains("<script>alert(1)</script>"));
    assert!(failure.text.contains("reproduce: curl"));
    assert!(!failure.text.contains('\x1b'), "no colour");
    let skipped = case(api, "not today").kid("skipped").expect("<skipped>");
    assert_eq!(skipped.attr("message"), Some("skip: true"));
    let error = case(suites[1], "refused").kid("error").expect("<error>");
    assert_eq!(error.attr("type"), Some("network"));
    assert!(
        error.text.contains("is the server running"),
        "{}",
        error.text
    );
}

#[test]
fn json_is_one_document_with_counts_and_failures() {
    let server = TestServer::start();
    let out = run(&server, &["--json", "report.json"]);
    out.code(3).stdout_contains("2 passed, 2 failed, 1 skipped");
    let doc = json_file(&out, "report.json");
    assert_eq!(doc["version"], 1);
    chrono::DateTime::parse_from_rfc3339(doc["started_at"].as_str().unwrap()).unwrap();
    assert!(doc["duration_ms"].is_u64());
    assert_eq!(counts(&doc["counts"]), [2, 1, 1, 1]);
    assert_eq!(doc["exit_code"], 3);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files[0]["file"], "api.yaml");
    assert_eq!(files[0]["name"], "Reports");
    let reqs = files[0]["requests"].as_array().unwrap();
    let outcomes: Vec<&str> = reqs
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["passed", "passed", "failed", "skipped"]);
    let sign_in = &reqs[0];
    assert_eq!(sign_in["method"], "POST");
    assert_eq!(sign_in["status"], 200);
    assert_eq!(sign_in["captures"]["access_token"], "•••");
    assert_eq!(reqs[1]["captures"]["seen_path"], "/echo");
    assert_eq!(
        sign_in["exchange"],
        Value::Array(vec![]),
        "no -v: no exchange"
    );
    let failed = &reqs[2];
    let f = &failed["failures"][0];
    assert_eq!(f["message"], "expectation failed: status");
    assert!(
        Regex::new(r"^api\.yaml:\d+:\d+$")
            .unwrap()
            .is_match(f["location"].as_str().unwrap())
    );
    assert_eq!(
        (f["expected"].as_str(), f["actual"].as_str()),
        (Some("201"), Some("200"))
    );
    assert!(f["text"].as_str().unwrap().contains("expectation failed"));
    let x = &failed["exchange"][0];
    assert!(
        x["request"]
            .as_str()
            .unwrap()
            .starts_with("POST http://127.0.0.1:")
    );
    assert!(
        x["response"]
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>")
    );
    assert!(x["curl"].as_str().unwrap().starts_with("curl "));
    assert_eq!(reqs[3]["reason"], "skip: true");
    let refused = &files[1]["requests"][0];
    assert_eq!(
        (refused["outcome"].as_str(), refused["error_kind"].as_str()),
        (Some("error"), Some("network"))
    );
    assert!(refused["status"].is_null());
    // -v keeps every exchange.
    let verbose = run(&server, &["--json", "report.json", "-v"]);
    let doc = json_file(&verbose, "report.json");
    assert!(doc["files"][0]["requests"][0]["exchange"][0]["request"].is_string());
}

#[test]
fn json_dash_streams_ndjson_and_moves_the_console_to_stderr() {
    let server = TestServer::start();
    let out = run(&server, &["--json", "-"]);
    out.code(3).stderr_contains("2 passed, 2 failed, 1 skipped");
    let events: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"run_started"));
    assert_eq!(types.last(), Some(&"run_finished"));
    let count = |t: &str| types.iter().filter(|x| **x == t).count();
    assert_eq!((count("file_started"), count("file_finished")), (2, 2));
    assert_eq!(
        (count("request_started"), count("request_finished")),
        (5, 5)
    );
    assert_eq!(events[0]["requests"], 5);
    let last = events.last().unwrap();
    assert_eq!(counts(&last["counts"]), [2, 1, 1, 1]);
    assert_eq!(last["exit_code"], 3);
    let failed = events
        .iter()
        .find(|e| e["type"] == "request_finished" && e["outcome"] == "failed")
        .unwrap();
    assert_eq!(failed["file"], "api.yaml");
    assert_eq!(failed["failures"][0]["expected"], "201");
    assert!(!out.stdout.contains('✓'), "console lines stay off stdout");
}

#[test]
fn html_is_self_contained_escaped_and_renders_in_chromium() {
    let server = TestServer::start();
    let out = run(&server, &["--html", "report.html"]);
    out.code(3);
    let page = out.file("report.html");
    // Nothing fetched, nothing injected: every `<` of a text is escaped, so a tag in the
    // raw page is one baton wrote; none loads anything, and the CSS imports nothing.
    let loading =
        Regex::new(r"<(?:script|link|img|iframe|object|embed)\b|<[a-z][^>]*\s(?:src|href|action)=")
            .unwrap();
    assert!(!loading.is_match(&page), "{:?}", loading.find(&page));
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    assert!(!style.contains("url(") && !style.contains("@import"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("<details class=\"request failed\" open>"));
    let Some(chromium) = browser::chromium() else {
        return;
    };
    let path = out.path("report.html");
    let dom = browser::dump_dom(&chromium, &path);
    assert!(dom.contains("<h1>baton report</h1>"), "{dom}");
    assert!(dom.contains("exit code 3"));
    for (n, what) in [(2, "passed"), (1, "failed"), (1, "errors"), (1, "skipped")] {
        assert!(dom.contains(&format!("<b>{n}</b>{what}")), "{what}: {dom}");
    }
    // One timeline bar per request, failures opened, passes closed.
    assert_eq!(dom.matches("class=\"bar ").count(), 5);
    assert_eq!(
        dom.matches("<details class=\"request failed\" open=\"\">")
            .count(),
        1
    );
    assert_eq!(
        dom.matches("<details class=\"request error\" open=\"\">")
            .count(),
        1
    );
    assert_eq!(dom.matches("<details class=\"request passed\">").count(), 2);
    assert!(dom.contains("skipped: skip: true"));
    // The hostile body is text in the DOM, not elements.
    assert!(!dom.contains("<script"), "a script element got in");
    assert!(!dom.contains("<img"), "an img element got in");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")
    );
    if let Some(png) = std::env::var_os("BATON_REPORT_SCREENSHOT") {
        browser::screenshot(&chromium, &path, std::path::Path::new(&png));
    }
}

#[test]
fn github_annotations_under_github_actions_only() {
    let server = TestServer::start();
    let out = fixture(&server)
        .args(["run", "api.yaml", "down.yaml", "-e", "test"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    out.code(3);
    let lines: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let status = Regex::new(
        r"^::error file=api\.yaml,line=\d+,col=\d+,title=baton%3A hostile body fails::expectation failed: status%0Aactual: 200%0Aexpected: 201$",
    )
    .unwrap();
    assert!(status.is_match(lines[0]), "{}", lines[0]);
    assert!(
        lines[1].starts_with("::error file=down.yaml,line=3,col=")
            && lines[1].contains("title=baton%3A refused::"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("%0Ahelp: is the server running"),
        "{}",
        lines[1]
    );
    // Without GITHUB_ACTIONS: none. With `--json -`: on stderr, stdout stays JSON.
    let plain = run(&server, &[]);
    assert!(!plain.stdout.contains("::error"), "{}", plain.stdout);
    let streamed = fixture(&server)
        .args(["run", "api.yaml", "down.yaml", "-e", "test", "--json", "-"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    streamed.stderr_contains("::error file=api.yaml,");
    assert!(
        streamed
            .stdout
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok())
    );
}

#[test]
fn merge_of_two_shards_equals_the_whole() {
    let server = TestServer::start();
    let whole = run(&server, &["--json", "all.json"]);
    let a = fixture(&server)
        .args(["run", "api.yaml", "-e", "test", "--json", "a.json"])
        .run();
    a.code(1);
    let b = fixture(&server)
        .args(["run", "down.yaml", "-e", "test", "--json", "b.json"])
        .run();
    b.code(3);
    let merged = Baton::new()
        .arg("report")
        .arg("merge")
        .arg(a.path("a.json"))
        .arg(b.path("b.json"))
        .args(["--json", "m.json", "--junit", "m.xml", "--html", "m.html"])
        .run();
    merged
        .code(3)
        .stderr_contains("2 passed, 2 failed, 1 skipped");
    let (all, m) = (json_file(&whole, "all.json"), json_file(&merged, "m.json"));
    assert_eq!(counts(&m["counts"]), counts(&all["counts"]));
    assert_eq!(m["exit_code"], all["exit_code"]);
    let files = |d: &Value| -> Vec<Value> {
        d["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].clone())
            .collect()
    };
    assert_eq!(files(&m), files(&all));
    let root = xml::parse(&merged.file("m.xml"));
    xml::check_junit(&root).unwrap();
    assert_eq!(
        (root.kids("testsuite").count(), root.attr("tests")),
        (2, Some("5"))
    );
    assert!(merged.file("m.html").contains("exit code 3"));
    // The merged run's exit code: two passing-or-failing shards make 1.
    let twice = Baton::new()
        .args(["report", "merge"])
        .arg(a.path("a.json"))
        .arg(a.path("a.json"))
        .run();
    twice.code(1);
    assert_eq!(counts(&twice.stdout_json()["counts"]), [4, 2, 0, 2]);
}

#[test]
fn merge_refuses_unreadable_or_invalid_reports() {
    let out = Baton::new()
        .file("bad.json", "{\"files\": 3}")
        .file("text.json", "hello")
        .args([
            "report",
            "merge",
            "bad.json",
            "text.json",
            "missing.json",
            "--junit",
            "x.xml",
        ])
        .run();
    out.code(2)
        .stderr_contains("error: bad.json: not a baton report")
        .stderr_contains("error: text.json: not JSON")
        .stderr_contains("error: missing.json: cannot read");
    assert!(!out.path("x.xml").exists());
}

#[test]
fn secrets_appear_in_no_report() {
    let server = TestServer::start();
    let out = fixture(&server)
        .args(["run", "api.yaml", "down.yaml", "-e", "test", "-v"])
        .args(["--junit", "r.xml", "--json", "r.json", "--html", "r.html"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    out.code(3);
    let tokens = Regex::new(r"\b(at|rt)-[0-9a-f]{32}\b").unwrap();
    let texts = [
        ("r.xml", out.file("r.xml")),
        ("r.json", out.file("r.json")),
        ("r.html", out.file("r.html")),
        ("stdout", out.stdout.clone()),
    ];
    for (name, text) in &texts {
        for secret in [CLIENT_SECRET, PASSWORD] {
            assert_eq!(text.matches(secret).count(), 0, "{secret} in {name}");
        }
        assert!(!tokens.is_match(text), "a token in {name}");
        assert!(text.contains("•••"), "{name} shows no redaction at all");
    }
    // -v put the sign-in exchange (Basic header, password, tokens) in every report.
    let doc = json_file(&out, "r.json");
    let sign_in = doc["files"][0]["requests"][0]["exchange"][0].to_string();
    assert!(
        sign_in.contains("password=•••") || sign_in.contains("password=%E2%80%A2"),
        "{sign_in}"
    );
}
