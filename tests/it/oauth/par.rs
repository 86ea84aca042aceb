//! Pushed authorization requests (RFC 9126) and rich authorization requests (RFC 9396) on
//! both providers (oidc-provider with its `pushedAuthorizationRequests` and
//! `richAuthorizationRequests` features), asserted on the wire: the parameters POSTed to the
//! PAR endpoint with the client's authentication, then an authorize request that carries
//! only `client_id` and `request_uri`, then the code exchange; a spent `request_uri` and an
//! unpushed request refused; `authorization_details` sent and granted.

use super::{Kind, Provider, Vars, both};
use crate::support::{Baton, Output};
use baton::SandboxConfig;

/// The request lines (`POST http://…/connect/par`) that `-v` printed, in order.
pub(super) fn hops(out: &Output) -> Vec<String> {
    out.stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("> "))
        .filter(|l| l.starts_with("GET http") || l.starts_with("POST http"))
        .map(str::to_string)
        .collect()
}

/// The first body line `-v` printed after the request line `line`.
pub(super) fn body_after(out: &Output, line: &str) -> String {
    let mut lines = out.stdout.lines().skip_while(|l| !l.contains(line));
    lines
        .by_ref()
        .skip(1)
        .take_while(|l| l.trim_start().starts_with('>'))
        .filter_map(|l| l.trim_start().strip_prefix("> "))
        .find(|l| l.contains('='))
        .unwrap_or_default()
        .to_string()
}

/// oidc-provider grants authorization details only for a resource (its RAR rules); the
/// sandbox takes the same parameter and ignores it.
const RESOURCE: &str = "urn:baton:api";

const PUSHED: &str = r#"name: par
requests:
  - name: sign in through a pushed request
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      scope: openid api
      resource: <<resource>>
      par: true
      authorization_details:
        - type: payment_initiation
          actions: [initiate]
          instructedAmount: { currency: EUR, amount: "123.50" }
          creditorName: <<username>>
    expect:
      body:
        $.access_token: { exists: true }
        $.authorization_details[0].type: payment_initiation
        $.authorization_details[0].instructedAmount.amount: "123.50"
        $.authorization_details[0].creditorName: alice
"#;

