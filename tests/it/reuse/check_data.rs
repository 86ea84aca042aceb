//! `baton check` follows `needs:` and `include:` and knows what they export and capture;
//! with `--data`, request names render with the row's values (distinct JUnit cases) and
//! every scalar, `expect.status` included, may come from a variable.

use super::{api_yaml, base, login_yaml, suite};
use crate::support::{Baton, TestServer};

#[test]
fn check_follows_needs_and_knows_the_exported_names() {
    let server = TestServer::start();
    // `<<access_token>>` in orders.yaml's defaults is defined: login.yaml exports it.
    suite()
        .args(["check", "suite/orders.yaml"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("every variable defined");
    suite()
        .args(["check", "suite"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("every variable defined");
    assert_eq!(server.total_hits(), 0, "check sends nothing");
}

#[test]
fn check_reports_a_name_the_needed_file_keeps_private() {
    let dependent = format!(
        "{}  - name: reads a private name\n    GET: <<base>>/echo?s=<<grant_scope>>\n",
        api_yaml("orders")
    );
    Baton::new()
        .file("login.yaml", login_yaml())
        .file("orders.yaml", dependent)
        .args(["check", "orders.yaml", "--var", "base=http://127.0.0.1:1"])
        .run()
        .code(2)
        .stderr_contains("undefined variable `grant_scope`")
        .stderr_contains("orders.yaml:");
}

#[test]
fn check_reports_a_cycle_of_needs() {
    Baton::new()
        .file(
            "a.yaml",
            "name: a\nneeds: [b.yaml]\nrequests:\n  - GET: http://127.0.0.1:1/a\n",
        )
        .file(
            "b.yaml",
            "name: b\nneeds: [a.yaml]\nrequests:\n  - GET: http://127.0.0.1:1/b\n",
        )
        .args(["check", "a.yaml"])
        .run()
        .code(2)
        .stderr_contains("cycle")
        .stderr_contains("a.yaml:2:")
        .stderr_contains("b.yaml:2:");
}

/// An include's captures are defined after it, and its `with:` values inside it.
#[test]
fn check_follows_includes() {
    let step = "name: step\nrequests:\n  - name: create\n    POST: <<base>>/echo?sku=<<sku>>\n    capture: { order: $.query.sku }\n";
    let main = "name: main\nrequests:\n  - include: steps/create.yaml\n    with: { sku: A-1 }\n  - name: uses the capture\n    GET: <<base>>/echo?o=<<order>>\n";
    Baton::new()
        .file("main.yaml", main)
        .file("steps/create.yaml", step)
        .args(["check", "main.yaml", "--var", "base=http://127.0.0.1:1"])
        .run()
        .code(0)
        .stdout_contains("every variable defined");
}

const ROWS: &str = r"name: rows
requests:
  - name: login <<user>>
    GET: <<base>>/status/<<code>>
    query: { user: <<user>> }
    expect:
      status: <<code>>
";

#[test]
fn data_rows_render_request_names_and_expect_status() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("c.yaml", ROWS)
        .file("rows.csv", "user,code\nalice,200\nbob,404\ncarol,201\n")
        .args([
            "run", "c.yaml", "--data", "rows.csv", "--junit", "j.xml", "--json", "r.json",
        ])
        .args(base(&server))
        .run();
    out.code(0)
        .stdout_contains("✓ login alice 200")
        .stdout_contains("✓ login bob 404")
        .stdout_contains("✓ login carol 201")
        .stdout_contains("3 passed, 0 failed")
        .output_lacks("login <<user>>");
    let junit = out.file("j.xml");
    for name in ["login alice", "login bob", "login carol"] {
        assert_eq!(
            junit.matches(&format!("<testcase name=\"{name}\"")).count(),
            1,
            "{name}:\n{junit}"
        );
    }
    let doc: serde_json::Value = serde_json::from_str(&out.file("r.json")).unwrap();
    let names: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["requests"].as_array().unwrap())
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["login alice", "login bob", "login carol"]);
}

/// A row whose status does not hold fails as a written one would; a value that is no status
/// at all is invalid input naming it.
#[test]
fn expect_status_from_a_variable_fails_and_is_checked_as_written_ones() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("c.yaml", ROWS)
        .file("rows.csv", "user,code\nalice,200\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(["--var", "code=201", "--var", "user=dave"])
        .args(base(&server))
        .run();
    // --var is above the row: /status/201, expected 201.
    out.code(0).stdout_contains("✓ login dave 201");
    let mismatch = "name: m\nrequests:\n  - name: wants <<want>>\n    GET: <<base>>/status/200\n    expect: { status: <<want>> }\n";
    Baton::new()
        .file("c.yaml", mismatch)
        .file("rows.csv", "want\n204\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(base(&server))
        .run()
        .code(1)
        .stdout_contains("✗ wants 204")
        .stdout_contains("expectation failed: status");
    Baton::new()
        .file("c.yaml", mismatch)
        .file("rows.csv", "want\nteapot\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(base(&server))
        .run()
        .code(2)
        .output_contains("teapot");
}

/// "Every scalar may come from a variable": `follow_redirects` and `timeout` from a row.
#[test]
fn other_scalars_from_data_rows() {
    let server = TestServer::start();
    let yaml = r"name: scalars
requests:
  - name: follow <<follow>>
    GET: <<base>>/redirect?to=/echo
    follow_redirects: <<follow>>
    timeout: <<limit>>
    expect: { status: <<want>> }
";
    Baton::new()
        .file("c.yaml", yaml)
        .file("rows.csv", "follow,limit,want\ntrue,5s,200\nfalse,5s,302\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("✓ follow true 200")
        .stdout_contains("✓ follow false 302")
        .stdout_contains("2 passed, 0 failed");
}

/// `skip` and `delay_ms` from a data row: the row that skips says so, the other waits its
/// delay and runs; a row whose value is no boolean is invalid input at the template.
#[test]
fn skip_and_delay_from_data_rows() {
    let server = TestServer::start();
    let yaml = r"name: scalars
requests:
  - name: call <<who>>
    GET: <<base>>/echo
    skip: <<skip>>
    delay_ms: <<pause>>
";
    let started = std::time::Instant::now();
    Baton::new()
        .file("c.yaml", yaml)
        .file("rows.csv", "who,skip,pause\nalice,false,300\nbob,true,0\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("✓ call alice")
        .stdout_contains("call bob")
        .stdout_contains("skip: true")
        .stdout_contains("1 passed, 0 failed, 1 skipped");
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    Baton::new()
        .file("c.yaml", yaml)
        .file("rows.csv", "who,skip,pause\ncarol,maybe,0\n")
        .args(["run", "c.yaml", "--data", "rows.csv"])
        .args(base(&server))
        .run()
        .code(2)
        .stdout_contains("c.yaml:5:11")
        .stdout_contains("`skip` rendered as `maybe`: expected true or false");
}
