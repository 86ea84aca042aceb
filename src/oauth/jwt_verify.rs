//! Verifying a signed JWT (an OpenID Connect id_token or any JWS) against a JWKS: key
//! selection by `kid`/`kty`/`alg`/`use`, the signature (through jsonwebtoken), then the
//! claims (`exp`, `nbf`, `iat`, `iss`, `aud`/`azp`, `nonce`, `at_hash`) with readable errors.

mod jwks;

pub(crate) use jwks::Jwks;
use jwks::{Key, alg_name, fits};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use sha2::Digest as _;
use std::str::FromStr as _;
use std::time::Duration;

/// Why a token did not verify, or a JWKS could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwtVerifyError {
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("malformed JWKS: {0}")]
    BadJwks(String),
    #[error("algorithm `{alg}` is not allowed (allowed: {})", list(.allowed))]
    AlgorithmNotAllowed { alg: String, allowed: Vec<String> },
    #[error("the JWKS has no key with kid `{kid}` (it has: {})", list(.available))]
    NoKey { kid: String, available: Vec<String> },
    #[error("the JWKS has no key that can verify {alg} (it has {keys} key(s))")]
    NoSuitableKey { alg: String, keys: usize },
    #[error("the JWKS key `{kid}` cannot verify {alg}: {reason}")]
    KeyMismatch {
        kid: String,
        alg: String,
        reason: String,
    },
    #[error("the JWKS key {key} is unusable: {reason}")]
    KeyUnusable { key: String, reason: String },
    #[error("bad signature: the token does not verify with {tried}")]
    BadSignature { tried: String },
    #[error("token expired at {} (now {}, leeway {leeway}s)", time(*.exp), time(*.now))]
    Expired { exp: i64, now: i64, leeway: i64 },
    #[error("token not yet valid: nbf is {} (now {}, leeway {leeway}s)", time(*.nbf), time(*.now))]
    NotYetValid { nbf: i64, now: i64, leeway: i64 },
    #[error("token issued in the future: iat is {} (now {}, leeway {leeway}s)", time(*.iat), time(*.now))]
    IssuedInFuture { iat: i64, now: i64, leeway: i64 },
    #[error("claim `{claim}` must be {expected}")]
    ClaimType {
        claim: &'static str,
        expected: &'static str,
    },
    #[error("the token has no `{claim}` claim (expected `{expected}`)")]
    MissingClaim {
        claim: &'static str,
        expected: String,
    },
    #[error("issuer `{found}` != expected `{expected}`")]
    Issuer { found: String, expected: String },
    #[error("audience {found} does not contain expected `{expected}`")]
    Audience { found: String, expected: String },
    #[error("authorized party (azp) `{found}` != expected audience `{expected}`")]
    Azp { found: String, expected: String },
    #[error("nonce `{found}` != expected `{expected}`")]
    Nonce { found: String, expected: String },
    #[error("at_hash `{found}` does not match the access token (its hash is `{expected}`)")]
    AtHash { found: String, expected: String },
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The algorithms accepted when [`Checks::algorithms`] is empty.
pub(crate) const DEFAULT_ALGORITHMS: &[Algorithm] = &[
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

/// What to check besides the signature. `Checks::default()` checks only the times, with 60 s
/// of leeway, and accepts [`DEFAULT_ALGORITHMS`].
#[derive(Debug, Clone)]
pub(crate) struct Checks<'a> {
    /// `iss` must equal this exactly.
    pub issuer: Option<&'a str>,
    /// `aud` must equal this (string) or contain it (array); with several audiences and an
    /// `azp` claim, `azp` must equal it too.
    pub audience: Option<&'a str>,
    /// `nonce` must equal this.
    pub nonce: Option<&'a str>,
    /// When the token has `at_hash`, it must be the left half of this token's hash.
    pub access_token: Option<&'a str>,
    /// Clock skew allowed for `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    /// The current time in unix seconds; `None` reads the system clock.
    pub now: Option<i64>,
    /// The algorithms accepted; empty means [`DEFAULT_ALGORITHMS`]. `none` and HS* never are.
    pub algorithms: &'a [Algorithm],
}

impl Default for Checks<'_> {
    fn default() -> Self {
        Checks {
            issuer: None,
            audience: None,
            nonce: None,
            access_token: None,
            leeway: Duration::from_secs(60),
            now: None,
            algorithms: &[],
        }
    }
}

