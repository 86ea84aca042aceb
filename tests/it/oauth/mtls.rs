//! Client certificates (mTLS, RFC 8705) of the real binary against the sandbox's TLS port and
//! oidc-provider over HTTPS: a token request authenticated by the certificate
//! (`tls_client_auth`, `self_signed_tls_client_auth`) sent to the mTLS endpoints, the token's
//! `cnf.x5t#S256` equal to `cert_thumbprint(...)`, the bound token used (and renewed) with its
//! certificate, and what the providers refuse: another certificate or none at userinfo, a
//! certificate client without one. What baton refuses itself, the command line and PKCS#12
//! are in `inputs.rs`; the providers in `fixture.rs`.

mod fixture;
mod inputs;

use super::Vars as _;
use super::par::hops;
use crate::support::Output;
use baton::SandboxConfig;
use fixture::{Fixture, both_tls};

const BOUND: &str = r#"name: mtls
requests:
  - name: a token for the certificate
    id: svc
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: <<tls_client>>
      client_auth: tls_client_auth
      client_cert: { cert: client.pem, key: client.key }
      username: <<username>>
      password: <<password>>
      scope: openid profile
  - name: the provider bound it to the certificate
    POST: <<mtls>>/connect/introspect
    form: { token: <<svc.access_token>>, client_id: <<tls_client>> }
    client_cert: { cert: client.pem, key: client.key }
    expect:
      body:
        $.active: true
        $.cnf['x5t#S256']: "<<cert_thumbprint('client.pem')>>"
  - name: the bound token at userinfo
    GET: <<mtls>>/connect/userinfo
    auth: { oauth2: svc }
    expect:
      body: { $.sub: { exists: true } }
"#;

/// The token request goes to the mTLS endpoint with the certificate, the provider binds the
/// token to its thumbprint (`cert_thumbprint`), and the request that uses the token presents
/// the same certificate without being told.
fn a_token_bound_to_the_certificate_it_was_asked_with(f: &Fixture) {
    let out = f.run(BOUND);
    out.code(0).stdout_contains("3 passed, 0 failed");
    let hops = hops(&out);
    let mtls = &f.mtls;
    for hop in [
        format!("POST {mtls}/connect/token"),
        format!("POST {mtls}/connect/introspect"),
        format!("GET {mtls}/connect/userinfo"),
    ] {
        assert!(hops.contains(&hop), "{hop} in {hops:?}");
    }
    // -v names the certificate presented (at each of the three), never its key.
    let named = out
        .stdout
        .matches("* client certificate client.pem (subject CN=")
        .count();
    assert_eq!(named, 3, "{}", out.stdout);
    out.stdout_contains("--cert 'client.pem' --key 'client.key'")
        .output_lacks("PRIVATE KEY");
    if let Some(sandbox) = f.sandbox_handle() {
        assert_eq!(sandbox.hits("/connect/token"), 1);
    }
}
both_tls!(a_token_bound_to_the_certificate_it_was_asked_with);

/// A bound token presented with another certificate, or none, is refused by the resource
/// server, and baton says why.
fn a_bound_token_with_another_certificate_or_none_is_refused(f: &Fixture) {
    let yaml = format!(
        "{BOUND}  - name: the token with another certificate
    GET: <<mtls>>/connect/userinfo
    auth: {{ bearer: <<svc.access_token>> }}
    client_cert: {{ cert: other.pem, key: other.key }}
  - name: the token with no certificate
    GET: <<mtls>>/connect/userinfo
    auth: {{ bearer: <<svc.access_token>> }}
"
    );
    let out = f.baton(&yaml, &["run", "c.yaml"]).run();
    out.code(1).stdout_contains("3 passed, 2 failed");
    insta::assert_snapshot!(format!("bound_token_refused_{}", f.name()), failures(&out));
}
both_tls!(a_bound_token_with_another_certificate_or_none_is_refused);

/// The provider refuses a certificate client whose request has no certificate (baton
/// refuses to send one itself: `certificates_that_cannot_work_are_input_errors`).
fn a_certificate_client_without_a_certificate_is_refused(f: &Fixture) {
    let yaml = r"requests:
  - name: a client of the certificate, without one
    POST: <<mtls>>/connect/token
    form: { grant_type: client_credentials, client_id: <<tls_client>> }
    expect:
      status: 401
      body: { $.error: invalid_client }
";
    f.baton(yaml, &["run", "c.yaml"])
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
}
both_tls!(a_certificate_client_without_a_certificate_is_refused);

