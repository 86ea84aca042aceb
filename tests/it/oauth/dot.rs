//! `oauth2:` requests of the real binary against Django OAuth Toolkit 3.4.1 (the Django
//! project of `tests/interop/dot/`, see its README): every collection is written as the
//! README shows, with nothing for DOT in particular. What DOT does that other providers do
//! not: its own login page (Django's `LoginView`) before a consent page whose first button
//! is Cancel, one grant type per client, introspection and revocation named only by the
//! RFC 8414 document, and a reused refresh token revoking the newest one too.

pub(super) mod server;

use serde_json::Value;

use self::server::{
    Dot, REDIRECT_URI, cc_client, code_client, dot, password_client, public_client, skip_client,
    special_client,
};
use super::{Client, Vars};
use crate::support::{Baton, Output};

/// `baton run c.yaml` on `yaml` with the variables `issuer`, `redirect_uri` and `userinfo`,
/// and `client_id` / `client_secret` of `client`.
fn run(dot: &Dot, yaml: &str, client: &Client) -> Baton {
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml"])
        .var("issuer", dot.issuer())
        .var("redirect_uri", REDIRECT_URI)
        .var("userinfo", &format!("{}/userinfo/", dot.issuer()))
        .client(client)
}

/// The request lines (`POST http://…/o/token/`) that `-v` printed, in order.
fn hops(out: &Output) -> Vec<String> {
    out.stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("> "))
        .filter(|l| l.starts_with("GET http") || l.starts_with("POST http"))
        .map(str::to_string)
        .collect()
}

/// How many request lines start with `prefix`.
fn count(hops: &[String], prefix: &str) -> usize {
    hops.iter().filter(|h| h.starts_with(prefix)).count()
}

// ---------------------------------------------------------------------------------------
// Grants without a browser

const PASSWORD: &str = r"name: DOT password grant
requests:
  - name: sign in
    id: login
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: alice
      password: wonderland
      scope: openid profile email read
    expect:
      body:
        $.token_type: Bearer
        $.expires_in: { gt: 0 }
        $.scope: openid profile email read
        $.access_token: { exists: true }
        $.refresh_token: { exists: true }
  - name: userinfo
    GET: <<userinfo>>
    auth: { oauth2: login }
    expect:
      body:
        $.preferred_username: alice
        $.name: Alice Liddell
        $.email: alice@example.com
";

/// The password grant (DOT gives no id_token for it), and its token at userinfo.
#[test]
fn dot_password_grant() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, PASSWORD, &password_client()).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200")
        .stdout_contains("2 passed, 0 failed")
        .output_lacks("wonderland")
        .output_lacks("password-secret");
}

const CLIENT_CREDENTIALS: &str = r"name: DOT client credentials
requests:
  - name: secret in a Basic header
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      client_auth: basic
      scope: read
    expect:
      body:
        $.token_type: Bearer
        $.scope: read
        $.access_token: { exists: true }
  - name: secret in the body
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      client_auth: body
      scope: write
    expect:
      body:
        $.scope: write
        $.access_token: { exists: true }
  - name: a secret with special characters
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<special_id>>
      client_secret: <<special_secret>>
      client_auth: basic
      scope: read
    expect:
      body: { $.scope: read }
";

