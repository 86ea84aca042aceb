//! Signed request objects (JAR, RFC 9101): the `request` parameter of an authorize or pushed
//! request, a JWT the client signed with a key it registered (`jwks`, `jwks_pem`), whose
//! claims are then the request's only parameters (RFC 9101 6.3).

use jsonwebtoken::Validation;
use serde_json::Value;

use super::client_auth::Params;
use super::error::{ErrorCode, OAuthError};
use super::routes::Shared;

/// RFC 9101 10.8: the `typ` a request object may carry.
const TYP: &str = "oauth-authz-req+jwt";
/// Clock skew allowed on `exp` and `nbf`.
const LEEWAY: i64 = 30;
/// Algorithms a client's keys sign with (no `none`, no HMAC: the sandbox checks request
/// objects with registered public keys only).
const ALGS: [jsonwebtoken::Algorithm; 9] = {
    use jsonwebtoken::Algorithm::{ES256, ES384, EdDSA, PS256, PS384, PS512, RS256, RS384, RS512};
    [
        RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA,
    ]
};
/// The claims that frame a request object rather than carry a parameter.
const FRAME: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// The parameters of the request object `jwt`, sent with `client_id` (which must be its
/// issuer): refused with `invalid_request_object` when it does not verify.
pub(crate) fn resolve(
    shared: &Shared,
    client_id: Option<&str>,
    jwt: &str,
) -> Result<Params, OAuthError> {
    let invalid = |why: String| OAuthError::new(ErrorCode::InvalidRequestObject, why);
    let header = jsonwebtoken::decode_header(jwt)
        .map_err(|e| invalid(format!("the request object is not a signed JWT ({e})")))?;
    if !ALGS.contains(&header.alg) {
        return Err(invalid(format!(
            "the request object's alg {:?} is not accepted",
            header.alg
        )));
    }
    if let Some(typ) = header.typ.as_deref()
        && !typ.eq_ignore_ascii_case(TYP)
        && !typ.eq_ignore_ascii_case("JWT")
    {
        return Err(invalid(format!(
            "the request object's typ is `{typ}`, not {TYP}"
        )));
    }
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(jwt)
        .map_err(|e| invalid(format!("unreadable request object claims ({e})")))?;
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(client_id) = client_id else {
        return Err(OAuthError::invalid_request(
            "client_id must be sent beside the request object (RFC 9101 5)",
        ));
    };
    if issuer != client_id {
        return Err(invalid(format!(
            "the request object's iss `{issuer}` is not the client_id `{client_id}`"
        )));
    }
    if let Some(inner) = claims.get("client_id").and_then(Value::as_str)
        && inner != client_id
    {
        return Err(invalid(format!(
            "the request object's client_id `{inner}` is not `{client_id}`"
        )));
    }
    let Some(client) = shared.config.client(client_id) else {
        return Err(OAuthError::invalid_request(format!(
            "unknown client `{client_id}`"
        )));
    };
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_audience(&[&shared.issuer]);
    validation.required_spec_claims.clear();
    let keys = client.verification_keys(header.kid.as_deref(), header.alg);
    let checked = keys
        .iter()
        .map(|key| jsonwebtoken::decode::<Value>(jwt, key, &validation))
        .find(Result::is_ok);
    match checked {
        Some(Ok(_)) => {}
        _ if keys.is_empty() => {
            return Err(invalid(format!(
                "client `{client_id}` has no registered key to check a request object with"
            )));
        }
        _ => {
            return Err(invalid(format!(
                "the request object's {:?} signature does not verify with client `{client_id}`'s keys, or its aud is not the issuer `{}`",
                header.alg, shared.issuer
            )));
        }
    }
    let now = shared.clock.now();
    let time = |k: &str| claims.get(k).and_then(Value::as_i64);
    if time("exp").is_some_and(|exp| exp.saturating_add(LEEWAY) <= now) {
        return Err(invalid("the request object has expired".into()));
    }
    if time("nbf").is_some_and(|nbf| nbf.saturating_sub(LEEWAY) > now) {
        return Err(invalid("the request object is not valid yet (nbf)".into()));
    }
    let Value::Object(map) = claims else {
        return Err(invalid(
            "the request object's claims are not an object".into(),
        ));
    };
    let params = map
        .into_iter()
        .filter(|(k, _)| !FRAME.contains(&k.as_str()))
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            // RFC 9396 3: authorization_details is a JSON array in a request object.
            other => (k, other.to_string()),
        })
        .collect();
    Ok(Params::from_pairs(params))
}

/// The parameters `params` stands for: a request object's claims when it carries one
/// (`request`), else `None` (the parameters are their own).
pub(crate) fn unwrap(shared: &Shared, params: &Params) -> Result<Option<Params>, OAuthError> {
    match params.get("request")? {
        Some(jwt) => resolve(shared, params.get("client_id")?, jwt).map(Some),
        None => Ok(None),
    }
}