/// The self-signed client, registered by its certificate's thumbprint, with `--cert` and a
/// PEM holding both certificate and key.
fn a_self_signed_client_with_cert_on_the_command_line(f: &Fixture) {
    let yaml = r#"requests:
  - name: token
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<self_client>>
      client_auth: self_signed_tls_client_auth
  - name: bound to the certificate
    POST: <<mtls>>/connect/introspect
    form: { token: <<access_token>>, client_id: <<self_client>> }
    expect:
      body:
        $.cnf['x5t#S256']: "<<cert_thumbprint('client.pem')>>"
"#
    .replace(
        "  - name: token\n",
        "  - name: token\n    capture: { access_token: $.access_token }\n",
    );
    let both = [f.file("client.pem"), f.file("client.key")].concat();
    f.baton(&yaml, &["run", "c.yaml", "--cert", "both.pem"])
        .file("both.pem", both)
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
    // Another certificate is not the one registered: the provider refuses the client.
    let out = f
        .baton(
            &yaml,
            &["run", "c.yaml", "--cert", "other.pem", "--key", "other.key"],
        )
        .run();
    out.code(1).stdout_contains("invalid_client");
}
both_tls!(a_self_signed_client_with_cert_on_the_command_line);

/// `baton token` takes the TLS flags of `run`: a certificate client's token obtained with
/// `--cert` (and `--cacert` for the interop provider's own CA) is the one bound to that
/// certificate, and without `--cert` baton says the client needs one.
fn baton_token_presents_the_certificate_of_the_command_line(f: &Fixture) {
    let yaml = "requests:
  - id: svc
    oauth2: { grant: client_credentials, issuer: <<issuer>>, client_id: <<tls_client>>, client_auth: tls_client_auth }
";
    let cert = ["--cert", "client.pem", "--key", "client.key"];
    let out = f
        .baton(yaml, &[&["token", "c.yaml"][..], &cert].concat())
        .run();
    out.code(0).stderr_contains("baton: access token requested");
    let token = out.stdout.trim().to_string();
    assert!(!token.is_empty() && !token.contains('\n'), "{token:?}");
    // The token printed is bound to the certificate: introspection says so.
    let check = r#"requests:
  - POST: <<mtls>>/connect/introspect
    form: { token: <<token>>, client_id: <<tls_client>> }
    expect:
      body:
        $.active: true
        $.cnf['x5t#S256']: "<<cert_thumbprint('client.pem')>>"
"#;
    f.baton(check, &[&["run", "c.yaml"][..], &cert].concat())
        .var("token", &token)
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
    // Without one, baton says what is missing before sending anything.
    f.baton(yaml, &["token", "c.yaml"])
        .run()
        .code(2)
        .stderr_contains("needs a client certificate")
        .stderr_contains("or --cert");
}
both_tls!(baton_token_presents_the_certificate_of_the_command_line);

