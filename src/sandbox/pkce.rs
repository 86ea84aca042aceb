//! PKCE (RFC 7636): checking the challenge at authorize and the verifier at the token endpoint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::error::OAuthError;
use super::store::Pkce;

/// RFC 7636 4.1: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
/// The challenge has the same shape (an S256 challenge is 43 characters).
fn well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The PKCE part of an authorize request. Errors are `invalid_request` (RFC 7636 4.4.1).
pub(crate) fn from_authorize(
    challenge: Option<&str>,
    method: Option<&str>,
    required: bool,
) -> Result<Option<Pkce>, OAuthError> {
    let Some(challenge) = challenge else {
        if method.is_some() {
            return Err(OAuthError::invalid_request(
                "code_challenge_method was sent without a code_challenge",
            ));
        }
        if required {
            return Err(OAuthError::invalid_request(
                "this client must use PKCE: send code_challenge and code_challenge_method=S256",
            ));
        }
        return Ok(None);
    };
    // RFC 7636 4.3: an absent method means plain.
    let method = method.unwrap_or("plain");
    if method != "S256" && method != "plain" {
        return Err(OAuthError::invalid_request(format!(
            "code_challenge_method `{method}` is not supported; use S256 (or plain)"
        )));
    }
    if !well_formed(challenge) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    Ok(Some(Pkce {
        challenge: challenge.to_string(),
        method: method.to_string(),
    }))
}

/// Checks the `code_verifier` of a token request against the code's challenge.
/// Every failure is `invalid_grant` (RFC 7636 4.6).
pub(crate) fn verify(pkce: Option<&Pkce>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (pkce, verifier) {
        (None, None) => Ok(()),
        // Accepting a verifier for a code without a challenge would let an attacker who
        // stripped the challenge at authorize pass PKCE here (PKCE downgrade).
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier was sent but the authorize request had no code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant(
            "code_verifier is missing; the authorize request had a code_challenge",
        )),
        (Some(pkce), Some(verifier)) => {
            if !well_formed(verifier) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                ));
            }
            let derived = match pkce.method.as_str() {
                "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
                _ => verifier.to_string(),
            };
            if derived == pkce.challenge {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(format!(
                    "code_verifier does not match the code_challenge ({})",
                    pkce.method
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_and_plain_verify_per_rfc_example() {
        let s256 = from_authorize(Some(CHALLENGE), Some("S256"), true).expect("ok");
        assert!(verify(s256.as_ref(), Some(VERIFIER)).is_ok());
        let wrong = VERIFIER.replace('d', "e");
        assert!(verify(s256.as_ref(), Some(&wrong)).is_err());
        let plain = from_authorize(Some(VERIFIER), None, false).expect("ok");
        assert!(verify(plain.as_ref(), Some(VERIFIER)).is_ok());
        assert!(verify(plain.as_ref(), Some(CHALLENGE)).is_err());
    }

    #[test]
    fn authorize_side_rules() {
        assert!(from_authorize(None, None, true).is_err());
        assert!(
            from_authorize(None, None, false)
                .expect("optional")
                .is_none()
        );
        assert!(from_authorize(Some(CHALLENGE), Some("S512"), false).is_err());
        assert!(from_authorize(Some("short"), Some("S256"), false).is_err());
        assert!(verify(None, Some(VERIFIER)).is_err());
    }
}
