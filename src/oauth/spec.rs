//! The `oauth2:` block of a request, as read from YAML: the grant, where the endpoints are,
//! how the client authenticates, and the grant's own parameters, all templated.

use crate::diag::Diagnostic;
use crate::diag::Loc;
use crate::sendable::url_problem;
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    Password,
    ClientCredentials,
    RefreshToken,
    AuthorizationCode,
    DeviceCode,
    /// RFC 7662: ask the provider whether a token is active.
    Introspect,
    /// RFC 7009: revoke a token.
    Revoke,
}

impl Grant {
    pub const NAMES: &'static [&'static str] = &[
        "password",
        "client_credentials",
        "refresh_token",
        "authorization_code",
        "device_code",
        "introspect",
        "revoke",
    ];

    pub fn parse(s: &str) -> Option<Grant> {
        Some(match s {
            "password" => Grant::Password,
            "client_credentials" => Grant::ClientCredentials,
            "refresh_token" => Grant::RefreshToken,
            "authorization_code" => Grant::AuthorizationCode,
            "device_code" | "urn:ietf:params:oauth:grant-type:device_code" => Grant::DeviceCode,
            "introspect" | "introspection" => Grant::Introspect,
            "revoke" | "revocation" => Grant::Revoke,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grant::Password => "password",
            Grant::ClientCredentials => "client_credentials",
            Grant::RefreshToken => "refresh_token",
            Grant::AuthorizationCode => "authorization_code",
            Grant::DeviceCode => "device_code",
            Grant::Introspect => "introspect",
            Grant::Revoke => "revoke",
        }
    }

    /// True for the operations that obtain tokens (and so can back `auth: { oauth2: id }`).
    pub fn issues_tokens(self) -> bool {
        !matches!(self, Grant::Introspect | Grant::Revoke)
    }
}

/// How the client proves who it is at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic` with id and secret form-encoded first (RFC 6749 2.3.1):
    /// Postman's "Send as Basic Auth header".
    Basic,
    /// `client_id` and `client_secret` in the form: "Send client credentials in body".
    Body,
    /// A public client: `client_id` only.
    None,
    /// RFC 7523 assertion signed with the client secret (HS256).
    ClientSecretJwt,
    /// RFC 7523 assertion signed with the client's private key.
    PrivateKeyJwt,
}

