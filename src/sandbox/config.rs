//! The sandbox's configuration: clients, users, token lifetimes, YAML loading and validation.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

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
}

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
}

impl GrantType {
    /// The `grant_type` parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::Password => "password",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
        }
    }

    /// Parses a `grant_type` value; `None` for a grant the sandbox does not implement.
    pub fn parse(value: &str) -> Option<GrantType> {
        [
            GrantType::Password,
            GrantType::ClientCredentials,
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
        ]
        .into_iter()
        .find(|g| g.as_str() == value)
    }
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// `client_id`.
    pub id: String,
    /// `client_secret`; none makes a public client, which must use PKCE.
    #[serde(default)]
    pub secret: Option<String>,
    /// Registered redirect URIs; loopback ones match any port (RFC 8252 7.3).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Grants the client may use; absent means all four (confidential) or
    /// `authorization_code` and `refresh_token` (public).
    #[serde(default)]
    pub grants: Option<Vec<GrantType>>,
    /// Scopes the client may ask for; absent means every supported scope.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Require PKCE even though the client is confidential.
    #[serde(default)]
    pub require_pkce: bool,
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
            grants: None,
            scopes: None,
            require_pkce: false,
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
                    secret: None,
                    redirect_uris: callback.clone(),
                    grants: None,
                    scopes: None,
                    require_pkce: true,
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
        }
    }
}

impl SandboxConfig {
    /// Reads a YAML configuration; missing keys keep their defaults, unknown keys are errors
    /// that name `file:line:col`.
    pub fn from_yaml_file(path: impl AsRef<Path>) -> Result<SandboxConfig, SandboxError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SandboxError::ReadConfig {
            path: path.to_path_buf(),
            source,
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
        if l.access_token == 0 || l.refresh_token == 0 || l.code == 0 || l.id_token == 0 {
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
    pub fn supported_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = IDENTITY_SCOPES.iter().map(|s| s.to_string()).collect();
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

    pub(crate) fn user_by_sub(&self, sub: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.sub() == sub)
    }
}

impl ClientConfig {
    /// A client without a secret cannot authenticate, so it must prove itself with PKCE.
    pub fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    /// Whether the client may use `grant`.
    pub fn allows(&self, grant: GrantType) -> bool {
        match &self.grants {
            Some(grants) => grants.contains(&grant),
            None if self.is_public() => {
                matches!(
                    grant,
                    GrantType::AuthorizationCode | GrantType::RefreshToken
                )
            }
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
}

impl UserConfig {
    /// The `sub` claim.
    pub fn sub(&self) -> &str {
        self.sub.as_deref().unwrap_or(&self.username)
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
        assert!(!redirect_uri_matches(reg, "http://127.0.0.1:8765/other"));
        assert!(!redirect_uri_matches(
            reg,
            "http://127.0.0.1:8765/callback?x=1"
        ));
        assert!(!redirect_uri_matches(
            reg,
            "https://127.0.0.1:8765/callback"
        ));
        assert!(!redirect_uri_matches(
            reg,
            "http://evil.example:8765/callback"
        ));
        assert!(!redirect_uri_matches(
            reg,
            "http://127.0.0.1:8765/callback#f"
        ));
    }

    #[test]
    fn other_redirects_match_exactly() {
        let reg = "https://app.example/cb";
        assert!(redirect_uri_matches(reg, "https://app.example/cb"));
        assert!(!redirect_uri_matches(reg, "https://app.example:444/cb"));
        assert!(!redirect_uri_matches(reg, "https://app.example/cb/"));
    }

    #[test]
    fn yaml_overrides_defaults_and_rejects_unknown_keys() {
        let config = SandboxConfig::from_yaml_str("port: 5001\nlifetimes:\n  code: 1\n", "s.yaml")
            .expect("valid config");
        assert_eq!(config.port, 5001);
        assert_eq!(config.lifetimes.code, 1);
        assert_eq!(config.lifetimes.access_token, 3600);
        assert_eq!(config.clients.len(), 3);

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
}
