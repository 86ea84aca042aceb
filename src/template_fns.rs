//! The filters and functions templates can call: encodings (`base64`, `urlencode`),
//! digests (`sha256`, PKCE's `sha256_base64url`), and run-time values (`uuid()`, `now()`,
//! `random()`), plus `jwt_claims` to read a token captured earlier.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind};
use sha2::{Digest, Sha256};

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("base64", |s: String| STANDARD.encode(s));
    env.add_filter("base64url", |s: String| URL_SAFE_NO_PAD.encode(s));
    env.add_filter("b64decode", b64decode);
    env.add_filter("sha256", |s: String| hex(&Sha256::digest(s.as_bytes())));
    env.add_filter("sha256_base64url", |s: String| {
        URL_SAFE_NO_PAD.encode(Sha256::digest(s.as_bytes()))
    });
    env.add_filter("jwt_claims", jwt_claims);
    env.add_function("uuid", || uuid::Uuid::new_v4().to_string());
    env.add_filter("uuid", |_: Value| uuid::Uuid::new_v4().to_string());
    env.add_function("now", now);
    env.add_filter("now", |_: Value, format: Option<String>| now(format));
    env.add_function("timestamp", || chrono::Utc::now().timestamp());
    env.add_function("random", random);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64decode(s: String) -> Result<String, Error> {
    let trimmed = s.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed.replace('+', "-").replace('/', "_"))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("not base64: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "decoded base64 is not UTF-8"))
}

/// `now()` is RFC 3339 UTC; `now('%s')` or any strftime format otherwise.
fn now(format: Option<String>) -> String {
    let t = chrono::Utc::now();
    match format {
        Some(f) => t.format(&f).to_string(),
        None => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// `random(n)`: n characters from the RFC 7636 unreserved set (a PKCE verifier is 43–128).
fn random(len: Option<usize>) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let len = len.unwrap_or(43).min(4096);
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The claims of a JWT, unverified (a capture or expectation checks signatures; this is
/// for reading `sub` or `exp` into the next request).
fn jwt_claims(token: String) -> Result<Value, Error> {
    let claims = crate::jwt::decode_claims(&token)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(crate::template::json_to_value(&claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> String {
        let mut env = Environment::new();
        register(&mut env);
        env.render_str(src, ()).unwrap()
    }

    #[test]
    fn encodings_and_digests() {
        assert_eq!(render("{{ 'a:b' | base64 }}"), "YTpi");
        assert_eq!(render("{{ 'YTpi' | b64decode }}"), "a:b");
        assert_eq!(
            render("{{ 'abc' | sha256 }}"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 7636 appendix B.
        assert_eq!(
            render("{{ 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' | sha256_base64url }}"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn runtime_values() {
        assert_eq!(render("{{ uuid() }}").len(), 36);
        assert_eq!(render("{{ random(64) }}").len(), 64);
        assert!(render("{{ now() }}").ends_with('Z'));
        assert_eq!(render("{{ now('%Y') }}").len(), 4);
    }
}
