//! The sandbox's configuration: clients, users, token lifetimes, YAML loading and validation.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use super::client::{AuthMethod, ClientConfig, DEFAULT_PKJWT_PUBLIC_PEM, GrantType};

use super::SandboxError;

/// Scopes that are about the user rather than an API; `client_credentials` may not ask for them.
pub(crate) const IDENTITY_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Everything the sandbox serves. `Default` is what the examples and tests expect; a YAML file
/// may override any part (a list such as `clients` replaces the default list as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// Address to listen on. Loopback by default: the sandbox hands out tokens to anyone.
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Issuer URL to advertise instead of `http://<bind>:<port>` (e.g. behind a proxy).
    pub issuer: Option<String>,
    /// `aud` of access tokens.
    pub audience: String,
    /// API scopes on top of `openid profile email offline_access`.
    pub api_scopes: Vec<String>,
    /// How long each kind of token lives.
    pub lifetimes: Lifetimes,
    /// Registered clients.
    pub clients: Vec<ClientConfig>,
    /// Users; the first one is signed in by `/connect/authorize` unless `login_hint` names another.
    pub users: Vec<UserConfig>,
    /// Ways to break the rules on purpose, so that `baton probe` can be shown to find each.
    pub faults: Vec<Fault>,
    /// RFC 9126 5: every client must push its authorization requests, as discovery says.
    pub require_pushed_authorization_requests: bool,
}

/// A deliberate departure from the specifications (`faults:` in a sandbox configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A refresh gives the same refresh token back, which stays valid.
    NoRefreshRotation,
    /// A code may be exchanged again, and its tokens stay valid.
    ReusableCodes,
    /// The code exchange does not check the PKCE verifier.
    PkceNotEnforced,
    /// Token responses lack `Cache-Control: no-store`.
    NoCacheHeaders,
    /// The OpenID discovery document names another issuer.
    WrongDiscoveryIssuer,
    /// The JWKS publishes the private part of its key.
    PrivateKeyInJwks,
    /// OAuth errors are HTML pages instead of JSON.
    HtmlErrors,
}

impl SandboxConfig {
    /// Whether the configuration switches `fault` on.
    #[must_use]
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}

/// Token lifetimes, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lifetimes {
    /// Access token lifetime (default 3600).
    pub access_token: u64,
    /// Refresh token lifetime, renewed at each rotation (default 30 days).
    pub refresh_token: u64,
    /// Authorization code lifetime (default 60).
    pub code: u64,
    /// id_token lifetime (default 3600).
    pub id_token: u64,
    /// Device code (and user code) lifetime, RFC 8628 3.2 `expires_in` (default 600).
    pub device_code: u64,
    /// Seconds a device must wait between polls, RFC 8628 3.2 `interval` (default 5);
    /// polling faster gets `slow_down` and 5 s more.
    pub device_interval: u64,
}

