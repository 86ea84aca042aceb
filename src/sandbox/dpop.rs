//! DPoP (RFC 9449) as a provider checks it: proofs at the token endpoint (typ, alg, the
//! signature by the embedded `jwk`, `htm`/`htu`, `iat` within a minute, a `jti` never seen,
//! and always a server nonce, as oidc-provider's `requireNonce`), tokens bound to the proof's
//! key (`cnf.jkt`, refresh tokens too), and the proof a resource route wants with a bound
//! token (`ath`, the same key).

// What a proof names is read as the client writes it: one normalisation of `htu` and `ath`.
use crate::oauth::dpop::htu;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::ThumbprintHash;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::client::ClientConfig;
use super::client_auth::Params;
use super::error::no_store;
use super::keys::random_token;
use super::routes::Shared;

/// The algorithms proofs may be signed with (discovery's `dpop_signing_alg_values_supported`).
pub(crate) const ALGS: [&str; 5] = ["ES256", "ES384", "RS256", "PS256", "EdDSA"];

/// How far a proof's `iat` may be from now, and how long a nonce or a seen `jti` lives.
const IAT_WINDOW_SECS: i64 = 60;
const NONCE_LIFETIME_SECS: i64 = 300;

/// Nonces handed out, proofs seen, and the keys refresh tokens are bound to.
#[derive(Debug, Default)]
pub(crate) struct DpopState {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    nonces: HashMap<String, i64>,
    seen: HashMap<String, i64>,
    refresh: HashMap<String, String>,
}

impl DpopState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn new_nonce(&self, now: i64) -> String {
        let mut inner = self.lock();
        inner.nonces.retain(|_, at| now - *at < NONCE_LIFETIME_SECS);
        let nonce = random_token();
        inner.nonces.insert(nonce.clone(), now);
        nonce
    }
}

/// Proof times are checked against the real clock: the sandbox clock tests move forward to
/// expire tokens must not make every later proof look old.
fn real_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Why a proof was refused.
enum Refusal {
    /// No nonce, or one not (or no longer) handed out: the new one to use.
    Nonce(String),
    Invalid(String),
}

/// What a proof is checked against.
struct Expect<'a> {
    method: &'a str,
    url: String,
    ath: Option<String>,
}

fn verify(shared: &Shared, proof: &str, expect: &Expect) -> Result<String, Refusal> {
    let bad = |m: &str| Refusal::Invalid(m.to_string());
    let head =
        jsonwebtoken::decode_header(proof).map_err(|_| bad("the DPoP proof is not a JWT"))?;
    if head.typ.as_deref() != Some("dpop+jwt") {
        return Err(bad("the DPoP proof's typ must be dpop+jwt"));
    }
    let alg = format!("{:?}", head.alg);
    if !ALGS.contains(&alg.as_str())
        || matches!(
            head.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        )
    {
        return Err(Refusal::Invalid(format!(
            "the DPoP proof's alg {alg} is not accepted; use one of {}",
            ALGS.join(", ")
        )));
    }
    let Some(jwk) = head.jwk else {
        return Err(bad("the DPoP proof has no jwk header"));
    };
    let key = DecodingKey::from_jwk(&jwk)
        .map_err(|_| bad("the DPoP proof's jwk is not a usable public key"))?;
    let mut validation = Validation::new(head.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
        .map_err(|_| bad("the DPoP proof's signature does not verify with its jwk"))?
        .claims;
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if text("htm") != Some(expect.method) {
        return Err(Refusal::Invalid(format!(
            "the DPoP proof's htm must be {}",
            expect.method
        )));
    }
    if text("htu").map(htu) != Some(htu(&expect.url)) {
        return Err(Refusal::Invalid(format!(
            "the DPoP proof's htu `{}` is not this endpoint ({})",
            text("htu").unwrap_or(""),
            htu(&expect.url)
        )));
    }
    let now = real_now();
    match claims.get("iat").and_then(Value::as_i64) {
        Some(iat) if (iat - now).abs() <= IAT_WINDOW_SECS => {}
        _ => {
            return Err(bad(
                "the DPoP proof's iat is missing or not within a minute of now",
            ));
        }
    }
    let Some(jti) = text("jti").filter(|j| !j.is_empty()) else {
        return Err(bad("the DPoP proof has no jti"));
    };
    if let Some(ath) = &expect.ath
        && text("ath") != Some(ath.as_str())
    {
        return Err(bad(
            "the DPoP proof's ath is not the hash of this access token",
        ));
    }
    let fresh = text("nonce").is_some_and(|n| {
        shared
            .dpop
            .lock()
            .nonces
            .get(n)
            .is_some_and(|at| now - at < NONCE_LIFETIME_SECS)
    });
    if !fresh {
        return Err(Refusal::Nonce(shared.dpop.new_nonce(now)));
    }
    {
        let mut inner = shared.dpop.lock();
        inner
            .seen
            .retain(|_, at| now - *at < NONCE_LIFETIME_SECS + IAT_WINDOW_SECS);
        if inner.seen.insert(jti.to_string(), now).is_some() {
            return Err(bad("the DPoP proof was used before (its jti is replayed)"));
        }
    }
    jwk.thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| bad("the DPoP proof's jwk has no thumbprint"))
}

/// The one proof of a request (two are refused, RFC 9449 4.3).
fn proof_of(headers: &HeaderMap) -> Result<Option<&str>, String> {
    let mut all = headers.get_all("dpop").iter();
    let first = all.next();
    if all.next().is_some() {
        return Err("more than one DPoP header".into());
    }
    first
        .map(|v| {
            v.to_str()
                .map_err(|_| "the DPoP header is not text".to_string())
        })
        .transpose()
}

