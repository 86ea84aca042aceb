//! Tests for `jwt_verify`: tokens signed with the test-only keys under `tests/fixtures/keys/`.

use super::*;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

const RSA: &str = include_str!("../../../tests/fixtures/keys/rsa-pkcs8.pem");
const RSA_OTHER: &str = include_str!("../../../tests/fixtures/keys/rsa-other.pem");
const EC: &str = include_str!("../../../tests/fixtures/keys/ec-p256-pkcs8.pem");
const EC384: &str = include_str!("../../../tests/fixtures/keys/ec-p384-pkcs8.pem");
const ED: &str = include_str!("../../../tests/fixtures/keys/ed25519.pem");
const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://id.example.test";

fn encoding_key(pem: &str, alg: Algorithm) -> EncodingKey {
    match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .unwrap()
}

/// The public JWK of a test key, as a provider's JWKS would list it.
fn jwk(pem: &str, alg: Algorithm, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(&encoding_key(pem, alg), alg).unwrap();
    jwk.common.key_id = Some(kid.to_string());
    serde_json::to_value(jwk).unwrap()
}

fn jwks() -> Jwks {
    Jwks::parse(&json!({"keys": [
        jwk(RSA, Algorithm::RS256, "rsa-1"),
        jwk(RSA, Algorithm::PS256, "rsa-pss"),
        jwk(EC, Algorithm::ES256, "ec-1"),
        jwk(EC384, Algorithm::ES384, "ec-384"),
        jwk(ED, Algorithm::EdDSA, "ed-1"),
    ]}))
    .unwrap()
}

fn sign(pem: &str, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &encoding_key(pem, alg)).unwrap()
}

fn claims() -> Value {
    json!({"iss": ISS, "sub": "alice", "aud": "client-1", "nonce": "n-0S6",
           "iat": NOW - 10, "exp": NOW + 300})
}

fn checks() -> Checks<'static> {
    Checks {
        issuer: Some(ISS),
        audience: Some("client-1"),
        nonce: Some("n-0S6"),
        now: Some(NOW),
        ..Checks::default()
    }
}

