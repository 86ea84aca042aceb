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

/// A provider with a TLS port: the sandbox (its mTLS port, its client certificate made at
/// start), or oidc-provider over HTTPS with certificates made here. Either way the test's
/// directory gets `ca.pem`, the registered `client.pem`/`client.key`, and `other.pem`/
/// `other.key`, a certificate no client is registered with.
struct Fixture {
    server: Server,
    files: Vec<(&'static str, Vec<u8>)>,
    issuer: String,
    /// Where a client with a certificate sends (the sandbox's aliases; the interop issuer).
    mtls: String,
    tls_client: &'static str,
    self_client: &'static str,
}

enum Server {
    Sandbox {
        sandbox: Sandbox,
        _runtime: tokio::runtime::Runtime,
    },
    Interop {
        child: std::process::Child,
        _stdin: std::process::ChildStdin,
        log: std::sync::Arc<std::sync::Mutex<String>>,
        _dir: tempfile::TempDir,
    },
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Server::Interop { child, log, .. } = &mut self.server {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                let log = log.lock().unwrap();
                eprintln!(
                    "--- interop server log ---\n{}",
                    &log[log.len().saturating_sub(4000)..]
                );
            }
        }
    }
}

impl Fixture {
    fn sandbox() -> Fixture {
        Fixture::sandbox_with(SandboxConfig::default())
    }

    fn sandbox_with(config: SandboxConfig) -> Fixture {
        let runtime = super::runtime();
        let sandbox = runtime
            .block_on(Sandbox::start(config))
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
            issuer: sandbox.issuer().to_string(),
            mtls: sandbox.mtls_url().to_string(),
            server: Server::Sandbox {
                sandbox,
                _runtime: runtime,
            },
            files,
            tls_client: "baton-mtls",
            self_client: "baton-mtls-self",
        }
    }

    /// One HTTPS interop server for every scenario (none counts hits): starting node is slow
    /// on a busy machine. It stops when the test process ends (its stdin closes).
    fn interop_shared() -> Option<&'static Fixture> {
        static SHARED: std::sync::OnceLock<Option<Fixture>> = std::sync::OnceLock::new();
        SHARED.get_or_init(Fixture::interop).as_ref()
    }

    /// oidc-provider over HTTPS (`features.mTLS`), or `None` where it cannot run.
    fn interop() -> Option<Fixture> {
        if let Some(why) = super::interop_unavailable() {
            assert!(
                std::env::var_os("CI").is_none(),
                "interop unavailable under CI: {why}"
            );
            eprintln!("skipped: interop provider unavailable ({why})");
            return None;
        }
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "baton interop CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let signed = |names: Vec<String>, cn: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(names).unwrap();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, cn);
            let cert = params.signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = signed(vec!["127.0.0.1".into()], "127.0.0.1");
        let (client_cert, client_key) = signed(Vec::new(), "baton-interop-client");
        let (other_cert, other_key) = self_signed("someone-else");
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let mut cmd = std::process::Command::new("node");
        cmd.arg("server.mjs")
            .current_dir(super::interop_dir())
            .env("PORT", "0")
            .env_remove("IGNORE_STDIN")
            .env_remove("REQUIRE_PAR")
            .env_remove("STOCK_PAGES")
            .env("TLS_KEY", write("server.key", &server_key))
            .env("TLS_CERT", write("server.pem", &server_cert))
            .env("TLS_CA", write("ca.pem", &ca.pem()))
            .env("TLS_CLIENT_CERT", write("client.pem", &client_cert));
        let ready = crate::support::start_ready(cmd, "interop server (TLS)");
        Some(Fixture {
            mtls: ready.url.clone(),
            issuer: ready.url,
            server: Server::Interop {
                child: ready.child,
                _stdin: ready.stdin,
                log: ready.log,
                _dir: dir,
            },
            files: vec![
                ("ca.pem", ca.pem().into_bytes()),
                ("client.pem", client_cert.into_bytes()),
                ("client.key", client_key.into_bytes()),
                ("other.pem", other_cert.into_bytes()),
                ("other.key", other_key.into_bytes()),
            ],
            tls_client: "cli-mtls",
            self_client: "cli-mtls-self",
        })
    }

    fn sandbox_handle(&self) -> Option<&Sandbox> {
        match &self.server {
            Server::Sandbox { sandbox, .. } => Some(sandbox),
            Server::Interop { .. } => None,
        }
    }

    fn name(&self) -> &'static str {
        match self.server {
            Server::Sandbox { .. } => "sandbox",
            Server::Interop { .. } => "interop",
        }
    }

    fn file(&self, name: &str) -> Vec<u8> {
        let (_, bytes) = self.files.iter().find(|(n, _)| *n == name).unwrap();
        bytes.clone()
    }

    /// `baton <args> --cacert ca.pem` on `yaml`, with the certificate files beside it.
    fn baton(&self, yaml: &str, args: &[&str]) -> Baton {
        let mut b = Baton::new().file("c.yaml", yaml);
        for (name, bytes) in &self.files {
            b = b.file(name, bytes);
        }
        b.args(args)
            .args(["--cacert", "ca.pem"])
            .var("issuer", &self.issuer)
            .var("mtls", &self.mtls)
            .var("tls_client", self.tls_client)
            .var("self_client", self.self_client)
            .var("username", "alice")
            .var("password", "wonderland")
    }

    fn run(&self, yaml: &str) -> Output {
        self.baton(yaml, &["run", "c.yaml", "-v"]).run()
    }
}