impl ClientAuth {
    pub const NAMES: &'static [&'static str] = &[
        "basic",
        "body",
        "none",
        "client_secret_jwt",
        "private_key_jwt",
    ];

    fn parse(s: &str) -> Option<ClientAuth> {
        Some(match s {
            "basic" | "client_secret_basic" | "header" => ClientAuth::Basic,
            "body" | "client_secret_post" | "post" => ClientAuth::Body,
            "none" | "public" => ClientAuth::None,
            "client_secret_jwt" => ClientAuth::ClientSecretJwt,
            "private_key_jwt" => ClientAuth::PrivateKeyJwt,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkce {
    S256,
    Plain,
    Off,
}

/// Which user agent (cookie jar) a headless sign-in runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Session {
    /// The file's browser for this `login:` identity: a second sign-in of the same user
    /// rides on the provider's session as a browser would (single sign-on), another user
    /// gets a browser of their own.
    Reuse,
    /// A new browser with no cookies: the provider's login page is shown again.
    Fresh,
}

/// How an authorization code is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Follow the authorize redirects with a cookie jar, submitting login/consent forms.
    Headless,
    /// Open the system browser and wait on the loopback `redirect_uri` (RFC 8252).
    Interactive,
    /// The code is given (`code:`), obtained elsewhere.
    Code,
}

#[derive(Debug)]
pub struct OAuth2 {
    pub grant: Grant,
    pub loc: Loc,
    pub issuer: Option<Tpl>,
    pub token_url: Option<Tpl>,
    pub authorize_url: Option<Tpl>,
    pub device_url: Option<Tpl>,
    pub introspection_url: Option<Tpl>,
    pub revocation_url: Option<Tpl>,
    pub jwks_url: Option<Tpl>,
    pub client_id: Tpl,
    pub client_secret: Option<Tpl>,
    /// `None` means: Basic with a secret, none without.
    pub client_auth: Option<ClientAuth>,
    pub private_key: Option<Tpl>,
    pub key_id: Option<Tpl>,
    pub assertion_alg: Option<Tpl>,
    pub scope: Option<Tpl>,
    pub audience: Option<Tpl>,
    pub resource: Option<Tpl>,
    pub username: Option<Tpl>,
    pub password: Option<Tpl>,
    pub refresh_token: Option<Tpl>,
    /// The token to introspect or revoke.
    pub token: Option<Tpl>,
    pub token_type_hint: Option<Tpl>,
    pub redirect_uri: Option<Tpl>,
    pub pkce: Pkce,
    pub mode: Mode,
    pub code: Option<Tpl>,
    /// The PKCE verifier sent with `code:` (mode `code`), or used for the challenge of a
    /// headless or interactive sign-in instead of a random one.
    pub code_verifier: Option<Tpl>,
    /// Fields a headless run fills in the provider's login form (the form with a password
    /// field, or with a field named here); `button` names the button to press.
    pub login: Vec<(String, Tpl)>,
    /// Fields of the other forms (consent, account choice); `button` names the button.
    pub consent: Vec<(String, Tpl)>,
    pub session: Session,
    /// Exchange the code at the token endpoint (the default). Without, the request ends with
    /// the redirect that carries the code, and `<<id.code>>` and `<<id.code_verifier>>` are
    /// for later requests to exchange by hand (a wrong verifier, another redirect_uri...).
    pub exchange: bool,
    /// Send a `nonce` with the authorize request (the default), checked in the id_token.
    pub nonce: bool,
    /// Extra parameters: of the authorize request for `authorization_code`, of the token
    /// request otherwise.
    pub extra: Vec<(String, Tpl)>,
    /// Extra parameters of the token request of `authorization_code`.
    pub token_extra: Vec<(String, Tpl)>,
    pub verify_id_token: bool,
    /// Wait for the browser's redirect (interactive) or the user's approval (device).
    pub wait: Duration,
    pub open_browser: bool,
}

pub const KEYS: &[&str] = &[
    "grant",
    "issuer",
    "token_url",
    "authorize_url",
    "device_authorization_url",
    "introspection_url",
    "revocation_url",
    "jwks_url",
    "client_id",
    "client_secret",
    "client_auth",
    "private_key",
    "key_id",
    "assertion_alg",
    "scope",
    "audience",
    "resource",
    "username",
    "password",
    "refresh_token",
    "token",
    "token_type_hint",
    "redirect_uri",
    "pkce",
    "mode",
    "code",
    "code_verifier",
    "login",
    "consent",
    "session",
    "exchange",
    "nonce",
    "extra",
    "token_extra",
    "verify_id_token",
    "wait",
    "open_browser",
];

pub fn read(r: &mut Reader, node: &Node) -> Option<OAuth2> {
    let mut m = r.map(node, "oauth2")?;
    let tpl = |m: &mut crate::yaml::read::Map, r: &mut Reader, key: &str| {
        m.get(key).and_then(|n| r.tpl(n, &format!("oauth2.{key}")))
    };
    let grant = match m.get("grant") {
        Some(n) => {
            let text = r.text(n, "oauth2.grant")?;
            match Grant::parse(&text) {
                Some(g) => g,
                None => {
                    let hint = crate::diag::did_you_mean(&text, Grant::NAMES.iter().copied());
                    let d = r.error(
                        n.loc,
                        format!(
                            "unknown grant `{text}`{}",
                            hint.map(|h| format!(" (did you mean `{h}`?)"))
                                .unwrap_or_default()
                        ),
                    );
                    d.help = Some(format!("one of: {}", Grant::NAMES.join(", ")));
                    return None;
                }
            }
        }
        None => {
            let d = r.error(node.loc, "`oauth2` needs `grant:`");
            d.help = Some(format!("one of: {}", Grant::NAMES.join(", ")));
            return None;
        }
    };
    let issuer = tpl(&mut m, r, "issuer");
    let token_url = tpl(&mut m, r, "token_url");
    let authorize_url = tpl(&mut m, r, "authorize_url");
    let device_url = tpl(&mut m, r, "device_authorization_url");
    let introspection_url = tpl(&mut m, r, "introspection_url");
    let revocation_url = tpl(&mut m, r, "revocation_url");
    let jwks_url = tpl(&mut m, r, "jwks_url");
    let client_id = match m.get("client_id") {
        Some(n) => r.tpl(n, "oauth2.client_id")?,
        None => {
            r.error(node.loc, "`oauth2` needs `client_id:`");
            return None;
        }
    };
    let client_secret = tpl(&mut m, r, "client_secret");
    let client_auth = match m.get("client_auth") {
        Some(n) => {
            let text = r.text(n, "oauth2.client_auth")?;
            match ClientAuth::parse(&text) {
                Some(a) => Some(a),
                None => {
                    let d = r.error(n.loc, format!("unknown client_auth `{text}`"));
                    d.help = Some(format!("one of: {}", ClientAuth::NAMES.join(", ")));
                    return None;
                }
            }
        }
        None => None,
    };
    let private_key = tpl(&mut m, r, "private_key");
    let key_id = tpl(&mut m, r, "key_id");
    let assertion_alg = tpl(&mut m, r, "assertion_alg");
    let scope = match m.get("scope") {
        // `scope: [openid, api]` is joined with spaces.
        Some(
            n @ Node {
                kind: Kind::Seq(items),
                ..
            },
        ) => {
            let words: Option<Vec<String>> =
                items.iter().map(|i| r.text(i, "oauth2.scope")).collect();
            let joined = Node::new(Kind::Str(words?.join(" ").into()), n.loc);
            r.tpl(&joined, "oauth2.scope")
        }
        Some(n) => r.tpl(n, "oauth2.scope"),
        None => None,
    };
    let audience = tpl(&mut m, r, "audience");
    let resource = tpl(&mut m, r, "resource");
    let username = tpl(&mut m, r, "username");
    let password = tpl(&mut m, r, "password");
    let refresh_token = tpl(&mut m, r, "refresh_token");
    let token = tpl(&mut m, r, "token");
    let token_type_hint = tpl(&mut m, r, "token_type_hint");
    let redirect_uri = tpl(&mut m, r, "redirect_uri");
    let pkce = match m.get("pkce") {
        Some(n) => match &n.kind {
            Kind::Bool(false) => Pkce::Off,
            Kind::Bool(true) => Pkce::S256,
            _ => match r.text(n, "oauth2.pkce")?.as_str() {
                "S256" | "s256" => Pkce::S256,
                "plain" => Pkce::Plain,
                "none" | "off" => Pkce::Off,
                other => {
                    r.error(n.loc, format!("unknown pkce method `{other}`"))
                        .help = Some("S256 (the default), plain or none".into());
                    return None;
                }
            },
        },
        None => Pkce::S256,
    };
    let code = tpl(&mut m, r, "code");
    let mode = match m.get("mode") {
        Some(n) => match r.text(n, "oauth2.mode")?.as_str() {
            "headless" => Mode::Headless,
            "interactive" | "browser" => Mode::Interactive,
            "code" => Mode::Code,
            other => {
                r.error(n.loc, format!("unknown mode `{other}`")).help = Some("headless (follow the redirects, fill the login form), interactive (open a browser) or code (give `code:`)".into());
                return None;
            }
        },
        None if code.is_some() => Mode::Code,
        None => Mode::Headless,
    };
    let code_verifier = tpl(&mut m, r, "code_verifier");
    let login = m
        .get("login")
        .map(|n| r.pairs(n, "oauth2.login"))
        .unwrap_or_default();
    let consent = m
        .get("consent")
        .map(|n| r.pairs(n, "oauth2.consent"))
        .unwrap_or_default();
    let session = match m.get("session") {
        Some(n) => match r.text(n, "oauth2.session")?.as_str() {
            "reuse" | "shared" => Session::Reuse,
            "fresh" | "new" => Session::Fresh,
            other => {
                r.error(n.loc, format!("unknown session `{other}`")).help = Some("reuse (the default: one browser per `login:` user in a file) or fresh (a new browser, no cookies)".into());
                return None;
            }
        },
        None => Session::Reuse,
    };
    let extra = m
        .get("extra")
        .map(|n| r.pairs(n, "oauth2.extra"))
        .unwrap_or_default();
    let token_extra = m
        .get("token_extra")
        .map(|n| r.pairs(n, "oauth2.token_extra"))
        .unwrap_or_default();
    let nonce = m
        .get("nonce")
        .and_then(|n| r.bool(n, "oauth2.nonce"))
        .unwrap_or(true);
    let exchange = m
        .get("exchange")
        .and_then(|n| r.bool(n, "oauth2.exchange"))
        .unwrap_or(true);
    let verify_id_token = m
        .get("verify_id_token")
        .and_then(|n| r.bool(n, "oauth2.verify_id_token"))
        .unwrap_or(true);
    let wait = m
        .get("wait")
        .and_then(|n| r.duration(n, "oauth2.wait"))
        .unwrap_or(Duration::from_secs(120));
    let open_browser = m
        .get("open_browser")
        .and_then(|n| r.bool(n, "oauth2.open_browser"))
        .unwrap_or(true);
    m.finish(r, "oauth2", KEYS);
    // The endpoints written literally are checked as a request's URL is.
    let endpoints = [&issuer, &token_url, &authorize_url, &device_url];
    let more = [&introspection_url, &revocation_url, &jwks_url];
    for url in endpoints.into_iter().chain(more).flatten() {
        let problem = url.is_literal().then(|| url_problem(&url.text)).flatten();
        if let Some(problem) = problem {
            r.error(url.loc, problem);
        }
    }

    let spec = OAuth2 {
        grant,
        loc: node.loc,
        issuer,
        token_url,
        authorize_url,
        device_url,
        introspection_url,
        revocation_url,
        jwks_url,
        client_id,
        client_secret,
        client_auth,
        private_key,
        key_id,
        assertion_alg,
        scope,
        audience,
        resource,
        username,
        password,
        refresh_token,
        token,
        token_type_hint,
        redirect_uri,
        pkce,
        mode,
        code,
        code_verifier,
        login,
        consent,
        session,
        exchange,
        nonce,
        extra,
        token_extra,
        verify_id_token,
        wait,
        open_browser,
    };
    validate(r, &spec, node);
    Some(spec)
}

/// What each grant needs, said once at load time rather than as a provider error later.
fn validate(r: &mut Reader, s: &OAuth2, node: &Node) {
    let mut need = |ok: bool, what: &str, why: &str| {
        if !ok {
            let d = r.error(
                node.loc,
                format!("`oauth2` with grant `{}` needs {what}", s.grant.as_str()),
            );
            d.help = Some(why.to_string());
        }
    };
    let endpoint = s.issuer.is_some();
    match s.grant {
        Grant::Password => {
            need(
                s.username.is_some() && s.password.is_some(),
                "`username` and `password`",
                "the resource owner's credentials",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::ClientCredentials => need(
            endpoint || s.token_url.is_some(),
            "`issuer` or `token_url`",
            "where to send the token request",
        ),
        Grant::RefreshToken => {
            need(
                s.refresh_token.is_some(),
                "`refresh_token`",
                "e.g. refresh_token: <<login.refresh_token>>",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::AuthorizationCode => {
            need(
                s.redirect_uri.is_some(),
                "`redirect_uri`",
                "the redirect URI registered for the client, e.g. http://127.0.0.1:8765/callback",
            );
            need(
                endpoint
                    || (s.token_url.is_some()
                        && (s.authorize_url.is_some() || s.mode == Mode::Code)),
                "`issuer`, or `authorize_url` and `token_url`",
                "where to send the user and the token request",
            );
            need(
                s.mode != Mode::Code || s.code.is_some(),
                "`code`",
                "mode `code` exchanges a code you obtained elsewhere",
            );
            need(
                s.exchange || s.mode != Mode::Code,
                "a code to obtain (`exchange: false` with mode `code` does nothing)",
                "`exchange: false` stops a headless or interactive sign-in at the redirect",
            );
        }
        Grant::DeviceCode => need(
            endpoint || (s.token_url.is_some() && s.device_url.is_some()),
            "`issuer`, or `device_authorization_url` and `token_url`",
            "where to start the device flow",
        ),
        Grant::Introspect => {
            need(
                s.token.is_some(),
                "`token`",
                "the token to introspect, e.g. token: <<login.access_token>>",
            );
            need(
                endpoint || s.introspection_url.is_some(),
                "`issuer` or `introspection_url`",
                "where to send it",
            );
        }
        Grant::Revoke => {
            need(s.token.is_some(), "`token`", "the token to revoke");
            need(
                endpoint || s.revocation_url.is_some(),
                "`issuer` or `revocation_url`",
                "where to send it",
            );
        }
    }
    if matches!(s.client_auth, Some(ClientAuth::PrivateKeyJwt)) && s.private_key.is_none() {
        need(
            false,
            "`private_key`",
            "private_key_jwt signs with the client's key: give a PEM file path",
        );
    }
    if matches!(
        s.client_auth,
        Some(ClientAuth::ClientSecretJwt | ClientAuth::Basic | ClientAuth::Body)
    ) && s.client_secret.is_none()
    {
        need(
            false,
            "`client_secret`",
            "this client authentication method uses the secret; a public client uses client_auth: none",
        );
    }
}

/// The PEM of `private_key:` rendered to `value` (the PEM itself, or a file path relative
/// to `base_dir`), checked to be a key that can sign: a problem names the key file and is
/// placed at `key`, for `run` (before it sends the token request) and `check` alike.
pub fn private_key_pem(key: &Tpl, value: &str, base_dir: &Path) -> Result<String, Diagnostic> {
    use super::assertion::{AssertionKey, client_assertion};
    let at = |message: String| Diagnostic::error(message).at(&key.file, key.loc);
    let (pem, shown) = if value.contains("-----BEGIN") {
        (value.to_string(), "the private key".to_string())
    } else {
        let full = base_dir.join(value);
        let unreadable = |reason| at(format!("cannot read the private key `{value}`: {reason}"));
        if let Some(reason) = crate::sendable::not_a_file(&full) {
            return Err(unreadable(reason).help("the path is relative to the collection file"));
        }
        let pem = crate::fsutil::read_to_string(&full, crate::fsutil::MAX_INPUT)
            .map_err(|e| unreadable(crate::fsutil::io_reason(&e)))?;
        (pem, format!("the private key `{value}`"))
    };
    let probe = AssertionKey::PrivatePem {
        pem: pem.clone(),
        kid: None,
    };
    match client_assertion("baton", "baton", &probe, None) {
        Ok(_) => Ok(pem),
        Err(e) => Err(at(format!("{shown} cannot sign: {e}"))
            .help("private_key_jwt needs an unencrypted PEM private key (RSA, EC or Ed25519)")),
    }
}

impl OAuth2 {
    /// Every template of the block (for `baton check`).
    pub fn templates(&self) -> Vec<&Tpl> {
        let singles = [
            &self.issuer,
            &self.token_url,
            &self.authorize_url,
            &self.device_url,
            &self.introspection_url,
            &self.revocation_url,
            &self.jwks_url,
            &self.client_secret,
            &self.private_key,
            &self.key_id,
            &self.assertion_alg,
            &self.scope,
            &self.audience,
            &self.resource,
            &self.username,
            &self.password,
            &self.refresh_token,
            &self.token,
            &self.token_type_hint,
            &self.redirect_uri,
            &self.code,
            &self.code_verifier,
        ];
        let mut out: Vec<&Tpl> = vec![&self.client_id];
        out.extend(singles.into_iter().flatten());
        out.extend(
            self.login
                .iter()
                .chain(&self.consent)
                .chain(&self.extra)
                .chain(&self.token_extra)
                .map(|(_, v)| v),
        );
        out
    }

    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth.unwrap_or(if self.client_secret.is_some() {
            ClientAuth::Basic
        } else {
            ClientAuth::None
        })
    }
}