/// Verifies `token` with a key of `jwks` and checks its claims; returns the claims.
pub(crate) fn verify(token: &str, jwks: &Jwks, checks: &Checks) -> Result<Value, JwtVerifyError> {
    let token = token.trim();
    let malformed = |e: crate::jwt::JwtError| JwtVerifyError::Malformed(e.to_string());
    let header = crate::jwt::decode_header(token).map_err(malformed)?;
    crate::jwt::decode_claims(token).map_err(malformed)?;
    let alg = allowed_algorithm(&header, checks.algorithms)?;
    let claims = verify_signature(token, header.get("kid"), alg, jwks)?;
    check_times(&claims, checks)?;
    check_claims(&claims, checks)?;
    if let Some(access_token) = checks.access_token
        && let Some(found) = claims.get("at_hash")
    {
        let found = found.as_str().ok_or(JwtVerifyError::ClaimType {
            claim: "at_hash",
            expected: "a string",
        })?;
        let expected = half_hash(access_token, alg);
        if found != expected {
            return Err(JwtVerifyError::AtHash {
                found: found.to_string(),
                expected,
            });
        }
    }
    Ok(claims)
}

/// The OpenID Connect `at_hash`/`c_hash` of `value` for a token signed with `alg`: the left
/// half of its SHA-2 hash (256, 384 or 512 bits by the alg; SHA-512 for EdDSA), base64url.
pub(crate) fn half_hash(value: &str, alg: Algorithm) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            sha2::Sha384::digest(value.as_bytes()).to_vec()
        }
        Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            sha2::Sha512::digest(value.as_bytes()).to_vec()
        }
        _ => sha2::Sha256::digest(value.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

fn allowed_algorithm(header: &Value, wanted: &[Algorithm]) -> Result<Algorithm, JwtVerifyError> {
    let wanted = if wanted.is_empty() {
        DEFAULT_ALGORITHMS
    } else {
        wanted
    };
    let allowed: Vec<Algorithm> = wanted
        .iter()
        .copied()
        .filter(|a| !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
        .collect();
    let name = match header.get("alg") {
        Some(Value::String(name)) => name.as_str(),
        _ => return Err(JwtVerifyError::Malformed("the header has no `alg`".into())),
    };
    match Algorithm::from_str(name) {
        Ok(alg) if allowed.contains(&alg) => Ok(alg),
        _ => Err(JwtVerifyError::AlgorithmNotAllowed {
            alg: name.to_string(),
            allowed: allowed.into_iter().map(alg_name).collect(),
        }),
    }
}

fn verify_signature(
    token: &str,
    kid: Option<&Value>,
    alg: Algorithm,
    jwks: &Jwks,
) -> Result<Value, JwtVerifyError> {
    let name = alg_name(alg);
    let candidates: Vec<&Key> = match kid {
        Some(Value::String(kid)) => {
            let same: Vec<&Key> = jwks
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
                .collect();
            if same.is_empty() {
                return Err(JwtVerifyError::NoKey {
                    kid: kid.clone(),
                    available: jwks.kids(),
                });
            }
            let fitting: Vec<&Key> = same
                .iter()
                .copied()
                .filter(|k| fits(k, alg).is_ok())
                .collect();
            if fitting.is_empty() {
                let reason = same.iter().find_map(|k| fits(k, alg).err());
                return Err(JwtVerifyError::KeyMismatch {
                    kid: kid.clone(),
                    alg: name,
                    reason: reason.unwrap_or_default(),
                });
            }
            fitting
        }
        Some(_) => return Err(JwtVerifyError::Malformed("`kid` is not a string".into())),
        None => {
            let fitting: Vec<&Key> = jwks.keys.iter().filter(|k| fits(k, alg).is_ok()).collect();
            if fitting.is_empty() {
                return Err(JwtVerifyError::NoSuitableKey {
                    alg: name,
                    keys: jwks.keys.len(),
                });
            }
            fitting
        }
    };
    let describe = |k: &Key| match &k.kid {
        Some(kid) => format!("`{kid}`"),
        None => format!("({} key without kid)", k.kty),
    };
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let mut unusable = None;
    for key in &candidates {
        let decoding = match &key.decoding {
            Ok(decoding) => decoding,
            Err(reason) => {
                unusable = Some((describe(key), reason.clone()));
                continue;
            }
        };
        use jsonwebtoken::errors::ErrorKind;
        match jsonwebtoken::decode::<Value>(token, decoding, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => match e.kind() {
                ErrorKind::InvalidSignature => {}
                ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidEddsaKey
                | ErrorKind::InvalidRsaKey(_) => {
                    unusable = Some((describe(key), e.to_string()));
                }
                _ => return Err(JwtVerifyError::Malformed(e.to_string())),
            },
        }
    }
    match (candidates.as_slice(), unusable) {
        ([_], Some((key, reason))) => Err(JwtVerifyError::KeyUnusable { key, reason }),
        ([key], None) => Err(JwtVerifyError::BadSignature {
            tried: format!("key {}", describe(key)),
        }),
        (keys, _) => Err(JwtVerifyError::BadSignature {
            tried: format!("any of the {} JWKS keys for {name}", keys.len()),
        }),
    }
}

/// A NumericDate claim: absent, or seconds (fractions are cut).
fn numeric(claims: &Value, claim: &'static str) -> Result<Option<i64>, JwtVerifyError> {
    match claims.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.is_finite() => Ok(Some(f.floor() as i64)),
            _ => Err(JwtVerifyError::ClaimType {
                claim,
                expected: "a number of seconds",
            }),
        },
        Some(_) => Err(JwtVerifyError::ClaimType {
            claim,
            expected: "a number of seconds",
        }),
    }
}

