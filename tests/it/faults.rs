//! Network faults beyond the basic ones: a reset mid-response, TLS with a self-signed
//! certificate, a gzip bomb, headers past the limit, bodies that are not what a capture
//! needs. Each: the right exit code, a message naming the URL and what happened, bounded time.

use crate::support::{Baton, FaultServer, TestServer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A one-response-per-connection server on 127.0.0.1 answering every request with `bytes`.
fn raw_server(bytes: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(20) {
            let mut stream = stream;
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
        }
    });
    url
}

fn one_get(url: &str, extra: &str) -> String {
    format!("requests:\n  - name: fetch\n    GET: {url}/\n{extra}")
}

#[test]
fn a_reset_mid_response_exits_3_naming_the_url() {
    let server = FaultServer::reset_mid_response();
    let started = Instant::now();
    let out = Baton::new()
        .file("c.yaml", one_get(&server.url(), ""))
        .args(["run", "c.yaml"])
        .run();
    out.code(3)
        .stdout_contains(&server.url())
        .output_lacks("panicked");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn server_errors_fail_the_request_with_exit_1() {
    let server = TestServer::start();
    Baton::new()
        .file(
            "c.yaml",
            format!("requests:\n  - GET: {}/status/500\n", server.url()),
        )
        .args(["run", "c.yaml"])
        .run()
        .code(1)
        .stdout_contains("status 500");
}

#[test]
fn a_gzip_bomb_is_stopped_at_the_decompressed_cap() {
    use flate2::{Compression, write::GzEncoder};
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        gz.write_all(&zeros).unwrap();
    }
    let body = gz.finish().unwrap();
    assert!(
        body.len() < 1 << 20,
        "the bomb is small on the wire: {}",
        body.len()
    );
    let mut response = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
    response.extend_from_slice(&body);
    let url = raw_server(response);
    let started = Instant::now();
    let out = Baton::new()
        .file("c.yaml", one_get(&url, ""))
        .args(["run", "c.yaml", "--max-body", "8M"])
        .run();
    out.code(3)
        .stdout_contains("larger than the 8388608 byte cap")
        .stdout_contains(&url);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_header_section_past_the_limit_exits_3() {
    let mut response = String::from("HTTP/1.1 200 OK\r\n");
    for i in 0..400 {
        response.push_str(&format!("x-filler-{i}: {}\r\n", "v".repeat(200)));
    }
    response.push_str("content-length: 2\r\nconnection: close\r\n\r\n{}");
    let url = raw_server(response.into_bytes());
    let out = Baton::new()
        .file("c.yaml", one_get(&url, ""))
        .args(["run", "c.yaml"])
        .run();
    out.code(3).stdout_contains(&url).output_lacks("panicked");
}

#[test]
fn invalid_utf8_json_and_text_bodies_fail_a_jsonpath_capture_cleanly() {
    let bad = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"a\": \"\xff\xfe\"}".to_vec();
    let url = raw_server(bad);
    let out = Baton::new()
        .file("c.yaml", one_get(&url, "    capture: { a: $.a }\n"))
        .args(["run", "c.yaml"])
        .run();
    out.code(1)
        .stdout_contains("capture `a` failed")
        .stdout_contains("not JSON");
    let server = TestServer::start();
    let out = Baton::new()
        .file(
            "c.yaml",
            format!(
                "requests:\n  - GET: {}/text\n    capture: {{ n: $.n }}\n",
                server.url()
            ),
        )
        .args(["run", "c.yaml"])
        .run();
    out.code(1)
        .stdout_contains("not JSON")
        .stdout_contains("hello world 42");
}

mod tls {
    use super::*;
    use std::sync::Arc;

    /// An HTTPS server with a fresh self-signed certificate for 127.0.0.1; returns its URL
    /// and the certificate's PEM.
    fn self_signed_server() -> (String, String) {
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .unwrap();
        let pem = cert.cert.pem();
        let der = cert.cert.der().clone();
        let key = rustls_pki_key(cert.signing_key.serialize_der());
        let config = tokio_rustls::rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
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
                loop {
                    let Ok((tcp, _)) = listener.accept().await else { break };
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        use tokio::io::{AsyncReadExt, AsyncWriteExt};
                        let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                        let mut buf = [0u8; 4096];
                        let _ = tls.read(&mut buf).await;
                        let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"ok\":true}").await;
                        let _ = tls.shutdown().await;
                    });
                }
            });
        });
        (url, pem)
    }

    fn rustls_pki_key(der: Vec<u8>) -> tokio_rustls::rustls::pki_types::PrivateKeyDer<'static> {
        tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(der.into())
    }

    #[test]
    fn a_self_signed_certificate_is_refused_by_default() {
        let (url, _) = self_signed_server();
        let out = Baton::new()
            .file("c.yaml", one_get(&url, ""))
            .args(["run", "c.yaml"])
            .run();
        out.code(3)
            .stdout_contains("TLS error")
            .stdout_contains(&url)
            .stdout_contains("--cacert");
    }

    #[test]
    fn cacert_or_insecure_accepts_it() {
        let (url, pem) = self_signed_server();
        let expect = "    expect: { body: { $.ok: true } }\n";
        Baton::new()
            .file("c.yaml", one_get(&url, expect))
            .file("cert.pem", &pem)
            .args(["run", "c.yaml", "--cacert", "cert.pem"])
            .run()
            .code(0);
        Baton::new()
            .file("c.yaml", one_get(&url, expect))
            .args(["run", "c.yaml", "--insecure"])
            .run()
            .code(0);
        Baton::new()
            .file("c.yaml", one_get(&url, expect))
            .file("cert.pem", "not a certificate")
            .args(["run", "c.yaml", "--cacert", "cert.pem"])
            .run()
            .code(2)
            .stderr_contains("cert.pem");
    }
}