/// A user who can sign in, with the profile claims userinfo returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Login name (`username` in the password grant, `login_hint` at authorize).
    pub username: String,
    /// Password for the password grant.
    pub password: String,
    /// Subject identifier; defaults to the username.
    #[serde(default)]
    pub sub: Option<String>,
    /// `name` claim.
    #[serde(default)]
    pub name: Option<String>,
    /// `email` claim.
    #[serde(default)]
    pub email: Option<String>,
    /// `email_verified` claim.
    #[serde(default)]
    pub email_verified: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let callback = vec!["http://127.0.0.1:8765/callback".to_string()];
        let confidential = |id: &str, secret: &str| ClientConfig {
            id: id.into(),
            secret: Some(secret.into()),
            redirect_uris: callback.clone(),
            ..ClientConfig::default()
        };
        SandboxConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            issuer: None,
            audience: "api".into(),
            api_scopes: vec!["api".into()],
            lifetimes: Lifetimes::default(),
            clients: vec![
                confidential("baton-cli", "sandbox-secret"),
                // Every character here must be form-encoded in a Basic header (RFC 6749 2.3.1),
                // so a client that sends it raw fails: ':' splits early, '+' turns into a space.
                confidential("baton-special", "p@ss:w/rd+=%"),
                ClientConfig {
                    id: "baton-public".into(),
                    redirect_uris: callback.clone(),
                    require_pkce: true,
                    ..ClientConfig::default()
                },
                ClientConfig {
                    token_endpoint_auth_method: Some(AuthMethod::ClientSecretJwt),
                    ..confidential("baton-jwt", "baton-jwt-hs256-secret-0123456789abcdef")
                },
                ClientConfig {
                    id: "baton-pkjwt".into(),
                    redirect_uris: callback.clone(),
                    token_endpoint_auth_method: Some(AuthMethod::PrivateKeyJwt),
                    jwks_pem: Some(DEFAULT_PKJWT_PUBLIC_PEM.into()),
                    ..ClientConfig::default()
                },
                ClientConfig {
                    login_form: true,
                    consent: true,
                    ..confidential("baton-form", "form-secret")
                },
                ClientConfig {
                    require_pushed_authorization_requests: true,
                    ..confidential("baton-par", "par-secret")
                },
                ClientConfig {
                    dpop_bound_access_tokens: true,
                    ..confidential("baton-dpop", "dpop-secret")
                },
                ClientConfig {
                    id: "baton-fapi".into(),
                    redirect_uris: callback.clone(),
                    token_endpoint_auth_method: Some(AuthMethod::PrivateKeyJwt),
                    jwks_pem: Some(DEFAULT_PKJWT_PUBLIC_PEM.into()),
                    require_pkce: true,
                    require_pushed_authorization_requests: true,
                    dpop_bound_access_tokens: true,
                    fapi2: true,
                    ..ClientConfig::default()
                },
            ],
            users: vec![
                UserConfig {
                    username: "alice".into(),
                    password: "wonderland".into(),
                    sub: Some("818727".into()),
                    name: Some("Alice Liddell".into()),
                    email: Some("alice@example.com".into()),
                    email_verified: true,
                },
                UserConfig {
                    username: "bob".into(),
                    password: "builder".into(),
                    sub: Some("88421113".into()),
                    name: Some("Bob Builder".into()),
                    email: Some("bob@example.com".into()),
                    email_verified: false,
                },
            ],
            faults: Vec::new(),
            require_pushed_authorization_requests: false,
        }
    }
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            access_token: 3600,
            refresh_token: 30 * 24 * 3600,
            code: 60,
            id_token: 3600,
            device_code: 600,
            device_interval: 5,
        }
    }
}

impl SandboxConfig {
    /// Reads a YAML configuration; missing keys keep their defaults, unknown keys are errors
    /// that name `file:line:col`.
    pub fn from_yaml_file(path: impl AsRef<Path>) -> Result<SandboxConfig, SandboxError> {
        let path = path.as_ref();
        let text =
            crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT).map_err(|source| {
                SandboxError::ReadConfig {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        Self::from_yaml_str(&text, &path.display().to_string())
    }

    /// Parses YAML text; `source_name` is the file name used in error messages.
    pub fn from_yaml_str(text: &str, source_name: &str) -> Result<SandboxConfig, SandboxError> {
        let config: SandboxConfig = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line(), loc.column()));
            SandboxError::ParseConfig {
                path: source_name.to_string(),
                line,
                column,
                rendered: err.render_with_options(serde_saphyr::render_options! {
                    source_name: Some(source_name),
                }),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: unique ids, usable redirect URIs, known scopes, lifetimes > 0.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |msg: String| Err(SandboxError::InvalidConfig(msg));
        let l = &self.lifetimes;
        let all = [
            l.access_token,
            l.refresh_token,
            l.code,
            l.id_token,
            l.device_code,
            l.device_interval,
        ];
        if all.contains(&0) {
            return invalid("every lifetime must be at least 1 second".into());
        }
        if self.users.is_empty() {
            return invalid(
                "at least one user is needed: /connect/authorize signs in the first one".into(),
            );
        }
        let mut seen = HashSet::new();
        for user in &self.users {
            if !seen.insert(user.username.as_str()) {
                return invalid(format!("user `{}` is listed twice", user.username));
            }
        }
        if let Some(issuer) = &self.issuer {
            match Url::parse(issuer) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.query().is_none() => {}
                _ => {
                    return invalid(format!(
                        "issuer `{issuer}` must be an http(s) URL without a query"
                    ));
                }
            }
        }
        let supported = self.supported_scopes();
        let mut seen = HashSet::new();
        for client in &self.clients {
            if client.id.is_empty() || !seen.insert(client.id.as_str()) {
                return invalid(format!(
                    "client id `{}` is empty or listed twice",
                    client.id
                ));
            }
            for uri in &client.redirect_uris {
                match Url::parse(uri) {
                    Ok(url) if url.fragment().is_none() => {}
                    _ => {
                        return invalid(format!(
                            "client `{}`: redirect URI `{uri}` must be an absolute URL without a fragment",
                            client.id
                        ));
                    }
                }
            }
            if let Some(scope) = client
                .scopes
                .iter()
                .flatten()
                .find(|s| !supported.contains(s))
            {
                return invalid(format!(
                    "client `{}`: scope `{scope}` is not supported (add it to api_scopes)",
                    client.id
                ));
            }
            client
                .check_auth_setup()
                .map_err(SandboxError::InvalidConfig)?;
            if client.is_public() && client.allows(GrantType::ClientCredentials) {
                return invalid(format!(
                    "client `{}` has no secret, so it cannot use client_credentials",
                    client.id
                ));
            }
        }
        Ok(())
    }