/// One test per provider for a scenario `fn(&Fixture)`.
macro_rules! both_tls {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sandbox() {
                super::$name(&super::Fixture::sandbox());
            }

            #[test]
            fn interop() {
                if let Some(f) = super::Fixture::interop_shared() {
                    super::$name(f);
                }
            }
        }
    };
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
    out.stdout_contains("--cert client.pem --key client.key")
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

/// The sandbox's access tokens are JWTs: the claim itself, checked by `expect: { jwt }`.
#[test]
fn the_sandbox_s_jwt_carries_the_thumbprint() {
    let f = Fixture::sandbox();
    let yaml = r#"requests:
  - oauth2: { grant: client_credentials, issuer: <<issuer>>, client_id: <<tls_client>>, client_auth: tls_client_auth }
    expect:
      jwt: { $.access_token: { claims: { cnf: { x5t#S256: "<<cert_thumbprint('client.pem')>>" } } } }
"#;
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
    .code(0)
    .stdout_contains("1 passed");
    // Another certificate (not the client's: refused) would not match: the check is real.
    let other = yaml.replace(
        "cert_thumbprint('client.pem')",
        "cert_thumbprint('other.pem')",
    );
    f.baton(
        &other,
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
    .code(1)
    .stdout_contains("cnf");
}

/// A bound token renewed (refresh grant) presents its certificate too: the client cannot
/// authenticate without it, and the new token is bound again.
#[test]
fn a_bound_token_is_renewed_with_its_certificate() {
    let mut config = SandboxConfig::default();
    config.lifetimes.access_token = 1;
    let f = Fixture::sandbox_with(config);
    let yaml = BOUND.replace(
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
    out.code(0).stdout_contains("4 passed, 0 failed");
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

/// `--insecure` with a certificate: the server's certificate unchecked, the client's still
/// presented.
#[test]
fn insecure_still_presents_the_certificate() {
    let f = Fixture::sandbox();
    let yaml = "requests:\n  - oauth2: { grant: client_credentials, token_url: <<mtls>>/connect/token, client_id: <<tls_client>>, client_auth: tls_client_auth }\n";
    let mut b = Baton::new().file("c.yaml", yaml);
    for (name, bytes) in &f.files {
        b = b.file(name, bytes);
    }
    b.args([
        "run",
        "c.yaml",
        "--insecure",
        "--cert",
        "client.pem",
        "--key",
        "client.key",
    ])
    .var("mtls", &f.mtls)
    .var("tls_client", f.tls_client)
    .run()
    .code(0)
    .stdout_contains("1 passed");
    // Without --insecure or --cacert the sandbox's CA is unknown: a TLS error, exit 3.
    let mut b = Baton::new().file("c.yaml", yaml);
    for (name, bytes) in &f.files {
        b = b.file(name, bytes);
    }
    b.args([
        "run",
        "c.yaml",
        "--cert",
        "client.pem",
        "--key",
        "client.key",
    ])
    .var("mtls", &f.mtls)
    .var("tls_client", f.tls_client)
    .run()
    .code(3);
}

/// `client_cert:` of a request (or its oauth2 block) comes before `defaults:`, which comes
/// before `--cert`.
#[test]
fn a_request_s_certificate_then_defaults_then_the_command_line() {
    let f = Fixture::sandbox();
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
fn certificates_that_cannot_work_are_input_errors(f: &Fixture) {
    let block = |cert: &str| {
        format!(
            "requests:\n  - oauth2: {{ grant: client_credentials, issuer: <<issuer>>, client_id: <<tls_client>>, client_auth: tls_client_auth{cert} }}\n"
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
    if let Some(sandbox) = f.sandbox_handle() {
        assert_eq!(sandbox.hits("/connect/token"), 0);
    }
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
/// baton refuses these before anything is sent, whatever the provider: the sandbox's run
/// stands for both (and counts that nothing reached its token endpoint).
#[test]
fn certificates_that_cannot_work_are_input_errors_before_sending() {
    certificates_that_cannot_work_are_input_errors(&Fixture::sandbox());
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
    let f = Fixture::sandbox();
    let p12 = pkcs12(&f.file("client.pem"), &f.file("client.key"), "s3cret");
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
