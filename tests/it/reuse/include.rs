//! `include:` (a path relative to the including file) inlines the requests of another
//! collection, each under its own name; `with:` gives its variables for that use only; its
//! captures flow on. Include cycles are invalid input, and an error inside an included file
//! points at that file's line and says where it was included.

use crate::support::{Baton, TestServer, place};

use super::base;

/// `api/steps/create-order.yaml`: creates an order for `<<sku>>` and captures it.
const CREATE_ORDER: &str = r#"name: create an order
vars: { qty: "1" }
requests:
  - name: create an order
    POST: <<base>>/echo/orders
    json: { sku: <<sku>>, qty: <<qty>> }
    expect:
      status: 200
    capture:
      order_sku: $.json.sku
      order_qty: $.json.qty
"#;

const ORDERS: &str = r#"name: orders
vars: { sku: outer }
requests:
  - name: before
    GET: <<base>>/echo?sku=<<sku>>
    expect: { body: { $.query.sku: outer } }
  - include: steps/create-order.yaml
    with: { sku: A-1 }
  - name: the include's capture flows on
    GET: <<base>>/echo?sku=<<order_sku>>&qty=<<order_qty>>
    expect: { body: { $.query.sku: A-1, $.query.qty: "1" } }
  - include: steps/create-order.yaml
    with: { sku: B-2, qty: "3" }
  - name: the latest capture, and with's values stayed inside
    GET: <<base>>/echo?sku=<<sku>>&ordered=<<order_sku>>&qty=<<order_qty>>
    expect: { body: { $.query.sku: outer, $.query.ordered: B-2, $.query.qty: "3" } }
"#;

#[test]
fn an_include_with_with_runs_its_requests_with_its_own_variables() {
    let server = TestServer::start();
    server.expect_hits("/echo/orders", 2);
    let out = Baton::new()
        .file("api/orders.yaml", ORDERS)
        .file("api/steps/create-order.yaml", CREATE_ORDER)
        .args(["run", "api/orders.yaml", "--json", "r.json"])
        .args(base(&server))
        .run();
    out.code(0).stdout_contains("5 passed, 0 failed");
    // Each included request under its own name, in the place of the include.
    let names: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("✓ "))
        .collect();
    assert_eq!(names.len(), 5, "{}", out.stdout);
    assert!(names[1].starts_with("create an order"), "{names:?}");
    assert!(names[3].starts_with("create an order"), "{names:?}");
    assert!(
        names[2].starts_with("the include's capture flows on"),
        "{names:?}"
    );
}

/// A `with:` variable is for the included requests only: after the include, a name that
/// only `with:` gave is undefined.
#[test]
fn with_variables_do_not_leak_after_the_include() {
    let server = TestServer::start();
    let yaml = r"name: leak
requests:
  - include: steps/create-order.yaml
    with: { sku: A-1 }
  - name: reads sku
    GET: <<base>>/echo?sku=<<sku>>
";
    Baton::new()
        .file("c.yaml", yaml)
        .file("steps/create-order.yaml", CREATE_ORDER)
        .args(["run", "c.yaml"])
        .args(base(&server))
        .run()
        .code(2)
        .output_contains("undefined variable `sku`");
}

/// `a` includes `b` includes `a`: invalid input before anything is sent, naming both
/// includes.
#[test]
fn an_include_cycle_is_invalid_input() {
    let server = TestServer::start();
    let a = "name: a\nrequests:\n  - GET: <<base>>/echo/a\n  - include: b.yaml\n";
    let b = "name: b\nrequests:\n  - include: a.yaml\n  - GET: <<base>>/echo/b\n";
    let out = Baton::new()
        .file("a.yaml", a)
        .file("b.yaml", b)
        .args(["run", "a.yaml"])
        .args(base(&server))
        .run();
    let line_of = |p: String| p.rsplit_once(':').unwrap().0.to_owned() + ":";
    out.code(2)
        .stderr_contains("cycle")
        .stderr_contains(&line_of(place("a.yaml", a, "include: b.yaml")))
        .stderr_contains(&line_of(place("b.yaml", b, "include: a.yaml")))
        .output_lacks(" passed, ");
    assert_eq!(server.total_hits(), 0);
}

