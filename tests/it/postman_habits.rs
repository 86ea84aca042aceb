//! Postman's `{{name}}` in a hand-written collection: `check` and `run` warn where the name
//! is one the run defines (the file's `vars`, an environment, `--var`, a capture, what a
//! needed file exports) or the braces are in a URL, once per place however many iterations
//! run; the exit code is the run's own. `!literal` and `<< '{{…}}' >>` send braces on
//! purpose, and braces naming nothing in a body (a mustache template sent as data) are
//! quiet.

use crate::support::{Baton, TestServer};

const HABITS: &str = r#"name: habits
needs: [login.yaml]
vars: { token: abc, who: alice }
requests:
  - name: Postman habits
    id: first
    POST: <<base>>/echo?user={{who}}
    headers:
      Authorization: Bearer {{token}}
      X-Region: "{{ region }}"
      X-Session: "{{session}}"
      X-Upstream: "{{access_token}}"
      X-Template: !literal "Hello {{token}} <<who>>"
      X-Quoted: "<< '{{token}}' >>"
    json:
      greeting: "Hello {{name}}"
      mustache: "{{#items}}{{.}}{{/items}}"
      who: "{{who}}"
    capture: { echoed: $.json.greeting }
  - name: what the first request captured
    GET: <<base>>/echo
    headers: { X-Echoed: "{{echoed}}", X-Id: "{{first}}" }
"#;

const LOGIN: &str = "name: login\nexport: [access_token]\nrequests:\n  - POST: <<base>>/echo\n    capture: { access_token: $.method }\n";

#[test]
fn check_warns_at_each_postman_variable_the_run_defines() {
    let out = Baton::new()
        .file("habits.yaml", HABITS)
        .file("login.yaml", LOGIN)
        .file("environments/dev.yaml", "vars: { region: eu }\n")
        .args([
            "check",
            "habits.yaml",
            "-e",
            "dev",
            "--var",
            "session=s1",
            "--var",
            "base=http://127.0.0.1:9",
        ])
        .run();
    out.code(0)
        .stdout_is("ok: 2 files, 3 requests, every variable defined; 8 warnings\n");
    insta::assert_snapshot!(out.stderr_redacted());
}

/// The same file run twice over: each warning once, before the first request, and the
/// braces sent as written.
#[test]
fn run_warns_once_and_sends_the_braces_as_written() {
    let server = TestServer::start();
    server.expect_hits("/echo", 6);
    let expect = r#"    expect:
      body:
        $.headers['x-template']: !literal "Hello {{token}} <<who>>"
        $.headers['x-quoted']: !literal "{{token}}"
        $.json.greeting: !literal "Hello {{name}}"
        $.query.user: !literal "{{who}}"
"#;
    let habits = HABITS.replacen(
        "    capture: { echoed: $.json.greeting }\n",
        &format!("    capture: {{ echoed: $.json.greeting }}\n{expect}"),
        1,
    );
    let out = Baton::new()
        .file("habits.yaml", habits)
        .file("login.yaml", LOGIN)
        .file("environments/dev.yaml", "vars: { region: eu }\n")
        .args(["run", "habits.yaml", "-e", "dev", "--iterations", "2"])
        .args(["--var", "session=s1", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0);
    insta::assert_snapshot!(format!(
        "--- stdout\n{}--- stderr\n{}",
        out.stdout_redacted(),
        out.stderr_redacted()
    ));
}

/// Braces that name nothing the run defines, outside a URL, are data.
#[test]
fn braces_naming_nothing_in_a_body_are_quiet() {
    let yaml = r#"vars: { who: alice }
requests:
  - POST: http://127.0.0.1:9/render
    headers: { X-Template: "{{greeting}}, {{ user.name }}" }
    json:
      template: "<p>{{#items}}{{name}}{{/items}}</p>"
      partial: "{{> header}}"
      raw: "{{{html}}}"
"#;
    Baton::new()
        .file("x.yaml", yaml)
        .args(["check", "x.yaml"])
        .run()
        .code(0)
        .stderr_is("")
        .stdout_is("ok: 1 file, 1 request, every variable defined\n");
}

/// A name the file defines in a variable is warned about even in a body; `!literal` on
/// that one value silences it, and only it.
#[test]
fn literal_silences_one_value() {
    let yaml = "vars: { name: bob }\nrequests:\n  - POST: http://127.0.0.1:9/render\n    json:\n      a: !literal \"Hello {{name}}\"\n      b: \"Hello {{name}}\"\n";
    let out = Baton::new()
        .file("x.yaml", yaml)
        .args(["check", "x.yaml"])
        .run();
    out.code(0)
        .stdout_is("ok: 1 file, 1 request, every variable defined; 1 warning\n")
        .stderr_is(
            "warning: `{{name}}` is Postman syntax; baton writes `<<name>>`
 --> x.yaml:6:17
  |
6 |       b: \"Hello {{name}}\"
  |                 ^^^^^^^^ sent as written, not the variable's value
  |
  = help: to send `{{name}}` as written, tag the value `!literal`
",
        );
}

/// A step included twice, whose `{{sku}}` the includer's `with:` defines: one warning, at
/// the step's own line.
#[test]
fn an_included_step_is_warned_about_once() {
    let step = "requests:\n  - POST: http://127.0.0.1:9/orders\n    json: { sku: \"{{sku}}\" }\n";
    let main = "requests:\n  - include: step.yaml\n    with: { sku: A-1 }\n  - include: step.yaml\n    with: { sku: B-2 }\n";
    let out = Baton::new()
        .file("main.yaml", main)
        .file("step.yaml", step)
        .args(["check", "main.yaml"])
        .run();
    out.code(0)
        .stdout_is("ok: 1 file, 2 requests, every variable defined; 1 warning\n");
    let stderr = out.stderr_redacted();
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    assert!(stderr.contains(" --> step.yaml:3:19\n"), "{stderr}");
}
