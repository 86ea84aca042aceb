//! `oauth2:` requests of the real binary against two providers: the embedded sandbox
//! (in-process) and the OpenID Certified `oidc-provider` of `tests/interop/` (a node child
//! process). Each scenario is a function of a `&Provider`, run by one `#[test]` per provider.
//!
//! Without node or `tests/interop/node_modules` the interop tests print `skipped: …` and
//! pass, except under `CI`, where they fail: CI installs both.

mod client_auth;
mod code;
mod dot;
mod dpop;
mod dpop_inputs;
mod dpop_refused;
mod errors;
mod field;
mod grants;
mod jar;
mod more_grants;
mod mtls;
mod par;
mod probe_interop;
mod stock_pages;
mod tokens;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use baton::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::support::{Baton, Ready, start_ready};

/// One test per provider for a scenario `fn(&Provider)`: `<name>::sandbox` on a fresh sandbox,
/// `<name>::interop` on the interop server shared by the tests that count no hits.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sandbox() {
                super::$name(&crate::oauth::Provider::sandbox());
            }

            #[test]
            fn interop() {
                if let Some(p) = crate::oauth::Provider::interop_shared() {
                    super::$name(p);
                }
            }
        }
    };
}
pub(crate) use both;

/// Like `both!`, on a provider of the test's own (it counts token requests), its access
/// tokens living `$ttl` seconds when `Some`.
macro_rules! own {
    ($name:ident, $ttl:expr) => {
        mod $name {
            #[test]
            fn sandbox() {
                let p = crate::oauth::Provider::own(crate::oauth::Kind::Sandbox, $ttl);
                super::$name(&p.expect("the sandbox"));
            }

            #[test]
            fn interop() {
                if let Some(p) = crate::oauth::Provider::own(crate::oauth::Kind::Interop, $ttl) {
                    super::$name(&p);
                }
            }
        }
    };
}
pub(crate) use own;

/// A registered client: its id and, for a confidential one, its secret.
#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub id: String,
    pub secret: Option<String>,
}

impl Client {
    fn new(id: &str, secret: Option<&str>) -> Client {
        Client {
            id: id.into(),
            secret: secret.map(Into::into),
        }
    }

    pub(crate) fn secret(&self) -> &str {
        self.secret.as_deref().unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sandbox,
    Interop,
}

/// An OpenID provider running for a test.
pub(crate) struct Provider {
    pub kind: Kind,
    issuer: String,
    backend: Backend,
}

enum Backend {
    /// The sandbox serves on the runtime it was started on: both live as long as this.
    Sandbox {
        sandbox: Sandbox,
        _runtime: tokio::runtime::Runtime,
    },
    /// The server stops when its stdin closes, so the pipe is kept open until drop.
    Interop {
        child: Child,
        _stdin: ChildStdin,
        log: Arc<Mutex<String>>,
    },
}

impl Drop for Provider {
    fn drop(&mut self) {
        if let Backend::Interop { child, log, .. } = &mut self.backend {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                // The provider's side of the failure: its error details (`error_detail`).
                let log = log.lock().unwrap();
                let tail = &log[log.len().saturating_sub(4000)..];
                eprintln!("--- interop server log (tail) ---\n{tail}");
            }
        }
    }
}

/// `tests/interop/`.
fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Why the interop server cannot run here, if it cannot.
fn interop_unavailable() -> Option<String> {
    if !interop_dir().join("node_modules/oidc-provider").is_dir() {
        return Some("tests/interop/node_modules is missing: `cd tests/interop && npm ci`".into());
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!("`node --version` failed: {}", out.status)),
        Err(e) => Some(format!("node is not on PATH: {e}")),
    }
}

/// A private tokio runtime for the in-process servers of a test.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

impl Provider {
    /// The sandbox with its default configuration, in-process on a free port.
    pub(crate) fn sandbox() -> Provider {
        Provider::sandbox_with(SandboxConfig::default())
    }

    pub(crate) fn sandbox_with(config: SandboxConfig) -> Provider {
        let runtime = runtime();
        let sandbox = runtime
            .block_on(Sandbox::start(config))
            .expect("the sandbox starts");
        Provider {
            kind: Kind::Sandbox,
            issuer: sandbox.issuer().to_string(),
            backend: Backend::Sandbox {
                sandbox,
                _runtime: runtime,
            },
        }
    }