/// client_credentials with `client_auth: basic` and `client_auth: body` (DOT takes both
/// from any confidential client), and a secret that must be form-encoded inside Basic.
#[test]
fn dot_client_credentials_basic_and_body() {
    let Some(dot) = dot() else { return };
    let special = special_client();
    let out = run(&dot, CLIENT_CREDENTIALS, &cc_client())
        .var("special_id", &special.id)
        .var("special_secret", special.secret())
        .args(["-v", "--json", "r.json"])
        .run();
    out.code(0)
        .stdout_contains("✓ secret in a Basic header 200")
        .stdout_contains("✓ secret in the body 200")
        .stdout_contains("✓ a secret with special characters 200")
        .stdout_contains("3 passed, 0 failed")
        .output_lacks("cc-secret");
    // Each request's token POST carries the secret where it was asked to.
    let doc: Value = serde_json::from_str(&out.file("r.json")).expect("JSON report");
    let token_post = |i: usize| -> String {
        doc["files"][0]["requests"][i]["exchange"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["request"].as_str())
            .find(|r| r.starts_with(&format!("POST {}/token/", dot.issuer())))
            .unwrap_or_else(|| panic!("no token POST in request {i}: {doc:#}"))
            .to_lowercase()
    };
    let basic = token_post(0);
    assert!(
        basic.contains("authorization:") && !basic.contains("client_secret="),
        "{basic}"
    );
    let body = token_post(1);
    assert!(
        !body.contains("authorization:") && body.contains("client_secret="),
        "{body}"
    );
}

const WRONG_SECRET: &str = r"name: DOT wrong secret
requests:
  - name: a wrong secret in a Basic header
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: not-the-secret
      client_auth: basic
    expect:
      status: 401
      body: { $.error: invalid_client }
  - name: a wrong secret in the body
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: not-the-secret
      client_auth: body
    expect: { status: 401 }
  - name: a wrong secret, no status expected
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: not-the-secret
";

/// A wrong secret is DOT's 401 `invalid_client` (with a `WWW-Authenticate: Bearer`
/// challenge, not Basic): an expected outcome with `expect: { status: 401 }`, a failure
/// that says so without.
#[test]
fn dot_wrong_client_secret() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, WRONG_SECRET, &cc_client()).run();
    out.code(1)
        .stdout_contains("✓ a wrong secret in a Basic header 401")
        .stdout_contains("✓ a wrong secret in the body 401")
        .stdout_contains("✗ a wrong secret, no status expected 401")
        .stdout_contains("the provider refused the request: 401 (invalid_client")
        .stdout_contains("2 passed, 1 failed")
        .output_lacks("not-the-secret");
}

// ---------------------------------------------------------------------------------------
// Authorization code + PKCE, headless, through Django's login page and DOT's consent page

/// Sign in with the code grant as alice, then call userinfo with the token. `SECRET` is
/// the client_secret line (empty for the public client).
const CODE: &str = r"name: DOT authorization code
requests:
  - name: sign in
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      SECRET
      scope: openid profile email read
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
    expect:
      body:
        $.token_type: Bearer
        $.id_token: { exists: true }
        $.refresh_token: { exists: true }
  - name: userinfo
    GET: <<userinfo>>
    auth: { oauth2: login }
    expect:
      body:
        $.sub: <<login.claims.sub>>
        $.preferred_username: alice
        $.email: alice@example.com
";

fn code_yaml(client: &Client) -> String {
    let secret = if client.secret.is_some() {
        "client_secret: <<client_secret>>"
    } else {
        "# a public client: no secret"
    };
    CODE.replace("SECRET", secret)
}

/// Runs `CODE` for `client` with `-v`, checks it passed, and returns its hops.
fn code_flow(dot: &Dot, client: &Client) -> (Output, Vec<String>) {
    let out = run(dot, &code_yaml(client), client).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200")
        .stdout_contains("2 passed, 0 failed")
        .stdout_contains("code_challenge_method=S256")
        .output_lacks("wonderland");
    let hops = hops(&out);
    let root = dot.root();
    // Django's login page, filled once; the id_token verified with DOT's JWKS.
    assert_eq!(
        count(&hops, &format!("GET {root}/accounts/login/?next=")),
        1,
        "{hops:#?}"
    );
    assert_eq!(
        count(&hops, &format!("POST {root}/accounts/login/")),
        1,
        "{hops:#?}"
    );
    assert_eq!(
        count(
            &hops,
            &format!("GET {}/.well-known/jwks.json", dot.issuer())
        ),
        1,
        "{hops:#?}"
    );
    (out, hops)
}

