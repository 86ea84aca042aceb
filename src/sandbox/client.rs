//! Registered clients: their grants, how they authenticate (secret, JWT assertion or none),
//! whether they sign in through a form, their keys, and redirect URI matching.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::Jwk;
use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// The public half of `tests/fixtures/keys/sandbox-pkjwt-private.pem`, registered for the
/// default `baton-pkjwt` client. The private key is a test fixture: it protects nothing.
pub(crate) const DEFAULT_PKJWT_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwnZp+gLX0MtS4ia/quuc
iyUCO0iOhl784H/C90GPr+NKHQ5y8NgIOuV7+8tEuBbLMX0v20yK77yKXPeduzoT
tVnimUdZuu2YSXg28bSf+SBtHXy2P1W0yvMJsRoqNbgTFm+MquGS7eJYpwX4tuwA
DKlJFGev3tBv0k1dVvjVtH3akb0LM00+mCcEIVBtiqzedeu3wkSzPpGUp9DBrCz0
OhCQEbeBevaU84kApiZdXAqfyl+abnVila2gFsDFNplECdb/UjNT8ma25V+iez/H
OQMuPN+lqctSi+mOTDeVka+4HKYQvXnnczccdA37X1D89mpKlDCgpUBQorkwo3dq
MwIDAQAB
-----END PUBLIC KEY-----
";

/// A grant type a client may be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// Resource owner password credentials (RFC 6749 4.3).
    Password,
    /// Client credentials (RFC 6749 4.4).
    ClientCredentials,
    /// Authorization code, with PKCE (RFC 6749 4.1, RFC 7636).
    AuthorizationCode,
    /// Refresh token, rotated at each use (RFC 6749 6).
    RefreshToken,
    /// Device authorization grant (RFC 8628); `device_code` in the config.
    DeviceCode,
    /// Token exchange (RFC 8693); `token_exchange` in the config.
    TokenExchange,
    /// A JWT assertion for a token (RFC 7523 2.1); `jwt_bearer` in the config.
    JwtBearer,
    /// The sandbox's vendor grant, an API key for a token; `api_key` in the config.
    ApiKey,
}

impl GrantType {
    /// Every grant the sandbox implements.
    pub const ALL: [GrantType; 8] = [
        GrantType::Password,
        GrantType::ClientCredentials,
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::DeviceCode,
        GrantType::TokenExchange,
        GrantType::JwtBearer,
        GrantType::ApiKey,
    ];

    /// The `grant_type` parameter value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::Password => "password",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            GrantType::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
            GrantType::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
            GrantType::ApiKey => super::exchange::API_KEY_GRANT,
        }
    }

    /// Parses a `grant_type` value; `None` for a grant the sandbox does not implement.
    #[must_use]
    pub fn parse(value: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == value)
    }
}

/// How a client proves who it is (OIDC Core 9, `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `Authorization: Basic` with the form-encoded id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost,
    /// A JWT signed with the client secret (HS256/384/512).
    ClientSecretJwt,
    /// A JWT signed with the client's private key, checked with its registered public key.
    PrivateKeyJwt,
    /// A public client: `client_id` alone.
    None,
    /// RFC 8705 2.1.2: a client certificate issued to the registered subject DN.
    TlsClientAuth,
    /// RFC 8705 2.2: a self-signed client certificate, registered by its thumbprint.
    SelfSignedTlsClientAuth,
}

impl AuthMethod {
    /// The name used in discovery and in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
            AuthMethod::TlsClientAuth => "tls_client_auth",
            AuthMethod::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }
}