/// An unknown key in an included file: the error is at the included file's own line and
/// column, and says where it was included.
#[test]
fn an_error_in_an_included_file_points_at_its_line_and_where_it_was_included() {
    let server = TestServer::start();
    let step =
        "name: step\nrequests:\n  - name: bad step\n    methd: POST\n    url: <<base>>/echo\n";
    let main = "name: main\nrequests:\n  - name: first\n    GET: <<base>>/echo\n  - include: steps/bad.yaml\n    with: { x: \"1\" }\n";
    let line_of = |p: String| {
        p.rsplit_once(':')
            .unwrap()
            .0
            .rsplit_once(':')
            .unwrap()
            .0
            .to_owned()
    };
    let out = Baton::new()
        .file("api/main.yaml", main)
        .file("api/steps/bad.yaml", step)
        .args(["run", "api/main.yaml"])
        .args(base(&server))
        .run();
    out.code(2)
        .stderr_contains("unknown key 'methd'")
        .stderr_contains(&place("api/steps/bad.yaml", step, "methd"))
        .stderr_contains("included")
        .stderr_contains(&format!(
            "{}:",
            line_of(place("api/main.yaml", main, "include: steps/bad.yaml"))
        ));
    // A broken file sends nothing, included or not.
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn a_missing_included_file_is_invalid_input_at_the_include() {
    let main = "name: main\nrequests:\n  - include: steps/gone.yaml\n";
    Baton::new()
        .file("api/main.yaml", main)
        .args(["run", "api/main.yaml"])
        .run()
        .code(2)
        .stderr_contains("api/steps/gone.yaml: no such file or directory")
        .stderr_contains("api/main.yaml:3:");
}

/// The issue's own example includes a step into a file whose `defaults:` carry the bearer
/// token: the included requests are inlined "here", so the including file's defaults apply
/// to them as to its own requests (the included file's own `defaults:`, if any, first).
#[test]
fn the_including_file_s_defaults_apply_to_included_requests() {
    let server = TestServer::start();
    let step = r"name: step
defaults:
  headers: { X-Step: step, X-Team: step }
requests:
  - name: included
    GET: <<base>>/echo/step
    expect:
      body:
        $.headers.authorization: Bearer t-1
        $.headers['x-step']: step
        $.headers['x-team']: step
";
    let main = r"name: main
defaults:
  headers: { X-Team: main }
  auth: { bearer: t-1 }
requests:
  - include: steps/step.yaml
  - name: its own
    GET: <<base>>/echo/main
    expect:
      body:
        $.headers.authorization: Bearer t-1
        $.headers['x-team']: main
        $.headers['x-step']: { exists: false }
";
    Baton::new()
        .file("main.yaml", main)
        .file("steps/step.yaml", step)
        .args(["run", "main.yaml"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
}

/// A directory run takes a step file where it is included and not again on its own (where
/// its variables would be undefined); named on the command line, it runs alone too.
#[test]
fn a_directory_run_runs_a_step_file_where_it_is_included() {
    let server = TestServer::start();
    server.expect_hits("/echo/orders", 2);
    Baton::new()
        .file("api/orders.yaml", ORDERS)
        .file("api/steps/create-order.yaml", CREATE_ORDER)
        .args(["run", "api"])
        .args(base(&server))
        .run()
        .code(0)
        .stdout_contains("1 file, 5 requests")
        .stdout_contains("5 passed, 0 failed");
    Baton::new()
        .file("api/orders.yaml", ORDERS)
        .file("api/steps/create-order.yaml", CREATE_ORDER)
        .args(["check", "api", "api/steps/create-order.yaml"])
        .args(base(&server))
        .run()
        .code(2)
        .stderr_contains("undefined variable `sku` in request 'create an order'");
}
