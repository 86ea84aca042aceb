//! Limits that hold: `--timeout` bounds a request with all its redirects, `--max-time` the
//! whole run (retries, delays, redirects and oauth2 flows included) and counts what it
//! prevented as skipped, `--bail` counts what it did not run; zero limits are refused.

use std::time::Duration;

use crate::support::{TestServer, run_yaml};

/// Each hop of a 5-hop chain answers in 400 ms, under the 1 s limit; all five take 2 s. The
/// limit is the request's, so the third hop is cut where the 1 s runs out.
#[test]
fn the_timeout_covers_every_hop_of_a_redirect_chain() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: chain\n    GET: <<base>>/slow-redirect?ms=400&n=5\n    follow_redirects: true\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--timeout", "1s"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains(&format!(
            "timed out after 1s waiting for {}/slow-redirect?ms=400&n=3, hop 3 of the redirects from {}/slow-redirect?ms=400&n=5",
            server.url(),
            server.url()
        ))
        .stdout_contains("0 passed, 1 failed");
    assert!(
        out.elapsed < Duration::from_millis(1800),
        "took {:?}",
        out.elapsed
    );
}
