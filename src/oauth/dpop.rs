//! DPoP (RFC 9449): `dpop:` of an `oauth2` block. Each token request of the block carries a
//! fresh proof of possession of the block's key; the token it gets must be DPoP-bound to
//! that key; and `auth: { oauth2: id }` sends it as `Authorization: DPoP` with a proof that
//! carries the token's hash (`ath`), fresh on each request and redirect hop. Servers' nonces
//! (`DPoP-Nonce`) are kept per origin for the run and a `use_dpop_nonce` refusal is retried
//! once. The key itself is `dpop/key.rs`.

mod key;

pub(crate) use key::{Alg, Key};

use crate::diag::Diagnostic;
use crate::http::{Prepared, Response};
use crate::template::{Scope, Templates, Tpl};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// The keys of `dpop:` written as a mapping.
pub(crate) const KEYS: &[&str] = &["alg", "key"];

/// `dpop:` as written: the algorithm, and the key file (none: a key made for the run).
pub(crate) struct Dpop {
    pub(crate) alg: Option<Alg>,
    pub(crate) key: Option<Tpl>,
    /// The key, made or read once for the run: every proof and the binding of the token
    /// use the same one.
    made: OnceLock<Arc<Key>>,
}

impl std::fmt::Debug for Dpop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dpop")
            .field("alg", &self.alg)
            .field("key", &self.key.as_ref().map(|k| k.text.to_string()))
            .finish_non_exhaustive()
    }
}

/// `dpop: true`, `dpop: false` or `dpop: { alg, key }`.
pub(crate) fn read(r: &mut Reader, node: &Node) -> Option<Dpop> {
    let dpop = |alg, key| Dpop {
        alg,
        key,
        made: OnceLock::new(),
    };
    match &node.kind {
        Kind::Bool(true) => return Some(dpop(None, None)),
        Kind::Bool(false) => return None,
        Kind::Map(_) => {}
        other => {
            r.error(
                node.loc,
                format!(
                    "`oauth2.dpop` is true or a mapping, not {}",
                    other.describe()
                ),
            )
            .help = Some(
                "dpop: true (a key made for the run) or dpop: { alg: ES256, key: dpop.pem }".into(),
            );
            return None;
        }
    }
    let mut m = r.map(node, "oauth2.dpop")?;
    let alg = match m.get("alg") {
        Some(n) => {
            let text = r.text(n, "oauth2.dpop.alg")?;
            let Some(alg) = Alg::parse(&text) else {
                r.error(n.loc, format!("unknown DPoP alg `{text}`")).help =
                    Some(format!("one of: {}", Alg::NAMES.join(", ")));
                return None;
            };
            Some(alg)
        }
        None => None,
    };
    let key = m.get("key").and_then(|n| r.tpl(n, "oauth2.dpop.key"));
    m.finish(r, "oauth2.dpop", KEYS);
    Some(dpop(alg, key))
}

/// `dpop:` on a grant that obtains no token (introspect, revoke) would bind nothing.
pub(crate) fn misplaced(r: &mut Reader, node: &Node, grant: &str) {
    r.error(node.loc, format!("`dpop` does not apply to grant {grant}"))
        .help = Some("dpop binds the tokens a grant obtains; the requests that use a bound token get their proofs from `auth: { oauth2: id }`".into());
}

impl Dpop {
    /// Whether the key lives only as long as the run (so a token bound to it cannot be
    /// reused by a later one).
    pub(crate) fn per_run(&self) -> bool {
        self.key.is_none()
    }

    /// The key, made or read on first use. A key file that cannot sign, or does not fit
    /// `alg`, is an input error at `key:` (as `baton check` reports it).
    pub(crate) fn key(
        &self,
        templates: &Templates,
        scope: &Scope,
        base_dir: &Path,
    ) -> Result<Arc<Key>, Diagnostic> {
        if let Some(k) = self.made.get() {
            return Ok(k.clone());
        }
        let key = match &self.key {
            None => Key::generate(self.alg.unwrap_or(Alg::ES256)).map_err(Diagnostic::error)?,
            Some(tpl) => {
                let path = templates
                    .render(tpl, scope)
                    .map_err(|e| crate::template::RenderFail::new(tpl, e).diagnostic)?;
                key_file(self.alg, tpl, &path, base_dir)?
            }
        };
        Ok(self.made.get_or_init(|| Arc::new(key)).clone())
    }

    /// The key when it was made or read already.
    pub(crate) fn made(&self) -> Option<&Arc<Key>> {
        self.made.get()
    }
}

