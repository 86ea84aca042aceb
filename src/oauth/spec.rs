//! The `oauth2:` block of a request, as read from YAML: the grant, where the endpoints are,
//! how the client authenticates, and the grant's own parameters, all templated. The types
//! live here; reading them from YAML is `spec/read.rs`, the checks of what each grant needs
//! (and of a private key) `spec/validate.rs`.

mod read;
mod validate;

pub(crate) use read::{KEYS, read};
pub(crate) use validate::private_key_pem;

use crate::diag::Loc;
use crate::template::{JsonTpl, Tpl};
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
    /// RFC 8693: a token for another token (`subject_token`, optionally `actor_token`).
    TokenExchange,
    /// RFC 7523 section 2.1: a token for a JWT assertion, given or signed with `private_key`.
    JwtBearer,
    /// A vendor's grant: `grant_type:` and the fields of `form:`.
    Custom,
}

/// RFC 8693's and RFC 7523's grant types, as sent.
pub(crate) const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// RFC 8693 3: the token type of a `subject_token` or `actor_token` when none is given.
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

impl Grant {
    pub const NAMES: &'static [&'static str] = &[
        "password",
        "client_credentials",
        "refresh_token",
        "authorization_code",
        "device_code",
        "introspect",
        "revoke",
        "token_exchange",
        "jwt_bearer",
        "custom",
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
            "token_exchange" | TOKEN_EXCHANGE => Grant::TokenExchange,
            "jwt_bearer" | JWT_BEARER => Grant::JwtBearer,
            "custom" => Grant::Custom,
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
            Grant::TokenExchange => "token_exchange",
            Grant::JwtBearer => "jwt_bearer",
            Grant::Custom => "custom",
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
    /// RFC 8705 2.1: `client_id` in the form, the client certificate (PKI) proves the rest.
    Tls,
    /// RFC 8705 2.2: as `Tls`, with a self-signed certificate.
    SelfSignedTls,
}

impl ClientAuth {
    pub const NAMES: &'static [&'static str] = &[
        "basic",
        "body",
        "none",
        "client_secret_jwt",
        "private_key_jwt",
        "tls_client_auth",
        "self_signed_tls_client_auth",
    ];

    fn parse(s: &str) -> Option<ClientAuth> {
        Some(match s {
            "basic" | "client_secret_basic" | "header" => ClientAuth::Basic,
            "body" | "client_secret_post" | "post" => ClientAuth::Body,
            "none" | "public" => ClientAuth::None,
            "client_secret_jwt" => ClientAuth::ClientSecretJwt,
            "private_key_jwt" => ClientAuth::PrivateKeyJwt,
            "tls_client_auth" => ClientAuth::Tls,
            "self_signed_tls_client_auth" => ClientAuth::SelfSignedTls,
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
    /// RFC 9126: push the authorize parameters to the PAR endpoint first (`Some(true)`), or
    /// never (`Some(false)`); `None` pushes when `par_url` is given or discovery says the
    /// provider requires it (`require_pushed_authorization_requests`).
    pub par: Option<bool>,
    pub par_url: Option<Tpl>,
    /// RFC 9396: a list of objects, sent as compact JSON wherever `scope` goes (the authorize
    /// request, pushed or not; the token request of the grants without one).
    pub authorization_details: Option<JsonTpl>,
    /// RFC 9101: send the authorize parameters as a JWT signed with `private_key`.
    pub request_object: bool,
    /// RFC 9449: prove possession of a key at the token endpoint, and with the token.
    pub(crate) dpop: Option<crate::oauth::dpop::Dpop>,
    /// RFC 8693 token exchange: the token exchanged, the acting party's, and their types.
    pub subject_token: Option<Tpl>,
    pub subject_token_type: Option<Tpl>,
    pub actor_token: Option<Tpl>,
    pub actor_token_type: Option<Tpl>,
    pub requested_token_type: Option<Tpl>,
    /// `jwt_bearer`: the assertion given; without it one is signed with `private_key`, for
    /// `assertion_subject` (the client by default).
    pub assertion: Option<Tpl>,
    pub assertion_subject: Option<Tpl>,
    /// The `aud` of the JWTs the client signs (its client assertions, a `jwt_bearer`
    /// assertion): the token endpoint by default, `issuer` for the issuer's URL (FAPI 2.0),
    /// or a URL.
    pub assertion_audience: Option<Tpl>,
    /// `custom`: the grant type sent and its fields.
    pub grant_type: Option<Tpl>,
    pub form: Vec<(String, Tpl)>,
    pub verify_id_token: bool,
    /// Wait for the browser's redirect (interactive) or the user's approval (device).
    pub wait: Duration,
    pub open_browser: bool,
    /// The client certificate of the token requests (mTLS, RFC 8705): before the request's
    /// own `client_cert:`, `defaults:` and `--cert`.
    pub client_cert: Option<crate::collection::client_cert::ClientCertSpec>,
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
            &self.subject_token,
            &self.subject_token_type,
            &self.actor_token,
            &self.actor_token_type,
            &self.requested_token_type,
            &self.assertion,
            &self.assertion_subject,
            &self.assertion_audience,
            &self.grant_type,
            &self.par_url,
        ];
        let mut out: Vec<&Tpl> = vec![&self.client_id];
        out.extend(singles.into_iter().flatten());
        out.extend(
            self.login
                .iter()
                .chain(&self.consent)
                .chain(&self.extra)
                .chain(&self.token_extra)
                .chain(&self.form)
                .map(|(_, v)| v),
        );
        out.extend(self.dpop.as_ref().and_then(|d| d.key.as_ref()));
        if let Some(details) = &self.authorization_details {
            details.templates(&mut out);
        }
        if let Some(cert) = &self.client_cert {
            out.extend(cert.templates());
        }
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
