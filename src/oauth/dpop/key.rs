//! The key a DPoP block proves possession of: made once per run (`dpop: true`) or read from
//! a PEM file (`dpop: { key: dpop.pem }`), its public JWK (sent in every proof) and its
//! RFC 7638 thumbprint (`<<id.dpop_jkt>>`, the `cnf.jkt` a bound token carries).

use crate::oauth::assertion::{Family, private_key};
use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use std::fmt;

/// The algorithms a DPoP proof is signed with here: the three RFC 9449 implementations
/// commonly accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alg {
    ES256,
    RS256,
    EdDSA,
}

impl Alg {
    pub(crate) const NAMES: &'static [&'static str] = &["ES256", "RS256", "EdDSA"];

    pub(crate) fn parse(s: &str) -> Option<Alg> {
        Some(match s {
            "ES256" => Alg::ES256,
            "RS256" => Alg::RS256,
            "EdDSA" | "Ed25519" => Alg::EdDSA,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Alg::ES256 => "ES256",
            Alg::RS256 => "RS256",
            Alg::EdDSA => "EdDSA",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Alg::ES256 => Algorithm::ES256,
            Alg::RS256 => Algorithm::RS256,
            Alg::EdDSA => Algorithm::EdDSA,
        }
    }

    /// The kind of key that signs with this algorithm, as messages name it.
    fn wants(self) -> &'static str {
        match self {
            Alg::ES256 => "an EC P-256 key",
            Alg::RS256 => "an RSA key",
            Alg::EdDSA => "an Ed25519 key",
        }
    }
}

/// A private key with what proofs need of it. Its `Debug` never shows the private part.
pub(crate) struct Key {
    pub(super) encoding: EncodingKey,
    pub(super) alg: Alg,
    /// The public JWK, as the `jwk` header of each proof.
    pub(super) jwk: Jwk,
    /// The RFC 7638 SHA-256 thumbprint of `jwk`, base64url.
    pub(crate) jkt: String,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .field("jkt", &self.jkt)
            .field("private", &"•••")
            .finish_non_exhaustive()
    }
}

impl Key {
    fn new(encoding: EncodingKey, alg: Alg) -> Result<Key, String> {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.algorithm())
            .map_err(|e| format!("the DPoP key has no usable public key: {e}"))?;
        // The proof's `jwk` is the bare public key: RFC 9449 4.2 wants no private part, and
        // a `alg` member beside the header's own is noise.
        jwk.common.key_algorithm = None;
        let jkt = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| format!("the DPoP key has no RFC 7638 thumbprint: {e}"))?;
        Ok(Key {
            encoding,
            alg,
            jwk,
            jkt,
        })
    }

    /// A key made for this run: it never leaves the process.
    pub(crate) fn generate(alg: Alg) -> Result<Key, String> {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
        let failed = |e: &dyn fmt::Display| format!("making a DPoP key failed: {e}");
        let encoding = match alg {
            Alg::ES256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(|e| failed(&e))?;
                let der = pair.to_pkcs8v1().map_err(|e| failed(&e))?;
                EncodingKey::from_ec_der(der.as_ref())
            }
            Alg::EdDSA => {
                let pair = Ed25519KeyPair::generate().map_err(|e| failed(&e))?;
                let der = pair.to_pkcs8v1().map_err(|e| failed(&e))?;
                EncodingKey::from_ed_der(der.as_ref())
            }
            Alg::RS256 => {
                use aws_lc_rs::encoding::AsDer as _;
                let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                    .map_err(|e| failed(&e))?;
                let der = pair.as_der().map_err(|e| failed(&e))?;
                // jsonwebtoken reads RSA keys from PEM (its DER reader wants PKCS#1).
                let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
                let pem =
                    format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
                EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| failed(&e))?
            }
        };
        Key::new(encoding, alg)
    }

    /// The key in `pem` (shown as `shown` in messages), which must fit `alg` when one is
    /// given; without, the key's own (ES256 for P-256, RS256 for RSA, EdDSA for Ed25519).
    pub(crate) fn from_pem(pem: &str, alg: Option<Alg>, shown: &str) -> Result<Key, String> {
        let (encoding, family) =
            private_key(pem).map_err(|e| format!("{shown} cannot sign DPoP proofs: {e}"))?;
        let own = match family {
            Family::P256 => Some(Alg::ES256),
            Family::Rsa => Some(Alg::RS256),
            Family::Ed25519 => Some(Alg::EdDSA),
            Family::P384 | Family::Hmac => None,
        };
        let kind = match family {
            Family::P256 => "an EC P-256 key",
            Family::P384 => "an EC P-384 key",
            Family::Rsa => "an RSA key",
            Family::Ed25519 => "an Ed25519 key",
            Family::Hmac => "a secret",
        };
        match (alg, own) {
            (Some(want), Some(have)) if want == have => Key::new(encoding, want),
            (None, Some(have)) => Key::new(encoding, have),
            (Some(want), _) => Err(format!(
                "{shown} is {kind}, but `alg: {}` signs with {}",
                want.as_str(),
                want.wants()
            )),
            (None, None) => Err(format!(
                "{shown} is {kind}: DPoP proofs are signed with ES256, RS256 or EdDSA"
            )),
        }
    }

    pub(crate) fn alg(&self) -> Alg {
        self.alg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_made_key_has_a_public_jwk_and_a_thumbprint_of_it() {
        for alg in [Alg::ES256, Alg::EdDSA, Alg::RS256] {
            let key = Key::generate(alg).unwrap();
            let jwk = serde_json::to_value(&key.jwk).unwrap();
            assert!(jwk.get("d").is_none(), "no private part: {jwk}");
            assert_eq!(key.jkt.len(), 43, "base64url SHA-256");
            assert!(!format!("{key:?}").contains("BEGIN"));
        }
    }

    #[test]
    fn a_key_file_must_fit_the_alg() {
        let ec = fixture("ec-p256-pkcs8.pem");
        assert_eq!(Key::from_pem(&ec, None, "k").unwrap().alg, Alg::ES256);
        let e = Key::from_pem(&ec, Some(Alg::RS256), "the DPoP key `k.pem`").unwrap_err();
        assert_eq!(
            e,
            "the DPoP key `k.pem` is an EC P-256 key, but `alg: RS256` signs with an RSA key"
        );
    }

    /// RFC 7638 3.1's example key and thumbprint.
    #[test]
    fn the_thumbprint_is_rfc_7638s() {
        let jwk: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
        }))
        .unwrap();
        assert_eq!(
            jwk.thumbprint(ThumbprintHash::SHA256).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
