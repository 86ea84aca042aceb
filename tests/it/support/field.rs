//! The "field provider": an OpenID provider on 127.0.0.1 that behaves like the real ones
//! baton met in the field, not like baton's sandbox:
//!
//! - discovery at `/.well-known/openid-configuration` names no introspection or revocation
//!   endpoint; the RFC 8414 document (`/.well-known/oauth-authorization-server`, with the
//!   issuer's path after it, RFC 8414 3.1) does;
//! - `/authorize` redirects to a login page whose fields are `user` and `pass`, with a
//!   hidden CSRF field tied to a cookie (and a language form before it); a wrong password
//!   gets the page again (200) with `<p class="error">Invalid login or password.</p>`;
//! - the consent page has `<input type="submit" value="Cancel"/>` FIRST and
//!   `<input type="submit" name="allow" value="Authorize"/>` second: a post without `allow`
//!   is a denial (`302 redirect_uri?error=access_denied&state=…`);
//! - the back channel (discovery, RFC 8414, token, JWKS, introspection, revocation) refuses
//!   any request with a `Cookie` header: 400 `invalid_request`, "this endpoint is not
//!   supposed to be called by authenticated users";
//! - PKCE S256 is checked, a code is used once, a refresh token rotates, and userinfo says
//!   who signed in (alice or bob);
//! - a browser session cookie skips the login page (SSO), as providers do.
//!
//! Realms (issuers) on one port, by path: `""` (the issuer is the server's URL), `"/o"` (an
//! issuer with a path), `"/bare"` (no introspection or revocation endpoint in either
//! document) and `"/jwks-down"` (its JWKS answers 503). Every hit is counted by path, and
//! what the tests assert on is recorded (token request forms, form posts, cookies seen).

use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;

/// A confidential client (Basic or body authentication); consent page: Cancel, Authorize.
pub(crate) const FIELD_CLIENT: &str = "field-app";
/// Secret of `FIELD_CLIENT`.
pub(crate) const FIELD_SECRET: &str = "field-secret";
/// A public client: PKCE S256 is required; consent page: Cancel, Authorize.
pub(crate) const FIELD_PUBLIC: &str = "field-public";
/// A confidential client whose pages use named `<button>`s: the login page has "Create an
/// account" before "Sign in" (`action=register|login`), the consent page "Deny" before
/// "Approve" (`decision=deny|approve`).
pub(crate) const FIELD_BUTTONS: &str = "field-buttons";
/// Secret of `FIELD_BUTTONS`.
pub(crate) const FIELD_BUTTONS_SECRET: &str = "buttons-secret";
/// The redirect URI registered for every client; a loopback URI with `/callback` on any
/// port is accepted too (RFC 8252 7.3).
pub(crate) const FIELD_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
/// The users and their passwords.
pub(crate) const FIELD_USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

/// What the back channel answers to a request with a `Cookie` header.
pub(crate) const COOKIE_REFUSAL: &str =
    "this endpoint is not supposed to be called by authenticated users";

const CSRF_COOKIE: &str = "field_csrf";
const SESSION_COOKIE: &str = "field_session";
const KID: &str = "field-es256-1";

const CLIENTS: [(&str, Option<&str>); 3] = [
    (FIELD_CLIENT, Some(FIELD_SECRET)),
    (FIELD_PUBLIC, None),
    (FIELD_BUTTONS, Some(FIELD_BUTTONS_SECRET)),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Realm {
    Root,
    Tenant,
    Bare,
    JwksDown,
}

impl Realm {
    const ALL: [Realm; 4] = [Realm::Root, Realm::Tenant, Realm::Bare, Realm::JwksDown];

    fn prefix(self) -> &'static str {
        match self {
            Realm::Root => "",
            Realm::Tenant => "/o",
            Realm::Bare => "/bare",
            Realm::JwksDown => "/jwks-down",
        }
    }
}

/// An authorize request waiting for its login and consent.
#[derive(Clone, Debug)]
struct Pending {
    realm: Realm,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    nonce: Option<String>,
    scope: String,
    challenge: Option<String>,
}

#[derive(Clone, Debug)]
struct Code {
    realm: Realm,
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    user: String,
    nonce: Option<String>,
    scope: String,
    used: bool,
}

#[derive(Clone, Debug)]
struct Grant {
    client_id: String,
    user: String,
    scope: String,
}

