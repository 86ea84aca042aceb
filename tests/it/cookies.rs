//! Cookie control against a server that sets and echoes cookies: `cookies: false` on a
//! request and in `defaults:`, `clear_cookies: true`, and `--cookies FILE` (a Netscape
//! cookie file preloaded into each collection run's jar, a malformed line an input error).

use crate::support::{Baton, TestServer, run_yaml};

#[test]
fn a_request_with_cookies_false_neither_sends_nor_keeps() {
    let server = TestServer::start();
    let yaml = r"requests:
  - GET: <<base>>/set-cookie?name=sid&value=s1
  - name: without cookies
    GET: <<base>>/cookies
    cookies: false
    expect: { body: { $.sid: { exists: false } } }
  - name: its own set-cookie is not kept
    GET: <<base>>/set-cookie?name=sid&value=changed
    cookies: false
  - name: the jar still holds the first
    GET: <<base>>/cookies
    expect: { body: { $.sid: s1 } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("4 passed, 0 failed");
    assert_eq!(server.hits("/cookies"), 2);
}

#[test]
fn defaults_turn_cookies_off_and_a_request_turns_them_back_on() {
    let server = TestServer::start();
    let yaml = r"defaults:
  cookies: false
requests:
  - name: set, but not kept
    GET: <<base>>/set-cookie?name=a&value=1
  - name: nothing sent
    GET: <<base>>/cookies
    expect: { body: { $.a: { exists: false } } }
  - name: set and kept
    GET: <<base>>/set-cookie?name=b&value=2
    cookies: true
  - name: sent
    GET: <<base>>/cookies
    cookies: true
    expect: { body: { $.b: '2', $.a: { exists: false } } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("4 passed, 0 failed");
}

#[test]
fn clear_cookies_empties_the_jar_before_the_request() {
    let server = TestServer::start();
    let yaml = r"requests:
  - GET: <<base>>/set-cookie?name=sid&value=s1
  - name: cleared
    GET: <<base>>/cookies
    clear_cookies: true
    expect: { body: { $.sid: { exists: false } } }
  - name: still empty after
    GET: <<base>>/cookies
    expect: { body: { $.sid: { exists: false } } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

const JAR: &str = "# Netscape HTTP Cookie File\n\
# written by hand, as curl -c writes it\n\
\n\
127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tpreloaded\n\
#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tremember\tme\n\
127.0.0.1\tFALSE\t/\tFALSE\t1\texpired\tgone\n\
127.0.0.1\tFALSE\t/elsewhere\tFALSE\t0\tscoped\tno\n";

#[test]
fn a_cookie_file_preloads_each_collection_run() {
    let server = TestServer::start();
    let check = r"requests:
  - GET: <<base>>/cookies
    expect:
      body:
        $.session: preloaded
        $.remember: me
        $.expired: { exists: false }
        $.scoped: { exists: false }
";
    let out = Baton::new()
        .file("cookies.txt", JAR)
        .file("a.yaml", check)
        .file("b.yaml", check)
        .args([
            "run",
            "a.yaml",
            "b.yaml",
            "--cookies",
            "cookies.txt",
            "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    // Each file's jar starts from the file: the second sees them too.
    out.code(0).stdout_contains("2 passed, 0 failed");
    assert_eq!(server.hits("/cookies"), 2);
}

#[test]
fn a_malformed_cookie_file_is_an_input_error_at_its_line() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("cookies.txt", "# comment\n127.0.0.1 FALSE / FALSE 0 a b\n")
        .file("c.yaml", "requests:\n  - GET: <<base>>/cookies\n")
        .args(["run", "c.yaml", "--cookies", "cookies.txt", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(2).stderr_contains(
        "error: cookies.txt:2: no tab in the line: fields are separated by tabs, not spaces",
    );
    assert_eq!(server.total_hits(), 0, "nothing is sent");
    let out = Baton::new()
        .file("c.yaml", "requests:\n  - GET: http://127.0.0.1:9/\n")
        .args(["run", "c.yaml", "--cookies", "missing.txt"])
        .run();
    out.code(2)
        .stderr_contains("missing.txt: cannot read the cookie file");
}

#[test]
fn cookie_keys_are_checked_where_they_are_written() {
    let out = Baton::new()
        .file(
            "c.yaml",
            "requests:\n  - GET: http://127.0.0.1:9/\n    cookies: sometimes\n",
        )
        .args(["check", "c.yaml"])
        .run();
    out.code(2).stderr_contains("c.yaml:3:14");
}
