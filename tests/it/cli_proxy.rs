//! `--proxy URL`, `--no-proxy` and the proxy variables (HTTP_PROXY and the like), through a
//! forward proxy written here: it records each request line (absolute-form, as clients
//! send them to a proxy) and forwards the request to the loopback server it names. The test
//! runner sets NO_PROXY to loopback; these tests empty it so that loopback is proxied.

use crate::support::{Baton, Output, TestServer, redact, run_yaml};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A forward HTTP proxy on 127.0.0.1 for one test (plain http targets only).
struct Forwarder {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Forwarder {
    fn start() -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = forward(client, &log);
                });
            }
        });
        Forwarder { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// One connection: the head read and recorded, sent on in origin-form with
/// `Connection: close` (one request per connection keeps the record simple), then the
/// bytes copied both ways until the server closes.
fn forward(client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let line = line.trim_end().to_string();
    log.lock().unwrap().push(line.clone());
    let mut parts = line.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let rest = target.strip_prefix("http://").unwrap_or(target);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut head = format!("{method} {path} {version}\r\n");
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        let name = h.split(':').next().unwrap_or("").to_ascii_lowercase();
        if name != "connection" && name != "proxy-connection" {
            head.push_str(&h);
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut server = TcpStream::connect(authority)?;
    server.write_all(head.as_bytes())?;
    // What the client sent after the head (a body) is already in `reader`'s buffer or
    // still on the socket: copy it on from a thread.
    let mut upstream = server.try_clone()?;
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut upstream);
    });
    let mut back = client;
    let mut buf = [0u8; 8192];
    loop {
        let n = server.read(&mut buf)?;
        if n == 0 {
            break;
        }
        back.write_all(&buf[..n])?;
    }
    back.shutdown(std::net::Shutdown::Both)
}

const ONE: &str =
    "requests:\n  - name: echo\n    GET: <<base>>/echo\n    expect: { status: 200 }\n";

/// NO_PROXY emptied: loopback goes through whatever proxy is set.
fn proxied(base: &str) -> Baton {
    run_yaml(base, ONE).env("NO_PROXY", "").env("no_proxy", "")
}

#[test]
fn proxy_flag_sends_through_the_proxy() {
    let server = TestServer::start();
    let proxy = Forwarder::start();
    let out = proxied(&server.url()).args(["--proxy", &proxy.url()]).run();
    out.code(0).stdout_contains("✓ echo 200");
    assert_eq!(
        proxy.seen(),
        [format!("GET {}/echo HTTP/1.1", server.url())]
    );
    server.expect_hits("/echo", 1);
}

/// `host:port` without a scheme is an http proxy, as curl reads it.
#[test]
fn proxy_without_a_scheme_is_http() {
    let server = TestServer::start();
    let proxy = Forwarder::start();
    let bare = proxy.url().replace("http://", "");
    let out = proxied(&server.url()).args(["--proxy", &bare]).run();
    out.code(0);
    assert_eq!(proxy.seen().len(), 1);
}

/// reqwest honours HTTP_PROXY (and does not exempt loopback unless NO_PROXY says so).
#[test]
fn http_proxy_variable_is_honoured() {
    let server = TestServer::start();
    let proxy = Forwarder::start();
    let out = proxied(&server.url()).env("HTTP_PROXY", proxy.url()).run();
    out.code(0);
    assert_eq!(
        proxy.seen(),
        [format!("GET {}/echo HTTP/1.1", server.url())]
    );
    // Lower case too, and ALL_PROXY.
    let out = proxied(&server.url()).env("http_proxy", proxy.url()).run();
    out.code(0);
    let out = proxied(&server.url()).env("ALL_PROXY", proxy.url()).run();
    out.code(0);
    assert_eq!(proxy.seen().len(), 3);
    // NO_PROXY exempts a host: from the variables, and from --proxy as curl does.
    let out = run_yaml(&server.url(), ONE)
        .env("HTTP_PROXY", proxy.url())
        .env("NO_PROXY", "127.0.0.1")
        .args(["--proxy", &proxy.url()])
        .run();
    out.code(0);
    assert_eq!(proxy.seen().len(), 3, "NO_PROXY still counts");
    server.expect_hits("/echo", 4);
}

