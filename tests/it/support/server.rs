//! The in-process test server: one axum app on 127.0.0.1:0, run on its own thread and runtime
//! so plain `#[test]` functions can use it, counting every hit by path.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::IntoFuture;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream;
use serde_json::{Map, Value, json};

use super::oauth;

/// HS256 key of the `id_token` served by `GET /jwt`.
pub(crate) const JWT_SECRET: &[u8] = b"baton-test-jwt-secret";

type Params = HashMap<String, String>;

/// An HTTP server for one test. Dropping it stops the server and checks `expect_hits`.
pub(crate) struct TestServer {
    addr: SocketAddr,
    state: Arc<ServerState>,
    expected: Mutex<Vec<(String, u64)>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the handlers share: hit counters, issued tokens and bodies made once at start.
pub(super) struct ServerState {
    hits: Mutex<HashMap<String, u64>>,
    pub(super) tokens: oauth::TokenStore,
    jwt: String,
    gzip_body: Vec<u8>,
}

impl TestServer {
    /// Binds 127.0.0.1:0 and serves on a background thread; returns once the port is bound.
    pub(crate) fn start() -> TestServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local_addr");
        let state = Arc::new(ServerState {
            hits: Mutex::default(),
            tokens: oauth::TokenStore::default(),
            jwt: make_jwt(),
            gzip_body: gzip(br#"{"compressed":true,"message":"hello gzip"}"#),
        });
        let app = router(state.clone());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("test-server-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("test server runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    let serve = axum::serve(listener, app).into_future();
                    tokio::select! {
                        result = serve => result.expect("test server failed"),
                        _ = stop => {}
                    }
                });
                // Dropping the runtime cancels open connections, even a `/slow` one.
            })
            .expect("spawn test server thread");
        TestServer {
            addr,
            state,
            expected: Mutex::default(),
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests arrived for `path` (the path only, no query), e.g. `/token`.
    pub(crate) fn hits(&self, path: &str) -> u64 {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// How many requests arrived, for any path.
    pub(crate) fn total_hits(&self) -> u64 {
        self.state.hits.lock().unwrap().values().sum()
    }

    /// Checks when the server is dropped (unless the test is already panicking) that `path`
    /// was hit exactly `count` times.
    pub(crate) fn expect_hits(&self, path: &str, count: u64) -> &Self {
        self.expected.lock().unwrap().push((path.to_owned(), count));
        self
    }

    /// Every access and refresh token `POST /token` issued.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.state.tokens.issued()
    }

    /// The `id_token` that `GET /jwt` serves.
    pub(crate) fn jwt(&self) -> &str {
        &self.state.jwt
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let joined = self.thread.take().map(JoinHandle::join);
        if std::thread::panicking() {
            return;
        }
        assert!(
            !matches!(joined, Some(Err(_))),
            "the test server thread panicked"
        );
        let failures: Vec<String> = self
            .expected
            .lock()
            .unwrap()
            .iter()
            .filter(|(path, count)| self.hits(path) != *count)
            .map(|(path, count)| format!("{path}: expected {count} hits, got {}", self.hits(path)))
            .collect();
        assert!(failures.is_empty(), "test server: {}", failures.join("; "));
    }
}

fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/token", post(oauth::token))
        .route("/me", get(oauth::me))
        .route(
            "/echo",
            get(echo).post(echo).put(echo).patch(echo).delete(echo),
        )
        .route(
            "/echo/{*rest}",
            get(echo).post(echo).put(echo).patch(echo).delete(echo),
        )
        .route("/echo-text", get(echo_text).post(echo_text))
        .route("/mint", get(mint))
        .route("/status/{code}", get(status))
        .route("/redirect", get(redirect))
        .route("/redirect-loop", get(redirect_loop))
        .route("/callback-redirect", get(callback_redirect))
        .route("/set-cookie", get(set_cookie))
        .route("/cookies", get(cookies))
        .route("/slow", get(slow).post(slow))
        .route("/slow-body", get(slow_body))
        .route("/slow-redirect", get(slow_redirect))
        .route("/escapes", get(escapes))
        .route("/big", get(big))
        .route("/gzip", get(gzipped))
        .route("/html-form", get(html_form))
        .route("/text", get(|| async { "hello world 42" }))
        .route("/jwt", get(jwt))
        .route("/headers-many", get(headers_many))
        .fallback(|| async { (StatusCode::NOT_FOUND, Json(json!({"error": "not found"}))) })
        .layer(middleware::from_fn_with_state(state.clone(), count_hit))
        .with_state(state)
}