fn check_times(claims: &Value, checks: &Checks) -> Result<(), JwtVerifyError> {
    let now = checks.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let leeway = i64::try_from(checks.leeway.as_secs()).unwrap_or(i64::MAX);
    if let Some(exp) = numeric(claims, "exp")?
        && now >= exp.saturating_add(leeway)
    {
        return Err(JwtVerifyError::Expired { exp, now, leeway });
    }
    if let Some(nbf) = numeric(claims, "nbf")?
        && now.saturating_add(leeway) < nbf
    {
        return Err(JwtVerifyError::NotYetValid { nbf, now, leeway });
    }
    if let Some(iat) = numeric(claims, "iat")?
        && iat > now.saturating_add(leeway)
    {
        return Err(JwtVerifyError::IssuedInFuture { iat, now, leeway });
    }
    Ok(())
}

fn string_claim<'v>(
    claims: &'v Value,
    claim: &'static str,
    expected: &str,
) -> Result<&'v str, JwtVerifyError> {
    match claims.get(claim) {
        None | Some(Value::Null) => Err(JwtVerifyError::MissingClaim {
            claim,
            expected: expected.to_string(),
        }),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(JwtVerifyError::ClaimType {
            claim,
            expected: "a string",
        }),
    }
}

fn check_claims(claims: &Value, checks: &Checks) -> Result<(), JwtVerifyError> {
    if let Some(expected) = checks.issuer {
        let found = string_claim(claims, "iss", expected)?;
        if found != expected {
            return Err(JwtVerifyError::Issuer {
                found: found.to_string(),
                expected: expected.to_string(),
            });
        }
    }
    if let Some(expected) = checks.audience {
        let mismatch = |found: &Value| JwtVerifyError::Audience {
            found: found.to_string(),
            expected: expected.to_string(),
        };
        match claims.get("aud") {
            None | Some(Value::Null) => {
                return Err(JwtVerifyError::MissingClaim {
                    claim: "aud",
                    expected: expected.to_string(),
                });
            }
            Some(aud @ Value::String(s)) if s != expected => return Err(mismatch(aud)),
            Some(Value::String(_)) => {}
            Some(aud @ Value::Array(items)) => {
                if !items.iter().any(|a| a.as_str() == Some(expected)) {
                    return Err(mismatch(aud));
                }
                if items.len() > 1
                    && let Some(azp) = claims.get("azp")
                    && azp.as_str() != Some(expected)
                {
                    return Err(JwtVerifyError::Azp {
                        found: azp.as_str().map_or_else(|| azp.to_string(), str::to_string),
                        expected: expected.to_string(),
                    });
                }
            }
            Some(_) => {
                return Err(JwtVerifyError::ClaimType {
                    claim: "aud",
                    expected: "a string or an array of strings",
                });
            }
        }
    }
    if let Some(expected) = checks.nonce {
        let found = string_claim(claims, "nonce", expected)?;
        if found != expected {
            return Err(JwtVerifyError::Nonce {
                found: found.to_string(),
                expected: expected.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
