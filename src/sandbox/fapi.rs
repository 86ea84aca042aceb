//! The FAPI 2.0 Security Profile as the `baton-fapi` client is held to it (besides what its
//! registration asks elsewhere: pushed requests, PKCE, `private_key_jwt`, DPoP-bound tokens):
//! PKCE with S256 only, and client assertions addressed to the issuer alone (FAPI 2.0
//! 5.3.2.1 and the RFC 7523 update: the token endpoint as `aud` is refused).

use serde_json::Value;

use super::client::ClientConfig;
use super::client_auth::Params;
use super::error::{ErrorCode, OAuthError};
use super::routes::Shared;

/// The client assertion of a FAPI 2.0 client must name the issuer as its one audience.
pub(crate) fn assertion_audience(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<(), OAuthError> {
    if !client.fapi2 {
        return Ok(());
    }
    let Some(assertion) = params.get("client_assertion")? else {
        return Err(OAuthError::new(
            ErrorCode::InvalidClient,
            "FAPI 2.0: the client authenticates with private_key_jwt",
        ));
    };
    let claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims::<Value>(assertion).unwrap_or_default();
    let aud = claims.get("aud");
    let only_issuer = match aud {
        Some(Value::String(a)) => *a == shared.issuer,
        Some(Value::Array(list)) => {
            list.len() == 1 && list[0] == Value::String(shared.issuer.clone())
        }
        _ => false,
    };
    if only_issuer {
        return Ok(());
    }
    let shown = aud.map_or_else(|| "none".to_string(), Value::to_string);
    Err(OAuthError::new(
        ErrorCode::InvalidClient,
        format!(
            "FAPI 2.0: the client assertion's aud must be the issuer `{}` alone, not {shown} (assertion_audience: issuer)",
            shared.issuer
        ),
    ))
}

/// A pushed request of a FAPI 2.0 client must carry a PKCE S256 challenge.
pub(crate) fn pushed(client: &ClientConfig, params: &Params) -> Result<(), OAuthError> {
    if !client.fapi2 {
        return Ok(());
    }
    let challenge = params.get("code_challenge")?;
    let method = params.get("code_challenge_method")?;
    if challenge.is_none() || method != Some("S256") {
        return Err(OAuthError::invalid_request(
            "FAPI 2.0: the authorization request needs PKCE with code_challenge_method S256",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn params(form: &str) -> Params {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        Params::from_form(&headers, form.as_bytes()).expect("a form")
    }

    fn fapi(on: bool) -> ClientConfig {
        ClientConfig {
            id: "c".into(),
            fapi2: on,
            ..ClientConfig::default()
        }
    }

    #[test]
    fn a_pushed_request_needs_an_s256_challenge() {
        let s256 = params("code_challenge=abc&code_challenge_method=S256");
        assert!(pushed(&fapi(true), &s256).is_ok());
        for form in [
            "code_challenge=abc&code_challenge_method=plain",
            "code_challenge=abc",
            "",
        ] {
            let e = pushed(&fapi(true), &params(form)).expect_err(form);
            assert!(e.description.contains("S256"), "{form}: {}", e.description);
        }
        assert!(
            pushed(&fapi(false), &params("")).is_ok(),
            "other clients are not held to it"
        );
    }
}
