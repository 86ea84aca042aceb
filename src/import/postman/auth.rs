//! Postman `auth` as baton: `basic`, `bearer` and `oauth1` as `auth:`, `apikey` as a header or a query
//! parameter, and the OAuth 2.0 helper as a native `oauth2:` request (README "OAuth 2.0
//! requests") that the requests using it name with `auth: { oauth2: id }`.

use super::Ctx;
use super::model::{AuthDef, text};
use crate::import::yaml::Y;
use serde_json::Value;

/// What an `auth` does to a request.
pub(super) enum AuthOut {
    None,
    Plain {
        auth: Option<Y>,
        headers: Vec<(String, String)>,
        query: Vec<(String, String)>,
    },
    OAuth2(OAuthOut),
}

/// The `oauth2:` block of the token request, and how its token is sent.
pub(super) struct OAuthOut {
    pub block: Y,
    /// Headers of the token request (`tokenRequestParams` sent as headers).
    pub headers: Vec<(String, String)>,
    pub token_use: TokenUse,
    /// Postman's token name, for the request's name and id.
    pub token_name: String,
    /// What differs from Postman in how the token is obtained, for a comment.
    pub note: Option<String>,
}

pub(super) enum TokenUse {
    /// `Authorization: Bearer`: `auth: { oauth2: id }`.
    Bearer,
    /// Another header prefix: `Authorization: "<prefix> <<id.access_token>>"`.
    Header(String),
    /// `addTokenTo: queryParams`: `?access_token=<<id.access_token>>`.
    Query,
}

/// Postman's callback when "Authorize using browser" is on.
const BROWSER_CALLBACK: &str = "https://oauth.pstmn.io/v1/callback";

/// Settings of the helper that are Postman's state or handled elsewhere, not configuration.
const QUIET: &[&str] = &[
    "accessToken",
    "refreshToken",
    "tokenType",
    "tokenId",
    "id_token",
    "expires_in",
    "timestamp",
    "addTokenTo",
    "headerPrefix",
    "tokenName",
    "grant_type",
    "client_authentication",
    "challengeAlgorithm",
    "useBrowser",
    "accessTokenUrl",
    "authUrl",
    "clientId",
    "clientSecret",
    "scope",
    "redirect_uri",
    "username",
    "password",
    "state",
    "code_verifier",
    "refreshTokenUrl",
    "authRequestParams",
    "tokenRequestParams",
    "refreshRequestParams",
    "audience",
    "resource",
    "available_tokens",
    "grantType",
];

pub(super) fn convert(def: &AuthDef, cx: &mut Ctx) -> AuthOut {
    match def.kind.as_str() {
        "noauth" | "" => AuthOut::None,
        "basic" => {
            let user = cx.text(&def.get("username"));
            let password = cx.secret("password", &def.get("password"));
            AuthOut::Plain {
                auth: Some(Y::map([(
                    "basic",
                    Y::seq([Y::Str(user), Y::Str(password)]),
                )])),
                headers: Vec::new(),
                query: Vec::new(),
            }
        }
        "bearer" => {
            let token = cx.secret("token", &def.get("token"));
            AuthOut::Plain {
                auth: Some(Y::map([("bearer", Y::Str(token))])),
                headers: Vec::new(),
                query: Vec::new(),
            }
        }
        "apikey" => {
            let key = match def.get("key") {
                k if k.is_empty() => "X-API-Key".to_string(),
                k => cx.text(&k),
            };
            let value = cx.secret("api_key", &def.get("value"));
            let pair = vec![(key, value)];
            if def.get("in") == "query" {
                AuthOut::Plain {
                    auth: None,
                    headers: Vec::new(),
                    query: pair,
                }
            } else {
                AuthOut::Plain {
                    auth: None,
                    headers: pair,
                    query: Vec::new(),
                }
            }
        }
        "oauth2"
            if def.get("accessTokenUrl").trim().is_empty()
                && !def.get("accessToken").trim().is_empty() =>
        {
            token_only(def, cx)
        }
        "oauth2" => match oauth2(def, cx) {
            Some(o) => AuthOut::OAuth2(o),
            None => AuthOut::None,
        },
        "oauth1" => AuthOut::Plain {
            auth: Some(oauth1(def, cx)),
            headers: Vec::new(),
            query: Vec::new(),
        },
        other => {
            cx.warn(format!(
                "auth type `{other}` has no baton equivalent: the request is sent without it (baton has basic, bearer, API keys, OAuth 1.0a and OAuth 2.0)"
            ));
            AuthOut::None
        }
    }
}

