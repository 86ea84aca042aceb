//! Names that hold secrets by convention (`client_secret`, `X-Api-Key`, `refresh_token`),
//! told apart from their harmless neighbours (`token_type`, `expires_in`).

/// True for names that hold secrets by convention: `*secret*`, `*password*`, `*token*`,
/// API keys and assertions, but not their harmless neighbours (`token_type`,
/// `token_url`, `expires_in`, `token_endpoint_auth_method`).
pub(crate) fn looks_secret(name: &str) -> bool {
    // Lower-cased with `-` as `_`, on the stack for the usual short name (this runs for
    // every header, form field and JSON key that is shown).
    let mut stack = [0u8; 64];
    let mut heap = Vec::new();
    let folded: &mut [u8] = if name.len() <= stack.len() {
        &mut stack[..name.len()]
    } else {
        heap.resize(name.len(), 0);
        &mut heap
    };
    for (to, &b) in folded.iter_mut().zip(name.as_bytes()) {
        *to = if b == b'-' {
            b'_'
        } else {
            b.to_ascii_lowercase()
        };
    }
    // ASCII bytes were changed for ASCII bytes: still UTF-8.
    let n = std::str::from_utf8(folded).unwrap_or_default();
    const HARMLESS_SUFFIXES: &[&str] = &[
        "_type",
        "_url",
        "_uri",
        "_endpoint",
        "_in",
        "_at",
        "_hint",
        "_method",
        "_methods",
        "_supported",
        "_name",
    ];
    // RFC 9396's `authorization_details` says what access is asked for: no credential,
    // and what `-v` must show.
    if HARMLESS_SUFFIXES.iter().any(|s| n.ends_with(s)) || n == "authorization_details" {
        return false;
    }
    const MARKERS: &[&str] = &[
        "secret",
        "password",
        "passwd",
        "token",
        "api_key",
        "apikey",
        "assertion",
        "authorization",
        "credential",
        "private_key",
        "code_verifier",
    ];
    // One pass over the name; at each place only the markers starting with its byte.
    let bytes = n.as_bytes();
    (0..bytes.len()).any(|i| {
        MARKERS
            .iter()
            .any(|m| m.as_bytes()[0] == bytes[i] && bytes[i..].starts_with(m.as_bytes()))
    })
}

/// Why a value named like a secret is not one after all, or `None` when it may be one. A
/// name says `token` for `tokenPath: /connect/token` too: the importers move a literal to
/// the process environment only when the value could also be a secret. Not one: a path, a
/// URL, a number, `true`/`false`, or a short word (`Bearer`, `refresh_token`); a password
/// is one whatever it looks like (`admin` is still somebody's password).
pub(crate) fn not_a_secret_value(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    let lower = name.to_ascii_lowercase();
    // An empty value is a slot a script or a capture fills: what fills it decides.
    if v.is_empty()
        || ["password", "passwd", "pwd"]
            .iter()
            .any(|p| lower.contains(p))
    {
        return None;
    }
    if v.starts_with('/') || v.starts_with("./") {
        Some("a path")
    } else if v.contains("://") && !v.contains('@') {
        Some("a URL")
    } else if v.parse::<f64>().is_ok() {
        Some("a number")
    } else if v == "true" || v == "false" || v == "null" {
        Some("a literal")
    } else if v.len() <= 20
        && v.bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-' || b == b' ')
    {
        Some("a word")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_cannot_be_secrets_whatever_their_name() {
        for (n, v) in [
            ("tokenPath", "/connect/token"),
            ("tokenHost", "https://id.example.com"),
            ("token_ttl_s", "3600"),
            ("useToken", "true"),
            ("tokenPrefix", "Bearer"),
            ("tokenGrant", "refresh_token"),
        ] {
            assert!(not_a_secret_value(n, v).is_some(), "{n}: {v}");
        }
        for (n, v) in [
            ("client_secret", "s3cr3t-9f8e7d"),
            ("apiKey", "AKIAIOSFODNN7EXAMPLE"),
            ("access_token", "eyJhbGciOiJIUzI1NiJ9.e30.abc"),
            ("password", "admin"),
            ("userPassword", "1234"),
            ("tokenHost", "https://user:pw@id.example.com"),
        ] {
            assert!(not_a_secret_value(n, v).is_none(), "{n}: {v}");
        }
    }

    #[test]
    fn names_that_look_secret() {
        for n in [
            "ClientSecret",
            "client_secret",
            "password",
            "refresh_token",
            "access_token",
            "X-Api-Key",
            "apiKey",
            "Authorization",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in [
            "token_type",
            "token_url",
            "expires_in",
            "username",
            "ClientId",
            "scope",
            "token_endpoint_auth_method",
            "authorization_details",
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }
}