/// A registered client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// `client_id`.
    pub id: String,
    /// `client_secret`; a client with neither secret nor keys is public and must use PKCE.
    #[serde(default)]
    pub secret: Option<String>,
    /// Registered redirect URIs; loopback ones match any port (RFC 8252 7.3).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Grants the client may use; absent means all of them (confidential) or
    /// `authorization_code`, `refresh_token` and `device_code` (public).
    #[serde(default)]
    pub grants: Option<Vec<GrantType>>,
    /// Scopes the client may ask for; absent means every supported scope.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Require PKCE even though the client is confidential.
    #[serde(default)]
    pub require_pkce: bool,
    /// The one way the client may authenticate. Absent: `client_secret_basic` or
    /// `client_secret_post` with a secret, `private_key_jwt` with keys, `none` otherwise.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// Public keys (JWKs) that check the client's `private_key_jwt` assertions.
    #[serde(default)]
    pub jwks: Option<Vec<Jwk>>,
    /// A public key in PEM (`-----BEGIN PUBLIC KEY-----`, RSA, EC P-256/P-384 or Ed25519)
    /// that checks the client's `private_key_jwt` assertions.
    #[serde(default)]
    pub jwks_pem: Option<String>,
    /// `/connect/authorize` redirects to a login form instead of auto-approving.
    #[serde(default)]
    pub login_form: bool,
    /// After the login form, a consent form too (needs `login_form`).
    #[serde(default)]
    pub consent: bool,
    /// RFC 9126 6: the authorize endpoint takes only pushed requests (`request_uri`) from
    /// this client.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449 5.2: every token request needs a DPoP proof, and the tokens are bound to it.
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// The FAPI 2.0 Security Profile (`fapi.rs`): PKCE S256 and client assertions for the
    /// issuer, on top of what the other fields ask.
    #[serde(default)]
    pub fapi2: bool,
    /// `tls_client_auth`: the subject DN of the client's certificate (RFC 8705 2.1.2).
    #[serde(default)]
    pub tls_client_auth_subject_dn: Option<String>,
    /// `self_signed_tls_client_auth`: the x5t#S256 thumbprint of the client's certificate.
    #[serde(default)]
    pub tls_client_auth_x5t_s256: Option<String>,
}

