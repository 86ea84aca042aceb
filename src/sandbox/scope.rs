//! Scope parsing and checking (RFC 6749 3.3): which scopes a request may get, per client and grant.

use super::client::{ClientConfig, GrantType};
use super::config::{IDENTITY_SCOPES, SandboxConfig};
use super::error::OAuthError;

/// Splits a `scope` parameter on spaces, dropping repeats but keeping the order given.
pub(crate) fn parse(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split(' ').filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_string());
        }
    }
    scopes
}

/// The scope to grant. Without a `scope` parameter the client gets everything it may have
/// (as IdentityServer does), so a minimal request still yields a useful token.
pub(crate) fn resolve(
    config: &SandboxConfig,
    client: &ClientConfig,
    requested: Option<&str>,
    grant: GrantType,
) -> Result<Vec<String>, OAuthError> {
    // Identity scopes need a user; client_credentials has none, and RFC 6749 4.4.3 says
    // it gets no refresh token, so asking for one is an error rather than silently dropped.
    let fits_grant =
        |s: &str| grant != GrantType::ClientCredentials || !IDENTITY_SCOPES.contains(&s);
    let supported = config.supported_scopes();
    let Some(requested) = requested else {
        return Ok(supported
            .into_iter()
            .filter(|s| client.allows_scope(s) && fits_grant(s))
            .collect());
    };
    let scopes = parse(requested);
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope(
            "the scope parameter holds no scope",
        ));
    }
    for scope in &scopes {
        if !supported.contains(scope) {
            return Err(OAuthError::invalid_scope(format!(
                "unknown scope `{scope}`; the sandbox supports: {}",
                supported.join(" ")
            )));
        }
        if !client.allows_scope(scope) {
            return Err(OAuthError::invalid_scope(format!(
                "client `{}` may not ask for scope `{scope}`",
                client.id
            )));
        }
        if !fits_grant(scope) {
            return Err(OAuthError::invalid_scope(format!(
                "scope `{scope}` needs a user; client_credentials cannot have it"
            )));
        }
    }
    Ok(scopes)
}

/// Whether a granted scope list contains `scope`.
pub(crate) fn has(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_requested_default_and_rejects_unknown() {
        let config = SandboxConfig::default();
        let client = config.client("baton-cli").expect("default client");
        let got = resolve(
            &config,
            client,
            Some("api  api offline_access"),
            GrantType::Password,
        )
        .expect("valid");
        assert_eq!(got, ["api", "offline_access"]);
        let all = resolve(&config, client, None, GrantType::Password).expect("default");
        assert!(has(&all, "openid") && has(&all, "api"));
        let cc = resolve(&config, client, None, GrantType::ClientCredentials).expect("default");
        assert_eq!(cc, ["api"]);
        let err =
            resolve(&config, client, Some("api admin"), GrantType::Password).expect_err("unknown");
        assert!(err.description.contains("admin"));
        let err = resolve(
            &config,
            client,
            Some("api offline_access"),
            GrantType::ClientCredentials,
        )
        .expect_err("identity scope");
        assert_eq!(err.code.as_str(), "invalid_scope");
    }
}
