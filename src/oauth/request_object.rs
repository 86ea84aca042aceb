//! Signed request objects (JAR, RFC 9101): the authorize parameters as the claims of a JWT the
//! client signs with its `private_key`, sent by value (`request=`) or pushed (RFC 9126 3), so
//! that the provider can trust that they come from the client unaltered.

use super::assertion::sign_claims;
use super::flow::{Ctx, FlowError, Rendered};
use super::spec::{ClientAuth, OAuth2};
use serde_json::{Map, Value, json};

/// RFC 9101 10.8: the media type of a request object, its `typ`.
const TYP: &str = "oauth-authz-req+jwt";
/// How long the request object is good for: the sign-in starts at once.
const LIFETIME_SECS: i64 = 60;

/// The parameters that replace `params`: `client_id` and `request`, the signed JWT whose
/// claims are `params` (`authorization_details` as JSON, RFC 9396 3), `iss` the client,
/// `aud` the issuer, `iat`, `nbf`, `exp` and a fresh `jti`.
pub(crate) fn by_value(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    params: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, FlowError> {
    let audience = r
        .endpoints
        .issuer
        .clone()
        .or(cx.render_opt(&spec.issuer)?)
        .ok_or_else(|| {
            FlowError::Input(
                "`request_object: signed` is addressed to the issuer (RFC 9101 4): give `issuer:`"
                    .into(),
            )
        })?;
    let key = super::signing::key(spec, cx, ClientAuth::PrivateKeyJwt, String::new())?;
    let now = chrono::Utc::now().timestamp();
    let mut claims = Map::new();
    for (k, v) in params {
        let value = match k.as_str() {
            "authorization_details" => serde_json::from_str(&v).unwrap_or(Value::String(v)),
            _ => Value::String(v),
        };
        claims.insert(k, value);
    }
    for (k, v) in [
        ("iss", json!(r.client_id)),
        ("aud", json!(audience)),
        ("iat", json!(now)),
        ("nbf", json!(now)),
        ("exp", json!(now + LIFETIME_SECS)),
        ("jti", json!(uuid::Uuid::new_v4().to_string())),
    ] {
        claims.insert(k.to_string(), v);
    }
    let jwt = sign_claims(Some(TYP), &Value::Object(claims), &key, None)
        .map_err(|e| FlowError::Input(format!("cannot sign the request object: {e}")))?;
    Ok(vec![
        ("client_id".to_string(), r.client_id.clone()),
        ("request".to_string(), jwt),
    ])
}