impl ClientConfig {
    /// The ways this client may authenticate.
    #[must_use]
    pub fn auth_methods(&self) -> &'static [AuthMethod] {
        match self.token_endpoint_auth_method {
            Some(AuthMethod::ClientSecretBasic) => &[AuthMethod::ClientSecretBasic],
            Some(AuthMethod::ClientSecretPost) => &[AuthMethod::ClientSecretPost],
            Some(AuthMethod::ClientSecretJwt) => &[AuthMethod::ClientSecretJwt],
            Some(AuthMethod::PrivateKeyJwt) => &[AuthMethod::PrivateKeyJwt],
            Some(AuthMethod::None) => &[AuthMethod::None],
            Some(AuthMethod::TlsClientAuth) => &[AuthMethod::TlsClientAuth],
            Some(AuthMethod::SelfSignedTlsClientAuth) => &[AuthMethod::SelfSignedTlsClientAuth],
            None if self.secret.is_some() => {
                &[AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost]
            }
            None if self.has_keys() => &[AuthMethod::PrivateKeyJwt],
            None => &[AuthMethod::None],
        }
    }

    /// Whether the client authenticates with a certificate (RFC 8705 2).
    pub(crate) fn uses_certificate(&self) -> bool {
        self.accepts(AuthMethod::TlsClientAuth) || self.accepts(AuthMethod::SelfSignedTlsClientAuth)
    }

    /// Whether the client may authenticate with `method`.
    #[must_use]
    pub fn accepts(&self, method: AuthMethod) -> bool {
        self.auth_methods().contains(&method)
    }

    /// A public client cannot authenticate, so it must prove itself with PKCE.
    #[must_use]
    pub fn is_public(&self) -> bool {
        self.accepts(AuthMethod::None)
    }

    /// Whether the client may use `grant`.
    #[must_use]
    pub fn allows(&self, grant: GrantType) -> bool {
        match &self.grants {
            Some(grants) => grants.contains(&grant),
            None if self.is_public() => matches!(
                grant,
                GrantType::AuthorizationCode | GrantType::RefreshToken | GrantType::DeviceCode
            ),
            None => true,
        }
    }

    /// Whether the client may ask for `scope` (given the server supports it).
    pub(crate) fn allows_scope(&self, scope: &str) -> bool {
        self.scopes
            .as_ref()
            .is_none_or(|scopes| scopes.iter().any(|s| s == scope))
    }

    pub(crate) fn requires_pkce(&self) -> bool {
        self.require_pkce || self.is_public()
    }

    /// The registered redirect URI that `requested` matches, if any.
    pub(crate) fn redirect_uri_allowed(&self, requested: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| redirect_uri_matches(registered, requested))
    }

    fn has_keys(&self) -> bool {
        self.jwks.as_ref().is_some_and(|k| !k.is_empty()) || self.jwks_pem.is_some()
    }

    /// The keys that may check a `private_key_jwt` assertion whose header names `kid`: the
    /// JWKs with that kid (or every JWK when the header names none, or no JWK carries it),
    /// then the PEM key read as the family of `alg`.
    pub(crate) fn verification_keys(
        &self,
        kid: Option<&str>,
        alg: jsonwebtoken::Algorithm,
    ) -> Vec<DecodingKey> {
        let jwks = self.jwks.as_deref().unwrap_or_default();
        let named: Vec<&Jwk> = jwks
            .iter()
            .filter(|k| kid.is_some() && k.common.key_id.as_deref() == kid)
            .collect();
        let candidates = if named.is_empty() {
            jwks.iter().collect()
        } else {
            named
        };
        let mut keys: Vec<DecodingKey> = candidates
            .into_iter()
            .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok())
            .collect();
        if let Some(pem) = &self.jwks_pem
            && let Ok(key) = pem_key(pem, alg)
        {
            keys.push(key);
        }
        keys
    }

    /// What `validate` checks about authentication; `Err` says what is wrong.
    pub(crate) fn check_auth_setup(&self) -> Result<(), String> {
        let id = &self.id;
        for method in self.auth_methods() {
            match method {
                AuthMethod::ClientSecretBasic
                | AuthMethod::ClientSecretPost
                | AuthMethod::ClientSecretJwt
                    if self.secret.is_none() =>
                {
                    return Err(format!("client `{id}`: {} needs a secret", method.as_str()));
                }
                AuthMethod::PrivateKeyJwt if !self.has_keys() => {
                    return Err(format!(
                        "client `{id}`: private_key_jwt needs jwks or jwks_pem (a public key)"
                    ));
                }
                AuthMethod::TlsClientAuth if self.tls_client_auth_subject_dn.is_none() => {
                    return Err(format!(
                        "client `{id}`: tls_client_auth needs tls_client_auth_subject_dn"
                    ));
                }
                AuthMethod::SelfSignedTlsClientAuth if self.tls_client_auth_x5t_s256.is_none() => {
                    return Err(format!(
                        "client `{id}`: self_signed_tls_client_auth needs tls_client_auth_x5t_s256"
                    ));
                }
                AuthMethod::None if self.secret.is_some() => {
                    return Err(format!(
                        "client `{id}`: token_endpoint_auth_method none cannot have a secret"
                    ));
                }
                _ => {}
            }
        }
        if let Some(pem) = &self.jwks_pem {
            if pem.contains("PRIVATE KEY") {
                return Err(format!(
                    "client `{id}`: jwks_pem holds a private key; register the public key only"
                ));
            }
            let families = [
                jsonwebtoken::Algorithm::RS256,
                jsonwebtoken::Algorithm::ES256,
                jsonwebtoken::Algorithm::EdDSA,
            ];
            if !families.into_iter().any(|alg| pem_key(pem, alg).is_ok()) {
                return Err(format!(
                    "client `{id}`: jwks_pem is not an RSA, EC or Ed25519 public key in PEM"
                ));
            }
        }
        for jwk in self.jwks.iter().flatten() {
            if DecodingKey::from_jwk(jwk).is_err() {
                return Err(format!(
                    "client `{id}`: a key in jwks is not a usable RSA, EC or OKP public key"
                ));
            }
        }
        if self.consent && !self.login_form {
            return Err(format!(
                "client `{id}`: consent needs login_form (the consent page follows the login)"
            ));
        }
        Ok(())
    }
}

/// Reads a PEM public key as the key family of `alg`.
fn pem_key(pem: &str, alg: jsonwebtoken::Algorithm) -> jsonwebtoken::errors::Result<DecodingKey> {
    use jsonwebtoken::Algorithm::{ES256, ES384, EdDSA};
    match alg {
        ES256 | ES384 => DecodingKey::from_ec_pem(pem.as_bytes()),
        EdDSA => DecodingKey::from_ed_pem(pem.as_bytes()),
        _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
    }
}