/// The key in the PEM file `path` (relative to `base_dir`), checked to fit `alg`: problems
/// are placed at `key:`, for `run` and `check` alike.
pub(crate) fn key_file(
    alg: Option<Alg>,
    at: &Tpl,
    path: &str,
    base_dir: &Path,
) -> Result<Key, Diagnostic> {
    let fail = |m: String| Diagnostic::error(m).at(&at.file, at.loc);
    let full = base_dir.join(path);
    let unreadable = |reason: String| fail(format!("cannot read the DPoP key `{path}`: {reason}"));
    if let Some(reason) = crate::sendable::not_a_file(&full) {
        return Err(unreadable(reason).help("the path is relative to the collection file"));
    }
    let pem = crate::fsutil::read_to_string(&full, crate::fsutil::MAX_INPUT)
        .map_err(|e| unreadable(crate::fsutil::io_reason(&e)))?;
    Key::from_pem(&pem, alg, &format!("the DPoP key `{path}`")).map_err(|m| {
        fail(m).help(
            "an unencrypted PEM private key: EC P-256 (ES256), RSA (RS256) or Ed25519 (EdDSA)",
        )
    })
}

/// The nonces servers gave (`DPoP-Nonce`), by origin, for the whole run.
static NONCES: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Mutex::default);

fn origin(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

/// Keep the nonce of a response from `url`, if it gives one: any response may (RFC 9449 8.2).
pub(crate) fn observe(url: &str, response: &Response) {
    // The header first: every response of every run passes here, and few carry one, so the
    // URL is parsed only for those that do.
    if let Some(nonce) = response.header("dpop-nonce")
        && let Some(origin) = origin(url)
        && let Ok(mut nonces) = NONCES.lock()
    {
        nonces.insert(origin, nonce.trim().to_string());
    }
}

fn nonce_for(url: &str) -> Option<String> {
    let origin = origin(url)?;
    NONCES.lock().ok()?.get(&origin).cloned()
}

/// `htu`: the URL without its query and fragment (RFC 9449 4.2).
pub(crate) fn htu(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

/// The hash of an access token a resource proof carries (`ath`).
pub(crate) fn ath(token: &str) -> String {
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.as_bytes()))
}