    /// Every scope a client may ask for, identity scopes first.
    #[must_use]
    pub fn supported_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = IDENTITY_SCOPES
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        for scope in &self.api_scopes {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        scopes
    }

    pub(crate) fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub(crate) fn user(&self, username: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The user with these credentials.
    pub(crate) fn sign_in(&self, username: &str, password: &str) -> Option<&UserConfig> {
        self.user(username).filter(|u| u.password_matches(password))
    }

    pub(crate) fn user_by_sub(&self, sub: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.sub() == sub)
    }
}

impl UserConfig {
    /// The `sub` claim.
    pub fn sub(&self) -> &str {
        self.sub.as_deref().unwrap_or(&self.username)
    }

    /// Compares in constant time so that the sandbox does not teach bad habits.
    pub(crate) fn password_matches(&self, given: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            self.password.as_bytes(),
            given.as_bytes(),
        )
        .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_overrides_defaults_and_rejects_unknown_keys() {
        let config = SandboxConfig::from_yaml_str("port: 5001\nlifetimes:\n  code: 1\n", "s.yaml")
            .expect("valid config");
        assert_eq!(config.port, 5001);
        assert_eq!(config.lifetimes.code, 1);
        assert_eq!(config.lifetimes.access_token, 3600);
        assert_eq!(config.clients.len(), 9);

        let err = SandboxConfig::from_yaml_str("port: 1\nlifetimes:\n  cod: 1\n", "s.yaml")
            .expect_err("unknown key");
        let text = err.to_string();
        assert!(text.starts_with("s.yaml:3:3:"), "{text}");
        assert!(text.contains("cod"), "{text}");
    }

    #[test]
    fn validation_rejects_public_client_credentials() {
        let mut config = SandboxConfig::default();
        config.clients[2].grants = Some(vec![GrantType::ClientCredentials]);
        assert!(matches!(
            config.validate(),
            Err(SandboxError::InvalidConfig(_))
        ));
    }

    #[test]
    fn public_clients_default_to_code_and_refresh() {
        let config = SandboxConfig::default();
        let public = config
            .client("baton-public")
            .expect("default public client");
        assert!(public.allows(GrantType::AuthorizationCode));
        assert!(!public.allows(GrantType::Password));
        assert!(
            config
                .client("baton-cli")
                .expect("cli")
                .allows(GrantType::Password)
        );
    }

    #[test]
    fn yaml_client_with_jwks_device_lifetimes_and_login_form() {
        let yaml = "lifetimes:\n  device_interval: 1\n  device_code: 30\nclients:\n  - id: k\n    jwks:\n      - kty: OKP\n        crv: Ed25519\n        kid: k1\n        x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\n  - id: f\n    secret: s\n    login_form: true\n    consent: true\n    grants: [device_code, authorization_code]\n";
        let config = SandboxConfig::from_yaml_str(yaml, "s.yaml").expect("valid config");
        assert_eq!(config.lifetimes.device_interval, 1);
        assert_eq!(config.lifetimes.device_code, 30);
        let keys = config.client("k").expect("k");
        assert_eq!(keys.auth_methods(), [AuthMethod::PrivateKeyJwt]);
        assert_eq!(keys.jwks.as_ref().map(Vec::len), Some(1));
        let form = config.client("f").expect("f");
        assert!(form.login_form && form.consent && form.allows(GrantType::DeviceCode));
        assert!(!form.allows(GrantType::Password));

        let zero = SandboxConfig::from_yaml_str("lifetimes:\n  device_interval: 0\n", "s.yaml");
        assert!(matches!(zero, Err(SandboxError::InvalidConfig(_))));
        let bad = "clients:\n  - id: j\n    token_endpoint_auth_method: client_secret_jwt\n";
        let err = SandboxConfig::from_yaml_str(bad, "s.yaml").expect_err("no secret");
        assert!(err.to_string().contains("needs a secret"), "{err}");
    }
}
