//! The leak test: for every kind of secret (an environment's `secrets:`, a variable named
//! like one, a capture, an oauth2 token, a cookie, a short secret, URL userinfo) sent in
//! every encoding (query, path, form, JSON, base64, the `urlencode` filter, JSON escapes
//! echoed as text), no output holds the secret or any encoding of it: the console with
//! `-v` and annotations, JUnit, JSON, HTML, NDJSON events, and `baton export` of every
//! request in every language.

mod items;
mod probe;

use base64::Engine as _;

use crate::support::{Baton, CLIENT_SECRET, Output, PASSWORD, TestServer, minted, minted_cookie};

const ENV_SECRET: &str = r#"Ënv/sëcret +"q\&=:@1"#;
const VAR_SECRET: &str = r#"V4r/pässwörd +"x\&=:@2"#;
const PIN_NUMBER: &str = "90210417";
const SHORT: &str = "Q7";
const USERINFO: &str = "Us3r-1nf0!";

const ENVIRONMENT: &str = r#"vars:
  envsecret: 'Ënv/sëcret +"q\&=:@1'
  pin_number: 90210417
  pin: Q7
secrets: [envsecret, pin_number, pin]
"#;

/// The variables that hold a long secret, each sent in every encoding.
const LONG: &[&str] = &[
    "envsecret",
    "api_password",
    "minted_secret",
    "login.access_token",
];

fn collection(base: &str) -> String {
    let userinfo_base = base.replace("http://", &format!("http://probe:{USERINFO}@"));
    let mut headers = String::new();
    for (i, v) in LONG.iter().enumerate() {
        headers.push_str(&format!(
            "      x-echo-{i}: <<{v}>>\n      x-{i}-b64: <<{v} | base64>>\n      \
             x-{i}-b64url: <<{v} | base64url>>\n      x-{i}-url: <<{v} | urlencode>>\n      \
             x-{i}-inner: <<('id:' ~ {v}) | base64>>\n      x-{i}-inner2: <<('i:' ~ {v}) | base64url>>\n"
        ));
    }
    headers.push_str("      x-echo-pin: <<pin>>\n");
    let fields = "{ e: <<envsecret>>, v: <<api_password>>, m: <<minted_secret>>, \
                  t: <<login.access_token>>, pin: <<pin>> }";
    format!(
        r#"name: leak
vars:
  api_password: 'V4r/pässwörd +"x\&=:@2'
requests:
  - name: sign in
    id: login
    oauth2:
      grant: password
      token_url: {base}/token
      client_id: app
      client_secret: app-secret
      username: alice
      password: wonderland
  - name: mint
    GET: {base}/mint?n=7
    capture: {{ minted_secret: $.minted, sid: {{ cookie: mint_sid }} }}
  - name: json echo
    POST: "{base}/echo/<<envsecret>>/<<api_password | urlencode>>/<<minted_secret>>?<<envsecret | urlencode>>=key"
    query: {fields}
    headers:
{headers}    json: {{ e: <<envsecret>>, v: <<api_password>>, m: <<minted_secret>>, t: <<login.access_token>>, n: <<pin_number>>, pin: <<pin>>, c: <<sid>> }}
    expect:
      body:
        $.json.e: {{ ne: <<envsecret>> }}
        $.json.n: {{ ne: <<pin_number>> }}
        $.json.pin: {{ ne: <<pin>> }}
  - name: form echoed as text
    POST: {base}/echo-text
    headers:
{headers}    form: {fields}
    expect:
      body:
        contains: nothing of the kind
  - name: userinfo
    GET: {userinfo_base}/echo?x=1
  - name: cookies
    GET: {base}/cookies
    expect:
      status: 201
"#
    )
}

/// Each secret of the run, by kind: `(kind, value)`; the oauth2 tokens are the server's.
fn secrets(server: &TestServer) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("env secret", ENV_SECRET.to_string()),
        ("secret-looking var", VAR_SECRET.to_string()),
        ("capture", minted("7")),
        ("cookie", minted_cookie("7")),
        ("JSON number", PIN_NUMBER.to_string()),
        ("userinfo", USERINFO.to_string()),
        ("oauth2 client secret", CLIENT_SECRET.to_string()),
        ("oauth2 password", PASSWORD.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let tokens = server.issued_tokens();
    assert!(!tokens.is_empty(), "the sign-in got no token");
    out.extend(tokens.into_iter().map(|t| ("oauth2 token".to_string(), t)));
    out
}