/// A fresh proof for `method` on `url`, with the origin's nonce when one is known.
pub(crate) fn proof(
    key: &Key,
    method: &str,
    url: &str,
    ath: Option<&str>,
) -> Result<String, String> {
    let mut header = jsonwebtoken::Header::new(match key.alg() {
        Alg::ES256 => jsonwebtoken::Algorithm::ES256,
        Alg::RS256 => jsonwebtoken::Algorithm::RS256,
        Alg::EdDSA => jsonwebtoken::Algorithm::EdDSA,
    });
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(key.jwk.clone());
    let mut claims = json!({
        "htm": method,
        "htu": htu(url),
        "iat": chrono::Utc::now().timestamp(),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(nonce) = nonce_for(url) {
        claims["nonce"] = Value::String(nonce);
    }
    if let Some(ath) = ath {
        claims["ath"] = Value::String(ath.to_string());
    }
    jsonwebtoken::encode(&header, &claims, &key.encoding)
        .map_err(|e| format!("signing the DPoP proof failed: {e}"))
}

/// Put a fresh proof on `req` (replacing one it had).
pub(crate) fn prove(req: &mut Prepared, key: &Key, ath: Option<&str>) -> Result<(), String> {
    let proof = proof(key, &req.method, &req.url, ath)?;
    req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("dpop"));
    req.headers.push(("DPoP".into(), proof));
    Ok(())
}

/// Whether a token endpoint's refusal asks for a nonce it has now given (RFC 9449 8).
pub(crate) fn token_endpoint_wants_nonce(response: &Response) -> bool {
    response.status == 400
        && response.header("dpop-nonce").is_some()
        && response
            .json()
            .ok()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            == Some("use_dpop_nonce")
}

/// Whether a resource server's refusal asks for a nonce it has now given (RFC 9449 9).
pub(crate) fn resource_wants_nonce(response: &Response) -> bool {
    response.status == 401
        && response.header("dpop-nonce").is_some()
        && response.header_all("www-authenticate").iter().any(|h| {
            h.trim_start().to_ascii_lowercase().starts_with("dpop") && h.contains("use_dpop_nonce")
        })
}

/// A successful token response must hold a DPoP-bound token, bound to `key`: a provider
/// that ignored the proof hands out a Bearer token, useless to a client that meant DPoP.
pub(crate) fn check_token_response(key: &Key, response: &Response) -> Result<(), String> {
    let Ok(json) = response.json() else {
        return Ok(());
    };
    if response.status != 200 || json.get("access_token").is_none() {
        return Ok(());
    }
    let token_type = json.get("token_type").and_then(Value::as_str).unwrap_or("");
    if !token_type.eq_ignore_ascii_case("DPoP") {
        let shown = if token_type.is_empty() {
            "no token_type".to_string()
        } else {
            format!("token_type `{token_type}`")
        };
        return Err(format!(
            "the provider answered the DPoP proof with {shown}, not `DPoP`: it ignored the proof, and the token is not bound to the key (is DPoP enabled for this client?)"
        ));
    }
    let access = json
        .get("access_token")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Ok(claims) = crate::jwt::decode_claims(access)
        && let Some(jkt) = claims.pointer("/cnf/jkt").and_then(Value::as_str)
        && jkt != key.jkt
    {
        return Err(format!(
            "the access token is bound to another key: its cnf.jkt is `{jkt}`, the DPoP key's thumbprint is `{}`",
            key.jkt
        ));
    }
    Ok(())
}

/// What a request authenticated with a DPoP-bound token proves on each hop: the key and the
/// token's hash.
#[derive(Debug)]
pub(crate) struct Binding {
    pub(crate) key: Arc<Key>,
    pub(crate) ath: String,
}

impl Binding {
    /// A fresh proof on `req`, for its method and URL.
    pub(crate) fn apply(&self, req: &mut Prepared) -> Result<(), String> {
        prove(req, &self.key, Some(&self.ath))
    }
}

/// `auth: { oauth2: id }` with a DPoP-bound token: `Authorization: DPoP` instead of `Bearer`
/// and a proof with `ath`; the request keeps its binding for redirects and a nonce retry.
pub(crate) fn bind(req: &mut Prepared, key: Arc<Key>, token: &str) -> Result<(), String> {
    for (k, v) in &mut req.headers {
        if k.eq_ignore_ascii_case("authorization") && v.starts_with("Bearer ") {
            *v = format!("DPoP {}", &v["Bearer ".len()..]);
        }
    }
    let binding = Arc::new(Binding {
        key,
        ath: ath(token),
    });
    binding.apply(req)?;
    req.dpop = Some(binding);
    Ok(())
}

/// The value of `<<id>>` after a token response, with `dpop_jkt` when the block has a key.
pub(crate) fn with_jkt(dpop: Option<&Dpop>, mut value: Value) -> Value {
    if let (Some(key), Value::Object(map)) = (dpop.and_then(Dpop::made), &mut value) {
        map.insert("dpop_jkt".into(), Value::String(key.jkt.clone()));
    }
    value
}

/// Whether a cached token may stand in for the request: a token bound to a key made for an
/// earlier run is useless (that key is gone); one bound to a key file only with that key.
pub(crate) fn cache_usable(dpop: &Dpop, cached: &Value, key: Option<&Key>) -> bool {
    if dpop.per_run() {
        return false;
    }
    let jkt = cached.get("dpop_jkt").and_then(Value::as_str);
    matches!((jkt, key), (Some(j), Some(k)) if j == k.jkt)
}

/// The key of a `dpop:` block when `url` is its token endpoint (the PAR, device
/// authorization, introspection and revocation endpoints get no proof).
pub(crate) fn token_key(
    spec: &crate::oauth::spec::OAuth2,
    cx: &crate::oauth::flow::Ctx<'_>,
    r: &crate::oauth::flow::Rendered,
    url: &str,
) -> Result<Option<Arc<Key>>, crate::oauth::flow::FlowError> {
    let Some(dpop) = &spec.dpop else {
        return Ok(None);
    };
    if r.endpoint(crate::oauth::flow::Endpoint::Token)
        .ok()
        .as_deref()
        != Some(url)
    {
        return Ok(None);
    }
    block_key(dpop, cx).map(Some)
}

/// RFC 9449 10: the `dpop_jkt` of an authorize request (pushed or not), which binds the code
/// to the block's key: a code that leaks cannot be redeemed with another key.
pub(crate) fn authorize_jkt(
    spec: &crate::oauth::spec::OAuth2,
    cx: &crate::oauth::flow::Ctx<'_>,
) -> Result<Option<String>, crate::oauth::flow::FlowError> {
    match &spec.dpop {
        Some(dpop) => block_key(dpop, cx).map(|key| Some(key.jkt.clone())),
        None => Ok(None),
    }
}

/// The key of a `dpop:` block, its problems placed at `key:`.
fn block_key(
    dpop: &Dpop,
    cx: &crate::oauth::flow::Ctx<'_>,
) -> Result<Arc<Key>, crate::oauth::flow::FlowError> {
    dpop.key(cx.templates, cx.scope, cx.base_dir)
        .map_err(|diagnostic| {
            crate::oauth::flow::FlowError::Render(Box::new(crate::template::RenderFail {
                diagnostic,
                missing: None,
            }))
        })
}

#[cfg(test)]
mod tests;
