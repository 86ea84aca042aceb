//! Client certificates (mTLS, RFC 8705) of the real binary against the sandbox's TLS port:
//! a token request authenticated by the certificate (`tls_client_auth`,
//! `self_signed_tls_client_auth`) sent to discovery's `mtls_endpoint_aliases`, the token's
//! `cnf.x5t#S256` equal to `cert_thumbprint(...)`, the bound token used with its certificate,
//! and what is refused: another certificate or none at userinfo, a certificate client without
//! a certificate, a key of another certificate, a wrong PKCS#12 password. `--cert`, `--key`,
//! `--cert-password-env`, PKCS#12 and the precedence of `client_cert:` are here too.

use super::Vars;
use super::par::hops;
use crate::support::{Baton, Output};
use baton::{Sandbox, SandboxConfig};
use std::path::Path;

/// A sandbox, its client certificate (made at start) and another one it never registered,
/// copied with its CA into the test's directory.
struct Fixture {
    sandbox: Sandbox,
    _runtime: tokio::runtime::Runtime,
    files: Vec<(&'static str, Vec<u8>)>,
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = super::runtime();
        let sandbox = runtime
            .block_on(Sandbox::start(SandboxConfig::default()))
            .expect("the sandbox starts");
        let vars: std::collections::HashMap<String, String> = sandbox.vars().into_iter().collect();
        let read = |k: &str| std::fs::read(&vars[k]).expect("the sandbox's client files");
        let (other_cert, other_key) = self_signed("someone-else");
        let files = vec![
            (
                "ca.pem",
                pem("CERTIFICATE", &sandbox.mtls_ca()).into_bytes(),
            ),
            ("client.pem", read("SandboxClientCert")),
            ("client.key", read("SandboxClientKey")),
            ("other.pem", other_cert.into_bytes()),
            ("other.key", other_key.into_bytes()),
        ];
        Fixture {
            sandbox,
            _runtime: runtime,
            files,
        }
    }

    /// `baton <args> --cacert ca.pem` on `yaml`, with the certificate files beside it.
    fn baton(&self, yaml: &str, args: &[&str]) -> Baton {
        let mut b = Baton::new().file("c.yaml", yaml);
        for (name, bytes) in &self.files {
            b = b.file(name, bytes);
        }
        b.args(args)
            .args(["--cacert", "ca.pem"])
            .var("issuer", self.sandbox.issuer())
            .var("mtls", self.sandbox.mtls_url())
            .var("username", "alice")
            .var("password", "wonderland")
    }

