//! Signatures checked against published worked examples, not against this code's own output.

use super::*;

fn signer(key: &str, secret: &str, token: &str, token_secret: &str) -> Signer {
    Signer {
        consumer_key: key.into(),
        consumer_secret: Secret::new(secret),
        token: Some(Secret::new(token)),
        token_secret: Some(Secret::new(token_secret)),
        method: SignatureMethod::HmacSha1,
        placement: Placement::Header,
        realm: None,
        callback: None,
        verifier: None,
        version: true,
    }
}

fn request(method: &str, url: &str, form: Option<&str>) -> Prepared {
    Prepared {
        method: method.into(),
        url: url.into(),
        headers: form
            .map(|_| {
                vec![(
                    "content-type".to_string(),
                    "application/x-www-form-urlencoded".to_string(),
                )]
            })
            .unwrap_or_default(),
        body: form.map(|f| f.as_bytes().to_vec()),
        timeout: None,
        follow_redirects: false,
        oauth1: None,
        dpop: None,
        client_cert: None,
    }
}

/// The `oauth_signature` of the Authorization header, decoded.
fn signature_of(req: &Prepared) -> String {
    let header = req.header("authorization").unwrap();
    let quoted = header.split("oauth_signature=\"").nth(1).unwrap();
    let value = &quoted[..quoted.find('"').unwrap()];
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// RFC 5849 §3.4.1.1: the base string of its example request, with a query holding an
/// encoded `=`, an empty value and a space, and a form body holding a `+`.
#[test]
fn rfc5849_base_string() {
    let url =
        url::Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    params.extend(url::form_urlencoded::parse(b"c2&a3=2+q").into_owned());
    for (k, v) in [
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ] {
        params.push((k.into(), v.into()));
    }
    assert_eq!(
        base_string("POST", &url, &params),
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    );
}

/// RFC 5849 §3.4.1.2: scheme and host lower case, the default port dropped, another kept.
#[test]
fn base_uri_normalised() {
    let base = |u: &str| base_string("GET", &url::Url::parse(u).unwrap(), &[]);
    assert_eq!(
        base("HTTP://EXAMPLE.COM:80/r%20v/X?id=123"),
        "GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&"
    );
    assert_eq!(
        base("https://www.example.net:8080/?q=1"),
        "GET&https%3A%2F%2Fwww.example.net%3A8080%2F&"
    );
}

/// The photos.example.net request of the OAuth Core 1.0 specification (Appendix A.5),
/// which RFC 5849 §1.2 retells: HMAC-SHA1 with `oauth_version`.
#[test]
fn oauth_core_photos_example() {
    let s = signer(
        "dpf43f3p2l4k3l03",
        "kd94hf93k423kf44",
        "nnch734d00sl2jdk",
        "pfkkdhi9sl3r4s00",
    );
    let mut req = request(
        "GET",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        None,
    );
    s.sign_with(&mut req, "kllo9940pd9333jh", "1191242096")
        .unwrap();
    assert_eq!(signature_of(&req), "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
}

/// RFC 5849 §1.2 itself: the same request with its own nonce and timestamp and no
/// `oauth_version`.
#[test]
fn rfc5849_photos_example() {
    let mut s = signer(
        "dpf43f3p2l4k3l03",
        "kd94hf93k423kf44",
        "nnch734d00sl2jdk",
        "pfkkdhi9sl3r4s00",
    );
    s.version = false;
    let mut req = request(
        "GET",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        None,
    );
    s.sign_with(&mut req, "chapoH", "137131202").unwrap();
    assert_eq!(signature_of(&req), "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
}

/// Twitter's "Creating a signature" example: a POST with a form body and a query.
#[test]
fn twitter_example() {
    let s = signer(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    let mut req = request(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        Some("status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"),
    );
    s.sign_with(
        &mut req,
        "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "1318622958",
    )
    .unwrap();
    assert_eq!(signature_of(&req), "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
}

#[test]
fn plaintext_is_the_encoded_secrets() {
    let mut s = signer("k", "a b&c", "t", "");
    s.method = SignatureMethod::Plaintext;
    s.token_secret = None;
    let mut req = request("GET", "http://h/", None);
    s.sign_with(&mut req, "n", "1").unwrap();
    assert_eq!(signature_of(&req), "a%20b%26c&");
}

#[test]
fn header_carries_realm_and_query_placement_replaces_old_parameters() {
    let mut s = signer("key", "secret", "", "");
    s.token = None;
    s.realm = Some("Photos".into());
    let mut req = request("GET", "http://h/p?x=1", None);
    s.sign_with(&mut req, "n1", "1").unwrap();
    let header = req.header("authorization").unwrap();
    assert!(header.starts_with("OAuth realm=\"Photos\", oauth_consumer_key=\"key\", oauth_signature_method=\"HMAC-SHA1\""), "{header}");
    assert!(!header.contains("oauth_token"), "{header}");

    s.placement = Placement::Query;
    let mut req = request("GET", "http://h/p?x=1", None);
    s.sign_with(&mut req, "n1", "1").unwrap();
    s.sign_with(&mut req, "n2", "2").unwrap();
    assert!(req.header("authorization").is_none());
    assert_eq!(req.url.matches("oauth_nonce").count(), 1, "{}", req.url);
    assert!(
        req.url
            .starts_with("http://h/p?x=1&oauth_consumer_key=key&"),
        "{}",
        req.url
    );
    assert!(req.url.contains("oauth_nonce=n2"), "{}", req.url);
}
