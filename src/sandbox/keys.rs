//! The RS256 signing key: made once at start with aws-lc-rs, published as a JWK, used to sign
//! and check the sandbox's JWTs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::SandboxError;
use super::error::OAuthError;

/// The sandbox's one signing key.
pub(crate) struct SigningKey {
    /// Kept parsed: jsonwebtoken's `encode` takes DER bytes and re-parses and re-checks the
    /// private key for every signature, work that would be repeated for every token.
    key_pair: KeyPair,
    rng: SystemRandom,
    kid: String,
    decoding: DecodingKey,
    jwk: Value,
}

impl SigningKey {
    /// Generates a 2048-bit RSA key. Takes a fraction of a second, so call it off the runtime.
    pub(crate) fn generate() -> Result<SigningKey, SandboxError> {
        let key_pair =
            KeyPair::generate(KeySize::Rsa2048).map_err(|_| SandboxError::KeyGeneration)?;
        let public = key_pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        let (n64, e64) = (URL_SAFE_NO_PAD.encode(&n), URL_SAFE_NO_PAD.encode(&e));
        // RFC 7638 thumbprint: members in lexicographic order, no whitespace. A kid derived
        // from the key changes whenever the key does, which is what a JWKS cache keys on.
        let canonical = format!(r#"{{"e":"{e64}","kty":"RSA","n":"{n64}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": n64,
            "e": e64,
        });
        Ok(SigningKey {
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            key_pair,
            rng: SystemRandom::new(),
            kid,
            jwk,
        })
    }

    /// The key as published at the JWKS endpoint.
    pub(crate) fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// Signs `claims` as a compact JWS. `typ` is `at+jwt` for access tokens (RFC 9068) and
    /// `JWT` for id_tokens, so one can never be replayed as the other.
    pub(crate) fn sign(&self, typ: &str, claims: &Value) -> Result<String, OAuthError> {
        let header = json!({ "alg": "RS256", "typ": typ, "kid": self.kid });
        let mut jwt = String::with_capacity(1024);
        URL_SAFE_NO_PAD.encode_string(header.to_string(), &mut jwt);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(claims.to_string(), &mut jwt);
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, jwt.as_bytes(), &mut signature)
            .map_err(|_| OAuthError::server_error("signing the token failed"))?;
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jwt);
        Ok(jwt)
    }

    /// Checks the signature, algorithm, `typ` and issuer of a token this key signed, and
    /// returns its claims. Expiry is left to the caller, which owns the (adjustable) clock.
    pub(crate) fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        issuer: &str,
    ) -> Option<T> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.typ.as_deref() != Some(typ) || header.kid.as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[issuer]);
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// OIDC Core 3.1.3.6 `at_hash`: base64url of the left half of SHA-256 of the access token.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// A random, URL-safe, unguessable string (codes and refresh tokens).
pub(crate) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_rejects_tampering() {
        let key = SigningKey::generate().expect("keygen");
        let claims = json!({ "iss": "http://issuer", "sub": "x", "exp": 1 });
        let jwt = key.sign("at+jwt", &claims).expect("sign");
        let back: Value = key.verify(&jwt, "at+jwt", "http://issuer").expect("valid");
        assert_eq!(back["sub"], "x");
        assert!(
            key.verify::<Value>(&jwt, "JWT", "http://issuer").is_none(),
            "typ is checked"
        );
        assert!(
            key.verify::<Value>(&jwt, "at+jwt", "http://other")
                .is_none(),
            "iss is checked"
        );
        let mut tampered = jwt.clone();
        tampered.insert(jwt.find('.').expect("dot") + 2, 'A');
        assert!(
            key.verify::<Value>(&tampered, "at+jwt", "http://issuer")
                .is_none()
        );
        assert_eq!(key.jwk()["kid"], key.kid);
    }

    #[test]
    fn at_hash_matches_oidc_example() {
        // OIDC Core A.3: this access token has at_hash 77QmUPtjPfzWtF2AnpK9RQ.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