/// One form post to the login or consent page, as received.
#[derive(Clone, Debug)]
pub(crate) struct FormPost {
    /// The request path, e.g. `/consent` or `/o/login`.
    pub path: String,
    /// The raw `application/x-www-form-urlencoded` body.
    pub body: String,
}

impl FormPost {
    /// The value of field `name`, if the post has it.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The names of the fields, in order.
    pub(crate) fn names(&self) -> Vec<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect()
    }
}

#[derive(Default)]
struct Log {
    hits: HashMap<String, u64>,
    /// Every request's `Cookie` header, by path (`None` when it had none).
    cookies: Vec<(String, Option<String>)>,
    /// The paths that refused a request for its cookies.
    refusals: Vec<String>,
    token_forms: Vec<Vec<(String, String)>>,
    login_posts: Vec<FormPost>,
    consent_posts: Vec<FormPost>,
}

struct Field {
    base: String,
    log: Mutex<Log>,
    pending: Mutex<HashMap<String, Pending>>,
    /// Browser sessions: session cookie value -> user.
    sessions: Mutex<HashMap<String, String>>,
    codes: Mutex<HashMap<String, Code>>,
    access: Mutex<HashMap<String, Grant>>,
    refresh: Mutex<HashMap<String, Option<Grant>>>,
    key: jsonwebtoken::EncodingKey,
    jwk: Value,
}

