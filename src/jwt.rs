//! Reading JSON Web Tokens: the claims of a compact JWS, unverified (for captures and the
//! `jwt_claims` filter; signature checks belong to the OAuth module).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, thiserror::Error)]
pub(crate) enum JwtError {
    #[error("not a JWT: expected three dot-separated parts, found {0}")]
    Shape(usize),
    #[error("not a JWT: the {0} is not base64url")]
    Encoding(&'static str),
    #[error("not a JWT: the {0} is not a JSON object")]
    Json(&'static str),
}

/// The payload of a JWT as JSON, without checking its signature.
pub(crate) fn decode_claims(token: &str) -> Result<serde_json::Value, JwtError> {
    decode_part(token, 1, "payload")
}

/// The header of a JWT (`alg`, `kid`, `typ`).
pub(crate) fn decode_header(token: &str) -> Result<serde_json::Value, JwtError> {
    decode_part(token, 0, "header")
}

fn decode_part(
    token: &str,
    index: usize,
    what: &'static str,
) -> Result<serde_json::Value, JwtError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Shape(parts.len()));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[index].trim_end_matches('='))
        .map_err(|_| JwtError::Encoding(what))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| JwtError::Json(what))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(JwtError::Json(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_claims_and_rejects_garbage() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let body = URL_SAFE_NO_PAD.encode(r#"{"sub":"alice","exp":5}"#);
        let token = format!("{header}.{body}.");
        assert_eq!(decode_claims(&token).unwrap()["sub"], "alice");
        assert_eq!(decode_header(&token).unwrap()["alg"], "none");
        assert!(matches!(decode_claims("abc"), Err(JwtError::Shape(1))));
        assert!(matches!(
            decode_claims("a.%%%.c"),
            Err(JwtError::Encoding("payload"))
        ));
    }
}
