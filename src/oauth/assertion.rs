//! RFC 7523 client authentication assertions: the signed JWT a client sends as
//! `client_assertion` for `client_secret_jwt` (HMAC with the client secret) and
//! `private_key_jwt` (RSA, EC or Ed25519 private key, its type read from the PEM).

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm,
};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::fmt;
use std::str::FromStr as _;

/// The `client_assertion_type` that goes with every assertion made here.
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: providers want it short-lived.
const LIFETIME_SECS: i64 = 60;

/// The key that signs the assertion.
#[derive(Clone)]
pub(crate) enum AssertionKey {
    /// `client_secret_jwt`: HMAC with the client secret (HS256, or HS384/HS512 via `alg`).
    Secret(String),
    /// `private_key_jwt`: an unencrypted PEM private key, RSA (RS256 by default, RS384/512 and
    /// PS256/384/512 allowed), EC P-256 (ES256) or P-384 (ES384), or Ed25519 (EdDSA); PKCS#8,
    /// PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) are read. `kid` goes in the header.
    PrivatePem { pem: String, kid: Option<String> },
}

impl fmt::Debug for AssertionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssertionKey::Secret(_) => f.write_str("Secret(•••)"),
            AssertionKey::PrivatePem { kid, .. } => f
                .debug_struct("PrivatePem")
                .field("pem", &"•••")
                .field("kid", kid)
                .finish(),
        }
    }
}

/// Why no assertion could be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AssertionError {
    #[error("client_secret_jwt needs a client secret, and it is empty")]
    EmptySecret,
    #[error("alg `{alg}` does not fit {key}; use one of: {allowed}")]
    Algorithm {
        alg: String,
        key: &'static str,
        allowed: &'static str,
    },
    #[error("the private key is not PEM: expected a `-----BEGIN PRIVATE KEY-----` block")]
    NotPem,
    #[error("the PEM block `{0}` is not valid base64")]
    BadBase64(String),
    #[error(
        "the PEM holds {0}, not a private key: private_key_jwt signs with the client's private key"
    )]
    NotPrivate(&'static str),
    #[error(
        "the PEM private key is encrypted: decrypt it first (openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem)"
    )]
    Encrypted,
    #[error("the PEM `{0}` is not an RSA, EC (P-256, P-384) or Ed25519 private key")]
    UnsupportedKey(String),
    #[error("signing the client assertion failed: {0}")]
    Sign(#[source] jsonwebtoken::errors::Error),
}

/// A signed client assertion for `client_id` at the token endpoint `audience`: `iss` = `sub`
/// = client_id, `aud`, a random `jti`, `iat` now and `exp` 60 s later. `alg` overrides the
/// algorithm the key suggests (HS256, RS256, ES256/ES384 or EdDSA).
pub(crate) fn client_assertion(
    client_id: &str,
    audience: &str,
    key: &AssertionKey,
    alg: Option<&str>,
) -> Result<String, AssertionError> {
    grant_assertion(client_id, client_id, audience, key, alg)
}

/// A signed assertion of RFC 7523 2.1 (the `jwt_bearer` grant): issued by the client
/// (`iss`) for `subject` (`sub`), otherwise as [`client_assertion`].
pub(crate) fn grant_assertion(
    issuer: &str,
    subject: &str,
    audience: &str,
    key: &AssertionKey,
    alg: Option<&str>,
) -> Result<String, AssertionError> {
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    sign_claims(None, &claims, key, alg)
}

/// `claims` signed with `key` (its algorithm, or `alg`), `typ` in the header when given
/// (RFC 9101's request objects are `oauth-authz-req+jwt`).
pub(crate) fn sign_claims(
    typ: Option<&str>,
    claims: &serde_json::Value,
    key: &AssertionKey,
    alg: Option<&str>,
) -> Result<String, AssertionError> {
    let (encoding, alg, kid) = match key {
        AssertionKey::Secret(secret) => {
            if secret.is_empty() {
                return Err(AssertionError::EmptySecret);
            }
            let alg = choose(alg, Family::Hmac)?;
            (EncodingKey::from_secret(secret.as_bytes()), alg, None)
        }
        AssertionKey::PrivatePem { pem, kid } => {
            let (encoding, family) = private_key(pem)?;
            (encoding, choose(alg, family)?, kid.clone())
        }
    };
    let mut header = Header::new(alg);
    header.kid = kid;
    if let Some(typ) = typ {
        header.typ = Some(typ.to_string());
    }
    jsonwebtoken::encode(&header, claims, &encoding).map_err(AssertionError::Sign)
}