/// A confidential client that shows DOT's stock consent page: Cancel first, then
/// `name="allow" value="Authorize"`; baton presses Authorize.
#[test]
fn dot_code_flow_through_the_consent_page() {
    let Some(dot) = dot() else { return };
    let (out, hops) = code_flow(&dot, &code_client());
    assert_eq!(
        count(&hops, &format!("POST {}/authorize/?", dot.issuer())),
        1,
        "the consent form posted once: {hops:#?}"
    );
    out.stdout_contains("allow=Authorize");
}

/// `skip_authorization`: the login page, then straight back with the code.
#[test]
fn dot_code_flow_skipping_consent() {
    let Some(dot) = dot() else { return };
    let (_, hops) = code_flow(&dot, &skip_client());
    assert_eq!(
        count(&hops, &format!("POST {}/authorize/?", dot.issuer())),
        0,
        "no consent page: {hops:#?}"
    );
}

/// A public client: PKCE proves it, no client authentication at the token endpoint.
#[test]
fn dot_code_flow_public_client() {
    let Some(dot) = dot() else { return };
    let (out, hops) = code_flow(&dot, &public_client());
    assert_eq!(
        count(&hops, &format!("POST {}/authorize/?", dot.issuer())),
        1,
        "{hops:#?}"
    );
    out.stdout_contains("allow=Authorize");
}

const CONSENT_BUTTONS: &str = r"name: DOT consent buttons
requests:
  - name: sign in, naming the button
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid read
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
      consent: { button: Authorize }
  - name: decline
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid read
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
      consent: { button: Cancel }
";

/// `consent: { button: Authorize }` presses the one named; `button: Cancel` is DOT's
/// `error=access_denied` at the redirect URI, a failure that says so. The second sign-in
/// rides on alice's session: no login page, but DOT shows its consent page every time.
#[test]
fn dot_consent_button_named() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, CONSENT_BUTTONS, &code_client()).arg("-v").run();
    out.code(1)
        .stdout_contains("✓ sign in, naming the button 200")
        .stdout_contains("✗ decline")
        .stdout_contains("access_denied")
        .stdout_contains("1 passed, 1 failed");
    let hops = hops(&out);
    assert_eq!(
        count(&hops, &format!("POST {}/accounts/login/", dot.root())),
        1,
        "{hops:#?}"
    );
    assert_eq!(
        count(&hops, &format!("POST {}/authorize/?", dot.issuer())),
        2,
        "{hops:#?}"
    );
    assert_eq!(
        count(&hops, &format!("POST {}/token/", dot.issuer())),
        1,
        "{hops:#?}"
    );
}

const REFRESH: &str = r"name: DOT refresh rotation
requests:
  - name: sign in
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile read
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
  - name: refresh
    id: refreshed
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
    expect:
      body:
        $.access_token: { ne: <<login.access_token>> }
        $.refresh_token: { ne: <<login.refresh_token>> }
        $.id_token: { exists: true }
  - name: the rotated-out refresh token is refused
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
    expect:
      status: 400
      body: { $.error: invalid_grant }
  - name: the reuse revoked the newest refresh token too
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<refreshed.refresh_token>>
    expect:
      status: 400
      body: { $.error: invalid_grant }
";

/// ROTATE_REFRESH_TOKEN: a refresh gives a new refresh token (and an id_token without a
/// nonce, verified all the same); REFRESH_TOKEN_REUSE_PROTECTION: the old one is then
/// refused, and its reuse revokes the new one.
#[test]
fn dot_refresh_rotation_and_reuse() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, REFRESH, &skip_client()).run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ refresh 200")
        .stdout_contains("✓ the rotated-out refresh token is refused 400")
        .stdout_contains("✓ the reuse revoked the newest refresh token too 400")
        .stdout_contains("4 passed, 0 failed");
}

