//! What baton refuses before sending (a certificate client without a certificate, a key of
//! another certificate, a file without a certificate, a missing file, a malformed
//! `client_cert:`), the command line (`--cert`, `--key`, `--insecure`), the precedence of
//! `client_cert:`, PKCS#12 and the example collection.

use super::fixture::Fixture;
use crate::oauth::Vars;
use crate::support::Baton;
use std::path::Path;

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

/// `--insecure` with a certificate: the server's certificate unchecked, the client's still
/// presented.
#[test]
fn insecure_still_presents_the_certificate() {
    let f = Fixture::sandbox();
    let yaml = "requests:\n  - oauth2: { grant: client_credentials, token_url: <<mtls>>/connect/token, client_id: <<tls_client>>, client_auth: tls_client_auth }\n";
    // Not `f.baton`, which trusts the sandbox's CA with --cacert.
    let run = |trust: &[&str]| {
        f.with_files(Baton::new().file("c.yaml", yaml))
            .args([
                "run",
                "c.yaml",
                "--cert",
                "client.pem",
                "--key",
                "client.key",
            ])
            .args(trust)
            .var("mtls", &f.mtls)
            .var("tls_client", f.tls_client)
            .run()
    };
    run(&["--insecure"]).code(0).stdout_contains("1 passed");
    // Without --insecure or --cacert the sandbox's CA is unknown: a TLS error, exit 3.
    run(&[]).code(3);
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
