//! The HTTP surface: shared state, the router with its paths, hit counting, discovery and JWKS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::client::{AuthMethod, GrantType};
use super::config::{Fault, SandboxConfig};
use super::device::DeviceStore;
use super::keys::SigningKey;
use super::par::PushedRequests;
use super::session::{Antiforgery, Sessions};
use super::store::{Clock, Store};
use super::{assertion, authorize, consent, device, device_page, login, par, resource, token};

pub(crate) const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// RFC 8414 authorization server metadata, served as most providers do beside the OpenID
/// document (the issuer has no path, so nothing follows the well-known segment).
pub(crate) const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
pub(crate) const JWKS_PATH: &str = "/.well-known/openid-configuration/jwks";
pub(crate) const AUTHORIZE_PATH: &str = "/connect/authorize";
pub(crate) const TOKEN_PATH: &str = "/connect/token";
/// RFC 9126's pushed authorization request endpoint.
pub(crate) const PAR_PATH: &str = "/connect/par";
/// ProcessMaker's token path, served by the same handler.
pub(crate) const TOKEN_ALIAS_PATH: &str = "/oauth/token";
pub(crate) const USERINFO_PATH: &str = "/connect/userinfo";
pub(crate) const INTROSPECT_PATH: &str = "/connect/introspect";
pub(crate) const REVOCATION_PATH: &str = "/connect/revocation";
pub(crate) const DEVICE_AUTHORIZATION_PATH: &str = "/connect/deviceauthorization";
/// The verification page a person opens to approve a device (`verification_uri`).
pub(crate) const DEVICE_PAGE_PATH: &str = "/device";
/// Approves or denies a user code without a browser, for tests.
pub(crate) const DEVICE_APPROVE_PATH: &str = "/test/device/approve";
pub(crate) const LOGIN_PATH: &str = "/account/login";
pub(crate) const CONSENT_PATH: &str = "/consent";

/// What every handler sees.
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    pub(crate) issuer: String,
    pub(crate) key: SigningKey,
    pub(crate) clock: Clock,
    pub(crate) antiforgery: Antiforgery,
    store: Mutex<Store>,
    devices: Mutex<DeviceStore>,
    pushed: Mutex<PushedRequests>,
    sessions: Mutex<Sessions>,
    hits: Mutex<HashMap<String, u64>>,
    /// RFC 9449: nonces, proofs seen, bound refresh tokens.
    pub(crate) dpop: super::dpop::DpopState,
    /// The base URL of the mTLS port (`mtls.rs`), once it is bound.
    pub(crate) mtls_url: std::sync::OnceLock<String>,
}

impl Shared {
    pub(crate) fn new(config: SandboxConfig, issuer: String, key: SigningKey) -> Shared {
        Shared {
            config,
            issuer,
            key,
            clock: Clock::default(),
            antiforgery: Antiforgery::new(),
            store: Mutex::new(Store::default()),
            devices: Mutex::new(DeviceStore::default()),
            pushed: Mutex::new(PushedRequests::default()),
            sessions: Mutex::new(Sessions::default()),
            hits: Mutex::new(HashMap::new()),
            dpop: super::dpop::DpopState::default(),
            mtls_url: std::sync::OnceLock::new(),
        }
    }