const SINGLE_USE: &str = r"name: DOT single-use code
requests:
  - id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid read
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
  - name: the code is single-use
    oauth2: { grant: authorization_code, mode: code, code: <<login.code>>, code_verifier: <<login.code_verifier>>, issuer: <<issuer>>, client_id: <<client_id>>, client_secret: <<client_secret>>, redirect_uri: <<redirect_uri>> }
    expect: { status: 400, body: { $.error: invalid_grant } }
";

/// The code and verifier of a headless flow (`<<login.code>>`, `<<login.code_verifier>>`)
/// exchanged again, as the README shows it: DOT refuses the used code.
#[test]
fn dot_code_is_single_use() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, SINGLE_USE, &skip_client()).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ the code is single-use 400")
        .stdout_contains("2 passed, 0 failed");
    assert_eq!(
        count(&hops(&out), &format!("POST {}/token/", dot.issuer())),
        2,
        "{}",
        out.stdout
    );
}

const INTROSPECT_REVOKE: &str = r"name: DOT introspection and revocation
requests:
  - name: sign in
    id: login
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: alice
      password: wonderland
      scope: openid read write
  - name: the access token is active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
    expect:
      body:
        $.active: true
        $.client_id: <<client_id>>
        $.username: alice
        $.scope: { contains: write }
  - name: revoke the access token
    oauth2:
      grant: revoke
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
      token_type_hint: access_token
    expect:
      status: 200
  - name: the access token is no longer active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
    expect:
      body: { $.active: false }
  - name: userinfo refuses it
    GET: <<userinfo>>
    auth: { oauth2: login }
    expect:
      status: 401
";