    /// A provider of the caller's own, its access tokens living `access_ttl` seconds when
    /// given; `None` when the interop server is unavailable (see `interop`).
    pub(crate) fn own(kind: Kind, access_ttl: Option<u64>) -> Option<Provider> {
        match kind {
            Kind::Sandbox => {
                let mut config = SandboxConfig::default();
                if let Some(secs) = access_ttl {
                    config.lifetimes.access_token = secs;
                }
                Some(Provider::sandbox_with(config))
            }
            Kind::Interop => Provider::interop(access_ttl),
        }
    }

    /// The interop server shared by every test that does not count its hits (its state is
    /// per client and per user, and those tests do not step on each other's). `None` after
    /// printing why, when node or its modules are missing outside CI.
    pub(crate) fn interop_shared() -> Option<&'static Provider> {
        static SHARED: OnceLock<Option<Provider>> = OnceLock::new();
        SHARED.get_or_init(|| Provider::interop(None)).as_ref()
    }

    /// A fresh interop server of its own (for a test that counts hits), its access tokens
    /// living `access_ttl` seconds when given.
    pub(crate) fn interop(access_ttl: Option<u64>) -> Option<Provider> {
        Provider::interop_with(access_ttl, &[])
    }

    /// An interop server of its own whose discovery says that every authorize request must
    /// be pushed (RFC 9126 5, `require_pushed_authorization_requests`).
    pub(crate) fn interop_requiring_par() -> Option<Provider> {
        Provider::interop_with(None, &[("REQUIRE_PAR", "1")])
    }

    /// An interop server of its own that shows oidc-provider's own login and consent pages
    /// (`devInteractions`, as the library ships them) instead of the test's handler.
    pub(crate) fn interop_stock_pages() -> Option<Provider> {
        Provider::interop_with(None, &[("STOCK_PAGES", "1")])
    }

    fn interop_with(access_ttl: Option<u64>, env: &[(&str, &str)]) -> Option<Provider> {
        if let Some(why) = interop_unavailable() {
            assert!(
                std::env::var_os("CI").is_none(),
                "the interop provider is unavailable under CI: {why}"
            );
            eprintln!("skipped: interop provider unavailable ({why})");
            return None;
        }
        let mut cmd = Command::new("node");
        cmd.arg("server.mjs")
            .current_dir(interop_dir())
            .env("PORT", "0")
            .env_remove("IGNORE_STDIN")
            .env_remove("DEBUG")
            .env_remove("REQUIRE_PAR")
            .env_remove("STOCK_PAGES");
        if let Some(ttl) = access_ttl {
            cmd.env("ACCESS_TOKEN_TTL", ttl.to_string());
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        let Ready {
            child,
            stdin,
            log,
            url: issuer,
        } = start_ready(cmd, "interop server");
        Some(Provider {
            kind: Kind::Interop,
            issuer,
            backend: Backend::Interop {
                child,
                _stdin: stdin,
                log,
            },
        })
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Where the provider listens, which is its issuer unless configured otherwise.
    pub(crate) fn address(&self) -> String {
        match &self.backend {
            Backend::Sandbox { sandbox, .. } => format!("http://{}", sandbox.addr()),
            Backend::Interop { .. } => self.issuer.clone(),
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self.kind {
            Kind::Sandbox => "sandbox",
            Kind::Interop => "interop",
        }
    }

    /// Requests that reached the token endpoint so far.
    pub(crate) fn token_hits(&self) -> u64 {
        match &self.backend {
            Backend::Sandbox { sandbox, .. } => sandbox.hits("/connect/token"),
            Backend::Interop { .. } => {
                get_json(&format!("{}/test/stats", self.issuer))["/connect/token"]
                    .as_u64()
                    .unwrap_or(0)
            }
        }
    }

    /// A confidential client that authenticates with a Basic header.
    pub(crate) fn basic_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-cli", Some("sandbox-secret")),
            Kind::Interop => Client::new("cli-basic", Some("basic-secret")),
        }
    }

    /// A confidential client that sends its secret in the body.
    pub(crate) fn body_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-cli", Some("sandbox-secret")),
            Kind::Interop => Client::new("cli-post", Some("post-secret")),
        }
    }

    /// A client whose secret must be form-encoded inside the Basic header.
    pub(crate) fn special_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-special", Some("p@ss:w/rd+=%")),
            Kind::Interop => Client::new("cli-special", Some("s3cr+t/with:special&chars=")),
        }
    }

    /// A public client (PKCE required).
    pub(crate) fn public_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-public", None),
            Kind::Interop => Client::new("cli-public", None),
        }
    }

    /// A client_secret_jwt (HS256) client, when the provider has one.
    pub(crate) fn jwt_client(&self) -> Option<Client> {
        match self.kind {
            Kind::Interop => Some(Client::new(
                "cli-jwt",
                Some("cli-jwt-hs256-secret-0123456789abcdef"),
            )),
            Kind::Sandbox => sandbox_client("baton-jwt"),
        }
    }

    /// A private_key_jwt client, the path of its private key and the algorithm its
    /// assertions are signed with, when the provider has one.
    pub(crate) fn pkjwt_client(&self) -> Option<(Client, PathBuf, &'static str)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (client, key, alg) = match self.kind {
            Kind::Interop => (
                Client::new("cli-pkjwt", None),
                root.join("tests/fixtures/keys/interop-pkjwt-private.pem"),
                "ES256",
            ),
            Kind::Sandbox => (
                sandbox_client("baton-pkjwt")?,
                root.join("tests/fixtures/keys/sandbox-pkjwt-private.pem"),
                "RS256",
            ),
        };
        key.is_file().then_some((client, key, alg))
    }

    /// A client whose login prompt is a real HTML form, and the names of its user and
    /// password fields.
    pub(crate) fn form_client(&self) -> Option<(Client, &'static str, &'static str)> {
        match self.kind {
            Kind::Interop => Some((
                Client::new("cli-form", Some("form-secret")),
                "login",
                "password",
            )),
            Kind::Sandbox => Some((sandbox_client("baton-form")?, "username", "password")),
        }
    }

    /// A client whose authorize requests must be pushed (RFC 9126 6).
    pub(crate) fn par_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-par", Some("par-secret")),
            Kind::Interop => Client::new("cli-par", Some("par-secret")),
        }
    }

    /// A client whose tokens must be DPoP-bound (RFC 9449).
    pub(crate) fn dpop_client(&self) -> Client {
        match self.kind {
            Kind::Sandbox => Client::new("baton-dpop", Some("dpop-secret")),
            Kind::Interop => Client::new("cli-dpop", Some("dpop-secret")),
        }
    }

    /// A client held to FAPI 2.0 (PAR, private_key_jwt, DPoP), its private key and the
    /// algorithm of its assertions.
    pub(crate) fn fapi_client(&self) -> Option<(Client, PathBuf, &'static str)> {
        let (_, key, alg) = self.pkjwt_client()?;
        let id = match self.kind {
            Kind::Sandbox => "baton-fapi",
            Kind::Interop => "cli-fapi",
        };
        Some((Client::new(id, None), key, alg))
    }

    /// Requests to `path` that carried a DPoP proof, as the interop server counts them
    /// (`None` on the sandbox, which counts paths only).
    pub(crate) fn dpop_hits(&self, path: &str) -> Option<u64> {
        match &self.backend {
            Backend::Sandbox { .. } => None,
            Backend::Interop { .. } => Some(
                get_json(&format!("{}/test/stats", self.issuer))[&format!("dpop {path}")]
                    .as_u64()
                    .unwrap_or(0),
            ),
        }
    }

    /// Requests that reached `path` so far.
    pub(crate) fn hits(&self, path: &str) -> u64 {
        match &self.backend {
            Backend::Sandbox { sandbox, .. } => sandbox.hits(path),
            Backend::Interop { .. } => get_json(&format!("{}/test/stats", self.issuer))[path]
                .as_u64()
                .unwrap_or(0),
        }
    }

    /// The resource owner: username and password.
    pub(crate) fn user(&self) -> (&'static str, &'static str) {
        ("alice", "wonderland")
    }

    /// A redirect URI registered for every client (loopback: any port matches).
    pub(crate) fn redirect_uri(&self) -> &'static str {
        "http://127.0.0.1:8765/callback"
    }

    /// The route that approves a device's user code without a browser, when there is one.
    pub(crate) fn device_approve_url(&self) -> String {
        format!("{}/test/device/approve", self.issuer)
    }

    /// `baton run c.yaml` on `yaml`, with the variables every scenario uses: `issuer`,
    /// `username`, `password`, `redirect_uri`, `userinfo`.
    pub(crate) fn run(&self, yaml: &str) -> Baton {
        self.baton(yaml, &["run", "c.yaml"])
    }

    /// `baton <args>` with `yaml` as `c.yaml` and the provider's variables.
    pub(crate) fn baton(&self, yaml: &str, args: &[&str]) -> Baton {
        let (username, password) = self.user();
        Baton::new()
            .file("c.yaml", yaml)
            .args(args)
            .var("issuer", self.issuer())
            .var("username", username)
            .var("password", password)
            .var("redirect_uri", self.redirect_uri())
            .var("userinfo", &format!("{}/connect/userinfo", self.issuer))
    }
}