#[test]
fn no_proxy_flag_ignores_the_variables() {
    let server = TestServer::start();
    let proxy = Forwarder::start();
    let out = proxied(&server.url())
        .env("HTTP_PROXY", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .arg("--no-proxy")
        .run();
    out.code(0);
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    server.expect_hits("/echo", 1);
}

/// `baton token` sends through the proxy too (as do `probe` and `docs check`, which take
/// the same options): the sandbox's token endpoint, reached through it.
#[test]
fn token_goes_through_the_proxy() {
    let proxy = Forwarder::start();
    let out = crate::support::examples()
        .args(["token", "collections/oauth2-requests.yaml", "--sandbox"])
        .args(["--proxy", &proxy.url()])
        .env("NO_PROXY", "")
        .env("no_proxy", "")
        .run();
    out.code(0);
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("POST http://127.0.0.1:") && l.contains("/token")),
        "{seen:?}"
    );
}

/// `baton probe` too: the sandbox's discovery document, fetched through the proxy.
#[test]
fn probe_goes_through_the_proxy() {
    let proxy = Forwarder::start();
    let out = Baton::new()
        .args(["probe", "--sandbox", "--only", "discovery"])
        .args(["--proxy", &proxy.url()])
        .env("NO_PROXY", "")
        .env("no_proxy", "")
        .run();
    out.code(0);
    let seen = proxy.seen();
    assert!(
        seen.iter().any(|l| l.starts_with("GET http://127.0.0.1:")
            && l.contains("/.well-known/openid-configuration")),
        "{seen:?}"
    );
}

fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_proxy_that_refuses_is_named() {
    let server = TestServer::start();
    let dead = format!("http://127.0.0.1:{}", refused_port());
    let out: Output = proxied(&server.url()).args(["--proxy", &dead]).run();
    out.code(3);
    out.stdout_contains(&format!("connection refused by the proxy {dead}"));
    insta::assert_snapshot!(redact(&out.stdout));
    // The proxy of HTTP_PROXY is named the same way.
    let out = proxied(&server.url()).env("HTTP_PROXY", &dead).run();
    out.code(3);
    out.stdout_contains(&format!("connection refused by the proxy {dead}"));
    server.expect_hits("/echo", 0);
}

/// A proxy's password is masked wherever the proxy is named.
#[test]
fn a_proxy_password_never_shows() {
    let server = TestServer::start();
    let port = refused_port();
    let out = proxied(&server.url())
        .args(["--proxy", &format!("http://me:hunter2@127.0.0.1:{port}")])
        .run();
    out.code(3);
    out.stdout_contains(&format!("the proxy http://me:•••@127.0.0.1:{port}"));
    out.output_lacks("hunter2");
}

#[test]
fn a_bad_proxy_is_an_input_error() {
    for (bad, says) in [
        (
            "socks5://127.0.0.1:1080",
            "the scheme must be http or https, not socks5",
        ),
        ("http://", "--proxy `http://`"),
        ("http://127.0.0.1:3128/path", "no path or query"),
        ("ftp://me:hunter2@h:1", "--proxy `ftp://me:•••@h:1`"),
    ] {
        let out = Baton::new().args(["run", "c.yaml", "--proxy", bad]).run();
        out.code(2).stderr_contains(says).output_lacks("hunter2");
    }
    let out = Baton::new()
        .args([
            "run",
            "c.yaml",
            "--proxy",
            "http://127.0.0.1:1",
            "--no-proxy",
        ])
        .run();
    out.code(2).stderr_contains("--no-proxy");
}