/// DOT's OpenID document names no introspection or revocation endpoint: baton finds them
/// in the RFC 8414 document, `/.well-known/oauth-authorization-server/o` at the root.
#[test]
fn dot_introspection_and_revocation_through_discovery() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, INTROSPECT_REVOKE, &password_client())
        .arg("-v")
        .run();
    out.code(0)
        .stdout_contains("✓ the access token is active 200")
        .stdout_contains("✓ revoke the access token 200")
        .stdout_contains("✓ the access token is no longer active 200")
        .stdout_contains("✓ userinfo refuses it 401")
        .stdout_contains("5 passed, 0 failed");
    let hops = hops(&out);
    let metadata = format!(
        "GET {}/.well-known/oauth-authorization-server/o",
        dot.root()
    );
    assert!(count(&hops, &metadata) >= 1, "{hops:#?}");
    assert_eq!(
        count(&hops, &format!("POST {}/introspect/", dot.issuer())),
        2,
        "{hops:#?}"
    );
    assert_eq!(
        count(&hops, &format!("POST {}/revoke_token/", dot.issuer())),
        1,
        "{hops:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// What the run keeps of a flow, and whose tokens it gets

/// After a flow through the login and consent pages, `-v` and the JSON report hold every
/// hop: discovery, authorize, the login page and its post, the consent page and its post,
/// the token request and the JWKS.
#[test]
fn dot_consent_flow_hops_in_the_report() {
    let Some(dot) = dot() else { return };
    let client = code_client();
    let out = run(&dot, &code_yaml(&client), &client)
        .args(["-v", "--json", "r.json"])
        .run();
    out.code(0).stdout_contains("✓ sign in 200");
    let (issuer, root) = (dot.issuer(), dot.root());
    let doc: Value = serde_json::from_str(&out.file("r.json")).expect("JSON report");
    let heads: Vec<String> = doc["files"][0]["requests"][0]["exchange"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["request"].as_str())
        .map(|r| r.lines().next().unwrap_or_default().to_string())
        .collect();
    let wanted = [
        format!("GET {issuer}/.well-known/openid-configuration"),
        format!("GET {issuer}/authorize/?"),
        format!("GET {root}/accounts/login/?next="),
        format!("POST {root}/accounts/login/"),
        format!("GET {issuer}/authorize/?"),
        format!("POST {issuer}/authorize/?"),
        format!("POST {issuer}/token/"),
        format!("GET {issuer}/.well-known/jwks.json"),
    ];
    // In this order (other requests may come between).
    let mut rest = heads.iter();
    for want in &wanted {
        assert!(
            rest.any(|h| h.starts_with(want.as_str())),
            "{want} (in order) in {heads:#?}"
        );
    }
    let console = hops(&out);
    for want in &wanted {
        assert!(
            console.iter().any(|h| h.starts_with(want.as_str())),
            "{want} in -v: {console:#?}"
        );
    }
    // Django's cookies go with the authorize hops only: the back channel and the API call
    // carry none.
    let sent = |i: usize| -> Vec<String> {
        doc["files"][0]["requests"][i]["exchange"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["request"].as_str().map(str::to_string))
            .collect()
    };
    let has_cookie = |r: &str| r.lines().any(|l| l.to_lowercase().starts_with("cookie:"));
    for r in sent(0).iter().chain(sent(1).iter()) {
        let head = r.lines().next().unwrap_or_default();
        let browser = head.contains("/authorize/?") || head.contains("/accounts/login/");
        if head.starts_with(&format!("POST {root}/accounts/login/"))
            || head.starts_with(&format!("POST {issuer}/authorize/?"))
        {
            assert!(has_cookie(r), "the form post carries the session: {r}");
        }
        if !browser {
            assert!(!has_cookie(r), "no browser cookie on {r}");
        }
    }
}

const USERS: &str = r"name: DOT users
requests:
  - name: sign in as alice
    id: alice
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile email
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
    expect:
      body: { $.id_token: { exists: true } }
  - name: alice again, through her session
    id: again
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile email
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
  - name: sign in as bob
    id: bob
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile email
      redirect_uri: <<redirect_uri>>
      login: { username: bob, password: builder }
  - name: alice in a fresh browser
    id: fresh
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile email
      redirect_uri: <<redirect_uri>>
      login: { username: alice, password: wonderland }
      session: fresh
  - name: userinfo is bob's
    GET: <<userinfo>>
    auth: { oauth2: bob }
    expect:
      body:
        $.sub: { ne: <<alice.claims.sub>> }
        $.preferred_username: bob
        $.email: bob@example.com
  - name: bob's id_token is bob's
    GET: <<userinfo>>
    auth: { oauth2: bob }
    expect:
      body:
        $.sub: <<bob.claims.sub>>
  - name: userinfo is alice's again
    GET: <<userinfo>>
    auth: { oauth2: fresh }
    expect:
      body:
        $.sub: <<alice.claims.sub>>
        $.preferred_username: alice
  - name: and through her session too
    GET: <<userinfo>>
    auth: { oauth2: again }
    expect:
      body:
        $.sub: <<alice.claims.sub>>
";

/// alice, alice again (her session: no login page), bob (his own browser: the login page,
/// his tokens), and alice with `session: fresh` (the login page again).
#[test]
fn dot_alice_then_bob_then_fresh() {
    let Some(dot) = dot() else { return };
    let out = run(&dot, USERS, &code_client()).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ sign in as alice 200")
        .stdout_contains("✓ alice again, through her session 200")
        .stdout_contains("✓ sign in as bob 200")
        .stdout_contains("✓ alice in a fresh browser 200")
        .stdout_contains("✓ userinfo is bob's 200")
        .stdout_contains("✓ bob's id_token is bob's 200")
        .stdout_contains("✓ userinfo is alice's again 200")
        .stdout_contains("✓ and through her session too 200")
        .stdout_contains("8 passed, 0 failed")
        .output_lacks("wonderland")
        .output_lacks("builder");
    let hops = hops(&out);
    assert_eq!(
        count(&hops, &format!("POST {}/accounts/login/", dot.root())),
        3,
        "alice, bob and alice in a fresh browser typed a password: {hops:#?}"
    );
    assert_eq!(
        count(&hops, &format!("POST {}/authorize/?", dot.issuer())),
        4,
        "DOT asks consent every time: {hops:#?}"
    );
}
