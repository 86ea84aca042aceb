//! Running an `oauth2` request: resolve the endpoints (discovery or given URLs),
//! authenticate the client, run the grant (several HTTP exchanges for authorization code
//! and device code), and verify the id_token. Every exchange is returned as a hop, so the
//! transcript shows the exact HTTP, like any other request.

use super::discovery::{Cache, DiscoveryError};
pub(crate) use super::endpoints::{Endpoint, Rendered};
use super::form::{self, Client, Exchange};
use super::spec::{Grant, OAuth2, Pkce};
use crate::http::Jar;
use crate::http::{Hop, Http, HttpError, Prepared, Response, default_headers};
use crate::secret::Redactor;
use crate::template::{RenderError, RenderFail, Scope, Templates, Tpl};
use base64::Engine as _;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// What a flow needs from the runner.
pub(crate) struct Ctx<'a> {
    pub http: &'a Http,
    /// The user agent's cookies, for the authorize hops only (redirects, login and consent
    /// forms). The back channel (discovery, token, JWKS, device, introspection, revocation)
    /// never carries them: it is the client talking, not the browser, and some providers
    /// refuse a token request that comes with the end user's session.
    pub browser: &'a Jar,
    pub templates: &'a Templates,
    pub scope: &'a Scope,
    pub redactor: &'a mut Redactor,
    pub base_dir: &'a Path,
    pub cache: &'a Cache,
    /// Headers the request adds to its token request.
    pub headers: Vec<(String, String)>,
    pub timeout: Option<Duration>,
    /// Tells the person running baton something now (a device code to enter, a URL).
    pub notify: &'a mut (dyn FnMut(String) + Send),
    /// The client certificate of the back channel (mTLS, RFC 8705): presented to the token,
    /// PAR, device, introspection and revocation endpoints, never by the browser.
    pub client_cert: Option<std::sync::Arc<crate::http::client_cert::ClientCert>>,
}

/// A flow that stopped: why, and every exchange it made before (they are part of the
/// record: `-v`, the duration and the reports show them as for a flow that passed).
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: FlowError,
    pub hops: Vec<Hop>,
}

/// A finished flow: every hop (the last is the response the request is judged on), and a
/// problem found after the exchange (an id_token that does not verify).
pub(crate) struct Outcome {
    /// Every exchange in the order it happened.
    pub hops: Vec<Hop>,
    /// The index in `hops` of the response the request is judged on (the token response;
    /// a JWKS fetch to verify it may follow).
    pub judged: usize,
    pub problems: Vec<String>,
    /// The claims of a verified id_token.
    pub id_claims: Option<Value>,
    /// The authorization code exchanged, and the PKCE verifier sent with it.
    pub code: Option<UsedCode>,
}

/// What an authorization code grant exchanged: `<<id.code>>` and `<<id.code_verifier>>`,
/// so that a collection can show that a code is single-use.
#[derive(Debug, Clone)]
pub(crate) struct UsedCode {
    pub code: String,
    pub verifier: Option<String>,
    /// The `request_uri` of a pushed authorization request (`<<id.request_uri>>`), so that
    /// a collection can show it is single-use.
    pub request_uri: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum FlowError {
    #[error("{}", .0.diagnostic.message)]
    Render(Box<RenderFail>),
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The provider answered, but not as the protocol says (exit 1).
    #[error("{0}")]
    Protocol(String),
    /// A browser redirect or a device approval that never came (exit 3).
    #[error("{0}")]
    Timeout(String),
    /// The request as written cannot work (exit 2).
    #[error("{0}")]
    Input(String),
}

impl From<DiscoveryError> for FlowError {
    fn from(e: DiscoveryError) -> FlowError {
        match e {
            DiscoveryError::Http(h) => FlowError::Http(h),
            DiscoveryError::Invalid(m) => FlowError::Protocol(m),
        }
    }
}

impl Ctx<'_> {
    pub(crate) fn render(&self, tpl: &Tpl) -> Result<String, FlowError> {
        self.templates
            .render(tpl, self.scope)
            .map_err(|e| render_fail(tpl, e))
    }

