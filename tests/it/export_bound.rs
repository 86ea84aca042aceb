//! Exports of requests that present a client certificate (mTLS) or send a token bound to a
//! key: the snippets in each language say `--cert`/`--key`, `cert=`, an `https.Agent`, and a
//! DPoP-bound token goes as `Authorization: DPoP` with a note on the proof; the programs of
//! `collections/mtls.yaml` run against the sandbox's TLS port with curl, Python `requests` and
//! Node `axios` (trusting its CA the way each reads a bundle from the environment): the token
//! endpoint is discovery's mTLS alias, the bound token goes with its certificate, and another
//! certificate is refused on the status.

use crate::export_programs::{export, run, sandbox, unavailable};
use crate::support::Baton;

const MTLS: &str = "collections/mtls.yaml";

/// One request of each kind: a token request by discovery with the certificate of its block,
/// a request sending that token (its certificate goes along, not its own), a plain one with
/// `defaults:`'s PEM pair, one with a PKCS#12 file, a DPoP-bound token and its use.
const CERTS: &str = r"name: certs
defaults:
  client_cert: { cert: certs/client.pem, key: certs/client.key }
requests:
  - name: token
    id: svc
    oauth2:
      grant: client_credentials
      issuer: https://id.example.com
      client_id: app
      client_auth: tls_client_auth
      client_cert: { cert: certs/svc.pem, key: certs/svc.key }
  - name: bound
    GET: https://api.example.com/payments
    auth: { oauth2: svc }
  - name: api
    GET: https://api.example.com/accounts
  - name: bank
    GET: https://bank.example.com/accounts
    client_cert: { cert: bank.p12, password_env: BANK_P12_PASSWORD }
  - name: dpop token
    id: user
    oauth2:
      grant: client_credentials
      token_url: https://id.example.com/token
      client_id: app
      client_secret: <<secret>>
      dpop: true
  - name: me
    GET: https://api.example.com/me
    auth: { oauth2: user }
";

/// The snippets of each request in each language: pinned.
#[test]
fn snippets_present_the_certificate_and_the_token_s_binding() {
    let mut text = String::new();
    for request in ["token", "bound", "api", "bank", "dpop token", "me"] {
        for lang in ["curl", "python", "node", "http"] {
            let out = Baton::new()
                .file("certs.yaml", CERTS)
                .args(["export", "certs.yaml", "--request", request, "--as", lang])
                .run();
            out.code(0);
            text.push_str(&format!(
                "### {request} {lang}\n{}\n",
                out.stdout_redacted()
            ));
        }
    }
    insta::assert_snapshot!(text);
}

/// A request that needs a DPoP proof is a warning on stderr, as an OAuth 1.0a signature is:
/// the token request with `dpop:` and the request sending its bound token, not the others.
#[test]
fn requests_that_need_a_dpop_proof_are_a_warning() {
    let export = |request: Option<&str>| {
        let mut b =
            Baton::new()
                .file("certs.yaml", CERTS)
                .args(["export", "certs.yaml", "--as", "python"]);
        if let Some(r) = request {
            b = b.args(["--request", r]);
        }
        b.run()
    };
    export(None)
        .code(0)
        .stderr_contains("warning: 2 request(s) need a DPoP proof");
    export(Some("me"))
        .code(0)
        .stderr_contains("warning: 1 request(s) need a DPoP proof");
    let plain = export(Some("api"));
    plain.code(0);
    assert!(!plain.stderr.contains("DPoP"), "{}", plain.stderr);
}

/// A certificate and key no client of the sandbox is registered with.
fn stranger(dir: &std::path::Path) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (c, k) = (dir.join("other.pem"), dir.join("other.key"));
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c.display().to_string(), k.display().to_string())
}

/// The mTLS collection's program in `lang` runs against the sandbox: both certificate
/// clients get bound tokens at the mTLS alias of the token endpoint, and userinfo answers
/// alice's with the certificate; another certificate is refused at the first request.
fn mtls_runs(lang: &str) {
    if unavailable(lang).is_some() {
        return;
    }
    let (_runtime, sandbox, vars) = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let ca = sandbox.mtls_ca_file().display().to_string();
    let exported = export(MTLS, lang, &[]);
    exported.code(0);
    let program = &exported.stdout;
    let env = |cert: &str, key: &str| -> Vec<(&'static str, String)> {
        vec![
            ("BASE_AUTH_URL", vars["baseAuthURL"].clone()),
            ("MTLS_CLIENT_ID", vars["MtlsClientId"].clone()),
            ("MTLS_SELF_CLIENT_ID", vars["MtlsSelfClientId"].clone()),
            ("SANDBOX_MTLS_URL", vars["sandboxMtlsURL"].clone()),
            ("SANDBOX_CLIENT_CERT", cert.to_string()),
            ("SANDBOX_CLIENT_KEY", key.to_string()),
            ("USERNAME", vars["username"].clone()),
            ("PASSWORD", vars["password"].clone()),
            // Each client's own way to trust a CA bundle.
            ("CURL_CA_BUNDLE", ca.clone()),
            ("REQUESTS_CA_BUNDLE", ca.clone()),
            ("NODE_EXTRA_CA_CERTS", ca.clone()),
        ]
    };
    let with = |env: &[(&'static str, String)]| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run(lang, program, &env)
    };
    let ok = with(&env(&vars["SandboxClientCert"], &vars["SandboxClientKey"]));
    ok.code(0).stdout_contains("\"preferred_username\"");
    assert!(
        ok.stdout.contains(&vars["username"]),
        "{lang}: {}",
        ok.stdout
    );
    // Two token requests, both at the alias: the plain endpoint, over HTTP, sees no
    // certificate and refuses a certificate client.
    assert_eq!(sandbox.hits("/connect/token"), 2, "{lang}");
    let (other, other_key) = stranger(dir.path());
    let refused = with(&env(&other, &other_key));
    assert_ne!(
        refused.code, 0,
        "{lang}: another certificate must be refused"
    );
    refused.stderr_contains(
        "a service token, the client authenticated by its certificate: status 401, expected 200",
    );
}

#[test]
fn the_shell_program_presents_the_certificate() {
    mtls_runs("curl");
}

#[test]
fn the_python_program_presents_the_certificate() {
    mtls_runs("python");
}

#[test]
fn the_node_program_presents_the_certificate() {
    mtls_runs("node");
}