/// Postman's OAuth 1.0 helper as `auth: { oauth1 }`. What Postman fixes once (a timestamp, a
/// nonce) baton makes afresh for each send, as a server refuses a nonce it has seen.
fn oauth1(def: &AuthDef, cx: &mut Ctx) -> Y {
    let mut m: Vec<(&str, Y)> = vec![
        ("consumer_key", Y::Str(cx.text(&def.get("consumerKey")))),
        (
            "consumer_secret",
            Y::Str(cx.secret("consumer_secret", &def.get("consumerSecret"))),
        ),
    ];
    let (token, token_secret) = (def.get("token"), def.get("tokenSecret"));
    if !token.is_empty() {
        m.push(("token", Y::Str(cx.secret("token", &token))));
    }
    if !token_secret.is_empty() {
        m.push((
            "token_secret",
            Y::Str(cx.secret("token_secret", &token_secret)),
        ));
    }
    let method = def.get("signatureMethod");
    match crate::http::oauth1::SignatureMethod::parse(&method) {
        _ if method.is_empty() => {}
        Some(parsed) => m.push(("signature_method", Y::str(parsed.name()))),
        None => cx.warn(format!(
            "the OAuth 1.0 signature method `{method}` is not one baton signs with (HMAC-SHA1, HMAC-SHA256, PLAINTEXT): the request is signed with HMAC-SHA1, which the server may refuse"
        )),
    }
    if def.value("addParamsToHeader").and_then(Value::as_bool) == Some(false) {
        m.push(("placement", Y::str("query")));
    }
    for (key, name) in [
        ("realm", "realm"),
        ("callback", "callback"),
        ("verifier", "verifier"),
    ] {
        let value = def.get(key);
        if !value.is_empty() {
            m.push((name, Y::Str(cx.text(&value))));
        }
    }
    for key in ["timestamp", "nonce"] {
        if !def.get(key).trim().is_empty() {
            cx.warn(format!(
                "the OAuth 1.0 helper's fixed `{key}` is ignored: baton signs each send with a fresh one"
            ));
        }
    }
    let version = def.get("version");
    if !matches!(version.trim(), "" | "1.0") {
        cx.warn(format!(
            "the OAuth 1.0 helper's version `{version}` is ignored: baton sends oauth_version=\"1.0\""
        ));
    }
    if def.value("includeBodyHash").and_then(Value::as_bool) == Some(true) {
        cx.warn("the OAuth 1.0 helper's body hash (oauth_body_hash) is not sent by baton");
    }
    Y::map([("oauth1", Y::map(m))])
}

/// A helper with no token URL: nothing to fetch, but Postman still sends the token it holds
/// (`accessToken: {{authToken}}`, or one pasted in), the way `addTokenTo` and `headerPrefix`
/// say.
fn token_only(def: &AuthDef, cx: &mut Ctx) -> AuthOut {
    let token = def.get("accessToken");
    let token = cx.secret("access_token", token.trim());
    let (mut headers, mut query, mut auth) = (Vec::new(), Vec::new(), None);
    if def.get("addTokenTo") == "queryParams" {
        query.push(("access_token".to_string(), token));
    } else {
        match def.get("headerPrefix").trim() {
            "" | "Bearer" => auth = Some(Y::map([("bearer", Y::Str(token))])),
            prefix => headers.push(("Authorization".to_string(), format!("{prefix} {token}"))),
        }
    }
    AuthOut::Plain {
        auth,
        headers,
        query,
    }
}