/// The sandbox's access tokens are JWTs: the claim itself, checked by `expect: { jwt }`.
#[test]
fn the_sandbox_s_jwt_carries_the_thumbprint() {
    let f = Fixture::sandbox();
    let yaml = r#"requests:
  - oauth2: { grant: client_credentials, issuer: <<issuer>>, client_id: <<tls_client>>, client_auth: tls_client_auth }
    expect:
      jwt: { $.access_token: { claims: { cnf: { x5t#S256: "<<cert_thumbprint('client.pem')>>" } } } }
"#;
    let run = |yaml: &str| {
        f.baton(
            yaml,
            &[
                "run",
                "c.yaml",
                "--cert",
                "client.pem",
                "--key",
                "client.key",
            ],
        )
        .run()
    };
    run(yaml).code(0).stdout_contains("1 passed");
    // Another certificate (not the client's: refused) would not match: the check is real.
    let other = yaml.replace(
        "cert_thumbprint('client.pem')",
        "cert_thumbprint('other.pem')",
    );
    run(&other).code(1).stdout_contains("cnf");
}

/// `-v`'s reproduce line of a request to an mTLS endpoint, copied as is into a shell, is
/// accepted by the provider: curl gets the CA baton trusted (`--cacert`) and the certificate
/// it presented (`--cert`, `--key`), and the bound token is still good with them.
fn the_reproduce_line_runs_in_curl(f: &Fixture) {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(std::env::var_os("CI").is_none(), "curl is missing under CI");
        eprintln!("skipped: no curl");
        return;
    }
    let out = f
        .baton(BOUND, &["run", "c.yaml", "-v", "--show-secrets"])
        .run();
    out.code(0);
    let line = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("reproduce: "))
        .find(|l| l.contains("/connect/introspect"))
        .expect("the introspection's reproduce line")
        .to_string();
    assert!(
        line.contains("--cacert 'ca.pem' --cert 'client.pem' --key 'client.key'"),
        "{line}"
    );
    let curl = |line: &str| {
        let curl = crate::support::Baton::new()
            .program("bash")
            .args(["-c", &format!("{line} -sS")]);
        f.with_files(curl).run()
    };
    curl(&line).code(0).stdout_contains("\"active\":true");
    // Without the certificate, the provider does not take the client's word for it.
    let refused = curl(&line.replace(" --cert 'client.pem' --key 'client.key'", ""));
    assert!(
        !refused.stdout.contains("\"active\":true"),
        "{}",
        refused.stdout
    );
}
both_tls!(the_reproduce_line_runs_in_curl);

/// `baton docs check` takes the TLS flags of `run`: a guide whose blocks get a token with the
/// certificate of `--cert` from a provider behind the CA of `--cacert`, and use it.
fn docs_check_reaches_the_provider_with_the_flags_of_run(f: &Fixture) {
    let guide = "# Bound tokens

```baton
name: a token for the certificate
id: svc
oauth2: { grant: client_credentials, issuer: <<issuer>>, client_id: <<tls_client>>, client_auth: tls_client_auth }
```

```baton
name: bound to it
POST: <<mtls>>/connect/introspect
form: { token: <<svc.access_token>>, client_id: <<tls_client>> }
expect:
  body:
    $.cnf['x5t#S256']: \"<<cert_thumbprint('client.pem')>>\"
```
";
    let args = [
        "docs",
        "check",
        "guide.md",
        "--cert",
        "client.pem",
        "--key",
        "client.key",
    ];
    f.baton("", &args)
        .file("guide.md", guide)
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
}
both_tls!(docs_check_reaches_the_provider_with_the_flags_of_run);

/// A bound token renewed (refresh grant) presents its certificate too: the client cannot
/// authenticate without it, and the new token is bound again.
#[test]
fn a_bound_token_is_renewed_with_its_certificate() {
    let mut config = SandboxConfig::default();
    config.lifetimes.access_token = 1;
    let f = Fixture::sandbox_with(config);
    // Without the introspection of BOUND: it reads the token as written, and a token of one
    // second may be spent by then (its `exp` is whole seconds); the other requests renew it.
    let start = BOUND.find("  - name: the provider bound it").unwrap();
    let end = BOUND.find("  - name: the bound token at userinfo").unwrap();
    let bound = [&BOUND[..start], &BOUND[end..]].concat();
    let yaml = bound.replace(
        "scope: openid profile",
        "scope: openid profile offline_access",
    ) + "  - name: after the token expired
    delay_ms: 2100
    GET: <<mtls>>/connect/userinfo
    auth: { oauth2: svc }
    expect:
      body: { $.sub: { exists: true } }
";
    let out = f.run(&yaml);
    out.code(0).stdout_contains("3 passed, 0 failed");
    let mtls = &f.mtls;
    let refresh = out
        .stdout
        .split(&format!("> POST {mtls}/connect/token"))
        .nth(2)
        .expect("a second token request: the renewal");
    assert!(refresh.contains("grant_type=refresh_token"), "{refresh}");
    assert!(
        refresh.contains("* client certificate client.pem"),
        "{refresh}"
    );
}

/// The lines of the failed requests' reports (without the passing ones).
fn failures(out: &Output) -> String {
    out.stdout_redacted()
        .lines()
        .skip_while(|l| !l.contains('✗'))
        .collect::<Vec<_>>()
        .join("\n")
}
