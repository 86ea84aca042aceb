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

/// Item 3: a secret of 2 characters is masked where it stands as a whole value (a header,
/// a form field, a JSON value, a query parameter, a cookie), and nowhere inside other text.
#[test]
fn a_short_secret_is_masked_as_a_whole_value_only() {
    let server = TestServer::start();
    let yaml = format!(
        r#"name: short
requests:
  - name: cookie
    GET: {base}/set-cookie?name=pin&value=Q7
  - name: every whole place
    POST: {base}/echo
    query: {{ p: <<pin>> }}
    headers: {{ x-echo-pin: <<pin>>, x-note: "Q7x and xQ7 stay" }}
    form: {{ pin: <<pin>>, note: "Q7 is my pin" }}
    expect:
      body:
        $.form.pin: {{ ne: <<pin>> }}
"#,
        base = server.url()
    );
    let out = Baton::new()
        .file("c.yaml", yaml)
        .file(
            "environments/dev.yaml",
            "vars: { pin: Q7 }\nsecrets: [pin]\n",
        )
        .args(["run", "c.yaml", "-e", "dev", "-v"])
        .run();
    out.code(1)
        .stdout_contains("?p=•••")
        .stdout_contains("x-echo-pin: •••")
        .stdout_contains("pin=•••&note=Q7+is+my+pin")
        .stdout_contains("\"pin\": \"•••\"")
        .stdout_contains("\"x-note\": \"Q7x and xQ7 stay\"")
        .stdout_contains("\"cookie\": \"pin=•••\"")
        .stdout_contains("expected: not \"•••\"");
    let text = all(&out);
    for leak in probe::whole("Q7") {
        assert!(!text.contains(&leak), "{leak:?} in\n{text}");
    }
}

/// Item 3: baton's own words are never masked, whatever a secret's value: with a password
/// `nothing` and a token `header` (and a username equal to the password), the messages
/// still say "nothing matched" and "no such header", and mask only the values they quote.
#[test]
fn baton_words_are_never_masked_only_the_values_they_quote() {
    let server = TestServer::start();
    let yaml = format!(
        r#"name: words
vars:
  username: nothing
  password: nothing
  x_token: header
requests:
  - name: quoted
    POST: {base}/echo
    json: {{ user: <<username>>, pass: <<password>>, t: <<x_token>> }}
    capture:
      missing_token: $.nothing
    expect:
      headers:
        x-missing: abc
      body:
        $.missing: 1
        $.json.pass: {{ ne: <<password>> }}
"#,
        base = server.url()
    );
    let out = Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml"])
        .run();
    out.code(1)
        .stdout_contains("actual: no such header")
        .stdout_contains("actual: nothing matched")
        .stdout_contains("`$.nothing` matched nothing in the response body: ")
        .stdout_contains("\"pass\":\"•••\"")
        .stdout_contains("\"user\":\"•••\"")
        .stdout_contains("\"t\":\"•••\"")
        .stdout_contains("expected: not \"•••\"");
}
