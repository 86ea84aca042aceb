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
        r"name: cookies
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
",
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
        r"name: words
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
",
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

/// Item 4: `baton export` writes no literal credential in any language: a Bearer token, a
/// Basic password, an API key header, a cookie, URL userinfo, an oauth2 client secret and
/// password, a form field named like a secret; `--show-secrets` writes them.
#[test]
fn export_writes_placeholders_for_literal_credentials() {
    let yaml = r#"name: literal
requests:
  - name: bearer
    POST: https://u5er:Us3r1nf0-pw@api.example/items?api_key=Qu3ryK3y&page=2
    auth: { bearer: L1teral-B3arer }
    headers: { X-Api-Key: Ap1-K3y-Lit, Cookie: "sid=C00kie-Lit; theme=dark", Accept: text/plain }
    form: { client_secret: F0rm-S3cret, name: visible }
  - name: basic
    GET: https://api.example/me
    auth: { basic: [app, B4sic-Passw0rd] }
    headers: { Authorization2: x }
  - name: token
    oauth2:
      grant: password
      token_url: https://id.example/token
      client_id: app
      client_secret: Cl1ent-S3cret
      username: alice
      password: Passw0rd-Lit
"#;
    let literals = [
        "Us3r1nf0-pw",
        "Qu3ryK3y",
        "L1teral-B3arer",
        "Ap1-K3y-Lit",
        "C00kie-Lit",
        "F0rm-S3cret",
        "B4sic-Passw0rd",
        "Cl1ent-S3cret",
        "Passw0rd-Lit",
    ];
    let mut shown = String::new();
    for request in ["bearer", "basic", "token"] {
        for lang in ["curl", "python", "node", "http"] {
            let export = |extra: &[&str]| {
                let out = Baton::new()
                    .file("c.yaml", yaml)
                    .args(["export", "c.yaml", "--request", request, "--as", lang])
                    .args(extra)
                    .run();
                out.code(0);
                all(&out)
            };
            let text = export(&[]);
            for literal in literals {
                assert_lacks(&format!("{request} as {lang}"), &text, literal);
            }
            assert!(text.contains("<your-"), "{text}");
            shown.push_str(&export(&["--show-secrets"]));
        }
    }
    for literal in literals {
        assert!(shown.contains(literal), "--show-secrets hides {literal}");
    }
    let curl = Baton::new()
        .file("c.yaml", yaml)
        .args(["export", "c.yaml", "--request", "bearer", "--as", "curl"])
        .run();
    for part in [
        "https://u5er:<your-password>@api.example/items?api_key=<your-api-key>&page=2",
        "Authorization: Bearer <your-access-token>",
        "X-Api-Key: <your-x-api-key>",
        "Cookie: sid=<your-sid>; theme=<your-theme>",
        "Accept: text/plain",
        "client_secret=<your-client-secret>&name=visible",
        "written as placeholders (--show-secrets writes the values)",
    ] {
        assert!(
            curl.stdout.contains(part),
            "{part:?} not in\n{}",
            curl.stdout
        );
    }
}

/// Item 4: `baton import curl` moves `-u user:password`, a literal `Proxy-Authorization`
/// header (an `Authorization` one would replace `-u`, as in curl), an API key header and a cookie to `<<env.NAME>>` references, names them in its summary,
/// and the imported request sends them from the environment; `--keep-secrets` keeps them.
#[test]
fn import_curl_moves_literal_credentials_to_the_environment() {
    let server = TestServer::start();
    let command = format!(
        "curl -u app:Cu-Passw0rd -H 'Proxy-Authorization: Bearer Cu-T0ken' -H 'X-Api-Key: Cu-K3y' \
         -b 'sid=Cu-C00kie' {}/echo",
        server.url()
    );
    let imported = Baton::new()
        .args(["import", "curl", &command, "-o", "c.yaml"])
        .run();
    imported.code(0).stderr_contains(
        "secrets are read from the process environment: export TOKEN=... X_API_KEY=... \
         COOKIE_SID=... PASSWORD=... (the Proxy-Authorization header, the X-Api-Key header, the \
         cookie `sid`, the -u password moved out of the request; --keep-secrets keeps them)",
    );
    let yaml = imported.file("c.yaml");
    for part in [
        "# Secrets are read from the process environment: TOKEN (the Proxy-Authorization header), X_API_KEY",
        "Proxy-Authorization: Bearer <<env.TOKEN>>",
        "X-Api-Key: <<env.X_API_KEY>>",
        "Cookie: sid=<<env.COOKIE_SID>>",
        "auth: { basic: [app, <<env.PASSWORD>>] }",
    ] {
        assert!(yaml.contains(part), "{part:?} not in\n{yaml}");
    }
    for literal in ["Cu-Passw0rd", "Cu-T0ken", "Cu-K3y", "Cu-C00kie"] {
        assert_lacks("the import", &format!("{yaml}{}", all(&imported)), literal);
    }
    let run = Baton::new()
        .file("c.yaml", &yaml)
        .env("PASSWORD", "Env-Passw0rd")
        .env("TOKEN", "Env-T0ken")
        .env("X_API_KEY", "Env-K3y")
        .env("COOKIE_SID", "Env-C00kie")
        .args(["run", "c.yaml", "-v"])
        .run();
    run.code(0).stdout_contains("\"x-api-key\": \"•••\"");
    assert_eq!(server.hits("/echo"), 1);
    let kept = Baton::new()
        .args(["import", "curl", &command, "--keep-secrets"])
        .run();
    kept.code(0)
        .stdout_contains("auth: { basic: [app, Cu-Passw0rd] }")
        .stdout_contains("Proxy-Authorization: Bearer Cu-T0ken");
}