/// A client of the sandbox's default configuration, when it has one with this id.
fn sandbox_client(id: &str) -> Option<Client> {
    let config = SandboxConfig::default();
    let client = config.clients.iter().find(|c| c.id == id)?;
    Some(Client::new(&client.id, client.secret.as_deref()))
}

/// `--var NAME=VALUE` on a `Baton`.
pub(crate) trait Vars {
    fn var(self, name: &str, value: &str) -> Self;
    /// `client_id` and, when it has one, `client_secret`.
    fn client(self, client: &Client) -> Self;
}

impl Vars for Baton {
    fn var(self, name: &str, value: &str) -> Self {
        self.arg("--var").arg(format!("{name}={value}"))
    }

    fn client(self, client: &Client) -> Self {
        let b = self.var("client_id", &client.id);
        match &client.secret {
            Some(secret) => b.var("client_secret", secret),
            None => b,
        }
    }
}

/// GET a JSON document (a provider's JWKS, the interop server's stats).
pub(crate) fn get_json(url: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        reqwest::get(url)
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
    })
}

/// One exchange that went through a `Relay`: the request body and the response body.
#[derive(Clone, Debug)]
pub(crate) struct Relayed {
    pub request: String,
    pub response: String,
}

#[derive(Default)]
struct RelayState {
    /// Where `POST /token` is forwarded.
    token_url: String,
    /// Documents served as they are at `GET /doc/<name>`.
    docs: HashMap<String, String>,
    log: Mutex<Vec<Relayed>>,
    http: reqwest::Client,
}

