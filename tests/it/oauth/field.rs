//! Field failures ("Real providers"): `oauth2` requests against the field provider of
//! `support/field.rs`, which behaves as real providers do rather than as baton's sandbox: a
//! login form with `user` and `pass`, a consent page with Cancel before Authorize, a back
//! channel that refuses browser cookies, introspection and revocation found only through
//! RFC 8414.
//!
//! 1. the approving submit control of a form is pressed (or the one `button:` names), and
//!    `login:`/`consent:` fields fill their own forms; errors name the form, the button and
//!    the page's visible error text;
//! 2. the authorize hops run in browser sessions of their own, one per `login:` identity
//!    (`session: fresh` for a new one); the back channel and plain requests never see them;
//! 3. a flow that fails keeps its hops (console, JSON, JUnit, HTML; rendered URLs);
//! 4. RFC 8414 fills what OpenID discovery lacks;
//! 5. `mode: code` sends a `code_verifier` only when given one; `<<id.code>>` and
//!    `<<id.code_verifier>>`;
//! 6. the login hint names the form's own fields;
//! 7. a request that needs what a failed request did not capture is skipped, with why;
//! 8. the loopback page of `mode: interactive` says what happened.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::field::{
    COOKIE_REFUSAL, FIELD_BUTTONS, FIELD_BUTTONS_SECRET, FIELD_CLIENT, FIELD_PUBLIC,
    FIELD_REDIRECT_URI, FIELD_SECRET, FieldServer,
};
use crate::support::{Baton, FaultServer, Output, redact};

/// `baton run c.yaml` with `yaml`, and the variables of the field provider: `base` (its
/// URL), `issuer` (the root realm's issuer), `userinfo` and `redirect_uri`.
fn run(server: &FieldServer, yaml: &str) -> Baton {
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml"])
        .arg("--var")
        .arg(format!("base={}", server.url()))
        .arg("--var")
        .arg(format!("issuer={}", server.issuer("")))
        .arg("--var")
        .arg(format!("userinfo={}/userinfo", server.url()))
        .arg("--var")
        .arg(format!("redirect_uri={FIELD_REDIRECT_URI}"))
}

/// A headless sign-in of the public client (PKCE S256) as `id`; `EXTRA` lines go in its
/// `oauth2` block.
fn sign_in(name: &str, id: &str, extra: &str) -> String {
    format!(
        r"  - name: {name}
    id: {id}
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: {FIELD_PUBLIC}
      scope: openid profile offline_access
      redirect_uri: <<redirect_uri>>
      mode: headless
      {extra}
"
    )
}

/// A userinfo call with the tokens of `id`, which must belong to `user`.
fn userinfo(name: &str, id: &str, user: &str) -> String {
    format!(
        r"  - name: {name}
    GET: <<userinfo>>
    auth: {{ oauth2: {id} }}
    expect:
      body: {{ $.sub: {user} }}
"
    )
}

const ALICE: &str = "login: { user: alice, pass: wonderland }";
const BOB: &str = "login: { user: bob, pass: builder }";

fn collection(requests: &[String]) -> String {
    format!("name: field provider\nrequests:\n{}", requests.concat())
}

