//! A loopback token endpoint for `bench/compare.sh`: `POST /token` answers a fixed, small
//! OAuth token response, so that what is measured is the client, not the server.
//!
//! Usage: `tokend [PORT]` (0 or nothing: a free port). It prints `PORT` on stdout once it
//! listens, then serves until killed.
//!
//! Blocking I/O, a thread per connection, `httparse` for the request head: a request costs
//! a read and a write system call and little else (the axum server this replaced spent about
//! 74 µs of CPU per request on this machine, 40% of what baton spends on it, so it weighed on
//! every ratio and on the `--jobs 2` runs that share the two cores with it).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

const TOKEN: &str = r#"{"access_token":"at-0123456789abcdef","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-0123456789abcdef","scope":"api"}"#;

/// Requests larger than this (head and body) are refused: the benchmarks send ~100 bytes.
const MAX_REQUEST: usize = 64 * 1024;

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .map(|p| p.parse().expect("PORT is a number"))
        .unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    let mut out = io::stdout();
    writeln!(out, "{port}").expect("print the port");
    out.flush().expect("flush the port");
    let ok = response("200 OK", "application/json", TOKEN);
    let not_found = response("404 Not Found", "text/plain", "not found\n");
    let bad = response("400 Bad Request", "text/plain", "bad request\n");
    let responses: &'static Responses = Box::leak(Box::new(Responses { ok, not_found, bad }));
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            // A client that goes away ends its connection; nothing to report.
            let _ = serve(stream, responses);
        });
    }
}

struct Responses {
    ok: Vec<u8>,
    not_found: Vec<u8>,
    bad: Vec<u8>,
}

fn response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What the head of a request asks for.
struct Head {
    /// Bytes of the head, and of the body after it.
    len: usize,
    body: usize,
    /// Whether the connection ends after this answer.
    close: bool,
    reply: &'static [u8],
}

/// Answers the requests of one connection in turn (HTTP/1.1 keep-alive) until the client
/// closes it or asks to.
fn serve(mut stream: TcpStream, responses: &'static Responses) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 8 * 1024];
    let mut filled = 0;
    loop {
        // Read until a whole head is there.
        let head = loop {
            if let Some(head) = parse(&buf[..filled], responses) {
                break head;
            }
            if filled == buf.len() {
                buf.resize((buf.len() * 2).min(MAX_REQUEST), 0);
            }
            let n = stream.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(());
            }
            filled += n;
        };
        // Skip the body (reading the rest of it if it has not all arrived).
        let end = head.len + head.body;
        if end > buf.len() {
            buf.resize(end, 0);
        }
        while filled < end {
            let n = stream.read(&mut buf[filled..end])?;
            if n == 0 {
                return Ok(());
            }
            filled += n;
        }
        stream.write_all(head.reply)?;
        if head.close {
            return Ok(());
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
    }
}

/// The head at the start of `buf`, or None while it is incomplete. A head that cannot be
/// read, a chunked body or a request past `MAX_REQUEST` is answered 400 and the connection
/// closed.
fn parse(buf: &[u8], responses: &'static Responses) -> Option<Head> {
    let refuse = Head {
        len: 0,
        body: 0,
        close: true,
        reply: &responses.bad,
    };
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() < MAX_REQUEST => return None,
        _ => return Some(refuse),
    };
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let Ok(body) = header("content-length").map_or(Ok(0), |v| v.parse::<usize>()) else {
        return Some(refuse);
    };
    if header("transfer-encoding").is_some() || len + body > MAX_REQUEST {
        return Some(refuse);
    }
    let close = header("connection").as_deref() == Some("close") || req.version == Some(0);
    let reply = if req.method == Some("POST") && req.path == Some("/token") {
        &responses.ok
    } else {
        &responses.not_found
    };
    Some(Head {
        len,
        body,
        close,
        reply,
    })
}