/// What a key can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Hmac,
    Rsa,
    P256,
    P384,
    Ed25519,
}

fn choose(alg: Option<&str>, family: Family) -> Result<Algorithm, AssertionError> {
    use Algorithm::{
        ES256, ES384, EdDSA, HS256, HS384, HS512, PS256, PS384, PS512, RS256, RS384, RS512,
    };
    let (default, allowed, key, names): (Algorithm, &[Algorithm], &str, &str) = match family {
        Family::Hmac => (
            HS256,
            &[HS256, HS384, HS512],
            "a client secret",
            "HS256, HS384, HS512",
        ),
        Family::Rsa => (
            RS256,
            &[RS256, RS384, RS512, PS256, PS384, PS512],
            "an RSA key",
            "RS256, RS384, RS512, PS256, PS384, PS512",
        ),
        Family::P256 => (ES256, &[ES256], "an EC P-256 key", "ES256"),
        Family::P384 => (ES384, &[ES384], "an EC P-384 key", "ES384"),
        Family::Ed25519 => (EdDSA, &[EdDSA], "an Ed25519 key", "EdDSA"),
    };
    let Some(name) = alg else {
        return Ok(default);
    };
    match Algorithm::from_str(name) {
        Ok(chosen) if allowed.contains(&chosen) => Ok(chosen),
        _ => Err(AssertionError::Algorithm {
            alg: name.to_string(),
            key,
            allowed: names,
        }),
    }
}

/// One `-----BEGIN label-----` … `-----END label-----` block: its label, its whole text and
/// its base64 body.
struct PemBlock<'a> {
    label: &'a str,
    text: &'a str,
    body: &'a str,
}

fn pem_blocks(pem: &str) -> Vec<PemBlock<'_>> {
    let mut blocks = Vec::new();
    let mut rest = pem;
    let mut offset = 0;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after = &rest[begin + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body_start = begin + 11 + label_end + 5;
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[body_start..].find(&end_marker) else {
            break;
        };
        let stop = body_start + end + end_marker.len();
        blocks.push(PemBlock {
            label,
            text: &pem[offset + begin..offset + stop],
            body: &rest[body_start..body_start + end],
        });
        offset += stop;
        rest = &rest[stop..];
    }
    blocks
}

/// The signing key in `pem` and what it can sign with.
pub(super) fn private_key(pem: &str) -> Result<(EncodingKey, Family), AssertionError> {
    let blocks = pem_blocks(pem);
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        return Err(match blocks.first().map(|b| b.label) {
            None => AssertionError::NotPem,
            Some(label) if label.ends_with("PUBLIC KEY") => {
                AssertionError::NotPrivate("a public key")
            }
            Some("CERTIFICATE") => AssertionError::NotPrivate("a certificate"),
            Some(label) => AssertionError::UnsupportedKey(label.to_string()),
        });
    };
    // Legacy OpenSSL encryption puts `Proc-Type: 4,ENCRYPTED` headers inside the block.
    if block.label.starts_with("ENCRYPTED") || block.body.contains("ENCRYPTED") {
        return Err(AssertionError::Encrypted);
    }
    let base64: String = block.body.split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| AssertionError::BadBase64(block.label.to_string()))?;
    let unsupported = || AssertionError::UnsupportedKey(block.label.to_string());
    match block.label {
        "RSA PRIVATE KEY" => EncodingKey::from_rsa_pem(block.text.as_bytes())
            .map(|k| (k, Family::Rsa))
            .map_err(|_| unsupported()),
        "EC PRIVATE KEY" => ec_key(&der).ok_or_else(unsupported),
        "PRIVATE KEY" => {
            if let Ok(key) = EncodingKey::from_rsa_pem(block.text.as_bytes()) {
                return Ok((key, Family::Rsa));
            }
            if let Some(ec) = ec_key(&der) {
                return Ok(ec);
            }
            EncodingKey::from_ed_pem(block.text.as_bytes())
                .map(|k| (k, Family::Ed25519))
                .map_err(|_| unsupported())
        }
        _ => Err(unsupported()),
    }
}