fn oauth2(def: &AuthDef, cx: &mut Ctx) -> Option<OAuthOut> {
    let grant_type = match def.get("grant_type") {
        g if g.is_empty() => "authorization_code".to_string(),
        g => g,
    };
    let (grant, pkce) = match grant_type.as_str() {
        "authorization_code" => ("authorization_code", Some("none")),
        "authorization_code_with_pkce" => (
            "authorization_code",
            Some(if def.get("challengeAlgorithm") == "plain" {
                "plain"
            } else {
                "S256"
            }),
        ),
        "password_credentials" | "password" => ("password", None),
        "client_credentials" => ("client_credentials", None),
        // Not a helper grant: a pre-request script's token fetch (`prerequest.rs`).
        "refresh_token" => ("refresh_token", None),
        "implicit" => {
            cx.warn("OAuth 2.0 grant `implicit` is not supported by baton (and deprecated by OAuth 2.0 Security BCP): no token request was made; the requests that used it are sent without a token. Use authorization code with PKCE");
            return None;
        }
        other => {
            cx.warn(format!(
                "OAuth 2.0 grant `{other}` is not known: no token request was made"
            ));
            return None;
        }
    };
    let code_flow = grant == "authorization_code";
    let mut m: Vec<(String, Y)> = vec![("grant".into(), Y::str(grant))];
    let token_url = def.get("accessTokenUrl");
    if token_url.trim().is_empty() {
        cx.warn("the OAuth 2.0 helper has no Access Token URL: no token request was made");
        return None;
    }
    m.push(("token_url".into(), Y::Str(cx.text(&token_url))));
    if code_flow {
        let auth_url = def.get("authUrl");
        if auth_url.trim().is_empty() {
            cx.warn("the OAuth 2.0 helper has no Auth URL: no token request was made");
            return None;
        }
        m.push(("authorize_url".into(), Y::Str(cx.text(&auth_url))));
    }
    m.push(("client_id".into(), Y::Str(cx.text(&def.get("clientId")))));
    let secret = def.get("clientSecret");
    if !secret.is_empty() {
        m.push((
            "client_secret".into(),
            Y::Str(cx.secret("client_secret", &secret)),
        ));
        let how = if def.get("client_authentication") == "body" {
            "body"
        } else {
            "basic"
        };
        m.push(("client_auth".into(), Y::str(how)));
    }
    for key in ["scope", "audience", "resource"] {
        if let Some(v) = one_value(def, key, cx)
            && !v.trim().is_empty()
        {
            m.push((key.into(), Y::Str(cx.text(&v))));
        }
    }
    if grant == "password" {
        m.push(("username".into(), Y::Str(cx.text(&def.get("username")))));
        m.push((
            "password".into(),
            Y::Str(cx.secret("password", &def.get("password"))),
        ));
    }
    if grant == "refresh_token" {
        m.push((
            "refresh_token".into(),
            Y::Str(cx.secret("refresh_token", &def.get("refreshToken"))),
        ));
    }
    if code_flow {
        let browser = def
            .value("useBrowser")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let redirect = def.get("redirect_uri");
        let redirect = if browser || redirect.trim().is_empty() {
            cx.warn(format!(
                "the OAuth 2.0 helper {}: the redirect URI is Postman's {BROWSER_CALLBACK}; register baton's loopback URI (e.g. http://127.0.0.1:8765/callback) and use it instead",
                if browser { "authorizes in the browser" } else { "has no callback URL" }
            ));
            BROWSER_CALLBACK.to_string()
        } else {
            cx.text(&redirect)
        };
        m.push(("redirect_uri".into(), Y::Str(redirect)));
        if let Some(p) = pkce {
            m.push(("pkce".into(), Y::str(p)));
        }
    }
    for (key, what) in [
        (
            "state",
            "a fixed `state`: baton sends a random state and checks it",
        ),
        (
            "code_verifier",
            "a fixed `code_verifier`: baton makes a new one for each run",
        ),
    ] {
        if !def.get(key).is_empty() && code_flow {
            cx.warn(format!("the OAuth 2.0 helper has {what}"));
        }
    }
    let refresh_url = def.get("refreshTokenUrl");
    if !refresh_url.is_empty() && refresh_url != token_url {
        cx.warn("the OAuth 2.0 helper has a separate Refresh Token URL: baton refreshes at the token URL");
    }
    // Postman never verifies id_tokens, and the helper knows no JWKS: neither does the import.
    m.push(("verify_id_token".into(), Y::Bool(false)));
    let mut headers = Vec::new();
    let (extra, token_extra) = params(def, cx, code_flow, &mut headers);
    if !extra.is_empty() {
        m.push(("extra".into(), crate::import::out::pairs(&extra)));
    }
    if !token_extra.is_empty() {
        m.push((
            "token_extra".into(),
            crate::import::out::pairs(&token_extra),
        ));
    }
    for (k, v) in &def.params {
        if !QUIET.contains(&k.as_str()) && !text(v).is_empty() {
            cx.warn(format!(
                "the OAuth 2.0 helper setting `{k}` is not imported"
            ));
        }
    }
    let token_use = if def.get("addTokenTo") == "queryParams" {
        TokenUse::Query
    } else {
        match def.get("headerPrefix").trim() {
            "" | "Bearer" => TokenUse::Bearer,
            prefix => TokenUse::Header(prefix.to_string()),
        }
    };
    Some(OAuthOut {
        block: Y::map(m),
        headers,
        token_use,
        token_name: def.get("tokenName"),
        note: code_flow.then(|| {
            "Postman asked for the login in a browser; baton follows the authorize redirects itself (mode: headless, the default: add `login: { username, password }` for a real provider's form) or opens a browser with `mode: interactive`.".to_string()
        }),
    })
}

