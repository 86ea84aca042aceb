//! Client authentication by JWT assertion (RFC 7523 2.2 and 3, OIDC Core 9):
//! `client_secret_jwt` checked with the client's secret, `private_key_jwt` with its registered
//! public keys; `iss` = `sub` = client_id, an audience of this server, unexpired, single-use `jti`.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::client::{AuthMethod, ClientConfig};
use super::error::OAuthError;
use super::routes::{Shared, TOKEN_ALIAS_PATH, TOKEN_PATH};

/// The only `client_assertion_type` (RFC 7523 2.2).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY: i64 = 30;

/// Algorithms for `client_secret_jwt`.
const SECRET_ALGS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Algorithms for `private_key_jwt`.
const KEY_ALGS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// `token_endpoint_auth_signing_alg_values_supported` for discovery.
pub(crate) fn signing_algs() -> Vec<String> {
    SECRET_ALGS
        .iter()
        .chain(KEY_ALGS.iter())
        .map(|alg| format!("{alg:?}"))
        .collect()
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    #[serde(default)]
    aud: Value,
    #[serde(default)]
    exp: Value,
    #[serde(default)]
    nbf: Value,
    jti: Option<String>,
}

/// Authenticates the client of a request that carries `client_assertion`. `endpoint` is the
/// path it was sent to, an accepted audience besides the issuer and the token endpoint.
pub(crate) fn authenticate<'c>(
    shared: &'c Shared,
    endpoint: &str,
    assertion: &str,
    body_client_id: Option<&str>,
) -> Result<&'c ClientConfig, OAuthError> {
    let invalid = |why: String| OAuthError::invalid_client(format!("client_assertion: {why}"));
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|e| invalid(format!("not a signed JWT with a supported alg ({e})")))?;
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
        .map_err(|e| invalid(format!("unreadable claims ({e})")))?;
    let Some(client_id) = claims.sub.as_deref() else {
        return Err(invalid("`sub` must be the client_id".into()));
    };
    if claims.iss.as_deref() != Some(client_id) {
        return Err(invalid(format!(
            "`iss` must equal `sub` (the client_id `{client_id}`)"
        )));
    }
    if body_client_id.is_some_and(|id| id != client_id) {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the assertion's `sub`",
        ));
    }
    let Some(client) = shared.config.client(client_id) else {
        return Err(invalid(format!("unknown client `{client_id}`")));
    };
    let method = if SECRET_ALGS.contains(&header.alg) {
        AuthMethod::ClientSecretJwt
    } else if KEY_ALGS.contains(&header.alg) {
        AuthMethod::PrivateKeyJwt
    } else {
        return Err(invalid(format!("alg {:?} is not accepted", header.alg)));
    };
    if !client.accepts(method) {
        let methods: Vec<&str> = client.auth_methods().iter().map(|m| m.as_str()).collect();
        return Err(invalid(format!(
            "client `{client_id}` authenticates with {}, not {} (alg {:?})",
            methods.join(" or "),
            method.as_str(),
            header.alg
        )));
    }
    let keys = match (method, &client.secret) {
        (AuthMethod::ClientSecretJwt, Some(secret)) => {
            vec![DecodingKey::from_secret(secret.as_bytes())]
        }
        _ => client.verification_keys(header.kid.as_deref(), header.alg),
    };
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let verified = keys
        .iter()
        .any(|key| jsonwebtoken::decode::<Value>(assertion, key, &validation).is_ok());
    if !verified {
        let with = match method {
            AuthMethod::ClientSecretJwt => "the client secret",
            _ => "any of the client's registered public keys",
        };
        return Err(invalid(format!(
            "the {:?} signature does not verify with {with}",
            header.alg
        )));
    }
    let now = shared.clock.now();
    let Some(exp) = numeric(&claims.exp) else {
        return Err(invalid("`exp` is missing".into()));
    };
    if exp.saturating_add(LEEWAY) <= now {
        return Err(invalid(format!("expired at {exp}; it is now {now}")));
    }
    if let Some(nbf) = numeric(&claims.nbf)
        && nbf.saturating_sub(LEEWAY) > now
    {
        return Err(invalid(format!("not valid before {nbf}; it is now {now}")));
    }
    if let Err(why) = addressed_here(shared, endpoint, &claims.aud) {
        return Err(invalid(why));
    }
    let Some(jti) = claims.jti.as_deref().filter(|j| !j.is_empty()) else {
        return Err(invalid(
            "`jti` is missing; each assertion needs a unique one".into(),
        ));
    };
    // Only a fully valid assertion spends its jti, so a rejected one can be fixed and resent.
    if !shared
        .store()
        .use_assertion_id(&client.id, jti, exp.saturating_add(LEEWAY), now)
    {
        return Err(invalid(format!(
            "jti `{jti}` was already used; an assertion is single-use (RFC 7523 3)"
        )));
    }
    Ok(client)
}

/// Whether a JWT's `aud` (one string or a list) names this server: its token endpoint
/// (either path), `endpoint`, or its issuer. The reason when it does not.
pub(crate) fn addressed_here(shared: &Shared, endpoint: &str, aud: &Value) -> Result<(), String> {
    let audiences = [
        shared.url(TOKEN_PATH),
        shared.url(TOKEN_ALIAS_PATH),
        shared.url(endpoint),
        shared.issuer.clone(),
        format!("{}/", shared.issuer),
    ];
    let given: Vec<&str> = match aud {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if given.iter().any(|g| audiences.iter().any(|a| a == g)) {
        Ok(())
    } else {
        Err(format!(
            "`aud` must be the token endpoint `{}` or the issuer `{}`; got {aud}",
            audiences[0], shared.issuer
        ))
    }
}

/// A NumericDate: an integer, or a number with a fraction (truncated).
fn numeric(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite())
            // `as` saturates, so an absurd value cannot wrap around.
            .map(|f| f as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_dates() {
        assert_eq!(numeric(&json!(5)), Some(5));
        assert_eq!(numeric(&json!(5.9)), Some(5));
        assert_eq!(numeric(&json!(1e300)), Some(i64::MAX));
        assert_eq!(numeric(&json!("5")), None);
        assert_eq!(numeric(&Value::Null), None);
    }

    #[test]
    fn discovery_lists_hmac_and_key_algorithms() {
        let algs = signing_algs();
        for alg in ["HS256", "RS256", "PS256", "ES256", "EdDSA"] {
            assert!(algs.iter().any(|a| a == alg), "{alg}");
        }
    }
}
