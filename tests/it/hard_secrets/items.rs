//! One test per point of "Secrets that stay secret", each failing on the code before it:
//! cookies, short secrets and baton's own words, exports and cURL imports.

use crate::support::{Baton, Output, TestServer, minted_cookie};

use super::probe;

fn all(out: &Output) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
}

/// Fails with every place `text` holds `secret` in any encoding, as any output writes it.
#[track_caller]
fn assert_lacks(name: &str, text: &str, secret: &str) {
    let leaks: Vec<String> = probe::encodings(secret)
        .into_iter()
        .flat_map(|(encoding, form)| {
            probe::as_written(&form)
                .into_iter()
                .filter(|w| text.contains(w.as_str()))
                .map(move |w| format!("{encoding}: {w:?}"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{name} holds {secret:?}: {leaks:?}\n{text}"
    );
}

/// Item 2: a cookie's value, set by the server, captured with `{ cookie: }` (under a name
/// that does not look secret), sent back from the jar and echoed in bodies.
#[test]
fn cookie_values_are_masked_wherever_they_appear() {
    let server = TestServer::start();
    let yaml = format!(
        r#"name: cookies
requests:
  - name: sign in
    GET: {base}/mint?n=42
    capture: {{ session: {{ cookie: mint_sid }} }}
  - name: the jar sends it
    GET: {base}/cookies
  - name: a body quotes it
    POST: {base}/echo
    json: {{ s: <<session>> }}
    expect:
      body:
        $.json.s: {{ ne: <<session>> }}
"#,
        base = server.url()
    );
    let out = Baton::new()
        .file("c.yaml", yaml)
        .args([
            "run", "c.yaml", "-v", "--json", "r.json", "--junit", "r.xml",
        ])
        .run();
    out.code(1)
        .stdout_contains("session = •••")
        .stdout_contains("\"mint_sid\": \"•••\"");
    let cookie = minted_cookie("42");
    assert_lacks("console", &all(&out), &cookie);
    assert_lacks("r.json", &out.file("r.json"), &cookie);
    assert_lacks("r.xml", &out.file("r.xml"), &cookie);
}
