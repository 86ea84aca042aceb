//! OAuth 2.0 with client certificates (RFC 8705): the `tls_client_auth` and
//! `self_signed_tls_client_auth` methods need a certificate to present, and a client that
//! presents one sends to the provider's `mtls_endpoint_aliases`. Which certificate a flow
//! presents, and the binding of its tokens, are the runner's (`runner/client_cert.rs`).

use super::discovery::Endpoints;
use super::flow::{Ctx, FlowError};
use super::spec::{ClientAuth, OAuth2};

/// RFC 8705 5: the aliases replace the endpoints a client with a certificate calls (the
/// authorize endpoint, the browser's, and the JWKS stay). URLs given in the block still win.
pub(crate) fn use_aliases(endpoints: &mut Endpoints) {
    let Some(aliases) = endpoints.mtls_aliases.take() else {
        return;
    };
    let pairs = [
        (&mut endpoints.token, aliases.token),
        (&mut endpoints.par, aliases.par),
        (&mut endpoints.introspection, aliases.introspection),
        (&mut endpoints.revocation, aliases.revocation),
        (&mut endpoints.userinfo, aliases.userinfo),
        (&mut endpoints.device, aliases.device),
    ];
    for (mine, alias) in pairs {
        if alias.is_some() {
            *mine = alias;
        }
    }
}

/// `tls_client_auth` and `self_signed_tls_client_auth` authenticate with the certificate of
/// the handshake: without one the flow cannot authenticate at all, an input error.
pub(crate) fn require_cert(spec: &OAuth2, cx: &Ctx<'_>) -> Result<(), FlowError> {
    let name = match spec.client_auth() {
        ClientAuth::Tls => "tls_client_auth",
        ClientAuth::SelfSignedTls => "self_signed_tls_client_auth",
        _ => return Ok(()),
    };
    if cx.client_cert.is_some() {
        return Ok(());
    }
    Err(FlowError::Input(format!(
        "client_auth `{name}` needs a client certificate: give `client_cert: {{ cert, key }}` in \
         the oauth2 block (or the request, or defaults:), or --cert"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aliases_replace_the_back_channel_endpoints_only() {
        let doc = serde_json::json!({
            "authorization_endpoint": "https://p/authorize",
            "token_endpoint": "https://p/token",
            "revocation_endpoint": "https://p/revoke",
            "jwks_uri": "https://p/jwks",
            "mtls_endpoint_aliases": {
                "token_endpoint": "https://mtls.p/token",
                "userinfo_endpoint": "https://mtls.p/userinfo",
            },
        });
        let mut e = Endpoints::from_document(&doc);
        use_aliases(&mut e);
        assert_eq!(e.token.as_deref(), Some("https://mtls.p/token"));
        assert_eq!(e.userinfo.as_deref(), Some("https://mtls.p/userinfo"));
        assert_eq!(e.revocation.as_deref(), Some("https://p/revoke"));
        assert_eq!(e.authorize.as_deref(), Some("https://p/authorize"));
        assert_eq!(e.jwks.as_deref(), Some("https://p/jwks"));
        // Without aliases nothing changes.
        let mut plain = Endpoints::from_document(&serde_json::json!({ "token_endpoint": "t" }));
        use_aliases(&mut plain);
        assert_eq!(plain.token.as_deref(), Some("t"));
    }
}