fn with(changes: Value) -> Value {
    let mut claims = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn rs256(claims: &Value) -> String {
    sign(RSA, Algorithm::RS256, Some("rsa-1"), claims)
}

#[test]
fn verifies_each_algorithm_by_kid() {
    let cases = [
        (RSA, Algorithm::RS256, "rsa-1"),
        (RSA, Algorithm::PS256, "rsa-pss"),
        (EC, Algorithm::ES256, "ec-1"),
        (EC384, Algorithm::ES384, "ec-384"),
        (ED, Algorithm::EdDSA, "ed-1"),
    ];
    for (pem, alg, kid) in cases {
        let token = sign(pem, alg, Some(kid), &claims());
        let verified = verify(&token, &jwks(), &checks());
        assert_eq!(verified.unwrap()["sub"], "alice", "{alg:?}");
    }
}

#[test]
fn without_kid_tries_the_keys_that_fit() {
    let set = Jwks::parse(&json!({"keys": [
        jwk(EC, Algorithm::ES256, "ec-1"),
        jwk(RSA_OTHER, Algorithm::RS256, "other"),
        jwk(RSA, Algorithm::RS256, "rsa-1"),
    ]}))
    .unwrap();
    let token = sign(RSA, Algorithm::RS256, None, &claims());
    assert!(verify(&token, &set, &checks()).is_ok());
    let token = sign(ED, Algorithm::EdDSA, None, &claims());
    let err = verify(&token, &set, &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWKS has no key that can verify EdDSA (it has 3 key(s))"
    );
    let only_other = Jwks::parse(&json!({"keys": [
        jwk(RSA_OTHER, Algorithm::RS256, "other"),
        jwk(RSA_OTHER, Algorithm::RS256, "other-2"),
    ]}))
    .unwrap();
    let token = sign(RSA, Algorithm::RS256, None, &claims());
    let err = verify(&token, &only_other, &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad signature: the token does not verify with any of the 2 JWKS keys for RS256"
    );
}

#[test]
fn unknown_kid_names_the_kids_there_are() {
    let token = sign(RSA, Algorithm::RS256, Some("x"), &claims());
    let err = verify(&token, &jwks(), &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWKS has no key with kid `x` (it has: rsa-1, rsa-pss, ec-1, ec-384, ed-1)"
    );
    assert!(matches!(err, JwtVerifyError::NoKey { .. }));
}

#[test]
fn another_key_with_the_same_kid_is_a_bad_signature() {
    let token = sign(RSA_OTHER, Algorithm::RS256, Some("rsa-1"), &claims());
    let err = verify(&token, &jwks(), &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad signature: the token does not verify with key `rsa-1`"
    );
    // A tampered payload breaks the signature too.
    let token = rs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(with(json!({"sub": "mallory"})).to_string());
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    let err = verify(&tampered, &jwks(), &checks()).unwrap_err();
    assert!(matches!(err, JwtVerifyError::BadSignature { .. }), "{err}");
}

#[test]
fn kid_of_a_key_of_another_type_is_a_mismatch() {
    let token = sign(RSA, Algorithm::RS256, Some("ec-1"), &claims());
    let err = verify(&token, &jwks(), &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWKS key `ec-1` cannot verify RS256: it is kty EC (P-256), RS256 needs RSA"
    );
    // A key declared for RS256 does not verify PS256, even with the right modulus.
    let token = sign(RSA, Algorithm::PS256, Some("rsa-1"), &claims());
    let err = verify(&token, &jwks(), &checks()).unwrap_err();
    assert!(err.to_string().ends_with("it is for alg RS256"), "{err}");
}

#[test]
fn alg_none_and_hmac_are_never_accepted() {
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"rsa-1"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims().to_string());
    let err = verify(&format!("{none_header}.{body}."), &jwks(), &checks()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("algorithm `none` is not allowed (allowed: RS256")
    );

    let secret = b"a-shared-secret-of-the-client-32b";
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(secret),
    )
    .unwrap();
    let oct = Jwks::parse(&json!({"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(secret)}]}))
        .unwrap();
    let hs = [Algorithm::HS256, Algorithm::RS256];
    let checks = Checks {
        algorithms: &hs,
        ..checks()
    };
    let err = verify(&token, &oct, &checks).unwrap_err();
    assert_eq!(
        err.to_string(),
        "algorithm `HS256` is not allowed (allowed: RS256)"
    );
}

#[test]
fn algorithms_limit_what_is_accepted() {
    let token = rs256(&claims());
    let only_es = [Algorithm::ES256];
    let err = verify(
        &token,
        &jwks(),
        &Checks {
            algorithms: &only_es,
            ..checks()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "algorithm `RS256` is not allowed (allowed: ES256)"
    );
}

#[test]
fn time_checks_fail_each_on_their_own() {
    let expired = rs256(&with(json!({"exp": NOW - 61})));
    let err = verify(&expired, &jwks(), &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "token expired at 2027-01-15T07:58:59Z (now 2027-01-15T08:00:00Z, leeway 60s)"
    );
    let within_leeway = rs256(&with(json!({"exp": NOW - 59})));
    assert!(verify(&within_leeway, &jwks(), &checks()).is_ok());
    let strict = Checks {
        leeway: Duration::ZERO,
        ..checks()
    };
    assert!(verify(&within_leeway, &jwks(), &strict).is_err());

    let early = rs256(&with(json!({"nbf": NOW + 120})));
    let err = verify(&early, &jwks(), &checks()).unwrap_err();
    assert!(matches!(err, JwtVerifyError::NotYetValid { .. }), "{err}");
    let future = rs256(&with(json!({"iat": NOW + 120})));
    let err = verify(&future, &jwks(), &checks()).unwrap_err();
    assert!(
        matches!(err, JwtVerifyError::IssuedInFuture { .. }),
        "{err}"
    );
    let text = rs256(&with(json!({"exp": "tomorrow"})));
    let err = verify(&text, &jwks(), &checks()).unwrap_err();
    assert_eq!(err.to_string(), "claim `exp` must be a number of seconds");
    // Fractional NumericDates are allowed.
    let fractional = rs256(&with(json!({"exp": (NOW + 10) as f64 + 0.5})));
    assert!(verify(&fractional, &jwks(), &checks()).is_ok());
}

#[test]
fn claim_checks_fail_each_on_their_own() {
    let cases = [
        (
            json!({"iss": "https://evil.test"}),
            "issuer `https://evil.test` != expected `https://id.example.test`",
        ),
        (
            json!({"iss": null}),
            "the token has no `iss` claim (expected `https://id.example.test`)",
        ),
        (
            json!({"aud": "client-2"}),
            "audience \"client-2\" does not contain expected `client-1`",
        ),
        (
            json!({"aud": ["a", "b"]}),
            "audience [\"a\",\"b\"] does not contain expected `client-1`",
        ),
        (
            json!({"aud": ["client-1", "b"], "azp": "b"}),
            "authorized party (azp) `b` != expected audience `client-1`",
        ),
        (
            json!({"aud": 7}),
            "claim `aud` must be a string or an array of strings",
        ),
        (
            json!({"nonce": "other"}),
            "nonce `other` != expected `n-0S6`",
        ),
        (
            json!({"nonce": null}),
            "the token has no `nonce` claim (expected `n-0S6`)",
        ),
    ];
    for (changes, message) in cases {
        let err = verify(&rs256(&with(changes.clone())), &jwks(), &checks()).unwrap_err();
        assert_eq!(err.to_string(), message, "{changes}");
    }
    let ok = [
        json!({"aud": ["b", "client-1"]}),
        json!({"aud": ["client-1", "b"], "azp": "client-1"}),
        json!({"aud": ["client-1"], "azp": "b"}),
    ];
    for changes in ok {
        assert!(
            verify(&rs256(&with(changes.clone())), &jwks(), &checks()).is_ok(),
            "{changes}"
        );
    }
    // Nothing asked, nothing checked.
    let bare = Checks {
        now: Some(NOW),
        ..Checks::default()
    };
    assert!(
        verify(
            &rs256(&with(json!({"iss": 1, "nonce": null}))),
            &jwks(),
            &bare
        )
        .is_ok()
    );
}

#[test]
fn at_hash_is_checked_with_the_hash_of_the_alg() {
    // The example of OpenID Connect Core 1.0, appendix A.3.
    assert_eq!(
        half_hash(
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
            Algorithm::RS256
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(half_hash("x", Algorithm::ES384).len(), 32);
    assert_eq!(half_hash("x", Algorithm::EdDSA).len(), 43);
    let access_token = "SlAV32hkKG";
    for (pem, alg, kid) in [
        (RSA, Algorithm::RS256, "rsa-1"),
        (ED, Algorithm::EdDSA, "ed-1"),
    ] {
        let claims = with(json!({"at_hash": half_hash(access_token, alg)}));
        let token = sign(pem, alg, Some(kid), &claims);
        let given = Checks {
            access_token: Some(access_token),
            ..checks()
        };
        assert!(verify(&token, &jwks(), &given).is_ok(), "{alg:?}");
        let wrong = Checks {
            access_token: Some("another"),
            ..checks()
        };
        let err = verify(&token, &jwks(), &wrong).unwrap_err();
        assert!(matches!(err, JwtVerifyError::AtHash { .. }), "{err}");
    }
    // No at_hash claim: nothing to compare.
    let given = Checks {
        access_token: Some(access_token),
        ..checks()
    };
    assert!(verify(&rs256(&claims()), &jwks(), &given).is_ok());
}

#[test]
fn malformed_tokens_are_errors_not_panics() {
    let token = rs256(&claims());
    let (head, rest) = token.split_once('.').unwrap();
    let inputs = [
        String::new(),
        "abc".into(),
        "..".into(),
        "a.b.c.d".into(),
        format!("{head}.%%%.sig"),
        format!("{}.{rest}", URL_SAFE_NO_PAD.encode("[1]")),
        format!("{}.{rest}", URL_SAFE_NO_PAD.encode(r#"{"kid":"rsa-1"}"#)),
        format!(
            "{}.{rest}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":5}"#)
        ),
        format!("{}.{rest}", URL_SAFE_NO_PAD.encode(r#"{"alg":"ES512"}"#)),
        format!("{token}!!"),
    ];
    for input in inputs {
        assert!(verify(&input, &jwks(), &checks()).is_err(), "{input}");
    }
    assert!(matches!(
        verify("abc", &jwks(), &checks()),
        Err(JwtVerifyError::Malformed(_))
    ));
}

#[test]
fn jwks_parsing_is_tolerant_per_key() {
    assert!(Jwks::parse(&json!([1])).is_err());
    assert!(Jwks::parse(&json!({"keys": {}})).is_err());
    let single = Jwks::parse(&jwk(RSA, Algorithm::RS256, "solo")).unwrap();
    assert_eq!(single.kids(), ["solo"]);
    let set = Jwks::parse(&json!({"keys": [
        7,
        {"kty": "RSA", "kid": "broken", "n": "%%"},
        {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "kid": "short", "x": "AA", "y": "AA"},
        {"kid": "no-kty"},
        jwk(RSA, Algorithm::RS256, "enc-key").as_object().map(|o| {
            let mut o = o.clone();
            o.insert("use".into(), json!("enc"));
            Value::Object(o)
        }).unwrap(),
    ]}))
    .unwrap();
    assert_eq!(set.kids(), ["broken", "p521", "short", "no-kty", "enc-key"]);
    let token = sign(RSA, Algorithm::RS256, Some("broken"), &claims());
    let err = verify(&token, &set, &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWKS key `broken` is unusable: `n` is not base64url"
    );
    let token = sign(RSA, Algorithm::RS256, Some("enc-key"), &claims());
    let err = verify(&token, &set, &checks()).unwrap_err();
    assert!(
        err.to_string().ends_with("its use is `enc`, not `sig`"),
        "{err}"
    );
    let token = sign(EC, Algorithm::ES256, Some("short"), &claims());
    let err = verify(&token, &set, &checks()).unwrap_err();
    assert!(err.to_string().ends_with("`x` is 1 bytes, not 32"), "{err}");
    let token = sign(RSA, Algorithm::RS256, None, &claims());
    let err = verify(&token, &set, &checks()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWKS key `broken` is unusable: `n` is not base64url"
    );
}