    /// The grant store. A panic while holding the lock cannot leave a map half-updated in a
    /// way that matters to a test server, so a poisoned lock is used as is rather than
    /// turning every later request into a panic.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pending device authorizations (RFC 8628); poisoning is handled as for `store`.
    pub(crate) fn devices(&self) -> MutexGuard<'_, DeviceStore> {
        self.devices.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pushed authorization requests (RFC 9126); poisoning is handled as for `store`.
    pub(crate) fn pushed(&self) -> MutexGuard<'_, PushedRequests> {
        self.pushed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Browser sign-in sessions of the login form mode and the device page.
    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn hits(&self, path: &str) -> u64 {
        let hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        hits.get(path).copied().unwrap_or(0)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

/// Every route of the provider, with hit counting around all of them (unknown paths included,
/// so a test can also assert that a client did not call something).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(DISCOVERY_PATH, get(discovery))
        .route(METADATA_PATH, get(metadata))
        .route(JWKS_PATH, get(jwks))
        .route(
            AUTHORIZE_PATH,
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(TOKEN_PATH, post(token::token))
        .route(PAR_PATH, post(par::par))
        .route(TOKEN_ALIAS_PATH, post(token::token))
        .route(
            USERINFO_PATH,
            get(resource::userinfo).post(resource::userinfo),
        )
        .route(INTROSPECT_PATH, post(resource::introspect))
        .route(REVOCATION_PATH, post(resource::revoke))
        .route(
            DEVICE_AUTHORIZATION_PATH,
            post(device::device_authorization),
        )
        .route(
            DEVICE_PAGE_PATH,
            get(device_page::page_get).post(device_page::page_post),
        )
        .route(DEVICE_APPROVE_PATH, post(device_page::test_approve))
        .route(LOGIN_PATH, get(login::login_get).post(login::login_post))
        .route(
            CONSENT_PATH,
            get(consent::consent_get).post(consent::consent_post),
        )
        .layer(middleware::from_fn_with_state(shared.clone(), html_errors))
        .layer(middleware::from_fn_with_state(shared.clone(), count_hits))
        .with_state(shared)
}

async fn count_hits(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    {
        let mut hits = shared.hits.lock().unwrap_or_else(PoisonError::into_inner);
        *hits.entry(request.uri().path().to_string()).or_insert(0) += 1;
    }
    next.run(request).await
}

/// The fault `html_errors`: an error answered as JSON becomes an HTML page, as some
/// providers' frameworks do.
async fn html_errors(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !shared.config.has(Fault::HtmlErrors) || response.status().as_u16() < 400 || !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let page = format!(
        "<!doctype html><title>Error</title><h1>Error</h1><pre>{}</pre>",
        super::html::escape(&String::from_utf8_lossy(&bytes))
    );
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(page))
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    let mut doc = document(&shared);
    if shared.config.has(Fault::WrongDiscoveryIssuer) {
        doc["issuer"] = json!(format!("{}/another-issuer", shared.issuer));
    }
    axum::Json(doc).into_response()
}

/// The RFC 8414 document: the same metadata.
async fn metadata(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(document(&shared)).into_response()
}

fn document(shared: &Shared) -> serde_json::Value {
    let config = &shared.config;
    let mut claims = vec![
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "at_hash",
    ];
    claims.extend(["name", "preferred_username", "email", "email_verified"]);
    let methods = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretJwt,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
        AuthMethod::TlsClientAuth,
        AuthMethod::SelfSignedTlsClientAuth,
    ]
    .map(AuthMethod::as_str);
    // Every method but `none`: introspection is for clients that authenticate.
    let introspection: Vec<&str> = methods.into_iter().filter(|m| *m != "none").collect();
    let algs = assertion::signing_algs();
    let mut document = json!({
        "issuer": shared.issuer,
        "authorization_endpoint": shared.url(AUTHORIZE_PATH),
        "token_endpoint": shared.url(TOKEN_PATH),
        "userinfo_endpoint": shared.url(USERINFO_PATH),
        "jwks_uri": shared.url(JWKS_PATH),
        "introspection_endpoint": shared.url(INTROSPECT_PATH),
        "revocation_endpoint": shared.url(REVOCATION_PATH),
        "device_authorization_endpoint": shared.url(DEVICE_AUTHORIZATION_PATH),
        "pushed_authorization_request_endpoint": shared.url(PAR_PATH),
        "require_pushed_authorization_requests": config.require_pushed_authorization_requests,
        "scopes_supported": config.supported_scopes(),
        "claims_supported": claims,
        "grant_types_supported": GrantType::ALL.map(GrantType::as_str),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": algs,
        "introspection_endpoint_auth_methods_supported": introspection,
        "introspection_endpoint_auth_signing_alg_values_supported": algs,
        "revocation_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_signing_alg_values_supported": algs,
        "prompt_values_supported": ["none", "login", "consent"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": algs[3..],
        "claims_parameter_supported": false,
        "dpop_signing_alg_values_supported": super::dpop::ALGS,
    });
    super::mtls::advertise(shared, &mut document);
    document
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    let mut key = shared.key.jwk().clone();
    if shared.config.has(Fault::PrivateKeyInJwks) {
        // The fault `private_key_in_jwks`: a private exponent beside the public key.
        key["d"] = json!("cHJpdmF0ZS1leHBvbmVudC1vZi10aGUtc2FuZGJveC1mYXVsdA");
    }
    axum::Json(json!({ "keys": [key] })).into_response()
}
