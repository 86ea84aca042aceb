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
    if HARMLESS_SUFFIXES.iter().any(|s| n.ends_with(s)) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }
}