async fn count_hit(State(state): State<Arc<ServerState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    *state.hits.lock().unwrap().entry(path).or_default() += 1;
    next.run(req).await
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

/// Form or query parameters as JSON; a repeated name becomes an array.
fn params_json(encoded: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in url::form_urlencoded::parse(encoded.as_bytes()) {
        let value = Value::String(value.into_owned());
        match map.get_mut(name.as_ref()) {
            None => {
                map.insert(name.into_owned(), value);
            }
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
        }
    }
    map
}

async fn echo(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut header_json = Map::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match header_json.get_mut(name.as_str()) {
            Some(Value::String(joined)) => *joined = format!("{joined}, {value}"),
            _ => {
                header_json.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let echoed = json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": params_json(uri.query().unwrap_or("")),
        "headers": header_json,
        "json": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        "form": if is_form { Value::Object(params_json(&text)) } else { Value::Null },
        "body": text,
    });
    let mut response = Json(echoed).into_response();
    for (name, value) in &headers {
        if name.as_str().starts_with("x-echo-") {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
}

/// What `/echo` answers, written as some servers write JSON (every non-ASCII character as
/// `\u00e9`, `/` as `\/`) after `echo: `, as `text/plain`: a client shows it as text.
async fn echo_text(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let echoed = echo(method, uri, headers, body).await;
    let bytes = axum::body::to_bytes(echoed.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    // Not `{` first: a client showing it must not take it for JSON and parse it.
    let mut text = String::from("echo: ");
    for c in String::from_utf8_lossy(&bytes).chars() {
        match c {
            '/' => text.push_str("\\/"),
            c if c.is_ascii() => text.push(c),
            c => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    text.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// The secret `GET /mint?n=N` answers with (as `{"minted": ...}`): made by the server, so
/// it is in no collection, with every character an encoding changes.
pub(crate) fn minted(n: &str) -> String {
    format!("Mïnt/{n} sëcret +\"m\\&=:@")
}

/// The session cookie `GET /mint?n=N` sets as `mint_sid`: every character a cookie value
/// may hold that an encoding changes.
pub(crate) fn minted_cookie(n: &str) -> String {
    format!("Ck/{n}+=:!~$")
}

async fn mint(Query(params): Query<Params>) -> Response {
    let n = params.get("n").map_or("0", String::as_str);
    match HeaderValue::from_str(&format!("mint_sid={}; Path=/", minted_cookie(n))) {
        Ok(cookie) => (
            [(header::SET_COOKIE, cookie)],
            Json(json!({"minted": minted(n)})),
        )
            .into_response(),
        Err(_) => bad_request("invalid n"),
    }
}

async fn status(Path(code): Path<u16>) -> Response {
    match StatusCode::from_u16(code) {
        Ok(status) if (200..=599).contains(&code) => {
            (status, Json(json!({"status": code}))).into_response()
        }
        _ => bad_request("status must be 200..=599"),
    }
}

fn redirect_to(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        Err(_) => bad_request("invalid Location"),
    }
}

async fn redirect(Query(params): Query<Params>) -> Response {
    let Some(to) = params.get("to") else {
        return bad_request("missing ?to=");
    };
    let code = params.get("status").map_or("302", String::as_str);
    match code.parse().ok().and_then(|c| StatusCode::from_u16(c).ok()) {
        Some(status) if status.is_redirection() => redirect_to(status, to),
        _ => bad_request("status must be 3xx"),
    }
}

async fn redirect_loop() -> Response {
    redirect_to(StatusCode::FOUND, "/redirect-loop")
}

/// Sends the browser on to a loopback OAuth callback, as an authorization server would.
/// `redirect_uri` (default `http://127.0.0.1:8765/callback`) is the target; every other
/// parameter is passed on (default `code=abc&state=xyz`).
async fn callback_redirect(RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let mut target = "http://127.0.0.1:8765/callback".to_owned();
    let mut pass_on = url::form_urlencoded::Serializer::new(String::new());
    let mut passed = 0;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name == "redirect_uri" {
            target = value.into_owned();
        } else {
            pass_on.append_pair(&name, &value);
            passed += 1;
        }
    }
    let pass_on = if passed == 0 {
        "code=abc&state=xyz".to_owned()
    } else {
        pass_on.finish()
    };
    redirect_to(StatusCode::FOUND, &format!("{target}?{pass_on}"))
}

async fn set_cookie(Query(params): Query<Params>) -> Response {
    let (Some(name), value) = (params.get("name"), params.get("value")) else {
        return bad_request("missing ?name=");
    };
    let value = value.map_or("", String::as_str);
    match HeaderValue::from_str(&format!("{name}={value}; Path=/")) {
        Ok(cookie) => (
            [(header::SET_COOKIE, cookie)],
            Json(json!({"name": name, "value": value})),
        )
            .into_response(),
        Err(_) => bad_request("invalid cookie"),
    }
}

async fn cookies(headers: HeaderMap) -> Json<Map<String, Value>> {
    let mut received = Map::new();
    for line in headers.get_all(header::COOKIE) {
        for pair in line.to_str().unwrap_or("").split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                received.insert(name.to_owned(), Value::String(value.to_owned()));
            }
        }
    }
    Json(received)
}

fn millis(params: &Params) -> u64 {
    params
        .get("ms")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(1000)
}

async fn slow(Query(params): Query<Params>) -> Json<Value> {
    let ms = millis(&params);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Json(json!({"slept_ms": ms}))
}

/// `n` redirects (default 5), each answered `ms` milliseconds late (default 1000), ending
/// at `/slow-redirect?n=0`: a chain whose hops are each quick enough, and slow in all.
async fn slow_redirect(Query(params): Query<Params>) -> Response {
    let ms = millis(&params);
    let n: u32 = params.get("n").and_then(|n| n.parse().ok()).unwrap_or(5);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if n == 0 {
        return Json(json!({"slept_ms": ms, "redirects": "done"})).into_response();
    }
    redirect_to(
        StatusCode::FOUND,
        &format!("/slow-redirect?ms={ms}&n={}", n - 1),
    )
}

/// Terminal escapes from a hostile server: a screen clear, a window title (OSC ... BEL), a C1
/// CSI and a lone CR. `?text` sends them raw in a text body; otherwise in the strings of a
/// 400 JSON body (an OAuth error and a `name`), where they are escaped until parsed.
async fn escapes(Query(params): Query<Params>) -> Response {
    const CLEAR: &str = "\u{1b}[2J";
    const TITLE: &str = "\u{1b}]0;pwned\u{7}";
    let c1 = HeaderValue::from_bytes("a\u{9b}31mb".as_bytes()).unwrap();
    if params.contains_key("text") {
        let body = format!("before{CLEAR}{TITLE}\u{9b}31m fake\rOK\n");
        return ([(header::CONTENT_TYPE, "text/plain")], body).into_response();
    }
    let body = json!({
        "error": format!("bad{CLEAR}"),
        "error_description": format!("{TITLE} retitled"),
        "name": format!("\u{9b}31mred{CLEAR}"),
    });
    (StatusCode::BAD_REQUEST, [("x-c1", c1)], Json(body)).into_response()
}

/// Headers at once, then `chunk 0\n` .. `chunk 10\n`, the last one `ms` milliseconds later.
async fn slow_body(Query(params): Query<Params>) -> Response {
    let step = Duration::from_millis(millis(&params) / 10);
    let chunks = stream::unfold(0u32, move |i| async move {
        if i > 10 {
            return None;
        }
        if i > 0 {
            tokio::time::sleep(step).await;
        }
        Some((Ok::<_, Infallible>(format!("chunk {i}\n")), i + 1))
    });
    (
        [(header::CONTENT_TYPE, "text/plain")],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// `bytes` bytes of `x` (default 1 MiB), made on demand from one static chunk: when the
/// client goes away hyper drops the stream, so nothing keeps running.
async fn big(Query(params): Query<Params>) -> Response {
    const CHUNK: usize = 64 * 1024;
    static XS: [u8; CHUNK] = [b'x'; CHUNK];
    let total: u64 = params
        .get("bytes")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1 << 20);
    let chunks = stream::unfold(total, |left| async move {
        let take = usize::try_from(left.min(CHUNK as u64)).unwrap();
        (take > 0).then(|| {
            (
                Ok::<_, Infallible>(Bytes::from_static(&XS[..take])),
                left - take as u64,
            )
        })
    });
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, total.to_string()),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

async fn gzipped(State(state): State<Arc<ServerState>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        state.gzip_body.clone(),
    )
        .into_response()
}

async fn html_form() -> Response {
    const PAGE: &str = r#"<!doctype html>
<html><head><title>Sign in</title></head>
<body>
<form method="post" action="/echo">
  <input type="hidden" name="csrf_token" value="csrf-abc123">
  <input name="username"> <input type="password" name="password">
  <button type="submit">Sign in</button>
</form>
</body></html>
"#;
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

fn make_jwt() -> String {
    let claims = json!({"sub": "alice", "aud": "app", "iss": "http://test"});
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET),
    )
    .expect("sign test JWT")
}

async fn jwt(State(state): State<Arc<ServerState>>) -> Json<Value> {
    Json(json!({"id_token": state.jwt, "token_type": "Bearer"}))
}

/// A response with `n` header lines in all (default 100, exactly hyper's default client
/// limit; 101 is one too many): `content-type`, `content-length`, `date` and
/// `x-header-000: value-000` onwards.
async fn headers_many(Query(params): Query<Params>) -> Response {
    let total: usize = params.get("n").and_then(|n| n.parse().ok()).unwrap_or(100);
    let custom = total.saturating_sub(3);
    let mut response = Json(json!({"headers": total})).into_response();
    for i in 0..custom {
        response.headers_mut().insert(
            header::HeaderName::try_from(format!("x-header-{i:03}")).unwrap(),
            HeaderValue::try_from(format!("value-{i:03}")).unwrap(),
        );
    }
    response
}
