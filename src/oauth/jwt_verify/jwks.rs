//! The keys of a JWKS as a verifier needs them: each key's public material decoded once, and
//! whether a key fits a token's algorithm (`kty`, `crv`, `alg`, `use`, `key_ops`).

use super::JwtVerifyError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// One key of a JWKS, with its public key material already decoded (or why it could not be).
#[derive(Debug, Clone)]
pub(super) struct Key {
    pub(super) kid: Option<String>,
    pub(super) kty: String,
    pub(super) crv: Option<String>,
    pub(super) alg: Option<String>,
    pub(super) usage: Option<String>,
    pub(super) key_ops: Option<Vec<String>>,
    pub(super) decoding: Result<DecodingKey, String>,
}

/// The public keys of a provider, parsed from the JSON its `jwks_uri` serves.
#[derive(Debug, Clone)]
pub(crate) struct Jwks {
    pub(super) keys: Vec<Key>,
}

impl Jwks {
    /// Reads `{"keys": [...]}` (or a single JWK object). Keys that cannot be used (unknown
    /// `kty`, missing members) are kept and only reported when a token asks for them.
    pub(crate) fn parse(json: &Value) -> Result<Jwks, JwtVerifyError> {
        let entries: Vec<&Value> = match json.get("keys") {
            Some(Value::Array(keys)) => keys.iter().collect(),
            Some(_) => return Err(JwtVerifyError::BadJwks("`keys` is not an array".into())),
            None if json.get("kty").is_some() => vec![json],
            None => {
                return Err(JwtVerifyError::BadJwks(
                    "expected a JSON object with a `keys` array".into(),
                ));
            }
        };
        let keys = entries
            .into_iter()
            .filter_map(Value::as_object)
            .map(parse_key)
            .collect();
        Ok(Jwks { keys })
    }

    /// The `kid` of every key that has one, in JWKS order.
    pub(crate) fn kids(&self) -> Vec<String> {
        self.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }
}

fn parse_key(jwk: &serde_json::Map<String, Value>) -> Key {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str).map(str::to_string);
    let kty = text("kty").unwrap_or_default();
    let crv = text("crv");
    let decoding = decoding_key(&kty, crv.as_deref(), &text);
    Key {
        kid: text("kid"),
        alg: text("alg"),
        usage: text("use"),
        key_ops: jwk.get("key_ops").and_then(Value::as_array).map(|ops| {
            ops.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }),
        kty,
        crv,
        decoding,
    }
}

fn decoding_key(
    kty: &str,
    crv: Option<&str>,
    text: &dyn Fn(&str) -> Option<String>,
) -> Result<DecodingKey, String> {
    let member = |name: &str| text(name).ok_or_else(|| format!("`{name}` is missing"));
    let bytes = |name: &str| -> Result<Vec<u8>, String> {
        URL_SAFE_NO_PAD
            .decode(member(name)?.trim_end_matches('='))
            .map_err(|_| format!("`{name}` is not base64url"))
    };
    let sized = |name: &str, len: usize| -> Result<Vec<u8>, String> {
        let value = bytes(name)?;
        if value.len() == len {
            Ok(value)
        } else {
            Err(format!("`{name}` is {} bytes, not {len}", value.len()))
        }
    };
    match (kty, crv) {
        ("RSA", _) => Ok(DecodingKey::from_rsa_raw_components(
            &bytes("n")?,
            &bytes("e")?,
        )),
        ("EC", Some(curve @ ("P-256" | "P-384"))) => {
            let len = if curve == "P-256" { 32 } else { 48 };
            let mut point = vec![0x04];
            point.extend(sized("x", len)?);
            point.extend(sized("y", len)?);
            Ok(DecodingKey::from_ec_der(&point))
        }
        ("OKP", Some("Ed25519")) => Ok(DecodingKey::from_ed_der(&sized("x", 32)?)),
        ("EC" | "OKP", curve) => Err(format!("curve {} is not supported", curve.unwrap_or("?"))),
        ("oct", _) => Err("symmetric (oct) keys are never used to verify with a JWKS".into()),
        ("", _) => Err("`kty` is missing".into()),
        (other, _) => Err(format!("key type `{other}` is not supported")),
    }
}

/// Why `key` cannot verify `alg`, or `Ok` when it fits.
pub(super) fn fits(key: &Key, alg: Algorithm) -> Result<(), String> {
    let (kty, crv) = match alg {
        Algorithm::ES256 => ("EC", Some("P-256")),
        Algorithm::ES384 => ("EC", Some("P-384")),
        Algorithm::EdDSA => ("OKP", Some("Ed25519")),
        _ => ("RSA", None),
    };
    let name = alg_name(alg);
    if key.kty != kty || (crv.is_some() && key.crv.as_deref() != crv) {
        let have = match &key.crv {
            Some(c) => format!("{} ({c})", key.kty),
            None => key.kty.clone(),
        };
        return Err(
            format!("it is kty {have}, {name} needs {kty} {}", crv.unwrap_or(""))
                .trim_end()
                .to_string(),
        );
    }
    if let Some(key_alg) = key.alg.as_deref().filter(|a| *a != name) {
        return Err(format!("it is for alg {key_alg}"));
    }
    if let Some(usage) = key.usage.as_deref().filter(|u| *u != "sig") {
        return Err(format!("its use is `{usage}`, not `sig`"));
    }
    if let Some(ops) = &key.key_ops
        && !ops.iter().any(|op| op == "verify")
    {
        return Err("its key_ops do not include `verify`".into());
    }
    Ok(())
}

pub(super) fn alg_name(alg: Algorithm) -> String {
    format!("{alg:?}")
}