/// Exact string match, except that a loopback URI (RFC 8252 7.3) matches any other loopback
/// URI with the same path and query whatever its port, because native apps listen on a port
/// the OS picks at run time.
pub(crate) fn redirect_uri_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    is_loopback(&reg)
        && is_loopback(&req)
        && reg.path() == req.path()
        && reg.query() == req.query()
        && req.fragment().is_none()
        && req.username().is_empty()
        && req.password().is_none()
}

fn is_loopback(url: &Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(Host::Domain(domain)) => domain == "localhost",
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_any_port_and_loopback_host() {
        let reg = "http://127.0.0.1:8765/callback";
        assert!(redirect_uri_matches(reg, "http://127.0.0.1:50123/callback"));
        assert!(redirect_uri_matches(reg, "http://localhost:1/callback"));
        assert!(redirect_uri_matches(reg, "http://[::1]:9999/callback"));
        assert!(redirect_uri_matches(reg, "http://127.0.0.1/callback"));
        for other in [
            "http://127.0.0.1:8765/other",
            "http://127.0.0.1:8765/callback?x=1",
            "https://127.0.0.1:8765/callback",
            "http://evil.example:8765/callback",
            "http://127.0.0.1:8765/callback#f",
        ] {
            assert!(!redirect_uri_matches(reg, other), "{other}");
        }
    }

    #[test]
    fn other_redirects_match_exactly() {
        let reg = "https://app.example/cb";
        assert!(redirect_uri_matches(reg, "https://app.example/cb"));
        assert!(!redirect_uri_matches(reg, "https://app.example:444/cb"));
        assert!(!redirect_uri_matches(reg, "https://app.example/cb/"));
    }

    #[test]
    fn auth_methods_follow_secret_keys_and_explicit_choice() {
        let secret = ClientConfig {
            id: "s".into(),
            secret: Some("x".into()),
            ..ClientConfig::default()
        };
        assert!(secret.accepts(AuthMethod::ClientSecretBasic));
        assert!(secret.accepts(AuthMethod::ClientSecretPost));
        assert!(!secret.accepts(AuthMethod::ClientSecretJwt) && !secret.is_public());
        let jwt = ClientConfig {
            token_endpoint_auth_method: Some(AuthMethod::ClientSecretJwt),
            ..secret.clone()
        };
        assert_eq!(jwt.auth_methods(), [AuthMethod::ClientSecretJwt]);
        let keys = ClientConfig {
            id: "k".into(),
            jwks_pem: Some(DEFAULT_PKJWT_PUBLIC_PEM.into()),
            ..ClientConfig::default()
        };
        assert_eq!(keys.auth_methods(), [AuthMethod::PrivateKeyJwt]);
        assert!(!keys.is_public() && keys.check_auth_setup().is_ok());
        assert!(ClientConfig::default().is_public());
    }

    #[test]
    fn auth_setup_errors_name_the_problem() {
        let jwt_without_secret = ClientConfig {
            id: "j".into(),
            token_endpoint_auth_method: Some(AuthMethod::ClientSecretJwt),
            ..ClientConfig::default()
        };
        let err = jwt_without_secret
            .check_auth_setup()
            .expect_err("no secret");
        assert!(err.contains("needs a secret"), "{err}");
        let private = ClientConfig {
            id: "p".into(),
            jwks_pem: Some("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into()),
            ..ClientConfig::default()
        };
        let err = private.check_auth_setup().expect_err("private key");
        assert!(err.contains("private key"), "{err}");
        let garbage = ClientConfig {
            id: "g".into(),
            jwks_pem: Some("not a pem".into()),
            ..ClientConfig::default()
        };
        assert!(garbage.check_auth_setup().is_err());
        let consent_only = ClientConfig {
            id: "c".into(),
            consent: true,
            ..ClientConfig::default()
        };
        assert!(consent_only.check_auth_setup().is_err());
    }

    #[test]
    fn embedded_public_key_is_the_fixture() {
        let fixture = include_str!("../../tests/fixtures/keys/sandbox-pkjwt-public.pem");
        assert_eq!(DEFAULT_PKJWT_PUBLIC_PEM, fixture);
    }

    #[test]
    fn device_code_grant_name_round_trips() {
        let grant = GrantType::parse("urn:ietf:params:oauth:grant-type:device_code");
        assert_eq!(grant, Some(GrantType::DeviceCode));
        assert_eq!(GrantType::parse("device_code"), None);
    }
}