/// The field provider for one test. Dropping it stops the server.
pub(crate) struct FieldServer {
    addr: SocketAddr,
    state: Arc<Field>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FieldServer {
    /// Binds 127.0.0.1:0 and serves on a background thread.
    pub(crate) fn start() -> FieldServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local_addr");
        let (key, jwk) = signing_key();
        let state = Arc::new(Field {
            base: format!("http://{addr}"),
            log: Mutex::default(),
            pending: Mutex::default(),
            sessions: Mutex::default(),
            codes: Mutex::default(),
            access: Mutex::default(),
            refresh: Mutex::default(),
            key,
            jwk,
        });
        let app = router(state.clone());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("field-server-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("field server runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    let serve = axum::serve(listener, app).into_future();
                    tokio::select! {
                        result = serve => result.expect("field server failed"),
                        _ = stop => {}
                    }
                });
            })
            .expect("spawn field server thread");
        FieldServer {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`: the issuer of the root realm.
    pub(crate) fn url(&self) -> String {
        self.state.base.clone()
    }

    /// The issuer of a realm: `""`, `"/o"`, `"/bare"` or `"/jwks-down"`.
    pub(crate) fn issuer(&self, realm: &str) -> String {
        assert!(
            Realm::ALL.iter().any(|r| r.prefix() == realm),
            "no realm {realm:?}"
        );
        format!("{}{realm}", self.state.base)
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests that arrived for `path` (no query), any method.
    pub(crate) fn hits(&self, path: &str) -> u64 {
        let log = self.state.log.lock().unwrap();
        log.hits.get(path).copied().unwrap_or(0)
    }

    /// The `Cookie` headers of the requests to `path`, in order (`None`: no header).
    pub(crate) fn cookies_at(&self, path: &str) -> Vec<Option<String>> {
        let log = self.state.log.lock().unwrap();
        log.cookies
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// Every path that received a request with a `Cookie` header, with the header.
    pub(crate) fn cookies_anywhere(&self) -> Vec<(String, String)> {
        let log = self.state.log.lock().unwrap();
        log.cookies
            .iter()
            .filter_map(|(p, c)| Some((p.clone(), c.clone()?)))
            .collect()
    }

    /// The back-channel paths that refused a request because it carried cookies.
    pub(crate) fn refusals(&self) -> Vec<String> {
        self.state.log.lock().unwrap().refusals.clone()
    }

    /// The forms of the token requests, in order.
    pub(crate) fn token_forms(&self) -> Vec<Vec<(String, String)>> {
        self.state.log.lock().unwrap().token_forms.clone()
    }

    /// The posts of the login form, in order.
    pub(crate) fn login_posts(&self) -> Vec<FormPost> {
        self.state.log.lock().unwrap().login_posts.clone()
    }

    /// The posts of the consent form, in order.
    pub(crate) fn consent_posts(&self) -> Vec<FormPost> {
        self.state.log.lock().unwrap().consent_posts.clone()
    }

    /// An authorization code for `user`, as if they had signed in and consented, issued to
    /// `client_id` for `FIELD_REDIRECT_URI` with `scope`; `verifier` is the PKCE S256
    /// verifier the authorize request's challenge was made from (`None`: no PKCE).
    pub(crate) fn issue_code(
        &self,
        client_id: &str,
        user: &str,
        scope: &str,
        verifier: Option<&str>,
    ) -> String {
        let code = random("code");
        self.state.codes.lock().unwrap().insert(
            code.clone(),
            Code {
                realm: Realm::Root,
                client_id: client_id.into(),
                redirect_uri: FIELD_REDIRECT_URI.into(),
                challenge: verifier.map(s256),
                user: user.into(),
                nonce: None,
                scope: scope.into(),
                used: false,
            },
        );
        code
    }

    /// An active access token for `user`, issued to `client_id`.
    pub(crate) fn issue_token(&self, client_id: &str, user: &str) -> String {
        let token = random("at");
        self.state.access.lock().unwrap().insert(
            token.clone(),
            Grant {
                client_id: client_id.into(),
                user: user.into(),
                scope: "profile".into(),
            },
        );
        token
    }
}

impl Drop for FieldServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let joined = self.thread.take().map(JoinHandle::join);
        if !std::thread::panicking() {
            assert!(
                !matches!(joined, Some(Err(_))),
                "the field server thread panicked"
            );
        }
    }
}

/// An ES256 key of the run: the encoding key and its public JWK.
fn signing_key() -> (jsonwebtoken::EncodingKey, Value) {
    let pair = rcgen::KeyPair::generate().expect("generate a P-256 key");
    let point = pair.public_key_raw();
    assert!(
        point.len() == 65 && point[0] == 4,
        "an uncompressed P-256 point"
    );
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let jwk = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": b64(&point[1..33]),
        "y": b64(&point[33..]),
        "kid": KID,
        "alg": "ES256",
        "use": "sig",
    });
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes())
        .expect("an ES256 encoding key");
    (key, jwk)
}

fn random(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

fn router(state: Arc<Field>) -> Router {
    let mut app: Router<Arc<Field>> = Router::new();
    for realm in Realm::ALL {
        let p = realm.prefix();
        app = app
            .route(
                &format!("{p}/.well-known/openid-configuration"),
                get(move |s: State<Arc<Field>>, h: HeaderMap| async move {
                    discovery(&s, realm, &h)
                }),
            )
            .route(
                &format!("/.well-known/oauth-authorization-server{p}"),
                get(move |s: State<Arc<Field>>, h: HeaderMap| async move {
                    rfc8414(&s, realm, &h)
                }),
            )
            .route(
                &format!("{p}/authorize"),
                get(move |s: State<Arc<Field>>, h: HeaderMap, u: Uri| async move {
                    authorize(&s, realm, &h, &u)
                }),
            )
            .route(
                &format!("{p}/login"),
                get(move |s: State<Arc<Field>>, h: HeaderMap, u: Uri| async move {
                    login_page(&s, realm, &h, &u)
                })
                .post(
                    move |s: State<Arc<Field>>, h: HeaderMap, u: Uri, b: Bytes| async move {
                        login_post(&s, realm, &h, &u, &b)
                    },
                ),
            )
            .route(
                &format!("{p}/consent"),
                get(move |s: State<Arc<Field>>, h: HeaderMap, u: Uri| async move {
                    consent_page(&s, realm, &h, &u)
                })
                .post(
                    move |s: State<Arc<Field>>, h: HeaderMap, u: Uri, b: Bytes| async move {
                        // A provider takes its time: the hops of a flow add up to more than 0 ms.
                        tokio::time::sleep(Duration::from_millis(25)).await;
                        consent_post(&s, realm, &h, &u, &b)
                    },
                ),
            )
            .route(
                &format!("{p}/token"),
                post(move |s: State<Arc<Field>>, h: HeaderMap, b: Bytes| async move {
                    token(&s, realm, &h, &b)
                }),
            )
            .route(
                &format!("{p}/jwks"),
                get(move |s: State<Arc<Field>>, h: HeaderMap| async move { jwks(&s, realm, &h) }),
            )
            .route(
                &format!("{p}/userinfo"),
                get(move |s: State<Arc<Field>>, h: HeaderMap| async move { userinfo(&s, &h) }),
            )
            .route(
                &format!("{p}/introspect"),
                post(move |s: State<Arc<Field>>, h: HeaderMap, b: Bytes| async move {
                    introspect(&s, realm, &h, &b)
                }),
            )
            .route(
                &format!("{p}/revoke"),
                post(move |s: State<Arc<Field>>, h: HeaderMap, b: Bytes| async move {
                    revoke(&s, realm, &h, &b)
                }),
            );
    }
    app.route("/set-cookie", get(set_cookie))
        .route("/cookies", get(cookies))
        .route("/broken", get(broken).post(broken))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"error": "not found"})),
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// Counts the hit and keeps the request's `Cookie` header.
async fn record(State(field): State<Arc<Field>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>();
    {
        let mut log = field.log.lock().unwrap();
        *log.hits.entry(path.clone()).or_default() += 1;
        let cookie = (!cookie.is_empty()).then(|| cookie.join("; "));
        log.cookies.push((path, cookie));
    }
    next.run(req).await
}

// ---------------------------------------------------------------------------------------
// Helpers

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn params(encoded: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(encoded)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn query(uri: &Uri) -> HashMap<String, String> {
    params(uri.query().unwrap_or("").as_bytes())
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The back channel's refusal of a request that carries cookies, when it does.
fn refuse_cookies(field: &Field, path: &str, headers: &HeaderMap) -> Option<Response> {
    headers.get(header::COOKIE)?;
    field.log.lock().unwrap().refusals.push(path.to_string());
    Some(json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": "invalid_request", "error_description": COOKIE_REFUSAL}),
    ))
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    json_response(
        status,
        json!({"error": code, "error_description": description}),
    )
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, HeaderValue::from_str(location).unwrap())],
    )
        .into_response()
}

fn html(status: StatusCode, page: String, cookies: &[String]) -> Response {
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response();
    for c in cookies {
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_str(c).unwrap());
    }
    response
}

/// A page as real providers serve it: a `<head>` full of things that are not the message
/// (title, meta, style, script), and the text people read in `<body>`.
fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Field Identity Cloud</title>
<meta name="description" content="FIELD-HEAD-MARKER: sign in to your Field Identity account">
<link rel="icon" href="/favicon.ico">
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 28rem; }}
  .error {{ color: #b00020; }}
</style>
<script>window.fieldAnalytics = {{ id: "FIELD-SCRIPT-MARKER", consent: false }};</script>
</head>
<body>
<main>
{body}
</main>
<footer><a href="/privacy">Privacy</a> <a href="/help">Help</a></footer>
</body>
</html>
"#
    )
}

fn error_page(status: StatusCode, message: &str) -> Response {
    html(
        status,
        page(
            "Error",
            &format!(
                "<h1>Something went wrong</h1>\n<p class=\"error\">{}</p>",
                esc(message)
            ),
        ),
        &[],
    )
}

/// The CSRF token of the browser (its cookie), and the `Set-Cookie` to send when it is new.
fn csrf(headers: &HeaderMap) -> (String, Option<String>) {
    if let Some(token) = cookie_value(headers, CSRF_COOKIE) {
        (token, None)
    } else {
        let token = random("csrf");
        let set = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
        (token, Some(set))
    }
}

fn csrf_ok(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    matches!(
        (cookie_value(headers, CSRF_COOKIE), form.get("csrf_token")),
        (Some(cookie), Some(field)) if cookie == *field
    )
}

fn signed_in(field: &Field, headers: &HeaderMap) -> Option<String> {
    let session = cookie_value(headers, SESSION_COOKIE)?;
    field.sessions.lock().unwrap().get(&session).cloned()
}

fn client_known(id: &str) -> bool {
    CLIENTS.iter().any(|(c, _)| *c == id)
}

fn redirect_uri_ok(uri: &str) -> bool {
    if uri == FIELD_REDIRECT_URI {
        return true;
    }
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && u.host_str() == Some("127.0.0.1") && u.path() == "/callback"
    })
}

/// The redirect back to the client with `pairs` and the request's `state`.
fn back_to_client(pending: &Pending, pairs: &[(&str, &str)]) -> Response {
    let mut url = url::Url::parse(&pending.redirect_uri).unwrap();
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(state) = &pending.state {
            q.append_pair("state", state);
        }
    }
    redirect(url.as_str())
}

// ---------------------------------------------------------------------------------------
// Metadata

fn discovery(field: &Field, realm: Realm, headers: &HeaderMap) -> Response {
    let p = realm.prefix();
    if let Some(refused) = refuse_cookies(
        field,
        &format!("{p}/.well-known/openid-configuration"),
        headers,
    ) {
        return refused;
    }
    let issuer = format!("{}{p}", field.base);
    // What providers' OpenID documents often look like: no introspection, no revocation.
    json_response(
        StatusCode::OK,
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "jwks_uri": format!("{issuer}/jwks"),
            "scopes_supported": ["openid", "profile", "offline_access"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
        }),
    )
}

fn rfc8414(field: &Field, realm: Realm, headers: &HeaderMap) -> Response {
    let p = realm.prefix();
    if let Some(refused) = refuse_cookies(
        field,
        &format!("/.well-known/oauth-authorization-server{p}"),
        headers,
    ) {
        return refused;
    }
    let issuer = format!("{}{p}", field.base);
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    });
    if realm != Realm::Bare {
        doc["introspection_endpoint"] = format!("{issuer}/introspect").into();
        doc["revocation_endpoint"] = format!("{issuer}/revoke").into();
    }
    json_response(StatusCode::OK, doc)
}

fn jwks(field: &Field, realm: Realm, headers: &HeaderMap) -> Response {
    if let Some(refused) = refuse_cookies(field, &format!("{}/jwks", realm.prefix()), headers) {
        return refused;
    }
    if realm == Realm::JwksDown {
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the key service is down",
        );
    }
    json_response(StatusCode::OK, json!({"keys": [field.jwk]}))
}

// ---------------------------------------------------------------------------------------
// The front channel: authorize, login, consent

fn authorize(field: &Field, realm: Realm, headers: &HeaderMap, uri: &Uri) -> Response {
    let q = query(uri);
    let client_id = q.get("client_id").cloned().unwrap_or_default();
    if !client_known(&client_id) {
        return error_page(StatusCode::BAD_REQUEST, "Unknown client.");
    }
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !redirect_uri_ok(&redirect_uri) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The redirect_uri is not registered for this client.",
        );
    }
    let mut pending = Pending {
        realm,
        client_id: client_id.clone(),
        redirect_uri,
        state: q.get("state").cloned(),
        nonce: q.get("nonce").cloned(),
        scope: q.get("scope").cloned().unwrap_or_default(),
        challenge: None,
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return back_to_client(&pending, &[("error", "unsupported_response_type")]);
    }
    match (
        q.get("code_challenge"),
        q.get("code_challenge_method").map(String::as_str),
    ) {
        (Some(c), Some("S256")) => pending.challenge = Some(c.clone()),
        (Some(_), _) => {
            return back_to_client(
                &pending,
                &[
                    ("error", "invalid_request"),
                    ("error_description", "only S256 is supported"),
                ],
            );
        }
        (None, _) if client_id == FIELD_PUBLIC => {
            return back_to_client(
                &pending,
                &[
                    ("error", "invalid_request"),
                    ("error_description", "PKCE is required"),
                ],
            );
        }
        (None, _) => {}
    }
    let tx = random("tx");
    field.pending.lock().unwrap().insert(tx.clone(), pending);
    let p = realm.prefix();
    // A browser that is signed in goes straight to the consent page (single sign-on).
    if signed_in(field, headers).is_some() {
        redirect(&format!("{p}/consent?tx={tx}"))
    } else {
        redirect(&format!("{p}/login?tx={tx}"))
    }
}

fn pending_of(field: &Field, tx: Option<&String>) -> Option<Pending> {
    field.pending.lock().unwrap().get(tx?).cloned()
}

fn login_form(realm: Realm, pending: &Pending, tx: &str, csrf: &str, error: &str) -> String {
    let p = realm.prefix();
    let buttons = if pending.client_id == FIELD_BUTTONS {
        "  <button type=\"submit\" name=\"action\" value=\"register\">Create an account</button>\n  \
         <button type=\"submit\" name=\"action\" value=\"login\">Sign in</button>"
    } else {
        "  <button type=\"submit\">Sign in</button>"
    };
    let error = if error.is_empty() {
        String::new()
    } else {
        format!("<p class=\"error\">{}</p>\n", esc(error))
    };
    page(
        "Sign in",
        &format!(
            r#"<form method="get" action="{p}/language" class="language">
  <input type="hidden" name="tx" value="{tx}">
  <select name="lang"><option value="en" selected>English</option><option value="fr">Français</option></select>
  <button type="submit">Change language</button>
</form>
<h1>Sign in to continue to {client}</h1>
{error}<form method="post" action="{p}/login" id="login-form">
  <input type="hidden" name="tx" value="{tx}">
  <input type="hidden" name="csrf_token" value="{csrf}">
  <label>Email or username <input type="text" name="user" autocomplete="username"></label>
  <label>Password <input type="password" name="pass" autocomplete="current-password"></label>
{buttons}
</form>
"#,
            client = esc(&pending.client_id),
        ),
    )
}

fn login_page(field: &Field, realm: Realm, headers: &HeaderMap, uri: &Uri) -> Response {
    let q = query(uri);
    let Some(pending) = pending_of(field, q.get("tx")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or has expired.",
        );
    };
    let (token, set) = csrf(headers);
    let form = login_form(realm, &pending, &q["tx"], &token, "");
    html(StatusCode::OK, form, &set.into_iter().collect::<Vec<_>>())
}

fn login_post(
    field: &Field,
    realm: Realm,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Response {
    field.log.lock().unwrap().login_posts.push(FormPost {
        path: uri.path().to_string(),
        body: String::from_utf8_lossy(body).into_owned(),
    });
    let form = params(body);
    let Some(pending) = pending_of(field, form.get("tx")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or has expired.",
        );
    };
    if !csrf_ok(headers, &form) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Your session has expired (CSRF token missing or wrong). Go back and try again.",
        );
    }
    let tx = form["tx"].clone();
    if pending.client_id == FIELD_BUTTONS && form.get("action").map(String::as_str) != Some("login")
    {
        return html(
            StatusCode::OK,
            page(
                "Create an account",
                "<h1>Create an account</h1>\n<p>Registration is closed.</p>",
            ),
            &[],
        );
    }
    let user = form.get("user").cloned().unwrap_or_default();
    let pass = form.get("pass").cloned().unwrap_or_default();
    if !FIELD_USERS.contains(&(user.as_str(), pass.as_str())) {
        let token = cookie_value(headers, CSRF_COOKIE).unwrap_or_default();
        let again = login_form(realm, &pending, &tx, &token, "Invalid login or password.");
        return html(StatusCode::OK, again, &[]);
    }
    let session = random("sess");
    field.sessions.lock().unwrap().insert(session.clone(), user);
    let mut response = redirect(&format!("{}/consent?tx={tx}", realm.prefix()));
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
        ))
        .unwrap(),
    );
    response
}

fn consent_page(field: &Field, realm: Realm, headers: &HeaderMap, uri: &Uri) -> Response {
    let q = query(uri);
    let p = realm.prefix();
    let Some(pending) = pending_of(field, q.get("tx")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or has expired.",
        );
    };
    let tx = &q["tx"];
    let Some(user) = signed_in(field, headers) else {
        return redirect(&format!("{p}/login?tx={tx}"));
    };
    let (token, set) = csrf(headers);
    let buttons = if pending.client_id == FIELD_BUTTONS {
        "  <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n  \
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
    } else {
        "  <input type=\"submit\" value=\"Cancel\"/>\n  \
         <input type=\"submit\" name=\"allow\" value=\"Authorize\"/>"
    };
    let scopes: String = pending
        .scope
        .split_whitespace()
        .map(|s| format!("<li>{}</li>", esc(s)))
        .collect();
    let body = format!(
        r#"<h1>Authorize {client}</h1>
<p>Signed in as <b>{user}</b>. <b>{client}</b> would like to:</p>
<ul>{scopes}</ul>
<form method="post" action="{p}/consent">
  <input type="hidden" name="tx" value="{tx}">
  <input type="hidden" name="csrf_token" value="{token}">
  <label><input type="checkbox" name="remember" value="1"> Remember this decision</label>
{buttons}
</form>
<p><a href="{p}/logout">Not {user}? Sign out</a></p>
"#,
        client = esc(&pending.client_id),
        user = esc(&user),
    );
    html(
        StatusCode::OK,
        page("Authorize", &body),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

fn consent_post(
    field: &Field,
    realm: Realm,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Response {
    field.log.lock().unwrap().consent_posts.push(FormPost {
        path: uri.path().to_string(),
        body: String::from_utf8_lossy(body).into_owned(),
    });
    let form = params(body);
    let Some(pending) = pending_of(field, form.get("tx")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or has expired.",
        );
    };
    let tx = form["tx"].clone();
    let Some(user) = signed_in(field, headers) else {
        return redirect(&format!("{}/login?tx={tx}", realm.prefix()));
    };
    if !csrf_ok(headers, &form) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Your session has expired (CSRF token missing or wrong). Go back and try again.",
        );
    }
    field.pending.lock().unwrap().remove(&tx);
    let approved = if pending.client_id == FIELD_BUTTONS {
        form.get("decision").map(String::as_str) == Some("approve")
    } else {
        form.contains_key("allow")
    };
    if !approved {
        return back_to_client(&pending, &[("error", "access_denied")]);
    }
    let code = random("code");
    field.codes.lock().unwrap().insert(
        code.clone(),
        Code {
            realm: pending.realm,
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            challenge: pending.challenge.clone(),
            user,
            nonce: pending.nonce.clone(),
            scope: pending.scope.clone(),
            used: false,
        },
    );
    back_to_client(&pending, &[("code", &code)])
}

// ---------------------------------------------------------------------------------------
// The back channel: token, introspection, revocation, userinfo

/// The authenticated client: Basic (RFC 6749 2.3.1, form-encoded first), a secret in the
/// body, or a public client by its id alone.
fn client(headers: &HeaderMap, form: &HashMap<String, String>) -> Result<String, Box<Response>> {
    let unauthorized =
        |why: &str| Box::new(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", why));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b| {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .unwrap_or_default();
            let pair = String::from_utf8_lossy(&raw).into_owned();
            let (id, secret) = pair.split_once(':').unwrap_or(("", ""));
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (decode(id), decode(secret))
        });
    let (id, secret) = match (basic, form.get("client_id"), form.get("client_secret")) {
        (Some(pair), _, None) => (pair.0, Some(pair.1)),
        (Some(_), _, Some(_)) => {
            return Err(Box::new(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "two client authentications",
            )));
        }
        (None, Some(id), secret) => (id.clone(), secret.cloned()),
        (None, None, _) => return Err(unauthorized("client authentication required")),
    };
    match CLIENTS.iter().find(|(c, _)| *c == id) {
        Some((_, Some(want))) if secret.as_deref() == Some(*want) => Ok(id),
        Some((_, None)) if secret.is_none() => Ok(id),
        Some(_) => Err(unauthorized("wrong client secret")),
        None => Err(unauthorized("unknown client")),
    }
}

fn issue(field: &Field, realm: Realm, grant: Grant, nonce: Option<&str>) -> Response {
    let access_token = random("at");
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": grant.scope,
    });
    let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
    if scopes.contains(&"offline_access") {
        let refresh_token = random("rt");
        field
            .refresh
            .lock()
            .unwrap()
            .insert(refresh_token.clone(), Some(grant.clone()));
        body["refresh_token"] = refresh_token.into();
    }
    if scopes.contains(&"openid") {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": format!("{}{}", field.base, realm.prefix()),
            "sub": grant.user,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 600,
            "preferred_username": grant.user,
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        let mut head = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        head.kid = Some(KID.into());
        body["id_token"] = jsonwebtoken::encode(&head, &claims, &field.key)
            .expect("sign the id_token")
            .into();
    }
    field.access.lock().unwrap().insert(access_token, grant);
    json_response(StatusCode::OK, body)
}

fn token(field: &Field, realm: Realm, headers: &HeaderMap, body: &[u8]) -> Response {
    let path = format!("{}/token", realm.prefix());
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    field.log.lock().unwrap().token_forms.push(pairs);
    if let Some(refused) = refuse_cookies(field, &path, headers) {
        return refused;
    }
    let form = params(body);
    let client_id = match client(headers, &form) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let invalid_grant = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let presented = form.get("code").cloned().unwrap_or_default();
            let code = {
                let mut codes = field.codes.lock().unwrap();
                let Some(code) = codes.get_mut(&presented) else {
                    return invalid_grant("unknown authorization code");
                };
                if code.used {
                    return invalid_grant("the authorization code was already used");
                }
                code.used = true;
                code.clone()
            };
            if code.client_id != client_id {
                return invalid_grant("the code was issued to another client");
            }
            if code.realm != realm {
                return invalid_grant("the code was issued by another issuer");
            }
            if form.get("redirect_uri") != Some(&code.redirect_uri) {
                return invalid_grant("redirect_uri differs from the authorization request's");
            }
            match (&code.challenge, form.get("code_verifier")) {
                (Some(challenge), Some(verifier)) if s256(verifier) == *challenge => {}
                (Some(_), Some(_)) => return invalid_grant("PKCE verification failed"),
                (Some(_), None) => return invalid_grant("code_verifier is required"),
                (None, Some(_)) => {
                    return invalid_grant(
                        "code_verifier sent, but the authorization request had no code_challenge",
                    );
                }
                (None, None) => {}
            }
            let grant = Grant {
                client_id,
                user: code.user.clone(),
                scope: code.scope.clone(),
            };
            issue(field, realm, grant, code.nonce.as_deref())
        }
        Some("refresh_token") => {
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            let grant = {
                let mut refresh = field.refresh.lock().unwrap();
                match refresh.get_mut(&presented) {
                    None => return invalid_grant("unknown refresh token"),
                    Some(None) => return invalid_grant("the refresh token was already used"),
                    Some(Some(g)) if g.client_id != client_id => {
                        return invalid_grant("the refresh token was issued to another client");
                    }
                    Some(slot) => slot.take().unwrap(),
                }
            };
            issue(field, realm, grant, None)
        }
        Some("client_credentials") if client_id != FIELD_PUBLIC => {
            let grant = Grant {
                user: client_id.clone(),
                client_id,
                scope: form.get("scope").cloned().unwrap_or_else(|| "api".into()),
            };
            issue(field, realm, grant, None)
        }
        Some(other) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other} is not supported for this client"),
        ),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required",
        ),
    }
}

fn introspect(field: &Field, realm: Realm, headers: &HeaderMap, body: &[u8]) -> Response {
    let path = format!("{}/introspect", realm.prefix());
    if let Some(refused) = refuse_cookies(field, &path, headers) {
        return refused;
    }
    let form = params(body);
    if let Err(refused) = client(headers, &form) {
        return *refused;
    }
    let token = form.get("token").cloned().unwrap_or_default();
    let grant = field.access.lock().unwrap().get(&token).cloned();
    match grant {
        Some(g) => json_response(
            StatusCode::OK,
            json!({"active": true, "sub": g.user, "username": g.user, "client_id": g.client_id, "scope": g.scope, "token_type": "Bearer"}),
        ),
        None => json_response(StatusCode::OK, json!({"active": false})),
    }
}

fn revoke(field: &Field, realm: Realm, headers: &HeaderMap, body: &[u8]) -> Response {
    let path = format!("{}/revoke", realm.prefix());
    if let Some(refused) = refuse_cookies(field, &path, headers) {
        return refused;
    }
    let form = params(body);
    if let Err(refused) = client(headers, &form) {
        return *refused;
    }
    let token = form.get("token").cloned().unwrap_or_default();
    field.access.lock().unwrap().remove(&token);
    field.refresh.lock().unwrap().remove(&token);
    StatusCode::OK.into_response()
}

fn userinfo(field: &Field, headers: &HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let grant = field.access.lock().unwrap().get(token).cloned();
    match grant {
        Some(g) => json_response(
            StatusCode::OK,
            json!({"sub": g.user, "preferred_username": g.user, "client_id": g.client_id}),
        ),
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Plain routes for plain requests

/// `GET /set-cookie?name=N&value=V`: sets a cookie for the whole host, as an API might.
async fn set_cookie(uri: Uri) -> Response {
    let q = query(&uri);
    let name = q.get("name").cloned().unwrap_or_else(|| "tracker".into());
    let value = q.get("value").cloned().unwrap_or_else(|| "1".into());
    let mut response = json_response(StatusCode::OK, json!({"set": name, "value": value}));
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!("{name}={value}; Path=/")).unwrap(),
    );
    response
}

/// `GET /cookies`: the cookies received, as a JSON object.
async fn cookies(headers: HeaderMap) -> Response {
    let mut got = serde_json::Map::new();
    for line in headers.get_all(header::COOKIE) {
        for pair in line.to_str().unwrap_or("").split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                got.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
    }
    json_response(StatusCode::OK, Value::Object(got))
}

/// `/broken`: a server error, whatever is asked.
async fn broken() -> Response {
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the database is down",
    )
}