fn pushed_sign_in(p: &Provider) {
    let out = p
        .run(PUSHED)
        .client(&p.par_client())
        .var("resource", RESOURCE)
        .arg("-v")
        .run();
    out.code(0).stdout_contains("1 passed, 0 failed");
    let issuer = p.issuer();
    let hops = hops(&out);
    let par = format!("POST {issuer}/connect/par");
    let at = |prefix: &str| hops.iter().position(|h| h.starts_with(prefix));
    let pushed = at(&par).expect("a POST to the PAR endpoint");
    let authorize = at(&format!("GET {issuer}/connect/authorize?")).expect("the authorize request");
    let token = at(&format!("POST {issuer}/connect/token")).expect("the code exchange");
    assert!(pushed < authorize && authorize < token, "{hops:#?}");
    // RFC 9126 4: the browser carries the client and the reference, nothing else.
    let (_, query) = hops[authorize].split_once('?').unwrap();
    let names: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"], "{}", hops[authorize]);
    assert!(
        query.contains("request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A"),
        "{query}"
    );
    // Everything else went to the PAR endpoint, authenticated as at the token endpoint.
    let form = body_after(&out, &par);
    let sent: Vec<String> = url::form_urlencoded::parse(form.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    for name in [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "resource",
        "authorization_details",
    ] {
        assert!(sent.iter().any(|s| s == name), "{name} not pushed: {form}");
    }
    assert!(
        form.contains("authorization_details=%5B%7B%22type%22%3A%22payment_initiation%22"),
        "{form}"
    );
    out.stdout_contains("> authorization: Basic •••");
}
both!(pushed_sign_in);

const SPENT: &str = r"name: spent
requests:
  - name: a pushed request, up to its redirect
    id: first
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      par: true
      exchange: false
    expect:
      status: 3xx
      headers:
        location: { contains: code= }
  - name: its request_uri again
    GET: <<issuer>>/connect/authorize
    query:
      client_id: <<client_id>>
      request_uri: <<first.request_uri>>
    expect:
      status: 3xx
      headers:
        location: { contains: error=invalid_request_uri }
  - name: not pushed
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      exchange: false
    expect:
      status: 3xx
      headers:
        location: { contains: error=invalid_request& }
";

/// A request_uri is good for one authorization, and a client registered for PAR may not
/// send its parameters through the browser.
fn spent_and_unpushed_requests_refused(p: &Provider) {
    let out = p.run(SPENT).client(&p.par_client()).arg("-v").run();
    out.code(0).stdout_contains("3 passed, 0 failed");
    let hops = hops(&out);
    let again: Vec<&String> = hops
        .iter()
        .filter(|h| h.contains("request_uri=urn%3Aietf"))
        .collect();
    assert_eq!(again.len(), 2, "{hops:#?}");
    assert_eq!(again[0], again[1], "the same request_uri twice");
}
both!(spent_and_unpushed_requests_refused);

const ASSERTION: &str = r"name: par with a client assertion
requests:
  - name: pushed by a private_key_jwt client
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      par: true
";

/// The PAR endpoint authenticates the client as the token endpoint does: a signed assertion
/// each (their `jti`s differ), `client_id` sent once.
fn pushed_with_a_client_assertion(p: &Provider) {
    let Some((client, key, _)) = p.pkjwt_client() else {
        return;
    };
    let out = p
        .run(ASSERTION)
        .client(&client)
        .var("key", &key.display().to_string())
        .arg("-v")
        .run();
    out.code(0).stdout_contains("1 passed, 0 failed");
    let form = body_after(&out, &format!("POST {}/connect/par", p.issuer()));
    assert_eq!(form.matches("client_id=").count(), 1, "{form}");
    assert!(form.contains("&client_assertion=•••"), "{form}");
}
both!(pushed_with_a_client_assertion);

const CREDENTIALS: &str = r"name: rar at the token endpoint
requests:
  - name: a service's token for one account
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: api
      resource: <<resource>>
      authorization_details:
        - type: account_information
          actions: [read]
          locations: [https://bank.example/accounts/<<username>>]
    expect:
      body:
        $.authorization_details[0].type: account_information
        $.authorization_details[0].locations[0]: https://bank.example/accounts/alice
";

/// authorization_details go where scope goes: the token request of the client credentials
/// grant, as compact JSON.
fn details_in_a_token_request(p: &Provider) {
    let out = p
        .run(CREDENTIALS)
        .client(&p.basic_client())
        .var("resource", RESOURCE)
        .arg("-v")
        .run();
    out.code(0)
        .stdout_contains("1 passed, 0 failed")
        .stdout_contains("grant_type=client_credentials&scope=api&authorization_details=%5B%7B%22type%22%3A%22account_information%22%2C%22actions%22%3A%5B%22read%22%5D%2C%22locations%22%3A%5B%22https%3A%2F%2Fbank.example%2Faccounts%2Falice%22%5D%7D%5D&resource=urn%3Abaton%3Aapi");
}
both!(details_in_a_token_request);

const REQUIRED: &str = r"name: required by discovery
requests:
  - name: no par key, pushed as discovery says
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      scope: openid
  - name: par false, sent as asked and refused
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      par: false
      exchange: false
    expect:
      status: 3xx
      headers:
        location: { contains: error=invalid_request& }
";

/// `require_pushed_authorization_requests: true` in discovery makes every sign-in push,
/// without `par:`; `par: false` is sent as asked, for the provider to refuse.
fn required_by_discovery(p: &Provider) {
    let out = p.run(REQUIRED).client(&p.basic_client()).arg("-v").run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    let hops = hops(&out);
    let pushes = hops.iter().filter(|h| h.ends_with("/connect/par")).count();
    assert_eq!(pushes, 1, "{hops:#?}");
}

#[test]
fn required_by_discovery_sandbox() {
    let config = SandboxConfig {
        require_pushed_authorization_requests: true,
        ..SandboxConfig::default()
    };
    required_by_discovery(&Provider::sandbox_with(config));
}

#[test]
fn required_by_discovery_interop() {
    if let Some(p) = Provider::interop_requiring_par() {
        required_by_discovery(&p);
    }
}

/// A refused push is judged as a refused token request: its error, exit 1, no authorize
/// request after it.
fn refused_push(p: &Provider) {
    let yaml = PUSHED.replace("<<redirect_uri>>", "http://127.0.0.1:8765/elsewhere");
    let out = p
        .run(&yaml)
        .client(&p.par_client())
        .var("resource", RESOURCE)
        .arg("-v")
        .run();
    out.code(1)
        .stdout_contains("error: the provider refused the request: 400 (invalid_")
        .stdout_contains("0 passed, 1 failed");
    let hops = hops(&out);
    assert!(hops.last().unwrap().ends_with("/connect/par"), "{hops:#?}");
    if p.kind == Kind::Sandbox {
        out.stdout_contains("400 (invalid_request: redirect_uri `http://127.0.0.1:8765/elsewhere` is not registered for client `baton-par`)");
    }
}
both!(refused_push);

#[test]
fn par_and_details_where_they_cannot_go_are_input_errors() {
    let yaml = r"name: misplaced
requests:
  - name: par without an authorize request
    oauth2:
      grant: client_credentials
      token_url: http://127.0.0.1:1/token
      client_id: c
      client_secret: s
      par: true
  - name: details that are not a list of typed objects
    oauth2:
      grant: client_credentials
      token_url: http://127.0.0.1:1/token
      client_id: c
      client_secret: s
      authorization_details:
        - actions: [read]
  - name: details of an introspection
    oauth2:
      grant: introspect
      introspection_url: http://127.0.0.1:1/introspect
      client_id: c
      client_secret: s
      token: t
      authorization_details: [{ type: x }]
  - name: a request object without a key to sign it
    oauth2:
      grant: authorization_code
      authorize_url: http://127.0.0.1:1/authorize
      token_url: http://127.0.0.1:1/token
      client_id: c
      client_secret: s
      redirect_uri: http://127.0.0.1:8765/callback
      request_object: signed
";
    let out = Baton::new()
        .file("c.yaml", yaml)
        .args(["check", "c.yaml"])
        .run();
    out.code(2);
    insta::assert_snapshot!("par_misplaced", out.stderr_redacted());
}

/// A snippet cannot push for the user, so it says what a run does before the exchange.
#[test]
fn an_exported_snippet_says_the_parameters_are_pushed() {
    let yaml = r"name: e
requests:
  - name: pushed
    oauth2:
      grant: authorization_code
      issuer: https://id.example
      client_id: c
      client_secret: s
      redirect_uri: http://127.0.0.1:8765/callback
      par: true
      request_object: signed
      private_key: key.pem
";
    let out = Baton::new()
        .file("c.yaml", yaml)
        .args(["export", "--as", "curl", "--request", "pushed", "c.yaml"])
        .run();
    out.code(0)
        .stdout_contains("# with PAR (RFC 9126): POST the authorize parameters to the provider's pushed_authorization_request_endpoint")
        .stdout_contains("# with a signed request object (RFC 9101)");
}

/// An interactive sign-in pushes too: the browser is sent to the authorize endpoint with the
/// reference only, and still lands on baton's loopback listener (whose port the push named).
fn pushed_interactive(p: &Provider) {
    use std::os::unix::fs::PermissionsExt as _;
    let yaml = r"name: interactive
requests:
  - name: sign in
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      redirect_uri: http://127.0.0.1:0/callback
      scope: openid
      mode: interactive
      wait: 20s
      par: true
";
    let baton = p.run(yaml).client(&p.public_client());
    // A browser that follows every redirect with a cookie jar, as a person signing in would.
    let browser = baton.dir().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\ncurl -s -L -c \"$JAR\" -b \"$JAR\" -o /dev/null \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let jar = baton.dir().join("cookies.txt");
    let out = baton
        .env("BROWSER", &browser)
        .env("JAR", &jar)
        .timeout(std::time::Duration::from_secs(40))
        .run();
    out.code(0).stdout_contains("✓ sign in 200");
    let shown = out
        .stdout
        .lines()
        .find_map(|l| {
            l.split_once("Sign in in your browser: ")
                .map(|(_, url)| url.trim())
        })
        .expect("the URL shown");
    let names: Vec<String> = url::Url::parse(shown)
        .unwrap()
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"], "{shown}");
}
both!(pushed_interactive);