    pub(crate) fn render_opt(&self, tpl: &Option<Tpl>) -> Result<Option<String>, FlowError> {
        tpl.as_ref().map(|t| self.render(t)).transpose()
    }

    pub(crate) fn render_pairs(
        &self,
        pairs: &[(String, Tpl)],
    ) -> Result<Vec<(String, String)>, FlowError> {
        pairs
            .iter()
            .map(|(k, v)| Ok((k.clone(), self.render(v)?)))
            .collect()
    }

    /// Send one request of the back channel (no cookies, no redirect following) and keep
    /// its hop.
    pub(crate) async fn send(
        &mut self,
        mut req: Prepared,
        hops: &mut Vec<Hop>,
    ) -> Result<usize, FlowError> {
        req.client_cert.clone_from(&self.client_cert);
        self.send_with(req, &Jar::default(), hops).await
    }

    /// Send one request of the user agent (its cookies, no redirect following).
    pub(crate) async fn send_browser(
        &mut self,
        req: Prepared,
        hops: &mut Vec<Hop>,
    ) -> Result<usize, FlowError> {
        let jar = self.browser;
        self.send_with(req, jar, hops).await
    }

    async fn send_with(
        &mut self,
        mut req: Prepared,
        jar: &Jar,
        hops: &mut Vec<Hop>,
    ) -> Result<usize, FlowError> {
        req.timeout = req.timeout.or(self.timeout);
        default_headers(&mut req, jar);
        let got = self.http.exchange(req, jar).await?;
        hops.extend(got);
        Ok(hops.len() - 1)
    }
}

fn render_fail(tpl: &Tpl, e: RenderError) -> FlowError {
    FlowError::Render(Box::new(RenderFail::new(tpl, e)))
}

pub(crate) async fn execute(spec: &OAuth2, cx: &mut Ctx<'_>) -> Result<Outcome, Failure> {
    run(spec, cx, None).await
}

/// The refresh grant for the client of `spec`, whatever grant `spec` itself is.
pub(crate) async fn refresh(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    refresh_token: &str,
) -> Result<Outcome, Failure> {
    run(spec, cx, Some(refresh_token)).await
}

async fn run(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    refresh_with: Option<&str>,
) -> Result<Outcome, Failure> {
    let mut hops = Vec::new();
    match steps(spec, cx, refresh_with, &mut hops).await {
        Ok((judged, problems, id_claims, code)) => Ok(Outcome {
            hops,
            judged,
            problems,
            id_claims,
            code,
        }),
        Err(error) => Err(Failure { error, hops }),
    }
}

/// The judged hop, the problems, the id_token's claims and the code used.
type Steps = (usize, Vec<String>, Option<Value>, Option<UsedCode>);