/// A small server of the test's own: serves fixed JSON documents (a wrong JWKS) and relays
/// token requests to the provider while keeping the raw bodies, so a test knows the secrets
/// of a run (the code, the PKCE verifier, the tokens) that baton must never print.
pub(crate) struct Relay {
    url: String,
    state: Arc<RelayState>,
    _runtime: tokio::runtime::Runtime,
}

impl Relay {
    pub(crate) fn start(token_url: &str, docs: &[(&str, String)]) -> Relay {
        let state = Arc::new(RelayState {
            token_url: token_url.to_string(),
            docs: docs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..RelayState::default()
        });
        let runtime = runtime();
        let app = axum::Router::new()
            .route("/token", axum::routing::post(relay_token))
            .route("/doc/{name}", axum::routing::get(relay_doc))
            .with_state(state.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the relay");
        let url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Relay {
            url,
            state,
            _runtime: runtime,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub(crate) fn exchanges(&self) -> Vec<Relayed> {
        self.state.log.lock().unwrap().clone()
    }
}

async fn relay_doc(
    State(state): State<Arc<RelayState>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match state.docs.get(&name) {
        Some(doc) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            doc.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn relay_token(
    State(state): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut req = state.http.post(&state.token_url).body(body.clone());
    for name in ["authorization", "content-type", "accept"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v.clone());
        }
    }
    let resp = req.send().await.expect("relay to the token endpoint");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    state.log.lock().unwrap().push(Relayed {
        request: String::from_utf8_lossy(&body).into_owned(),
        response: text.clone(),
    });
    (
        StatusCode::from_u16(status).unwrap(),
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

/// The value of form field `name` in an `application/x-www-form-urlencoded` body.
pub(crate) fn form_field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Every `authorization: Bearer …` value that `-v --show-secrets` printed, in order.
pub(crate) fn bearer_tokens(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("> ")?;
            l.strip_prefix("authorization: Bearer ")
        })
        .map(|t| t.trim().to_string())
        .collect()
}
