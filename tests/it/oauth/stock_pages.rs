//! oidc-provider's own login and consent pages (`devInteractions`, as the library ships
//! them): a headless sign-in written as the README shows it gets through them unchanged,
//! signs in again through the provider's session when the user is the same, and shows the
//! login page again for another user or `session: fresh`.

use super::{Provider, Vars};

const FLOW: &str = r"name: stock pages
requests:
  - name: sign in as alice
    id: alice
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile offline_access
      redirect_uri: <<redirect_uri>>
      extra: { prompt: consent }
      login: { login: alice, password: <<password>> }
  - name: alice again, through the session
    id: again
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile
      redirect_uri: <<redirect_uri>>
      login: { login: alice, password: <<password>> }
  - name: sign in as bob
    id: bob
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile
      redirect_uri: <<redirect_uri>>
      login: { login: bob, password: <<password>> }
  - name: alice in a fresh browser
    id: fresh
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile
      redirect_uri: <<redirect_uri>>
      session: fresh
      login: { login: alice, password: <<password>> }
  - name: userinfo is bob's
    GET: <<userinfo>>
    auth: { oauth2: bob }
    expect:
      body: { $.sub: bob }
  - name: userinfo is alice's
    GET: <<userinfo>>
    auth: { oauth2: fresh }
    expect:
      body: { $.sub: alice }
";

#[test]
fn headless_through_oidc_provider_stock_pages() {
    let Some(p) = Provider::interop_stock_pages() else {
        return;
    };
    let out = p
        .run(FLOW)
        .client(&p.public_client())
        .arg("-v")
        .arg("--json")
        .arg("r.json")
        .run();
    out.code(0)
        .stdout_contains("✓ sign in as alice 200")
        .stdout_contains("✓ alice again, through the session 200")
        .stdout_contains("✓ sign in as bob 200")
        .stdout_contains("✓ alice in a fresh browser 200")
        .stdout_contains("✓ userinfo is bob's 200")
        .stdout_contains("✓ userinfo is alice's 200")
        // The stock consent page's button is pressed: the flow needs no `consent:`.
        .stdout_contains("prompt=consent")
        .output_lacks("wonderland");
    // alice, bob and alice in a fresh browser typed a password; alice's second sign-in rode
    // on her session.
    let logins = out.stdout_redacted().matches("prompt=login&login=").count();
    assert_eq!(logins, 3, "{}", out.stdout_redacted());
}

#[test]
fn stock_pages_with_a_wrong_button_say_which() {
    let Some(p) = Provider::interop_stock_pages() else {
        return;
    };
    let yaml = FLOW[..FLOW.find("  - name: alice again").unwrap()].replace(
        "      login: { login: alice, password: <<password>> }",
        "      login: { login: alice, password: <<password>> }\n      consent: { button: Approve all }",
    );
    let out = p.run(&yaml).client(&p.public_client()).run();
    out.code(1)
        .stdout_contains("✗ sign in as alice")
        .stdout_contains("has no button `approve all`; its buttons: `Continue`");
}