/// Every output of the run and, with `exports`, of `baton export`, by name.
fn outputs(server: &TestServer, exports: bool) -> Vec<(String, String)> {
    let base = server.url();
    let yaml = collection(&base);
    let baton = || {
        Baton::new()
            .file("leak.yaml", &yaml)
            .file("environments/dev.yaml", ENVIRONMENT)
    };
    let run = baton()
        .env("GITHUB_ACTIONS", "true")
        .args(["run", "leak.yaml", "-e", "dev", "-v", "--junit", "r.xml"])
        .args(["--json", "r.json", "--html", "r.html"])
        .run();
    run.code(1).stdout_contains("::error ");
    let mut out = vec![("console -v".to_string(), all(&run))];
    for f in ["r.xml", "r.json", "r.html"] {
        out.push((f.to_string(), run.file(f)));
    }
    let ndjson = baton()
        .args(["run", "leak.yaml", "-e", "dev", "-v", "--json", "-"])
        .run();
    out.push(("NDJSON".to_string(), all(&ndjson)));
    if !exports {
        return out;
    }
    for request in [
        "sign in",
        "mint",
        "json echo",
        "form echoed as text",
        "userinfo",
        "cookies",
    ] {
        for lang in ["curl", "python", "node", "http"] {
            let export = baton()
                .args(["export", "leak.yaml", "--request", request, "--as", lang])
                .args(["-e", "dev"])
                .run();
            export.code(0);
            out.push((format!("export '{request}' --as {lang}"), all(&export)));
        }
    }
    out
}

fn all(out: &Output) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
}

/// Every probe for the secrets of `kinds` (all of them when empty): `(what, text)`.
fn probes(server: &TestServer, kinds: &[&str]) -> Vec<(String, String)> {
    let wanted = |kind: &str| kinds.is_empty() || kinds.contains(&kind);
    let mut probes: Vec<(String, String)> = Vec::new();
    for (kind, secret) in secrets(server).into_iter().filter(|(k, _)| wanted(k)) {
        let mut forms = probe::encodings(&secret);
        let inner = base64::engine::general_purpose::STANDARD.encode(format!("id:{secret}"));
        forms.push(("inside base64", inner));
        for (encoding, form) in forms {
            for written in probe::as_written(&form) {
                probes.push((format!("{kind} {secret:?} as {encoding}"), written));
            }
        }
    }
    if wanted("short secret") {
        for written in probe::whole(SHORT) {
            probes.push((format!("short secret {SHORT:?} whole"), written));
        }
    }
    probes.sort();
    probes.dedup();
    probes
}

/// Searches every output for every probe; fails with the list of leaks. Returns how many
/// searches were made.
#[track_caller]
fn assert_no_leak(outputs: &[(String, String)], probes: &[(String, String)]) -> usize {
    let mut leaks = Vec::new();
    let mut count = 0;
    for (output, text) in outputs {
        assert!(text.len() > 20, "{output} is empty");
        for (what, probe) in probes {
            count += 1;
            if text.contains(probe.as_str()) {
                leaks.push(format!("{output}: {what}: {probe:?}"));
            }
        }
    }
    let console = &outputs[0].1;
    assert!(console.contains("•••"), "nothing was masked:\n{console}");
    assert!(
        leaks.is_empty(),
        "{} leaks in {count} probes:\n{}\n\nconsole:\n{console}",
        leaks.len(),
        leaks.join("\n")
    );
    count
}

/// Item 1: a declared secret, a variable or capture named like one, an oauth2 token, a
/// secret JSON number and URL userinfo, in every encoding, in every output of a run.
#[test]
fn declared_secrets_are_masked_in_every_encoding_of_a_run() {
    let server = TestServer::start();
    let outputs = outputs(&server, false);
    let kinds = [
        "env secret",
        "secret-looking var",
        "capture",
        "JSON number",
        "userinfo",
        "oauth2 token",
    ];
    assert_no_leak(&outputs, &probes(&server, &kinds));
}

/// Item 5: every kind, every encoding, every output.
#[test]
fn no_secret_of_any_kind_leaks_in_any_encoding_or_output() {
    let server = TestServer::start();
    let outputs = outputs(&server, true);
    let count = assert_no_leak(&outputs, &probes(&server, &[]));
    eprintln!("{count} probes, no leak");
}
