//! `--cacert` with a self-signed certificate as `openssl req -x509` makes one (CA:TRUE, the
//! server's own certificate): accepted as curl accepts it, for the names it holds and while
//! it is valid; refused otherwise with a hint that does not ask for the `--cacert` given.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::Baton;

/// `openssl req -x509` in `dir`: `cert.pem` and `key.pem` for `san`. False when there is no
/// `openssl` to run (the test then says so and passes).
fn openssl_self_signed(dir: &Path, san: &str) -> bool {
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args([
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=baton test",
        ])
        .args(["-addext", &format!("subjectAltName={san}")])
        .current_dir(dir)
        .output();
    match made {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!("openssl failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            eprintln!("skipped: cannot run openssl ({e})");
            false
        }
    }
}

/// An HTTPS server on 127.0.0.1 presenting `cert_pem` (its key `key_pem`), answering
/// `{"ok":true}` to anything; returns its URL. The thread ends with the test process.
fn https_server(cert_pem: &[u8], key_pem: &[u8]) -> String {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"ok\":true}").await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    url
}

fn get(url: &str) -> String {
    format!("requests:\n  - GET: {url}/\n    expect: {{ body: {{ $.ok: true }} }}\n")
}

#[test]
fn cacert_accepts_a_self_signed_certificate_made_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    if !openssl_self_signed(dir.path(), "IP:127.0.0.1,DNS:localhost") {
        return;
    }
    let cert = std::fs::read(dir.path().join("cert.pem")).unwrap();
    let key = std::fs::read(dir.path().join("key.pem")).unwrap();
    let url = https_server(&cert, &key);
    Baton::new()
        .file("c.yaml", get(&url))
        .file("cert.pem", &cert)
        .args(["run", "c.yaml", "--cacert", "cert.pem"])
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
    // Trusted as itself, not as any certificate it could have issued: another one made the
    // same way is refused, and the hint does not ask for the --cacert that was given.
    let other = tempfile::tempdir().unwrap();
    assert!(openssl_self_signed(other.path(), "IP:127.0.0.1"));
    let out = Baton::new()
        .file("c.yaml", get(&url))
        .file(
            "other.pem",
            std::fs::read(other.path().join("cert.pem")).unwrap(),
        )
        .args(["run", "c.yaml", "--cacert", "other.pem"])
        .run();
    out.code(3)
        .stdout_contains(&format!("TLS error with {url}/"))
        .stdout_contains("with --cacert other.pem, the server's certificate must be one of")
        .output_lacks("pass --cacert");
}

/// The certificate given is still checked for the host's name and its dates.
#[test]
fn cacert_checks_the_name_and_dates_of_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    if !openssl_self_signed(dir.path(), "DNS:example.com") {
        return;
    }
    let cert = std::fs::read(dir.path().join("cert.pem")).unwrap();
    let key = std::fs::read(dir.path().join("key.pem")).unwrap();
    let url = https_server(&cert, &key);
    Baton::new()
        .file("c.yaml", get(&url))
        .file("cert.pem", &cert)
        .args(["run", "c.yaml", "--cacert", "cert.pem"])
        .run()
        .code(3)
        .stdout_contains(r#"certificate not valid for name "127.0.0.1""#);

    // A CA:TRUE certificate that expired yesterday (openssl cannot date one in the past).
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".into()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let now = std::time::SystemTime::now();
    params.not_before = (now - std::time::Duration::from_secs(3 * 86_400)).into();
    params.not_after = (now - std::time::Duration::from_secs(86_400)).into();
    let key = rcgen::KeyPair::generate().unwrap();
    let expired = params.self_signed(&key).unwrap();
    let url = https_server(expired.pem().as_bytes(), key.serialize_pem().as_bytes());
    Baton::new()
        .file("c.yaml", get(&url))
        .file("cert.pem", expired.pem())
        .args(["run", "c.yaml", "--cacert", "cert.pem"])
        .run()
        .code(3)
        .stdout_contains("Expired");
}