async fn steps(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    refresh_with: Option<&str>,
    hops: &mut Vec<Hop>,
) -> Result<Steps, FlowError> {
    let client_id = cx.render(&spec.client_id)?;
    let client_secret = cx.render_opt(&spec.client_secret)?;
    if let Some(s) = &client_secret {
        cx.redactor.add(s);
    }
    let grant = if refresh_with.is_some() {
        Grant::RefreshToken
    } else {
        spec.grant
    };
    super::mtls::require_cert(spec, cx)?;
    let endpoints = super::endpoints::resolve(spec, grant, cx, hops).await?;
    let r = Rendered {
        client_id,
        client_secret,
        endpoints,
    };
    let mut nonce = None;
    let mut used_code = None;
    let final_index = match grant {
        Grant::Password => token_request(spec, cx, &r, Exchange::Password, hops).await?,
        Grant::ClientCredentials => {
            token_request(spec, cx, &r, Exchange::ClientCredentials, hops).await?
        }
        Grant::RefreshToken => {
            let token = match refresh_with {
                Some(t) => t.to_string(),
                None => cx.render_opt(&spec.refresh_token)?.unwrap_or_default(),
            };
            token_request(spec, cx, &r, Exchange::Refresh { token }, hops).await?
        }
        Grant::AuthorizationCode => {
            let (index, n, code) = super::authorize::run(spec, cx, &r, hops).await?;
            nonce = n;
            used_code = code;
            index
        }
        Grant::DeviceCode => super::device::run(spec, cx, &r, hops).await?,
        Grant::TokenExchange => token_request(spec, cx, &r, Exchange::Tokens, hops).await?,
        Grant::JwtBearer => {
            let url = r.endpoint(Endpoint::Token)?;
            let assertion = super::signing::grant(spec, cx, &r, &url)?;
            token_request(spec, cx, &r, Exchange::JwtBearer { assertion }, hops).await?
        }
        Grant::Custom => token_request(spec, cx, &r, Exchange::Custom, hops).await?,
        Grant::Introspect | Grant::Revoke => {
            let form = form::fields(spec, &Exchange::TokenCheck, cx)?;
            let which = if spec.grant == Grant::Introspect {
                Endpoint::Introspection
            } else {
                Endpoint::Revocation
            };
            let url = r.endpoint(which)?;
            post_form(spec, cx, &r, &url, form, hops).await?
        }
    };
    let mut problems = Vec::new();
    let mut id_claims = None;
    let last = &hops[final_index].response;
    if spec.grant.issues_tokens() {
        remember_token_secrets(last, cx.redactor);
        if spec.verify_id_token
            && let Ok(json) = last.json().cloned()
            && let Some(id_token) = json.get("id_token").and_then(Value::as_str)
        {
            let access_token = json.get("access_token").and_then(Value::as_str);
            let id_token = id_token.to_string();
            match verify_id_token(cx, &r, &id_token, access_token, nonce.as_deref(), hops).await? {
                Ok(claims) => id_claims = Some(claims),
                Err(problem) => problems.push(problem),
            }
        }
    }
    Ok((final_index, problems, id_claims, used_code))
}

/// Verify an id_token with the provider's JWKS: `Err` is a problem to report.
async fn verify_id_token(
    cx: &mut Ctx<'_>,
    r: &Rendered,
    token: &str,
    access_token: Option<&str>,
    nonce: Option<&str>,
    hops: &mut Vec<Hop>,
) -> Result<Result<Value, String>, FlowError> {
    let Some(jwks_url) = r.endpoints.jwks.clone() else {
        // Without discovery or jwks_url there is nothing to verify against.
        return Ok(Err("the id_token cannot be verified: no `issuer` (discovery) or `jwks_url` given; set `verify_id_token: false` to skip".into()));
    };
    let doc = cx.cache.jwks(cx.http, &jwks_url, hops).await?;
    let jwks = match super::jwt_verify::Jwks::parse(&doc) {
        Ok(j) => j,
        Err(e) => return Ok(Err(format!("the JWKS at {jwks_url} is not usable: {e}"))),
    };
    let checks = super::jwt_verify::Checks {
        issuer: r.endpoints.issuer.as_deref(),
        audience: Some(&r.client_id),
        nonce,
        access_token,
        leeway: Duration::from_secs(60),
        now: None,
        algorithms: &[],
    };
    Ok(super::jwt_verify::verify(token, &jwks, &checks)
        .map_err(|e| format!("the id_token does not verify: {e}")))
}

/// Tokens in a token response are secrets from now on, whatever they are captured as.
fn remember_token_secrets(resp: &Response, redactor: &mut Redactor) {
    if let Ok(json) = resp.json() {
        for k in ["access_token", "refresh_token", "id_token", "device_code"] {
            if let Some(v) = json.get(k).and_then(Value::as_str) {
                redactor.add(v);
            }
        }
    }
}

/// The token request of a grant, its form built by `form::fields`.
pub(crate) async fn token_request(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    exchange: Exchange,
    hops: &mut Vec<Hop>,
) -> Result<usize, FlowError> {
    let form = form::fields(spec, &exchange, cx)?;
    let url = r.endpoint(Endpoint::Token)?;
    post_form(spec, cx, r, &url, form, hops).await
}