    fn run(&self, yaml: &str) -> Output {
        self.baton(yaml, &["run", "c.yaml", "-v"]).run()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A self-signed certificate for `cn` and its key, in PEM.
fn self_signed(cn: &str) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}

const BOUND: &str = r#"name: mtls
requests:
  - name: a token for the certificate
    id: svc
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: baton-mtls
      client_auth: tls_client_auth
      client_cert: { cert: client.pem, key: client.key }
      username: <<username>>
      password: <<password>>
      scope: openid profile
    expect:
      jwt:
        $.access_token:
          claims:
            cnf: { x5t#S256: "<<cert_thumbprint('client.pem')>>" }
  - name: the bound token at userinfo
    GET: <<mtls>>/connect/userinfo
    auth: { oauth2: svc }
    expect:
      body: { $.preferred_username: alice }
"#;

/// The token request goes to the TLS alias with the certificate, its token carries the
/// certificate's thumbprint, and the request that uses it presents the same certificate.
#[test]
fn a_token_bound_to_the_certificate_it_was_asked_with() {
    let f = Fixture::new();
    let out = f.run(BOUND);
    out.code(0).stdout_contains("2 passed, 0 failed");
    let mtls = f.sandbox.mtls_url();
    assert_eq!(
        hops(&out)[1..],
        [
            format!("POST {mtls}/connect/token"),
            format!(
                "GET {}/.well-known/openid-configuration/jwks",
                f.sandbox.issuer()
            ),
            format!("GET {mtls}/connect/userinfo"),
        ]
    );
    // -v names the certificate presented, never its key.
    out.stdout_contains("* client certificate client.pem (subject CN=baton-sandbox-client, O=baton sandbox; x5t#S256 ")
        .stdout_contains("--cert client.pem --key client.key")
        .output_lacks("PRIVATE KEY");
    assert_eq!(f.sandbox.hits("/connect/token"), 1);
}

/// The self-signed client, registered by its certificate's thumbprint, with `--cert` and a
/// PEM holding both certificate and key.
#[test]
fn a_self_signed_client_with_cert_on_the_command_line() {
    let f = Fixture::new();
    let yaml = r#"requests:
  - name: token
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: baton-mtls-self
      client_auth: self_signed_tls_client_auth
    expect:
      jwt: { $.access_token: { claims: { cnf: { x5t#S256: "<<cert_thumbprint('client.pem')>>" } } } }
"#;
    let both = [f.files[1].1.clone(), f.files[2].1.clone()].concat();
    f.baton(yaml, &["run", "c.yaml", "--cert", "both.pem"])
        .file("both.pem", both)
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
    // Another certificate is not the one registered: the sandbox refuses the client.
    let out = f
        .baton(
            yaml,
            &["run", "c.yaml", "--cert", "other.pem", "--key", "other.key"],
        )
        .run();
    out.code(1)
        .stdout_contains("invalid_client")
        .stdout_contains("is not the one registered for client `baton-mtls-self`");
}

/// `client_cert:` of a request (or its oauth2 block) comes before `defaults:`, which comes
/// before `--cert`.
#[test]
fn a_request_s_certificate_then_defaults_then_the_command_line() {
    let f = Fixture::new();
    let token = |cert: &str| {
        format!(
            "  - oauth2: {{ grant: client_credentials, issuer: <<issuer>>, client_id: baton-mtls, client_auth: tls_client_auth{cert} }}\n"
        )
    };
    let own = "client_cert: { cert: client.pem, key: client.key }";
    let defaults = "defaults:\n  client_cert: { cert: client.pem, key: client.key }\n";
    let wrong = ["--cert", "other.pem", "--key", "other.key"];
    let run = |yaml: String| {
        f.baton(&yaml, &[&["run", "c.yaml"][..], &wrong[..]].concat())
            .run()
    };
    run(format!("requests:\n{}", token(&format!(", {own}"))))
        .code(0)
        .stdout_contains("1 passed");
    run(format!("{defaults}requests:\n{}", token("")))
        .code(0)
        .stdout_contains("1 passed");
    // A request's own beats defaults: here the wrong one, refused.
    let yaml = format!(
        "{defaults}requests:\n{}",
        token(", client_cert: { cert: other.pem, key: other.key }")
    );
    run(yaml).code(1).stdout_contains("invalid_client");
    // --cert alone is used.
    run(format!("requests:\n{}", token("")))
        .code(1)
        .stdout_contains("invalid_client");
}

/// A bound token presented with another certificate, or none, is refused by the resource
/// server, and baton says why.
#[test]
fn a_bound_token_with_another_certificate_or_none_is_refused() {
    let f = Fixture::new();
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
    out.code(1).stdout_contains("2 passed, 2 failed");
    insta::assert_snapshot!(failures(&out));
}

/// The lines of the failed requests' reports (without the passing ones).
fn failures(out: &Output) -> String {
    out.stdout_redacted()
        .lines()
        .skip_while(|l| !l.contains('✗'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What cannot work is an input error (exit 2) before anything is sent: a certificate
/// client without a certificate, a key of another certificate, a PEM without certificate.
#[test]
fn certificates_that_cannot_work_are_input_errors() {
    let f = Fixture::new();
    let block = |cert: &str| {
        format!(
            "requests:\n  - oauth2: {{ grant: client_credentials, issuer: <<issuer>>, client_id: baton-mtls, client_auth: tls_client_auth{cert} }}\n"
        )
    };
    let mut messages = Vec::new();
    for (what, yaml) in [
        ("no certificate", block("")),
        (
            "a key of another certificate",
            block(", client_cert: { cert: client.pem, key: other.key }"),
        ),
        (
            "a key for a certificate",
            block(", client_cert: { cert: client.key }"),
        ),
        (
            "no such file",
            block(", client_cert: { cert: missing.pem }"),
        ),
    ] {
        let out = f.baton(&yaml, &["run", "c.yaml"]).run();
        out.code(2);
        messages.push(format!("# {what}\n{}", out.stdout_redacted()));
    }
    assert_eq!(f.sandbox.hits("/connect/token"), 0);
    // --cert is checked as the run starts.
    let out = f
        .baton(
            &block(""),
            &[
                "run",
                "c.yaml",
                "--cert",
                "client.pem",
                "--key",
                "other.key",
            ],
        )
        .run();
    out.code(2).stdout_is("");
    messages.push(format!(
        "# --cert with another key\n{}",
        out.stderr_redacted()
    ));
    insta::assert_snapshot!(messages.join("\n"));
}

/// `baton check` reads `client_cert:` as the loader does: its keys, and `cert` required.
#[test]
fn check_validates_the_shape_of_client_cert() {
    let out = Baton::new()
        .file(
            "c.yaml",
            "defaults:\n  client_cert: { key: k.pem }\nrequests:\n  - GET: https://127.0.0.1:1/\n    client_cert: { cert: c.pem, pasword_env: X }\n",
        )
        .args(["check", "c.yaml"])
        .run();
    out.code(2);
    insta::assert_snapshot!(out.stderr_redacted());
}

/// PKCS#12 with its password from the environment; a wrong one said clearly.
#[test]
fn a_pkcs12_certificate_with_its_password_in_the_environment() {
    let f = Fixture::new();
    let p12 = pkcs12(&f.files[1].1, &f.files[2].1, "s3cret");
    let yaml = "requests:\n  - oauth2: { grant: client_credentials, issuer: <<issuer>>, client_id: baton-mtls, client_auth: tls_client_auth }\n";
    let args = [
        "run",
        "c.yaml",
        "--cert",
        "client.p12",
        "--cert-password-env",
        "P12_PASSWORD",
    ];
    f.baton(yaml, &args)
        .file("client.p12", &p12)
        .env("P12_PASSWORD", "s3cret")
        .run()
        .code(0)
        .stdout_contains("1 passed");
    let out = f
        .baton(yaml, &args)
        .file("client.p12", &p12)
        .env("P12_PASSWORD", "wrong")
        .run();
    out.code(2)
        .stderr_contains("cannot open the PKCS#12 file client.p12")
        .stderr_contains("is the password right?")
        .output_lacks("wrong");
}

/// A PKCS#12 file of a PEM certificate and key.
fn pkcs12(cert: &[u8], key: &[u8], password: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject as _;
    let cert = rustls::pki_types::CertificateDer::from_pem_slice(cert).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key).unwrap();
    let chain = p12_keystore::PrivateKeyChain::new(
        vec![1u8; 20],
        p12_keystore::PrivateKey::from_der(key.secret_der()).unwrap(),
        [p12_keystore::Certificate::from_der(cert.as_ref()).unwrap()],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store.writer(password).write().unwrap()
}

/// The example runs against `--sandbox` as the README says.
#[test]
fn the_example_runs_against_the_sandbox() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Baton::new()
        .file(
            "mtls.yaml",
            std::fs::read(root.join("collections/mtls.yaml")).unwrap(),
        )
        .args(["run", "mtls.yaml", "--sandbox"])
        .run();
    out.code(0).stdout_contains("4 passed, 0 failed");
}
