//! client_credentials with every client authentication method a provider supports: a Basic
//! header (and a secret that must be form-encoded inside it, RFC 6749 2.3.1), the body, and
//! RFC 7523 assertions signed with the secret (HS256) or a private key (ES256). Each token is
//! then introspected, so the provider vouches that it is live and the client's own.

use base64::Engine as _;
use serde_json::Value;

use super::{Client, Provider, Vars, both};
use crate::support::Output;

/// A client_credentials request authenticated with `method`, then the introspection of its
/// token by the provider's basic client. `credential` is the line that proves the client.
fn collection(method: &str, credential: &str) -> String {
    format!(
        r"name: client credentials
requests:
  - name: token by {method}
    id: cc
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      {credential}
      client_auth: {method}
      scope: api
    expect:
      body:
        $.token_type: Bearer
        $.access_token: {{ exists: true }}
  - name: the token is active and the client's
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<introspector_id>>
      client_secret: <<introspector_secret>>
      token: <<cc.access_token>>
    expect:
      body:
        $.active: true
        $.client_id: <<client_id>>
"
    )
}

/// Runs the collection with `-v --show-secrets`, so the exact token request can be checked.
fn run(p: &Provider, method: &str, credential: &str, client: &Client) -> Output {
    let introspector = p.basic_client();
    let out = p
        .run(&collection(method, credential))
        .client(client)
        .var("introspector_id", &introspector.id)
        .var("introspector_secret", introspector.secret())
        .args(["-v", "--show-secrets"])
        .run();
    out.code(0)
        .stdout_contains(&format!("✓ token by {method} 200"))
        .stdout_contains("✓ the token is active and the client's 200")
        .stdout_contains("2 passed, 0 failed");
    out
}

/// The `> `-prefixed lines baton printed for the first POST to the token endpoint.
fn token_request(out: &Output) -> String {
    let start = out
        .stdout
        .find("> POST ")
        .unwrap_or_else(|| panic!("no POST in the output:\n{}", out.stdout));
    out.stdout[start..]
        .lines()
        .take_while(|l| l.trim_start().starts_with('>'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The Basic header RFC 6749 2.3.1 asks for: id and secret form-encoded, then base64.
fn basic_header(client: &Client) -> String {
    let pair = format!(
        "{}:{}",
        form_encode(&client.id),
        form_encode(client.secret())
    );
    format!(
        "authorization: Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Header and claims of a JWT, unverified.
fn jwt_parts(token: &str) -> (Value, Value) {
    let part = |i: usize| -> Value {
        let raw = token.split('.').nth(i).expect("a JWT has three parts");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (part(0), part(1))
}

/// The client assertion of the token request, checked as RFC 7523 3 asks.
fn check_assertion(p: &Provider, request: &str, client: &Client, alg: &str) {
    let body = request
        .lines()
        .last()
        .and_then(|l| l.trim().strip_prefix("> "))
        .expect("a body line");
    assert_eq!(
        super::form_field(body, "client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        "{request}"
    );
    assert!(
        super::form_field(body, "client_secret").is_none(),
        "{request}"
    );
    assert!(!request.contains("authorization: Basic"), "{request}");
    let assertion = super::form_field(body, "client_assertion").expect("client_assertion");
    let (header, claims) = jwt_parts(&assertion);
    assert_eq!(header["alg"], alg, "{header}");
    assert_eq!(claims["iss"], client.id.as_str(), "{claims}");
    assert_eq!(claims["sub"], client.id.as_str(), "{claims}");
    let aud = claims["aud"].as_str().unwrap_or_default().to_string();
    assert!(
        aud == p.issuer() || aud == format!("{}/connect/token", p.issuer()),
        "aud {aud}"
    );
    assert!(
        claims["jti"].is_string() && claims["exp"].is_i64(),
        "{claims}"
    );
}

fn client_secret_basic(p: &Provider) {
    let client = p.basic_client();
    let out = run(p, "basic", "client_secret: <<client_secret>>", &client);
    let request = token_request(&out);
    assert!(request.contains(&basic_header(&client)), "{request}");
    assert!(!request.contains("client_secret="), "{request}");
}
both!(client_secret_basic);

fn client_secret_post(p: &Provider) {
    let client = p.body_client();
    let out = run(p, "body", "client_secret: <<client_secret>>", &client);
    let request = token_request(&out);
    assert!(
        request.contains(&format!("client_secret={}", form_encode(client.secret()))),
        "{request}"
    );
    assert!(!request.contains("authorization:"), "{request}");
}
both!(client_secret_post);

/// A secret with `+ / : & = @ %`: sent raw in the Basic header, the provider reads another
/// secret (`+` is a space) and answers 401, so only the form-encoded header passes.
fn special_secret_basic(p: &Provider) {
    let client = p.special_client();
    assert!(client.secret().contains('+') && client.secret().contains(':'));
    let out = run(p, "basic", "client_secret: <<client_secret>>", &client);
    assert!(token_request(&out).contains(&basic_header(&client)));
}
both!(special_secret_basic);

fn client_secret_jwt(p: &Provider) {
    let Some(client) = p.jwt_client() else {
        eprintln!(
            "skipped: the {} has no client_secret_jwt client yet",
            p.name()
        );
        return;
    };
    let out = run(
        p,
        "client_secret_jwt",
        "client_secret: <<client_secret>>",
        &client,
    );
    check_assertion(p, &token_request(&out), &client, "HS256");
}
both!(client_secret_jwt);

fn private_key_jwt(p: &Provider) {
    let Some((client, key, alg)) = p.pkjwt_client() else {
        eprintln!(
            "skipped: the {} has no private_key_jwt client yet",
            p.name()
        );
        return;
    };
    let out = p
        .run(&collection(
            "private_key_jwt",
            "private_key: <<private_key>>",
        ))
        .client(&client)
        .var("private_key", &key.display().to_string())
        .var("introspector_id", &p.basic_client().id)
        .var("introspector_secret", p.basic_client().secret())
        .args(["-v", "--show-secrets"])
        .run();
    out.code(0)
        .stdout_contains("✓ token by private_key_jwt 200")
        .stdout_contains("2 passed, 0 failed");
    check_assertion(p, &token_request(&out), &client, alg);
}
both!(private_key_jwt);

/// A wrong secret is the provider's `invalid_client` (401), and fails the request.
fn wrong_secret(p: &Provider) {
    let yaml = collection("basic", "client_secret: <<client_secret>>");
    let only_the_token_request = &yaml[..yaml.find("  - name: the token is active").unwrap()];
    let client = Client {
        secret: Some("not-the-secret".into()),
        ..p.basic_client()
    };
    let out = p.run(only_the_token_request).client(&client).run();
    out.code(1)
        .stdout_contains("✗ token by basic 401")
        .output_contains("the provider refused the request: 401 (invalid_client: ")
        .output_lacks("not-the-secret");
}
both!(wrong_secret);
