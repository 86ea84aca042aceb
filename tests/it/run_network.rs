//! What the network does to a run: a refused connection, a server that never answers, a
//! body over the cap and a redirect loop all exit 3 naming the URL; `Authorization` stays
//! at its origin across redirects; cookies live as long as one collection file.

use std::time::Duration;

use crate::support::{Baton, FaultServer, TestServer, run_yaml};

#[test]
fn connection_refused_exits_3_with_the_url() {
    let url = FaultServer::refused_url();
    let yaml = "requests:\n  - name: nobody home\n    GET: <<base>>/token\n  - name: next\n    GET: <<base>>/me\n";
    run_yaml(&url, yaml)
        .run()
        .code(3)
        .stdout_contains(&format!("connection refused: {url}/token"))
        .stdout_contains("is the server running")
        .stdout_contains("0 passed, 2 failed");
}

#[test]
fn a_server_that_never_answers_times_out_in_bounded_time() {
    let server = FaultServer::never_answers();
    let yaml = "requests:\n  - name: hangs\n    GET: <<base>>/hang\n    timeout: 500ms\n";
    let out = run_yaml(&server.url(), yaml)
        .timeout(Duration::from_secs(10))
        .run();
    out.code(3)
        .stdout_contains(&format!(
            "timed out after 500ms waiting for {}/hang",
            server.url()
        ))
        .stdout_contains("raise the request's `timeout:`");
    assert!(
        out.elapsed < Duration::from_secs(3),
        "took {:?}",
        out.elapsed
    );
    assert_eq!(server.connections(), 1);
}

#[test]
fn the_timeout_flag_bounds_requests_without_their_own() {
    let server = FaultServer::never_answers();
    let yaml = "requests:\n  - GET: <<base>>/hang\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--timeout", "300ms"])
        .timeout(Duration::from_secs(10))
        .run();
    out.code(3).stdout_contains("timed out after 300ms");
    assert!(
        out.elapsed < Duration::from_secs(3),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn a_body_over_max_body_exits_3() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: big\n    GET: <<base>>/big?bytes=4096\n  - name: small enough\n    GET: <<base>>/big?bytes=1024\n";
    run_yaml(&server.url(), yaml)
        .args(["--max-body", "1K"])
        .run()
        .code(3)
        .stdout_contains(&format!(
            "the response body of {}/big?bytes=4096 is larger than the 1024 byte cap",
            server.url()
        ))
        .stdout_contains("✓ small enough")
        .stdout_contains("1 passed, 1 failed");
}

/// A compressed body is decoded (reqwest drops its Content-Length) and still capped.
#[test]
fn a_gzip_body_is_decoded_and_capped() {
    let server = TestServer::start();
    let yaml =
        "requests:\n  - GET: <<base>>/gzip\n    expect: { body: { $.message: hello gzip } }\n";
    run_yaml(&server.url(), yaml).run().code(0);
    run_yaml(&server.url(), yaml)
        .args(["--max-body", "20"])
        .run()
        .code(3)
        .stdout_contains("larger than the 20 byte cap");
}

#[test]
fn a_redirect_loop_exits_3() {
    let server = TestServer::start();
    let yaml =
        "requests:\n  - name: loops\n    GET: <<base>>/redirect-loop\n    follow_redirects: true\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(3)
        .stdout_contains(&format!(
            "more than 10 redirects, starting at {}/redirect-loop",
            server.url()
        ));
    assert_eq!(server.hits("/redirect-loop"), 11);
}

#[test]
fn redirects_are_not_followed_unless_asked() {
    let server = TestServer::start();
    let yaml = "requests:\n  - GET: <<base>>/redirect?to=/echo\n    expect: { status: 302, headers: { location: /echo } }\n";
    run_yaml(&server.url(), yaml).run().code(0);
    assert_eq!(server.hits("/echo"), 0);
}

#[test]
fn authorization_stays_at_its_origin_across_redirects() {
    let first = TestServer::start();
    let second = TestServer::start();
    let yaml = r#"requests:
  - name: same origin
    GET: <<base>>/redirect?to=/echo
    auth: { bearer: tok-same-origin }
    headers: { x-kept: yes }
    follow_redirects: true
    expect:
      body:
        $.headers.authorization: Bearer tok-same-origin
        $.headers['x-kept']: "yes"
  - name: other origin
    GET: <<base>>/redirect
    query: { to: "<<other>>/echo" }
    auth: { bearer: tok-cross-origin }
    headers: { x-kept: yes }
    follow_redirects: true
    expect:
      body:
        $.path: /echo
        $.headers.authorization: { exists: false }
        $.headers['x-kept']: "yes"
"#;
    run_yaml(&first.url(), yaml)
        .arg("--var")
        .arg(format!("other={}", second.url()))
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
    assert_eq!((first.hits("/echo"), second.hits("/echo")), (1, 1));
}

#[test]
fn cookies_last_across_requests_of_a_file_not_across_files() {
    let server = TestServer::start();
    let first = r"requests:
  - GET: <<base>>/set-cookie?name=sid&value=s1
  - GET: <<base>>/cookies
    expect: { body: { $.sid: s1 } }
";
    let second = r"requests:
  - GET: <<base>>/cookies
    expect: { body: { $.sid: { exists: false } } }
";
    let out = Baton::new()
        .file("a.yaml", first)
        .file("b.yaml", second)
        .args(["run", ".", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("3 passed, 0 failed");
    assert_eq!(server.hits("/cookies"), 2);
}

#[test]
fn max_time_bounds_the_whole_run() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: slow\n    GET: <<base>>/slow?ms=3000\n  - name: never sent\n    GET: <<base>>/echo\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--max-time", "300ms"])
        .timeout(Duration::from_secs(10))
        .run();
    out.code(3)
        .stdout_contains(&format!(
            "the run reached --max-time (300ms) waiting for {}/slow?ms=3000",
            server.url()
        ))
        .stdout_contains("never sent (skipped: --max-time reached)")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    assert!(
        out.elapsed < Duration::from_secs(2),
        "took {:?}",
        out.elapsed
    );
    assert_eq!(server.hits("/echo"), 0);
}

/// A long --max-time does not lift the per-request --timeout.
#[test]
fn max_time_keeps_the_request_timeout() {
    let server = FaultServer::never_answers();
    let yaml = "requests:\n  - GET: <<base>>/hang\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--max-time", "20s", "--timeout", "300ms"])
        .timeout(Duration::from_secs(30))
        .run();
    out.code(3)
        .stdout_contains("timed out after 300ms")
        .stdout_contains("raise the request's `timeout:`");
    assert!(
        out.elapsed < Duration::from_secs(3),
        "took {:?}",
        out.elapsed
    );
}
