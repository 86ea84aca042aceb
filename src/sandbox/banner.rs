//! The banner `baton sandbox` prints: issuer, endpoints, pages, clients with how each
//! authenticates and signs in, users, scopes and lifetimes.

use std::fmt::Write as _;

use super::client::{AuthMethod, ClientConfig, GrantType};
use super::routes::{
    AUTHORIZE_PATH, CONSENT_PATH, DEVICE_APPROVE_PATH, DEVICE_AUTHORIZATION_PATH, DEVICE_PAGE_PATH,
    DISCOVERY_PATH, INTROSPECT_PATH, JWKS_PATH, LOGIN_PATH, PAR_PATH, REVOCATION_PATH, Shared,
    TOKEN_PATH, USERINFO_PATH,
};

/// Everything a person needs to point a client at the sandbox.
pub(crate) fn describe(shared: &Shared) -> String {
    let config = &shared.config;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "baton sandbox: an OpenID Connect provider for tests (in memory, offline)\n"
    );
    let _ = writeln!(out, "  issuer      {}", shared.issuer);
    for (name, path, note) in [
        (
            "discovery",
            DISCOVERY_PATH,
            "  (also RFC 8414: /.well-known/oauth-authorization-server)",
        ),
        ("jwks", JWKS_PATH, "  (RS256, new key at each start)"),
        (
            "authorize",
            AUTHORIZE_PATH,
            "  (auto-approves the first user, or login_hint; login_form clients get forms)",
        ),
        ("token", TOKEN_PATH, "  (also /oauth/token)"),
        ("par", PAR_PATH, "  (RFC 9126: request_uri for 60 s, once)"),
        ("device", DEVICE_AUTHORIZATION_PATH, ""),
        ("userinfo", USERINFO_PATH, ""),
        ("introspect", INTROSPECT_PATH, ""),
        ("revocation", REVOCATION_PATH, ""),
    ] {
        let _ = writeln!(out, "  {name:<11} {}{note}", shared.url(path));
    }
    let _ = writeln!(out, "\npages");
    for (name, path, note) in [
        (
            "login",
            LOGIN_PATH,
            "  (?ReturnUrl=, anti-forgery token + cookie)",
        ),
        ("consent", CONSENT_PATH, "  (?returnUrl=, button=yes|no)"),
        ("verify", DEVICE_PAGE_PATH, "  (enter a device's user code)"),
        (
            "test",
            DEVICE_APPROVE_PATH,
            "  (POST user_code [username] [deny=1]: decides without a browser)",
        ),
    ] {
        let _ = writeln!(out, "  {name:<11} {}{note}", shared.url(path));
    }
    let _ = writeln!(out, "\nclients");
    for client in &config.clients {
        let _ = writeln!(out, "  {:<15} {}", client.id, credentials(client));
        let grants: Vec<&str> = GrantType::ALL
            .into_iter()
            .filter(|g| client.allows(*g))
            .map(|g| match g {
                GrantType::DeviceCode => "device_code",
                other => other.as_str(),
            })
            .collect();
        let _ = writeln!(out, "  {:<15} grants: {}", "", grants.join(", "));
        if client.login_form {
            let _ = writeln!(
                out,
                "  {:<15} sign-in: login form{}",
                "",
                if client.consent {
                    ", then consent form"
                } else {
                    ""
                }
            );
        }
        if client.require_pushed_authorization_requests {
            let _ = writeln!(out, "  {:<15} authorize: pushed requests only (PAR)", "");
        }
        if client.dpop_bound_access_tokens {
            let _ = writeln!(out, "  {:<15} tokens: DPoP-bound only (RFC 9449)", "");
        }
        if client.fapi2 {
            let _ = writeln!(
                out,
                "  {:<15} profile: FAPI 2.0 (PKCE S256, assertion aud = issuer)",
                ""
            );
        }
        if !client.redirect_uris.is_empty() {
            let _ = writeln!(
                out,
                "  {:<15} redirect URIs: {} (loopback ones match any port)",
                "",
                client.redirect_uris.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\nusers");
    for user in &config.users {
        let _ = writeln!(
            out,
            "  {:<20} sub {}{}",
            format!("{} / {}", user.username, user.password),
            user.sub(),
            user.email
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default()
        );
    }
    let l = &config.lifetimes;
    let _ = writeln!(out, "\nscopes      {}", config.supported_scopes().join(" "));
    let _ = write!(
        out,
        "lifetimes   access token {} s, refresh token {} s (rotated at each use), code {} s, \
         id_token {} s, device code {} s (poll every {} s)",
        l.access_token, l.refresh_token, l.code, l.id_token, l.device_code, l.device_interval
    );
    out
}

/// How a client authenticates, with its secret when it has one.
fn credentials(client: &ClientConfig) -> String {
    let methods = client.auth_methods();
    if methods == [AuthMethod::None] {
        return "public, PKCE required".to_string();
    }
    let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    let mut text = match &client.secret {
        // Point out the RFC 6749 2.3.1 trap before someone falls into it.
        Some(secret)
            if methods.contains(&AuthMethod::ClientSecretBasic)
                && secret
                    .bytes()
                    .any(|b| !b.is_ascii_alphanumeric() && !b"-._~".contains(&b)) =>
        {
            format!("secret {secret}   (form-encode it in a Basic header)")
        }
        Some(secret) => format!("secret {secret}"),
        None if client.uses_certificate() => match &client.tls_client_auth_subject_dn {
            Some(dn) => format!("client certificate with subject {dn}"),
            None => "the sandbox's client certificate (by its thumbprint)".to_string(),
        },
        None => "keys: jwks/jwks_pem".to_string(),
    };
    let _ = write!(text, "   [{}]", names.join(" | "));
    if client.jwks_pem.as_deref() == Some(super::client::DEFAULT_PKJWT_PUBLIC_PEM) {
        text.push_str("   (private key: tests/fixtures/keys/sandbox-pkjwt-private.pem)");
    }
    text
}