/// A token endpoint refusal (RFC 9449 5, 8): 400 with the error, and a nonce to use.
fn token_refusal(code: &str, description: &str, nonce: Option<String>) -> Response {
    let body = json!({ "error": code, "error_description": description });
    let mut response = (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    no_store(response.headers_mut());
    with_nonce(response, nonce)
}

/// `response` with the `DPoP-Nonce` to use next, when there is one.
fn with_nonce(mut response: Response, nonce: Option<String>) -> Response {
    if let Some(v) = nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
        response.headers_mut().insert("dpop-nonce", v);
    }
    response
}

/// The token endpoint's check of the proof: `Ok(Some(jkt))` binds the tokens to the key,
/// `Ok(None)` is a request without DPoP from a client that may send one, `Err` the refusal.
pub(crate) fn at_token(
    shared: &Shared,
    client: &ClientConfig,
    path: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Option<String>, Response> {
    let proof = proof_of(headers).map_err(|m| token_refusal("invalid_dpop_proof", &m, None))?;
    let bound_refresh = match params.get("grant_type").ok().flatten() {
        Some("refresh_token") => params
            .get("refresh_token")
            .ok()
            .flatten()
            .and_then(|t| shared.dpop.lock().refresh.get(t).cloned()),
        _ => None,
    };
    let Some(proof) = proof else {
        if client.dpop_bound_access_tokens {
            let m = format!(
                "client `{}` requires DPoP-bound tokens: send a DPoP proof (RFC 9449)",
                client.id
            );
            return Err(token_refusal("invalid_dpop_proof", &m, None));
        }
        if bound_refresh.is_some() {
            return Err(token_refusal(
                "invalid_grant",
                "the refresh token is DPoP-bound: send a proof of its key",
                None,
            ));
        }
        return Ok(None);
    };
    let expect = Expect {
        method: "POST",
        url: shared.url(path),
        ath: None,
    };
    let jkt = match verify(shared, proof, &expect) {
        Ok(jkt) => jkt,
        Err(Refusal::Nonce(n)) => {
            return Err(token_refusal(
                "use_dpop_nonce",
                "a DPoP nonce is required: use the one in the DPoP-Nonce header",
                Some(n),
            ));
        }
        Err(Refusal::Invalid(m)) => return Err(token_refusal("invalid_dpop_proof", &m, None)),
    };
    if bound_refresh.is_some_and(|b| b != jkt) {
        return Err(token_refusal(
            "invalid_grant",
            "the refresh token is bound to another DPoP key",
            None,
        ));
    }
    Ok(Some(jkt))
}

/// A refresh token issued with a proof is bound to its key.
pub(crate) fn bind_refresh(shared: &Shared, refresh_token: Option<&str>, jkt: Option<&str>) {
    if let (Some(token), Some(jkt)) = (refresh_token, jkt) {
        shared
            .dpop
            .lock()
            .refresh
            .insert(token.to_string(), jkt.to_string());
    }
}

/// A resource route's refusal (RFC 9449 7.1): 401 with a `DPoP` challenge.
fn resource_refusal(code: &str, description: &str, nonce: Option<String>) -> Response {
    let body = json!({ "error": code, "error_description": description });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    let challenge = format!(
        r#"DPoP error="{code}", error_description="{}", algs="{}""#,
        description.replace(['"', '\\'], "'"),
        ALGS.join(" ")
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    with_nonce(response, nonce)
}

/// A resource route's check of a token bound to `jkt`: sent as `Authorization: DPoP` with a
/// proof of that key for this request and this token. `None`: the request may go on.
pub(crate) fn at_resource(
    shared: &Shared,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    dpop_scheme: bool,
    token: &str,
    jkt: Option<&str>,
) -> Option<Response> {
    let jkt = jkt?;
    if !dpop_scheme {
        return Some(resource_refusal(
            "invalid_token",
            "the access token is DPoP-bound: send it as Authorization: DPoP with a proof, not as Bearer",
            None,
        ));
    }
    let proof = match proof_of(headers) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Some(resource_refusal(
                "invalid_dpop_proof",
                "a DPoP-bound token needs a DPoP proof",
                None,
            ));
        }
        Err(m) => return Some(resource_refusal("invalid_dpop_proof", &m, None)),
    };
    // The URL as this request reached it (the issuer's host or another name of it): a
    // resource server checks `htu` against itself as addressed.
    let scheme = shared.issuer.split_once("://").map_or("http", |(s, _)| s);
    let url = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("{scheme}://{host}{path}"),
        None => shared.url(path),
    };
    let expect = Expect {
        method,
        url,
        ath: Some(crate::oauth::dpop::ath(token)),
    };
    match verify(shared, proof, &expect) {
        Ok(key) if key == jkt => None,
        Ok(_) => Some(resource_refusal(
            "invalid_dpop_proof",
            "the DPoP proof is signed by another key than the token is bound to",
            None,
        )),
        Err(Refusal::Nonce(n)) => Some(resource_refusal(
            "use_dpop_nonce",
            "a DPoP nonce is required",
            Some(n),
        )),
        Err(Refusal::Invalid(m)) => Some(resource_refusal("invalid_dpop_proof", &m, None)),
    }
}

/// The `cnf` claim of a token bound to `jkt`.
pub(crate) fn cnf(jkt: &str) -> Value {
    json!({ "jkt": jkt })
}