/// The JSON report `name` a run wrote.
fn json_report(out: &Output, name: &str) -> Value {
    serde_json::from_str(&out.file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Request `index` of the first file of a JSON report.
fn request(doc: &Value, index: usize) -> &Value {
    &doc["files"][0]["requests"][index]
}

/// The messages of a request's failures, one a line.
fn messages(req: &Value) -> String {
    req["failures"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| f["message"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// `redact`, and the field provider's random ids (`tx-…`, `csrf-…`, `code-…`) as `tx-[ID]`.
fn redact_ids(text: &str) -> String {
    let ids = regex::Regex::new(r"\b(tx|csrf|code|sess|at|rt)-[0-9a-f]{32}\b").unwrap();
    ids.replace_all(&redact(text), "$1-[ID]").into_owned()
}

/// The request `head` (`"POST http://…/consent"`) as `-v` printed it: its `> ` lines,
/// headers and body, without the `> ` marks; `None` when it was not printed.
fn verbose_request(stdout: &str, head: &str) -> Option<String> {
    let lines: Vec<&str> = stdout.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().strip_prefix("> ") == Some(head))?;
    let block: Vec<&str> = lines[start..]
        .iter()
        .map(|l| l.trim_start())
        .take_while(|l| l.starts_with('>'))
        .map(|l| l.trim_start_matches('>').trim_start())
        .collect();
    Some(block.join("\n"))
}

#[track_caller]
fn assert_no_cookie_refusals(server: &FieldServer) {
    assert_eq!(
        server.refusals(),
        Vec::<String>::new(),
        "the back channel was sent browser cookies"
    );
}

/// No request to one of `paths` carried a `Cookie` header.
#[track_caller]
fn assert_cookieless(server: &FieldServer, paths: &[&str]) {
    for path in paths {
        let sent: Vec<String> = server.cookies_at(path).into_iter().flatten().collect();
        assert!(sent.is_empty(), "{path} was sent cookies: {sent:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 1. Forms: the approving button, `button:`, login and consent fields, error messages

/// The whole field flow: discovery, authorize, the login page (`user`, `pass`, a CSRF field
/// tied to a cookie), the consent page with Cancel first: baton presses Authorize, and the
/// token endpoint, which refuses cookies, is called without the browser's.
#[test]
fn headless_code_pkce_through_login_and_two_button_consent() {
    let server = FieldServer::start();
    let yaml = collection(&[
        sign_in("sign in", "login", ALICE),
        userinfo("userinfo", "login", "alice"),
    ]);
    let out = run(&server, &yaml).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200")
        .stdout_contains("code_challenge_method=S256")
        .stdout_contains("2 passed, 0 failed");
    let base = server.url();
    let consent = verbose_request(&out.stdout, &format!("POST {base}/consent"))
        .unwrap_or_else(|| panic!("-v shows no POST of the consent form:\n{}", out.stdout));
    assert!(consent.contains("allow=Authorize"), "{consent}");
    assert!(!consent.contains("Cancel"), "{consent}");

    let posts = server.consent_posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].field("allow").as_deref(), Some("Authorize"));
    let logins = server.login_posts();
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!(logins[0].field("user").as_deref(), Some("alice"));
    assert!(logins[0].field("csrf_token").is_some(), "{logins:?}");
    // The token request went out once, with the PKCE verifier, and without cookies; the
    // discovery and the JWKS too.
    let forms = server.token_forms();
    assert_eq!(forms.len(), 1, "{forms:?}");
    assert!(forms[0].iter().any(|(k, _)| k == "code_verifier"));
    assert_no_cookie_refusals(&server);
    assert_cookieless(
        &server,
        &["/.well-known/openid-configuration", "/token", "/jwks"],
    );
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/jwks"), 1);
    // Everything the code grant needs is in the OpenID document: no RFC 8414 fetch.
    assert_eq!(server.hits("/.well-known/oauth-authorization-server"), 0);
}

/// `consent: { button: Cancel }` presses Cancel: the provider redirects with
/// `access_denied`, and the error says which form and which button.
#[test]
fn consent_button_cancel_is_access_denied_naming_form_and_button() {
    let server = FieldServer::start();
    let yaml = collection(&[sign_in(
        "sign in",
        "login",
        &format!("{ALICE}\n      consent: {{ button: Cancel }}"),
    )]);
    let out = run(&server, &yaml).args(["--json", "r.json"]).run();
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("access_denied");
    let posts = server.consent_posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].field("allow"), None, "Cancel submits no `allow`");
    assert_eq!(server.token_forms().len(), 0);
    let doc = json_report(&out, "r.json");
    let message = messages(request(&doc, 0));
    let action = format!("{}/consent", server.url());
    assert!(message.contains("access_denied"), "{message}");
    assert!(message.contains(&action), "names the form: {message}");
    assert!(message.contains("Cancel"), "names the button: {message}");
    insta::assert_snapshot!("field_consent_cancel", redact_ids(&message));
}

/// Pages with named `<button>`s: "Create an account" before "Sign in" on the login page,
/// "Deny" before "Approve" on the consent page. baton presses "Sign in" and "Approve" and
/// sends their name=value, unasked and when `button:` names them.
#[test]
fn button_elements_with_values_and_named_buttons() {
    let server = FieldServer::start();
    let block = |extra: &str| {
        format!(
            r"  - name: sign in
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: {FIELD_BUTTONS}
      client_secret: {FIELD_BUTTONS_SECRET}
      scope: openid profile
      redirect_uri: <<redirect_uri>>
      mode: headless
      {extra}
"
        )
    };
    for extra in [
        "login: { user: alice, pass: wonderland }".to_string(),
        "login: { user: alice, pass: wonderland, button: \"Sign in\" }\n      consent: { button: Approve }".to_string(),
    ] {
        let before = (server.login_posts().len(), server.consent_posts().len());
        let yaml = collection(&[block(&extra), userinfo("userinfo", "login", "alice")]);
        let out = run(&server, &yaml).run();
        out.code(0)
            .stdout_contains("✓ sign in 200")
            .stdout_contains("✓ userinfo 200");
        let login = &server.login_posts()[before.0..];
        assert_eq!(login.len(), 1, "{extra}: {login:?}");
        assert_eq!(login[0].field("action").as_deref(), Some("login"), "{extra}");
        // `button` names the button; it is not a field of the form.
        assert_eq!(login[0].field("button"), None, "{extra}");
        let consent = &server.consent_posts()[before.1..];
        assert_eq!(consent.len(), 1, "{extra}: {consent:?}");
        assert_eq!(
            consent[0].field("decision").as_deref(),
            Some("approve"),
            "{extra}"
        );
        assert_eq!(consent[0].field("button"), None, "{extra}");
    }
    assert_no_cookie_refusals(&server);
}

/// `login:` fields go to the login form only (the form with the password field), `consent:`
/// fields to the consent form only; the language form before the login form is left alone.
#[test]
fn login_and_consent_fields_fill_their_own_forms() {
    let server = FieldServer::start();
    let yaml = collection(&[sign_in(
        "sign in",
        "login",
        &format!("{ALICE}\n      consent: {{ remember: \"1\" }}"),
    )]);
    let out = run(&server, &yaml).run();
    out.code(0).stdout_contains("✓ sign in 200");
    let login = server.login_posts();
    assert_eq!(login.len(), 1, "{login:?}");
    assert_eq!(login[0].field("user").as_deref(), Some("alice"));
    assert_eq!(login[0].field("pass").as_deref(), Some("wonderland"));
    assert_eq!(login[0].field("remember"), None, "{:?}", login[0]);
    let consent = server.consent_posts();
    assert_eq!(consent.len(), 1, "{consent:?}");
    assert_eq!(consent[0].field("remember").as_deref(), Some("1"));
    assert_eq!(consent[0].field("allow").as_deref(), Some("Authorize"));
    for name in ["user", "pass"] {
        assert_eq!(consent[0].field(name), None, "{name} in {:?}", consent[0]);
    }
    assert_eq!(
        server.hits("/language"),
        0,
        "the language form was submitted"
    );
}

/// A wrong password gets the login page again with its error: baton says so with the
/// page's visible error text, the form and the button, not the page's `<head>`.
#[test]
fn wrong_password_shows_the_page_error_not_its_head() {
    let server = FieldServer::start();
    let yaml = collection(&[sign_in(
        "sign in",
        "login",
        "login: { user: alice, pass: <<password>> }",
    )]);
    let out = run(&server, &yaml)
        .args(["--var", "password=Not-Her-Password-42", "--json", "r.json"])
        .run();
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("Invalid login or password.");
    let doc = json_report(&out, "r.json");
    let message = messages(request(&doc, 0));
    assert!(
        message.contains("Invalid login or password."),
        "the page's error text: {message}"
    );
    assert!(
        message.contains(&format!("{}/login", server.url())),
        "names the form: {message}"
    );
    assert!(message.contains("Sign in"), "names the button: {message}");
    for head in [
        "FIELD-HEAD-MARKER",
        "FIELD-SCRIPT-MARKER",
        "Field Identity Cloud",
        "fieldAnalytics",
        "font-family",
        "<title>",
        "<!DOCTYPE",
    ] {
        assert!(!message.contains(head), "{head:?} in the error: {message}");
    }
    // One try: a provider locks an account after a few wrong passwords.
    assert_eq!(server.login_posts().len(), 1, "{:?}", server.login_posts());
    assert_eq!(server.consent_posts().len(), 0);
    assert_eq!(server.token_forms().len(), 0);
    out.output_lacks("Not-Her-Password-42");
    insta::assert_snapshot!("field_wrong_password", redact_ids(&message));
}

/// Without `login:`, the hint names the form's own fields, `user` and `pass`.
#[test]
fn login_hint_names_the_forms_own_fields() {
    let server = FieldServer::start();
    let yaml = collection(&[sign_in("sign in", "login", "")]);
    let out = run(&server, &yaml).args(["--json", "r.json"]).run();
    out.code(2)
        .stdout_contains("✗ sign in")
        .stdout_contains("give the fields to fill in `login:`");
    let doc = json_report(&out, "r.json");
    let message = messages(request(&doc, 0));
    let hint = &message[message
        .find("give the fields to fill in `login:`")
        .unwrap_or_else(|| panic!("no hint: {message}"))..];
    assert!(
        hint.contains("user:") && hint.contains("pass:"),
        "the form's fields: {hint}"
    );
    assert!(
        !hint.contains("username:") && !hint.contains("password:"),
        "not fixed names: {hint}"
    );
    assert!(
        message.contains(&format!("{}/login", server.url())),
        "{message}"
    );
    assert_eq!(server.login_posts().len(), 0, "nothing submitted");
    insta::assert_snapshot!("field_login_hint", redact_ids(&message));
}

// ---------------------------------------------------------------------------------------
// 2. Browser sessions and cookies

/// Alice, then Bob, then Alice again in one file: Bob signs in in a browser session of his
/// own (his userinfo says bob), and Alice's second sign-in reuses hers (single sign-on: no
/// login page).
#[test]
fn one_browser_session_per_login_identity() {
    let server = FieldServer::start();
    let yaml = collection(&[
        sign_in("alice signs in", "alice", ALICE),
        userinfo("alice's userinfo", "alice", "alice"),
        sign_in("bob signs in", "bob", BOB),
        userinfo("bob's userinfo", "bob", "bob"),
        sign_in("alice again", "alice2", ALICE),
        userinfo("alice's userinfo again", "alice2", "alice"),
    ]);
    let out = run(&server, &yaml).run();
    out.code(0)
        .stdout_contains("✓ bob's userinfo 200")
        .stdout_contains("✓ alice's userinfo again 200")
        .stdout_contains("6 passed, 0 failed");
    let users: Vec<Option<String>> = server
        .login_posts()
        .iter()
        .map(|p| p.field("user"))
        .collect();
    assert_eq!(
        users,
        [Some("alice".to_string()), Some("bob".to_string())],
        "alice's second sign-in reuses her session"
    );
    assert_eq!(server.hits("/login"), 4, "2 login pages, 2 posts");
    assert_eq!(server.hits("/consent"), 6, "3 consent pages, 3 posts");
    assert_no_cookie_refusals(&server);
}

/// `session: fresh` signs in again in a new browser session, even for the same user.
#[test]
fn session_fresh_signs_in_again() {
    let server = FieldServer::start();
    let yaml = collection(&[
        sign_in("alice signs in", "alice", ALICE),
        sign_in(
            "alice in a fresh session",
            "alice2",
            &format!("{ALICE}\n      session: fresh"),
        ),
        userinfo("alice's userinfo", "alice2", "alice"),
    ]);
    let out = run(&server, &yaml).run();
    out.code(0)
        .stdout_contains("✓ alice in a fresh session 200")
        .stdout_contains("3 passed, 0 failed");
    assert_eq!(server.login_posts().len(), 2, "{:?}", server.login_posts());
    assert_eq!(server.hits("/login"), 4);
    assert_no_cookie_refusals(&server);
}

/// A cookie a plain request got stays with plain requests: not sent on the authorize hops
/// or to the back channel (which would refuse it). The browser session of the flow is not
/// sent with the plain request after it.
#[test]
fn plain_cookies_and_browser_cookies_stay_apart() {
    let server = FieldServer::start();
    let yaml = collection(&[
        "  - name: an API sets a cookie\n    GET: <<base>>/set-cookie?name=tracker&value=plain-1\n"
            .to_string(),
        sign_in("sign in", "login", ALICE),
        "  - name: the plain jar\n    GET: <<base>>/cookies\n    expect:\n      body: { $.tracker: plain-1 }\n"
            .to_string(),
    ]);
    let out = run(&server, &yaml).run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ the plain jar 200")
        .stdout_contains("3 passed, 0 failed");
    assert_no_cookie_refusals(&server);
    assert_cookieless(
        &server,
        &["/.well-known/openid-configuration", "/token", "/jwks"],
    );
    // The browser has a jar of its own: the API's cookie is not in it.
    for (path, cookie) in server.cookies_anywhere() {
        assert!(
            path == "/cookies" || !cookie.contains("tracker"),
            "{path} was sent the plain request's cookie: {cookie}"
        );
    }
    let plain = server.cookies_at("/cookies");
    assert_eq!(plain.len(), 1, "{plain:?}");
    let plain = plain[0].clone().unwrap_or_default();
    assert!(plain.contains("tracker=plain-1"), "{plain}");
    assert!(
        !plain.contains("field_session") && !plain.contains("field_csrf"),
        "the browser's cookies went with a plain request: {plain}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. A failed flow keeps its record

/// A flow declined at the consent page: every hop sent is in `-v`, in the duration and in
/// the JSON, JUnit and HTML reports, with its URL rendered.
#[test]
fn failed_flow_keeps_its_record_in_every_report() {
    let server = FieldServer::start();
    let base = server.url();
    let yaml = collection(&[sign_in(
        "sign in",
        "login",
        &format!("{ALICE}\n      consent: {{ button: Cancel }}"),
    )]);
    let out = run(&server, &yaml)
        .args(["--json", "r.json", "--junit", "r.xml", "--html", "r.html"])
        .run();
    out.code(1).stdout_contains("✗ sign in");

    let doc = json_report(&out, "r.json");
    let req = request(&doc, 0);
    assert_eq!(req["outcome"], "failed", "{req:#}");
    let url = req["url"].as_str().unwrap_or_default();
    assert!(
        url.starts_with(&base) && !url.contains("<<"),
        "the request's URL, rendered: {url}"
    );
    // The consent POST sleeps 25 ms: the hops' time is the request's.
    assert!(
        req["duration_ms"].as_u64().unwrap_or(0) >= 25,
        "duration: {}",
        req["duration_ms"]
    );
    let exchange = req["exchange"].as_array().cloned().unwrap_or_default();
    let heads: Vec<String> = exchange
        .iter()
        .map(|x| {
            let r = x["request"].as_str().unwrap_or_default();
            r.lines().next().unwrap_or_default().to_string()
        })
        .collect();
    assert!(
        heads.len() >= 5,
        "discovery, authorize, login page and post, consent page and post: {heads:#?}"
    );
    for head in &heads {
        assert!(
            head.contains("http://127.0.0.1:") && !head.contains("<<"),
            "{head}"
        );
    }
    for want in [
        format!("GET {base}/.well-known/openid-configuration"),
        format!("POST {base}/login"),
        format!("POST {base}/consent"),
    ] {
        assert!(heads.contains(&want), "{want} in {heads:#?}");
    }
    assert!(
        heads
            .iter()
            .any(|h| h.starts_with(&format!("GET {base}/authorize?"))),
        "{heads:#?}"
    );

    let junit = out.file("r.xml");
    let case = junit
        .find("<testcase name=\"sign in\"")
        .map_or_else(|| panic!("no testcase: {junit}"), |i| &junit[i..]);
    let time: f64 = regex::Regex::new(r#"time="([0-9.]+)""#)
        .unwrap()
        .captures(case)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or_else(|| panic!("no time: {case}"));
    assert!(time >= 0.025, "JUnit time {time}");
    let case = &case[..case.find("</testcase>").unwrap_or(case.len())];
    assert!(case.contains(&format!("POST {base}/consent")), "{case}");
    assert!(!case.contains("&lt;&lt;") && !case.contains("<<"), "{case}");

    let html = out.file("r.html");
    assert!(
        html.contains(&format!("POST {base}/consent")),
        "HTML report"
    );
    assert!(
        !html.contains("&lt;&lt;issuer"),
        "HTML report: unrendered URL"
    );

    // -v prints them too.
    let verbose = run(&server, &yaml).arg("-v").run();
    verbose.code(1);
    assert!(
        verbose_request(&verbose.stdout, &format!("POST {base}/consent")).is_some(),
        "{}",
        verbose.stdout
    );
}

/// The JWKS that would verify the id_token is down: the flow fails after the token
/// response, and its record holds the token exchange and the JWKS fetch.
#[test]
fn failed_jwks_fetch_keeps_the_record() {
    let server = FieldServer::start();
    let issuer = server.issuer("/jwks-down");
    let yaml = collection(&[sign_in("sign in", "login", ALICE)]);
    let out = run(&server, &yaml)
        .arg("--var")
        .arg(format!("issuer={issuer}"))
        .args(["--json", "r.json"])
        .run();
    out.code(1).stdout_contains("✗ sign in");
    let doc = json_report(&out, "r.json");
    let req = request(&doc, 0);
    let message = messages(req);
    assert!(message.contains(&format!("{issuer}/jwks")), "{message}");
    let requests: Vec<&str> = req["exchange"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x["request"].as_str())
                .filter_map(|r| r.lines().next())
                .collect()
        })
        .unwrap_or_default();
    for want in [format!("POST {issuer}/token"), format!("GET {issuer}/jwks")] {
        assert!(requests.contains(&want.as_str()), "{want} in {requests:#?}");
    }
    assert_eq!(server.hits("/jwks-down/jwks"), 1);
    assert_no_cookie_refusals(&server);
}

// ---------------------------------------------------------------------------------------
// 4. RFC 8414

const INTROSPECT_REVOKE: &str = r"name: introspect and revoke
requests:
  - name: the token is active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<token>>
    expect:
      body: { $.active: true, $.sub: alice }
  - name: revoke it
    oauth2:
      grant: revoke
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<token>>
    expect:
      status: 200
  - name: the token is no longer active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<token>>
    expect:
      body: { $.active: false }
";

fn introspect_and_revoke(server: &FieldServer, issuer: &str) -> Output {
    let token = server.issue_token(FIELD_CLIENT, "alice");
    run(server, INTROSPECT_REVOKE)
        .arg("--var")
        .arg(format!("issuer={issuer}"))
        .arg("--var")
        .arg(format!("client_id={FIELD_CLIENT}"))
        .arg("--var")
        .arg(format!("client_secret={FIELD_SECRET}"))
        .arg("--var")
        .arg(format!("token={token}"))
        .arg("-v")
        .run()
}

/// Introspection and revocation with `issuer:` alone: their endpoints are in the RFC 8414
/// document only, fetched once when first needed; `-v` shows both discovery fetches.
#[test]
fn rfc8414_fills_what_discovery_lacks() {
    let server = FieldServer::start();
    let base = server.url();
    let out = introspect_and_revoke(&server, &server.issuer(""));
    out.code(0)
        .stdout_contains("✓ the token is active 200")
        .stdout_contains("✓ revoke it 200")
        .stdout_contains("✓ the token is no longer active 200")
        .stdout_contains(&format!("> GET {base}/.well-known/openid-configuration"))
        .stdout_contains(&format!(
            "> GET {base}/.well-known/oauth-authorization-server"
        ))
        .stdout_contains(&format!("> POST {base}/introspect"))
        .stdout_contains(&format!("> POST {base}/revoke"));
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/.well-known/oauth-authorization-server"), 1);
    assert_eq!(server.hits("/introspect"), 2);
    assert_eq!(server.hits("/revoke"), 1);
    assert_no_cookie_refusals(&server);
}

/// RFC 8414 3.1: for the issuer `http://h/o` the document is at
/// `http://h/.well-known/oauth-authorization-server/o`.
#[test]
fn rfc8414_document_of_an_issuer_with_a_path() {
    let server = FieldServer::start();
    let issuer = server.issuer("/o");
    let out = introspect_and_revoke(&server, &issuer);
    out.code(0)
        .stdout_contains("✓ the token is no longer active 200")
        .stdout_contains(&format!("> GET {issuer}/.well-known/openid-configuration"))
        .stdout_contains(&format!(
            "> GET {}/.well-known/oauth-authorization-server/o",
            server.url()
        ));
    assert_eq!(server.hits("/o/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/.well-known/oauth-authorization-server/o"), 1);
    assert_eq!(server.hits("/o/.well-known/oauth-authorization-server"), 0);
    assert_eq!(server.hits("/.well-known/oauth-authorization-server"), 0);
    assert_eq!(server.hits("/o/introspect"), 2);
}

/// A grant whose endpoints the OpenID document has does not fetch the RFC 8414 document.
#[test]
fn rfc8414_is_fetched_only_when_needed() {
    let server = FieldServer::start();
    let yaml = format!(
        "name: cc\nrequests:\n  - name: token\n    oauth2:\n      grant: client_credentials\n      issuer: <<issuer>>\n      client_id: {FIELD_CLIENT}\n      client_secret: {FIELD_SECRET}\n      scope: api\n"
    );
    let out = run(&server, &yaml).run();
    out.code(0).stdout_contains("✓ token 200");
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/.well-known/oauth-authorization-server"), 0);
    assert_no_cookie_refusals(&server);
}

/// An endpoint in neither document: the error names the key to set, and the record holds
/// both discovery fetches.
#[test]
fn endpoint_in_neither_document_names_the_key_to_set() {
    let server = FieldServer::start();
    let issuer = server.issuer("/bare");
    for (grant, key) in [
        ("introspect", "introspection_url"),
        ("revoke", "revocation_url"),
    ] {
        let yaml = format!(
            "name: bare\nrequests:\n  - name: {grant}\n    oauth2:\n      grant: {grant}\n      issuer: <<issuer>>\n      client_id: {FIELD_CLIENT}\n      client_secret: {FIELD_SECRET}\n      token: some-token\n"
        );
        let out = run(&server, &yaml)
            .arg("--var")
            .arg(format!("issuer={issuer}"))
            .args(["--json", "r.json", "-v"])
            .run();
        out.code(1)
            .stdout_contains(&format!("✗ {grant}"))
            .stdout_contains(key)
            .stdout_contains(&format!("> GET {issuer}/.well-known/openid-configuration"))
            .stdout_contains(&format!(
                "> GET {}/.well-known/oauth-authorization-server/bare",
                server.url()
            ));
        let doc = json_report(&out, "r.json");
        let req = request(&doc, 0);
        assert!(messages(req).contains(key), "{}", messages(req));
        assert_eq!(
            req["exchange"].as_array().map(Vec::len),
            Some(2),
            "both discovery fetches: {req:#}"
        );
    }
    assert_eq!(
        server.hits("/bare/introspect") + server.hits("/bare/revoke"),
        0
    );
}

// ---------------------------------------------------------------------------------------
// 5. `mode: code`: `code_verifier`, `<<id.code>>` and `<<id.code_verifier>>`

/// A code obtained elsewhere: without `code_verifier:` none is sent (the provider refuses
/// a verifier for a code without a challenge); with one, that one.
#[test]
fn code_mode_sends_a_verifier_only_when_given_one() {
    let server = FieldServer::start();
    let verifier = "field-verifier-0123456789-0123456789-0123456789";
    let plain = server.issue_code(FIELD_CLIENT, "alice", "profile", None);
    let pkce = server.issue_code(FIELD_CLIENT, "bob", "profile", Some(verifier));
    let block = |name: &str, code: &str, extra: &str| {
        format!(
            r"  - name: {name}
    id: {name}
    oauth2:
      grant: authorization_code
      token_url: <<base>>/token
      client_id: {FIELD_CLIENT}
      client_secret: {FIELD_SECRET}
      redirect_uri: <<redirect_uri>>
      mode: code
      code: {code}
      {extra}
    expect:
      status: 200
"
        )
    };
    let yaml = collection(&[
        block("without", "<<plain_code>>", ""),
        block(
            "with",
            "<<pkce_code>>",
            &format!("code_verifier: {verifier}"),
        ),
        userinfo("bob's userinfo", "with", "bob"),
    ]);
    let out = run(&server, &yaml)
        .arg("--var")
        .arg(format!("plain_code={plain}"))
        .arg("--var")
        .arg(format!("pkce_code={pkce}"))
        .run();
    out.code(0)
        .stdout_contains("✓ without 200")
        .stdout_contains("✓ with 200")
        .stdout_contains("3 passed, 0 failed");
    let forms = server.token_forms();
    assert_eq!(forms.len(), 2, "{forms:?}");
    let field = |form: &[(String, String)], name: &str| {
        form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    assert_eq!(field(&forms[0], "code").as_deref(), Some(plain.as_str()));
    assert_eq!(field(&forms[0], "code_verifier"), None, "{:?}", forms[0]);
    assert_eq!(field(&forms[1], "code").as_deref(), Some(pkce.as_str()));
    assert_eq!(field(&forms[1], "code_verifier").as_deref(), Some(verifier));
}

/// The code and verifier a headless flow used are `<<login.code>>` and
/// `<<login.code_verifier>>`: sent again, the provider refuses the used code.
#[test]
fn code_and_verifier_of_a_flow_are_exposed_and_single_use() {
    let server = FieldServer::start();
    let yaml = collection(&[
        sign_in("sign in", "login", ALICE),
        format!(
            r"  - name: the code again
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: {FIELD_PUBLIC}
      redirect_uri: <<redirect_uri>>
      mode: code
      code: <<login.code>>
      code_verifier: <<login.code_verifier>>
    expect:
      status: 400
      body:
        $.error: invalid_grant
        $.error_description: {{ contains: already used }}
"
        ),
    ]);
    let out = run(&server, &yaml).run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ the code again 400")
        .stdout_contains("2 passed, 0 failed");
    let forms = server.token_forms();
    assert_eq!(forms.len(), 2, "{forms:?}");
    let field = |form: &[(String, String)], name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map_or_else(|| panic!("no {name} in {form:?}"), |(_, v)| v.clone())
    };
    assert_eq!(field(&forms[1], "code"), field(&forms[0], "code"));
    assert_eq!(
        field(&forms[1], "code_verifier"),
        field(&forms[0], "code_verifier")
    );
}

// ---------------------------------------------------------------------------------------
// 7. Skipped, with the reason, when an earlier request failed before capturing

const NEEDS_REFRESH_TOKEN: &str = r"  - name: refresh
    oauth2:
      grant: refresh_token
      token_url: <<base>>/token
      client_id: CLIENT
      client_secret: SECRET
      refresh_token: <<refresh_token>>
";

fn needs_refresh_token() -> String {
    NEEDS_REFRESH_TOKEN
        .replace("CLIENT", FIELD_CLIENT)
        .replace("SECRET", FIELD_SECRET)
}

/// Request 1 gets connection refused: request 2, which needs its `refresh_token`, is
/// skipped with why, and the exit code is the refusal's (3), not invalid input's (2).
#[test]
fn needing_the_capture_of_a_refused_request_is_a_skip_with_the_reason() {
    let server = FieldServer::start();
    let down = FaultServer::refused_url();
    let yaml = format!(
        r"name: skip
requests:
  - name: password grant
    oauth2:
      grant: password
      token_url: {down}/token
      client_id: {FIELD_CLIENT}
      client_secret: {FIELD_SECRET}
      username: alice
      password: wonderland
    capture:
      refresh_token: $.refresh_token
{}",
        needs_refresh_token()
    );
    let out = run(&server, &yaml).args(["--json", "r.json"]).run();
    out.code(3)
        .stdout_contains("✗ password grant")
        .stdout_contains("- refresh (skipped: needs `refresh_token`, which ")
        .stdout_contains("'password grant' did not capture: connection refused")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    let doc = json_report(&out, "r.json");
    let skipped = request(&doc, 1);
    assert_eq!(skipped["outcome"], "skipped", "{skipped:#}");
    let reason = skipped["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("needs `refresh_token`, which ")
            && reason.contains("'password grant' did not capture: connection refused"),
        "{reason}"
    );
    assert_eq!(doc["exit_code"], 3);
    assert_eq!(server.hits("/token"), 0);
    insta::assert_snapshot!("field_skip_after_refused", redact_ids(reason));
}

/// Request 1, a sign-in, is declined at the consent page: its flow fails before its
/// captures can run. Request 2, which needs its `refresh_token`, is skipped with that
/// failure as the reason, and the exit code is the failure's (1), not invalid input's (2).
#[test]
fn needing_the_capture_of_a_flow_that_failed_is_a_skip_with_the_reason() {
    let server = FieldServer::start();
    let sign_in = sign_in(
        "sign in",
        "login",
        &format!("{ALICE}\n      consent: {{ button: Cancel }}"),
    );
    let yaml = collection(&[
        format!("{sign_in}    capture:\n      refresh_token: $.refresh_token\n"),
        needs_refresh_token(),
    ]);
    let out = run(&server, &yaml).args(["--json", "r.json"]).run();
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("- refresh (skipped: needs `refresh_token`, which ")
        .stdout_contains("'sign in' did not capture: ")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    let doc = json_report(&out, "r.json");
    let skipped = request(&doc, 1);
    assert_eq!(skipped["outcome"], "skipped", "{skipped:#}");
    let reason = skipped["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("'sign in' did not capture: ") && reason.contains("access_denied"),
        "the reason is the sign-in's failure: {reason}"
    );
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(server.token_forms().len(), 0);
    insta::assert_snapshot!("field_skip_after_flow_failure", redact_ids(reason));
}

/// Request 1 gets a 500 and its capture matches nothing (the capture's failure is request
/// 1's own): request 2 is skipped, naming request 1, and the exit code is 1.
#[test]
fn needing_the_capture_of_a_failed_request_is_a_skip() {
    let server = FieldServer::start();
    let yaml = format!(
        r"name: skip
requests:
  - name: plain login
    POST: <<base>>/broken
    form: {{ grant_type: password, username: alice, password: <<password>> }}
    expect:
      status: 200
    capture:
      refresh_token: $.refresh_token
{}",
        needs_refresh_token()
    );
    let out = run(&server, &yaml)
        .args(["--var", "password=wonderland", "--json", "r.json"])
        .run();
    out.code(1)
        .stdout_contains("✗ plain login 500")
        .stdout_contains("- refresh (skipped: needs `refresh_token`, which ")
        .stdout_contains("'plain login' did not capture")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    let doc = json_report(&out, "r.json");
    let skipped = request(&doc, 1);
    assert_eq!(skipped["outcome"], "skipped", "{skipped:#}");
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(server.hits("/token"), 0);
}

// ---------------------------------------------------------------------------------------
// 8. The loopback page of `mode: interactive`

/// A "browser" that does not sign in: it calls baton's loopback listener directly with
/// `$CALLBACK_QUERY` (`STATE` replaced by the authorize request's state) and saves the page
/// baton answers with in `$PAGE`.
const CALLER: &str = r#"#!/bin/sh
ru=$(printf '%s' "$1" | sed -n 's/.*[?&]redirect_uri=\([^&]*\).*/\1/p' | sed 's/%3A/:/g; s/%2F/\//g')
st=$(printf '%s' "$1" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')
q=$(printf '%s' "$CALLBACK_QUERY" | sed "s/STATE/$st/")
curl -s -o "$PAGE.part" "$ru?$q" && mv "$PAGE.part" "$PAGE"
"#;

/// Runs an interactive sign-in whose "browser" calls back with `query`; the output and the
/// page baton served.
fn interactive_callback(server: &FieldServer, query: &str) -> (Output, String) {
    let yaml = collection(&[sign_in("sign in", "login", "wait: 20s")])
        .replace("mode: headless", "mode: interactive")
        .replace(
            "redirect_uri: <<redirect_uri>>",
            "redirect_uri: http://127.0.0.1:0/callback",
        );
    let baton = run(server, &yaml);
    let script = baton.dir().join("browser.sh");
    std::fs::write(&script, CALLER).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let page = baton.dir().join("page.html");
    let out = baton
        .env("BROWSER", &script)
        .env("PAGE", &page)
        .env("CALLBACK_QUERY", query)
        .timeout(Duration::from_secs(40))
        .run();
    let text = wait_for_file(&page);
    (out, text)
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the browser saved no page at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn loopback_page_after_a_forged_state_does_not_say_signed_in() {
    let server = FieldServer::start();
    let (out, page) = interactive_callback(&server, "code=forged-code&state=forged-state");
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("state");
    assert!(!page.contains("Signed in"), "{page}");
    assert!(
        page.contains("state"),
        "the page says what happened: {page}"
    );
    assert_eq!(
        server.token_forms().len(),
        0,
        "the forged code was not exchanged"
    );
}

#[test]
fn loopback_page_after_access_denied_says_so() {
    let server = FieldServer::start();
    let (out, page) = interactive_callback(
        &server,
        "error=access_denied&error_description=the+user+said+no&state=STATE",
    );
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("access_denied");
    assert!(!page.contains("Signed in"), "{page}");
    assert!(
        page.to_lowercase().contains("denied"),
        "the page says what happened: {page}"
    );
    assert_eq!(server.token_forms().len(), 0);
}

// ---------------------------------------------------------------------------------------
// Beyond the eight points

/// The login form's password field is `pass`, a name that does not look secret: its value
/// is still a password (the input is `type=password`), so `-v` must not print it.
#[test]
fn the_password_typed_into_a_password_field_is_masked_in_verbose_output() {
    let server = FieldServer::start();
    let yaml = collection(&[sign_in("sign in", "login", ALICE)]);
    let out = run(&server, &yaml).arg("-v").run();
    out.code(0).output_lacks("wonderland");
    let login = verbose_request(&out.stdout, &format!("POST {}/login", server.url()))
        .unwrap_or_else(|| panic!("-v shows no login post:\n{}", out.stdout));
    assert!(login.contains("pass=•••"), "{login}");
}

/// The cookie refusal of the back channel is the field provider's, not a test artefact:
/// a client that sends cookies gets it (the server check the tests above rely on).
#[test]
fn the_field_provider_refuses_cookies_on_the_back_channel() {
    let server = FieldServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = server.url();
    let (status, body) = rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{base}/token"))
            .header("cookie", "field_session=x")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    });
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_description"], COOKIE_REFUSAL);
    assert_eq!(server.refusals(), ["/token"]);
}