/// An EC private key (PKCS#8 or SEC1 DER) on P-256 or P-384, re-encoded as the PKCS#8 that
/// jsonwebtoken signs with.
fn ec_key(der: &[u8]) -> Option<(EncodingKey, Family)> {
    let curves: [(&'static EcdsaSigningAlgorithm, Family); 2] = [
        (&ECDSA_P256_SHA256_FIXED_SIGNING, Family::P256),
        (&ECDSA_P384_SHA384_FIXED_SIGNING, Family::P384),
    ];
    curves.into_iter().find_map(|(alg, family)| {
        let pair = EcdsaKeyPair::from_private_key_der(alg, der).ok()?;
        let pkcs8 = pair.to_pkcs8v1().ok()?;
        Some((EncodingKey::from_ec_der(pkcs8.as_ref()), family))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::Value;

    const KEYS: &str = "tests/fixtures/keys";

    fn fixture(name: &str) -> String {
        let path = format!("{}/{KEYS}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn pem_key(name: &str, kid: Option<&str>) -> AssertionKey {
        AssertionKey::PrivatePem {
            pem: fixture(name),
            kid: kid.map(str::to_string),
        }
    }

    /// Decodes `token` with `key`, checking the signature, `aud` and the header's alg.
    fn decode(token: &str, key: &DecodingKey, alg: Algorithm) -> Value {
        let mut validation = Validation::new(alg);
        validation.set_audience(&["https://as.example.test/token"]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        jsonwebtoken::decode::<Value>(token, key, &validation)
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"))
            .claims
    }

    /// The public key of a PEM private key, through its JWK.
    fn public(name: &str, alg: Algorithm) -> DecodingKey {
        let pem = fixture(name);
        let (encoding, _) = private_key(&pem).unwrap();
        DecodingKey::from_jwk(&Jwk::from_encoding_key(&encoding, alg).unwrap()).unwrap()
    }

    fn assert_claims(claims: &Value) {
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["aud"], "https://as.example.test/token");
        let jti = claims["jti"].as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(jti).unwrap().get_version_num(), 4);
        let iat = claims["iat"].as_i64().unwrap();
        assert_eq!(claims["exp"].as_i64().unwrap() - iat, 60);
        assert!((iat - chrono::Utc::now().timestamp()).abs() < 5);
    }

    const AUD: &str = "https://as.example.test/token";

    #[test]
    fn client_secret_jwt_round_trips() {
        let key = AssertionKey::Secret("s3cr3t-of-the-client".into());
        for (alg, name) in [(None, Algorithm::HS256), (Some("HS512"), Algorithm::HS512)] {
            let token = client_assertion("client-1", AUD, &key, alg).unwrap();
            let secret = DecodingKey::from_secret(b"s3cr3t-of-the-client");
            assert_claims(&decode(&token, &secret, name));
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!((header.alg, header.kid), (name, None));
        }
        let err = client_assertion("client-1", AUD, &key, Some("RS256")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "alg `RS256` does not fit a client secret; use one of: HS256, HS384, HS512"
        );
        let empty = AssertionKey::Secret(String::new());
        let err = client_assertion("client-1", AUD, &empty, None).unwrap_err();
        assert!(matches!(err, AssertionError::EmptySecret));
    }

    #[test]
    fn private_key_jwt_round_trips_for_each_key_type() {
        let cases = [
            ("rsa-pkcs8.pem", None, Algorithm::RS256),
            ("rsa-pkcs1.pem", None, Algorithm::RS256),
            ("rsa-pkcs8.pem", Some("PS256"), Algorithm::PS256),
            ("ec-p256-pkcs8.pem", None, Algorithm::ES256),
            ("ec-p256-sec1.pem", Some("ES256"), Algorithm::ES256),
            ("ec-p384-pkcs8.pem", None, Algorithm::ES384),
            ("ed25519.pem", None, Algorithm::EdDSA),
        ];
        for (file, alg, expected) in cases {
            let key = pem_key(file, Some("key-1"));
            let token = client_assertion("client-1", AUD, &key, alg).unwrap();
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.alg, expected, "{file}");
            assert_eq!(header.kid.as_deref(), Some("key-1"));
            assert_claims(&decode(&token, &public(file, expected), expected));
        }
        // Each assertion is new: a fresh jti.
        let key = pem_key("ed25519.pem", None);
        let a = client_assertion("client-1", AUD, &key, None).unwrap();
        let b = client_assertion("client-1", AUD, &key, None).unwrap();
        let jti = |t: &str| crate::jwt::decode_claims(t).unwrap()["jti"].clone();
        assert_ne!(jti(&a), jti(&b));
        assert_eq!(jsonwebtoken::decode_header(&a).unwrap().kid, None);
    }

    #[test]
    fn alg_must_fit_the_key() {
        let err = client_assertion("c", AUD, &pem_key("ec-p256-pkcs8.pem", None), Some("RS256"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "alg `RS256` does not fit an EC P-256 key; use one of: ES256"
        );
        let err =
            client_assertion("c", AUD, &pem_key("rsa-pkcs8.pem", None), Some("none")).unwrap_err();
        assert!(matches!(err, AssertionError::Algorithm { .. }));
    }

    #[test]
    fn what_is_not_a_private_key_says_so() {
        let wrap = |label: &str, body: &str| {
            format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
        };
        let cases = [
            ("not a key at all".to_string(), "the private key is not PEM"),
            (fixture("rsa-public.pem"), "the PEM holds a public key"),
            (wrap("CERTIFICATE", "MIIB"), "the PEM holds a certificate"),
            (
                wrap("ENCRYPTED PRIVATE KEY", "MIIB"),
                "the PEM private key is encrypted",
            ),
            (
                wrap("RSA PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\n\nMIIB"),
                "the PEM private key is encrypted",
            ),
            (
                wrap("PRIVATE KEY", "***"),
                "the PEM block `PRIVATE KEY` is not valid base64",
            ),
            (
                wrap("PRIVATE KEY", "aGVsbG8gd29ybGQ="),
                "the PEM `PRIVATE KEY` is not an RSA",
            ),
            (
                wrap("DSA PRIVATE KEY", "aGVsbG8="),
                "the PEM `DSA PRIVATE KEY` is not an RSA",
            ),
            (
                wrap("OPENSSH PRIVATE KEY", "aGVsbG8="),
                "the PEM `OPENSSH PRIVATE KEY` is not",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nMIIB".to_string(),
                "the private key is not PEM",
            ),
        ];
        for (pem, start) in cases {
            let key = AssertionKey::PrivatePem { pem, kid: None };
            let err = client_assertion("c", AUD, &key, None).unwrap_err();
            assert!(
                err.to_string().starts_with(start),
                "{err} (wanted: {start})"
            );
        }
    }

    #[test]
    fn finds_the_key_among_other_blocks_and_hides_it_in_debug() {
        // `openssl ecparam -genkey` without -noout writes the parameters first.
        let params =
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        let pem = format!("{params}{}", fixture("ec-p256-sec1.pem"));
        let key = AssertionKey::PrivatePem {
            pem,
            kid: Some("k".into()),
        };
        assert!(client_assertion("c", AUD, &key, None).is_ok());
        assert_eq!(
            format!("{key:?}"),
            r#"PrivatePem { pem: "•••", kid: Some("k") }"#
        );
        let secret = AssertionKey::Secret("hunter2".into());
        assert_eq!(format!("{secret:?}"), "Secret(•••)");
    }
}
