//! The grants beyond RFC 6749 on both providers: token exchange (RFC 8693; oidc-provider
//! through its `registerGrantType`, as its documentation shows) and the JWT bearer grant
//! (RFC 7523 2.1, an assertion baton signs with the client's key), each with the provider's
//! refusals; and a vendor's grant (`grant: custom`) on the sandbox, which defines one.

use super::{Kind, Provider, Vars, both};

const EXCHANGE: &str = r"name: token exchange
requests:
  - name: the user's token
    id: user
    oauth2: &user
      grant: password
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: <<username>>
      password: <<password>>
      scope: openid api
  - name: another token, the actor's
    id: actor
    oauth2: *user
  - name: whose token it is
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<user.access_token>>
    capture: { sub: $.sub }
  - name: exchange it
    id: exchanged
    oauth2:
      grant: token_exchange
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      subject_token: <<user.access_token>>
      actor_token: <<actor.access_token>>
      scope: api
    expect:
      body:
        $.issued_token_type: urn:ietf:params:oauth:token-type:access_token
        $.access_token: { ne: <<user.access_token>> }
        $.scope: api
  - name: the new token is the user's
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<exchanged.access_token>>
    expect:
      body: { $.active: true, $.sub: <<sub>>, $.scope: api }
  - name: a token the provider never issued is refused
    oauth2:
      grant: token_exchange
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      subject_token: not-a-token-of-this-provider
    expect:
      status: 400
      body: { $.error: invalid_grant }
  - name: a wider scope than the subject's is refused
    oauth2:
      grant: token_exchange
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      subject_token: <<exchanged.access_token>>
      scope: api openid
    expect:
      status: 400
      body: { $.error: invalid_scope }
";

fn token_exchange(p: &Provider) {
    let out = p.run(EXCHANGE).client(&p.basic_client()).arg("-v").run();
    out.code(0).stdout_contains("7 passed, 0 failed");
    // On the wire: the grant type, the token types RFC 8693 requires (defaulted), the
    // tokens themselves masked.
    out.stdout_contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=•••&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&actor_token=•••&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&scope=api");
}
both!(token_exchange);

const JWT_BEARER: &str = r"name: jwt bearer
requests:
  - name: a token for the user's assertion
    id: asserted
    oauth2:
      grant: jwt_bearer
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      assertion_subject: <<sub>>
      scope: openid api
    expect:
      body: { $.access_token: { exists: true } }
  - name: whose token it is
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      token: <<asserted.access_token>>
    expect:
      body: { $.active: true, $.sub: <<sub>> }
  - name: addressed to the issuer (FAPI 2.0's audience)
    oauth2:
      grant: jwt_bearer
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      assertion_subject: <<sub>>
      assertion_audience: issuer
      scope: api
  - name: for nobody the provider knows
    oauth2:
      grant: jwt_bearer
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      assertion_subject: nobody-at-all
    expect:
      status: 400
      body: { $.error: invalid_grant }
";

fn jwt_bearer(p: &Provider) {
    let Some((client, key, _alg)) = p.pkjwt_client() else {
        return;
    };
    let sub = match p.kind {
        Kind::Sandbox => "818727",
        Kind::Interop => "alice",
    };
    let out = p
        .run(JWT_BEARER)
        .client(&client)
        .var("key", &key.display().to_string())
        .var("sub", sub)
        .arg("-v")
        .run();
    out.code(0)
        .stdout_contains("4 passed, 0 failed")
        .stdout_contains(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=•••",
        );
}
both!(jwt_bearer);

/// The sandbox's vendor grant: the type and the fields as written, a wrong key refused.
#[test]
fn a_vendor_grant_is_sent_as_written() {
    let p = Provider::sandbox();
    let yaml = r"name: custom
requests:
  - name: an API key for a token
    oauth2:
      grant: custom
      grant_type: urn:baton:params:grant-type:api-key
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      form: { api_key: key-<<username>>, note: hello }
    expect:
      body: { $.token_type: Bearer }
  - name: a wrong key
    oauth2:
      grant: custom
      grant_type: urn:baton:params:grant-type:api-key
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      form: { api_key: key-nobody }
";
    let out = p.run(yaml).client(&p.basic_client()).arg("-v").run();
    out.code(1)
        .stdout_contains(
            "grant_type=urn%3Abaton%3Aparams%3Agrant-type%3Aapi-key&api_key=•••&note=hello",
        )
        .stdout_contains("the provider refused the request: 400 (invalid_grant: unknown api_key)")
        .stdout_contains("1 passed, 1 failed");
}
