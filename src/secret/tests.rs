//! The Redactor against every form a secret takes, and the whole-value rule of short ones.

use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::json;

#[test]
fn many_secrets_are_masked_like_a_few() {
    // The same masks with 500 secrets as with two, longest first, in text with multi-byte
    // characters.
    let mut few = Redactor::new(false);
    few.add("tok-0001");
    few.add("tok-0001-long");
    let mut many = few.clone();
    for i in 0..500 {
        many.add(&format!("refresh-{i:04}-é"));
    }
    assert!(many.values.len() > 10 * few.values.len());
    let text = "é tok-0001-long, tok-0001; ünïcode tok-00 tok-0001é";
    assert_eq!(few.redact(text), "é •••, •••; ünïcode tok-00 •••é");
    assert_eq!(many.redact(text), few.redact(text));
    assert_eq!(
        many.redact("a refresh-0499-é b refresh-0499-%C3%A9 c refresh-0500-é"),
        "a ••• b ••• c refresh-0500-é"
    );
    assert!(matches!(many.redact("nothing here"), Cow::Borrowed(_)));
    // The same value added again adds nothing.
    let before = many.values.len();
    many.add("refresh-0007-é");
    assert_eq!(many.values.len(), before);
}

/// Every encoding baton or the URL layer applies to a value, as it appears in output.
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let pct = |keep: &dyn Fn(u8) -> bool| -> String {
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii() && keep(b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let mut url = url::Url::parse("http://h/").unwrap();
    url.path_segments_mut().unwrap().push(secret);
    let segment = url.path().trim_start_matches('/').to_string();
    url.set_password(Some(secret)).unwrap();
    let userinfo = url.password().unwrap().to_string();
    let mut query = url::Url::parse("http://h/").unwrap();
    query.set_query(Some(secret));
    query.set_fragment(Some(secret));
    let mut path = url::Url::parse("http://h/").unwrap();
    path.set_path(secret);
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let ascii: String = json
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect();
    vec![
        ("raw", secret.to_string()),
        (
            "urlencode filter",
            pct(&|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
        ),
        ("url query", query.query().unwrap().to_string()),
        ("url path", path.path()[1..].to_string()),
        ("url fragment", query.fragment().unwrap().to_string()),
        ("url path segment", segment),
        ("url userinfo", userinfo),
        ("form", form.clone()),
        ("form %20", form.replace('+', "%20")),
        ("base64", STANDARD.encode(secret)),
        ("base64 no pad", STANDARD.encode(secret).replace('=', "")),
        ("base64url", URL_SAFE.encode(secret)),
        ("base64url no pad", URL_SAFE_NO_PAD.encode(secret)),
        ("json", json.clone()),
        ("json \\/", json.replace('/', "\\/")),
        ("json ascii", ascii.clone()),
        ("json ascii \\/", ascii.replace('/', "\\/")),
    ]
}

#[test]
fn every_encoding_of_a_secret_is_masked_in_text() {
    let secret = "pä ss/wörd+\"q\\x&=:@?#'%{😀}";
    let mut r = Redactor::new(false);
    r.add(secret);
    for (what, form) in encodings(secret) {
        let text = format!("before {form} after");
        assert_eq!(r.redact(&text), "before ••• after", "{what}: {form}");
    }
    // Inside a longer base64 text, at each of the three alignments.
    for before in ["app:", "ap:", "a:"] {
        for b64 in [
            STANDARD.encode(format!("{before}{secret}")),
            URL_SAFE_NO_PAD.encode(format!("{before}{secret}")),
        ] {
            let out = r.redact(&b64);
            assert!(out.contains(MASK) && out.len() < 20, "{before}: {out}");
        }
    }
}

#[test]
fn a_secret_in_json_is_masked_as_a_string_a_number_and_a_key() {
    let mut r = Redactor::new(false);
    r.add("482913");
    r.add("key-of-secrets");
    let v = json!({"pin": 482_913, "n": [1, 482_913.0, 4_829_130], "key-of-secrets": true, "s": "482913"});
    assert_eq!(
        r.redact_json(&v),
        json!({"pin": "•••", "n": [1, "•••", "•••"], "•••": true, "s": "•••"})
    );
}

#[test]
fn userinfo_passwords_are_masked_whether_known_or_not() {
    let r = Redactor::new(false);
    assert_eq!(
        r.redact("GET http://app:hunter2@h:8/p?q=1 and https://u@h/ and x://a:b@c"),
        "GET http://app:•••@h:8/p?q=1 and https://u@h/ and x://a:•••@c"
    );
    assert_eq!(
        r.redact_json(&json!({"url": "http://a:b@h/"})),
        json!({"url": "http://a:•••@h/"})
    );
    assert_eq!(
        mask_userinfo("http://a:b%40c@h/x?y", "P"),
        "http://a:P@h/x?y"
    );
    assert_eq!(mask_userinfo("http://a@h/", "P"), "http://a@h/");
    assert_eq!(Redactor::new(true).redact("http://a:b@h"), "http://a:b@h");
}

#[test]
fn short_secrets_are_masked_only_where_they_stand_whole() {
    let mut r = Redactor::new(false);
    r.add("ab");
    r.add("7");
    // Whole values: a header, a form field, a JSON value, a query parameter, a cookie,
    // a quoted literal, the whole text.
    assert_eq!(r.redact_header("X-Pin", "ab"), "•••");
    assert_eq!(r.redact_header("Cookie", "s=ab"), "s=•••");
    assert_eq!(r.redact_form("a=ab&b=abc&c=7"), "a=•••&b=abc&c=•••");
    assert_eq!(
        r.redact_json(&json!({"a": "ab", "b": "abc", "n": 7, "m": 17})),
        json!({"a": "•••", "b": "abc", "n": "•••", "m": 17})
    );
    assert_eq!(
        r.redact("GET http://h/p?x=ab&y=abc&z=a%62#f"),
        "GET http://h/p?x=•••&y=abc&z=•••#f"
    );
    assert_eq!(r.redact(" ab\n"), " •••\n");
    assert_eq!(r.redact("expected: not \"ab\""), "expected: not \"•••\"");
    assert_eq!(r.redact("no cookie `ab`"), "no cookie `•••`");
    assert_eq!(
        r.redact("{\"body\":\"x=ab&y=7\"} sid=ab; n=7\nX-Pin: ab\n"),
        "{\"body\":\"x=•••&y=•••\"} sid=•••; n=•••\nX-Pin: •••\n"
    );
    // Never inside other text, nor in baton's words.
    for text in [
        "about a cab",
        "7 passed, 17 failed",
        "abab",
        "b=abc",
        "'ab",
        "x: ab c",
    ] {
        assert_eq!(r.redact(text), text);
    }
}

#[test]
fn masks_values_and_their_encodings() {
    let mut r = Redactor::new(false);
    r.add("s3cr3t value/+");
    r.add_basic("app", "s3cr3t value/+");
    let b64 = STANDARD.encode("app:s3cr3t value/+");
    let text = format!("a s3cr3t value/+ b s3cr3t+value%2F%2B c s3cr3t%20value%2F%2B d {b64}");
    let out = r.redact(&text);
    assert_eq!(out, "a ••• b ••• c ••• d •••");
    assert_eq!(Redactor::new(true).redact("x s3cr3t"), "x s3cr3t");
}

#[test]
fn masks_headers_forms_and_json_by_name() {
    let r = Redactor::new(false);
    assert_eq!(
        r.redact_header("Authorization", "Basic YWJjOmRlZg=="),
        "Basic •••"
    );
    assert_eq!(
        r.redact_form("grant_type=password&password=x1&client_secret=y"),
        "grant_type=password&password=•••&client_secret=•••"
    );
    let v =
        json!({"access_token": "abc", "token_type": "Bearer", "nested": [{"refresh_token": "r"}]});
    assert_eq!(
        r.redact_json(&v),
        json!({"access_token": "•••", "token_type": "Bearer", "nested": [{"refresh_token": "•••"}]})
    );
    assert_eq!(
        format!("{:?} {}", Secret::new("x"), Secret::new("y")),
        "••• •••"
    );
}