/// POST a form to an endpoint of the provider, with client authentication; to the token
/// endpoint of a `dpop:` block with a proof, retried once when the provider asks for a nonce
/// (the client assertion made again: its `jti` is spent), and its token checked bound.
pub(crate) async fn post_form(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    url: &str,
    form: Vec<(String, String)>,
    hops: &mut Vec<Hop>,
) -> Result<usize, FlowError> {
    let key = super::dpop::token_key(spec, cx, r, url)?;
    let mut index = post_once(spec, cx, r, url, form.clone(), key.as_deref(), hops).await?;
    if let Some(key) = key {
        if super::dpop::token_endpoint_wants_nonce(&hops[index].response) {
            index = post_once(spec, cx, r, url, form, Some(&key), hops).await?;
        }
        super::dpop::check_token_response(&key, &hops[index].response)
            .map_err(FlowError::Protocol)?;
    }
    Ok(index)
}

async fn post_once(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    url: &str,
    mut form: Vec<(String, String)>,
    dpop: Option<&super::dpop::Key>,
    hops: &mut Vec<Hop>,
) -> Result<usize, FlowError> {
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("accept".to_string(), "application/json".to_string()),
    ];
    client_auth(spec, cx, r, url, &mut form, &mut headers)?;
    headers.extend(cx.headers.iter().cloned());
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter())
        .finish();
    let mut req = Prepared {
        method: "POST".into(),
        url: url.to_string(),
        headers,
        body: Some(body.into_bytes()),
        timeout: None,
        follow_redirects: false,
        oauth1: None,
        dpop: None,
        client_cert: None,
    };
    if let Some(key) = dpop {
        super::dpop::prove(&mut req, key, None).map_err(FlowError::Input)?;
    }
    cx.send(req, hops).await
}

/// Add the client's credentials as its `client_auth` says (`form::client`): a Basic header
/// or fields after the grant's, with a client assertion signed for `url`.
fn client_auth(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    url: &str,
    form: &mut Vec<(String, String)>,
    headers: &mut Vec<(String, String)>,
) -> Result<(), FlowError> {
    let secret = r.client_secret.clone().unwrap_or_default();
    let auth = spec.client_auth();
    let client = form::client(auth, r.client_id.clone(), secret, |id, secret| {
        super::signing::client(spec, cx, r, url, id, secret)
    })?;
    match client {
        Client::Basic { id, secret } => {
            // RFC 6749 2.3.1: form-encode id and secret before base64.
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(&id), enc(&secret));
            cx.redactor.add(&pair);
            headers.push((
                "authorization".into(),
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ),
            ));
        }
        Client::Fields(fields) => form.extend(fields),
    }
    Ok(())
}

/// The flow renders the block's templates with the run's scope, and every secret it renders
/// is redacted from then on.
impl form::Render for Ctx<'_> {
    type Error = FlowError;

    fn text(&mut self, tpl: &Tpl) -> Result<String, FlowError> {
        self.render(tpl)
    }

    fn secret(&mut self, value: &str) {
        self.redactor.add(value);
    }

    fn json(&mut self, tpl: &crate::template::JsonTpl) -> Result<Value, FlowError> {
        crate::runner::vars::render_json_tpl(tpl, self.templates, self.scope)
            .map_err(|(t, e)| render_fail(&t, e))
    }
}

/// A PKCE verifier (RFC 7636: 43–128 unreserved characters) and its challenge.
pub(crate) fn pkce(method: Pkce) -> Option<(String, String, &'static str)> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let verifier: String = (0..64)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    pkce_of(verifier, method)
}

/// The challenge of a given verifier (`code_verifier:`), by `method`.
pub(crate) fn pkce_of(verifier: String, method: Pkce) -> Option<(String, String, &'static str)> {
    use sha2::Digest as _;
    match method {
        Pkce::Off => None,
        Pkce::Plain => Some((verifier.clone(), verifier, "plain")),
        Pkce::S256 => {
            let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            Some((verifier, challenge, "S256"))
        }
    }
}

/// A random value for `state` and `nonce`.
pub(crate) fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}