/// A setting that newer Postman versions keep as an object (`resource`, `audience`: one
/// value per row of the editor, keyed by row id): its first value; baton sends one.
fn one_value(def: &AuthDef, key: &str, cx: &mut Ctx) -> Option<String> {
    match def.value(key)? {
        Value::Object(rows) => {
            let values: Vec<String> = rows
                .values()
                .map(text)
                .filter(|v| !v.trim().is_empty())
                .collect();
            if values.len() > 1 {
                cx.warn(format!(
                    "the OAuth 2.0 helper has {} `{key}` values: baton sends the first, `{}`",
                    values.len(),
                    values[0]
                ));
            }
            values.into_iter().next()
        }
        v => Some(text(v)),
    }
}

type Pairs = Vec<(String, String)>;

/// `authRequestParams`, `tokenRequestParams`, `refreshRequestParams`: `(extra, token_extra)`.
fn params(
    def: &AuthDef,
    cx: &mut Ctx,
    code_flow: bool,
    headers: &mut Vec<(String, String)>,
) -> (Pairs, Pairs) {
    let (mut extra, mut token_extra) = (Vec::new(), Vec::new());
    for list in [
        "authRequestParams",
        "tokenRequestParams",
        "refreshRequestParams",
    ] {
        let Some(Value::Array(rows)) = def.value(list) else {
            continue;
        };
        for row in rows.iter().filter_map(Value::as_object) {
            let key = row.get("key").map(text).unwrap_or_default();
            if key.is_empty() || row.get("enabled").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let value = cx.text(&row.get("value").map(text).unwrap_or_default());
            let send_as = row.get("send_as").map(text).unwrap_or_default();
            match (list, send_as.as_str()) {
                ("authRequestParams", _) if code_flow => extra.push((key, value)),
                ("authRequestParams", _) => cx.warn(format!(
                    "the authorization request parameter `{key}` is not used by this grant"
                )),
                ("tokenRequestParams", "request_header") => headers.push((key, value)),
                ("tokenRequestParams", "request_url") => cx.warn(format!(
                    "the token request parameter `{key}` is sent in the URL by Postman; baton sends extra token parameters in the body"
                )),
                ("tokenRequestParams", _) if code_flow => token_extra.push((key, value)),
                ("tokenRequestParams", _) => extra.push((key, value)),
                _ => cx.warn(format!(
                    "the refresh request parameter `{key}` is not imported: baton refreshes with the token request's parameters"
                )),
            }
        }
    }
    (extra, token_extra)
}
