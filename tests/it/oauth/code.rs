//! The authorization code grant with PKCE S256: headless (redirects followed with a cookie
//! jar; a real HTML login form filled from `login:`), its id_token verified (and refused
//! against a wrong JWKS), and interactive (a "browser" that follows the redirects to baton's
//! loopback listener; a callback that never comes).

use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use serde_json::Value;

use super::{Provider, Relay, Vars, both, get_json};
use crate::support::Baton;

/// Sign in with the code grant, then call userinfo with the token. `EXTRA` holds the lines a
/// scenario adds to the `oauth2` block.
const CODE: &str = r"name: authorization code
requests:
  - name: sign in
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile email offline_access
      redirect_uri: <<redirect_uri>>
      pkce: S256
      extra: { prompt: consent }
      EXTRA
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

fn code(extra: &str) -> String {
    CODE.replace("EXTRA", extra)
}

/// The sign-in alone, for runs where it fails (a later request would lack its token).
fn sign_in_only(extra: &str) -> String {
    let yaml = code(extra);
    yaml[..yaml.find("  - name: userinfo").unwrap()].to_string()
}

/// Headless, with a public client: PKCE is what proves the client, and the id_token is
/// verified (its claims are there to compare with userinfo).
fn headless_code_pkce(p: &Provider) {
    let out = p
        .run(&code("mode: headless"))
        .client(&p.public_client())
        .arg("-v")
        .run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200")
        .stdout_contains("code_challenge_method=S256")
        .stdout_contains("grant_type=authorization_code");
}
both!(headless_code_pkce);

/// A JWKS like the provider's, with `edit` applied to its keys.
fn jwks_edited(p: &Provider, edit: impl Fn(&mut serde_json::Map<String, Value>)) -> String {
    let mut jwks = get_json(&format!(
        "{}/.well-known/openid-configuration/jwks",
        p.issuer()
    ));
    for key in jwks["keys"].as_array_mut().expect("keys") {
        edit(key.as_object_mut().expect("a key"));
    }
    jwks.to_string()
}

/// The id_token checked against a JWKS that is not the provider's: one without its `kid`,
/// and one whose key under that `kid` is another (a changed modulus).
fn id_token_against_a_wrong_jwks(p: &Provider) {
    let other_kid = jwks_edited(p, |k| {
        k.insert("kid".into(), "someone-else".into());
    });
    let other_key = jwks_edited(p, |k| {
        let n = k["n"].as_str().expect("an RSA key").to_string();
        let mut n: Vec<char> = n.chars().collect();
        let i = n.len() / 2;
        n[i] = if n[i] == 'A' { 'B' } else { 'A' };
        k.insert("n".into(), n.into_iter().collect::<String>().into());
    });
    let relay = Relay::start("", &[("kid", other_kid), ("key", other_key)]);
    for (doc, says) in [
        ("kid", "the JWKS has no key with kid `"),
        ("key", "bad signature"),
    ] {
        let out = p
            .run(&sign_in_only(
                "verify_id_token: true\n      jwks_url: <<jwks>>",
            ))
            .client(&p.public_client())
            .var("jwks", &relay.url(&format!("/doc/{doc}")))
            .run();
        out.code(1)
            .stdout_contains("✗ sign in 200")
            .stdout_contains("the id_token does not verify: ")
            .stdout_contains(says);
    }
}
both!(id_token_against_a_wrong_jwks);

/// The `cli-form` client's login prompt is an HTML form (hidden uid and csrf fields):
/// `login:` fills it. A wrong password gets the form again, and baton gives up at once,
/// quoting the page's error message.
fn login_form(p: &Provider) {
    let Some((client, user_field, password_field)) = p.form_client() else {
        eprintln!(
            "skipped: the {} has no client with a login form yet",
            p.name()
        );
        return;
    };
    let login = format!(
        "mode: headless\n      login: {{ {user_field}: <<username>>, {password_field}: <<password>> }}"
    );
    let secret = "client_id: <<client_id>>\n      client_secret: <<client_secret>>";
    let yaml = code(&login).replace("client_id: <<client_id>>", secret);
    let out = p.run(&yaml).client(&client).arg("-v").run();
    out.code(0)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200")
        .stdout_contains(&format!("{user_field}=alice"));
    let yaml = sign_in_only(&login).replace("client_id: <<client_id>>", secret);
    let out = p
        .run(&yaml)
        .client(&client)
        .var("password", "Not-Her-Password-42")
        .run();
    out.code(1)
        .stdout_contains("✗ sign in")
        .stdout_contains("the provider showed its login form again after baton submitted it (")
        .stdout_contains("(are the credentials in `login:` right?)")
        .stdout_contains("Invalid")
        .output_lacks("Not-Her-Password-42");
}
both!(login_form);

/// A "browser" that follows every redirect with a cookie jar, as a person signing in would,
/// and so lands on baton's loopback listener.
const BROWSER: &str = "#!/bin/sh\ncurl -s -L -c \"$JAR\" -b \"$JAR\" -o /dev/null \"$1\"\n";

fn script(baton: &Baton, name: &str, text: &str) -> std::path::PathBuf {
    let path = baton.dir().join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `redirect_uri: http://127.0.0.1:0/callback`: baton listens on a free port and sends that.
fn interactive(p: &Provider) {
    let yaml = code("mode: interactive\n      wait: 20s").replace(
        "redirect_uri: <<redirect_uri>>",
        "redirect_uri: http://127.0.0.1:0/callback",
    );
    let baton = p.run(&yaml).client(&p.public_client());
    let browser = script(&baton, "browser.sh", BROWSER);
    let jar = baton.dir().join("cookies.txt");
    let out = baton
        .env("BROWSER", &browser)
        .env("JAR", &jar)
        .timeout(Duration::from_secs(40))
        .run();
    out.code(0)
        .stdout_contains("Sign in in your browser: ")
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ userinfo 200");
    // The port sent is the one bound, not 0.
    assert!(
        !out.stdout
            .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A0%2F"),
        "{}",
        out.stdout
    );
}
both!(interactive);

/// A browser that never comes back: exit 3 once `wait` is over, not a hang.
fn interactive_without_callback(p: &Provider) {
    let yaml = sign_in_only("mode: interactive\n      wait: 1s").replace(
        "redirect_uri: <<redirect_uri>>",
        "redirect_uri: http://127.0.0.1:0/callback",
    );
    let out = p
        .run(&yaml)
        .client(&p.public_client())
        .env("BROWSER", "/bin/true")
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains("✗ sign in")
        .stdout_contains("no redirect reached http://127.0.0.1:")
        .stdout_contains("within 1s");
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);
}
both!(interactive_without_callback);
