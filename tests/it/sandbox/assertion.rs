//! Client authentication by JWT assertion (RFC 7523, OIDC Core 9): client_secret_jwt,
//! private_key_jwt with the committed key (PEM) and with registered JWKs, and every rejection.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use super::*;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).expect("time fits")
}

fn committed_key() -> EncodingKey {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keys/sandbox-pkjwt-private.pem"
    );
    let pem = std::fs::read(path).expect("committed test key");
    EncodingKey::from_rsa_pem(&pem).expect("RSA private key")
}

/// Claims for `client` with a fresh jti, to be changed per case.
fn claims(client: &str, aud: &str) -> Value {
    json!({
        "iss": client,
        "sub": client,
        "aud": aud,
        "exp": now() + 60,
        "iat": now(),
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

fn hs256(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        None,
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
}

impl Fixture {
    /// client_credentials authenticated by `assertion` alone.
    async fn with_assertion(&self, assertion: &str) -> Reply {
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", "api"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ];
        self.post("/connect/token", &form).await
    }

    fn token_url(&self) -> String {
        self.url("/connect/token")
    }
}

#[tokio::test]
async fn client_secret_jwt_authenticates_once_per_jti() {
    let f = start().await;
    let assertion = hs256(&claims(JWT_CLIENT, &f.token_url()));
    let reply = f.with_assertion(&assertion).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        f.verify(&reply.str("access_token"), "api").await["client_id"],
        JWT_CLIENT
    );

    let replay = f.with_assertion(&assertion).await;
    assert_eq!(
        (replay.status, replay.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert!(
        replay.str("error_description").contains("already used"),
        "{}",
        replay.json
    );
    let fresh = hs256(&claims(JWT_CLIENT, f.sandbox.issuer()));
    assert_eq!(
        f.with_assertion(&fresh).await.status,
        StatusCode::OK,
        "issuer as audience"
    );

    // The secret alone is not how this client authenticates.
    let post = f
        .post(
            "/connect/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", JWT_CLIENT),
                ("client_secret", JWT_SECRET),
            ],
        )
        .await;
    assert_eq!(
        (post.status, post.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
}

#[tokio::test]
async fn private_key_jwt_with_the_committed_key_rs256_and_ps256() {
    let f = start().await;
    let vars: HashMap<String, String> = f.sandbox.vars().into_iter().collect();
    assert_eq!(vars["PkJwtClientId"], PKJWT_CLIENT);
    let key_file = &vars["PkJwtKeyFile"];
    assert!(
        std::path::Path::new(key_file).is_absolute()
            && std::path::Path::new(key_file)
                .extension()
                .is_some_and(|e| e == "pem")
    );
    let key = EncodingKey::from_rsa_pem(&std::fs::read(key_file).expect("key")).expect("RSA");
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let assertion = sign(alg, None, &claims(PKJWT_CLIENT, &f.token_url()), &key);
        let reply = f.with_assertion(&assertion).await;
        assert_eq!(reply.status, StatusCode::OK, "{alg:?}: {}", reply.json);
    }
    // The id in the body may accompany the assertion, and must agree with it.
    let assertion = sign(
        Algorithm::RS256,
        None,
        &claims(PKJWT_CLIENT, &f.token_url()),
        &committed_key(),
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ];
    assert_eq!(
        f.post("/connect/token", &form).await.error(),
        "invalid_request"
    );
    // An HMAC made with a guessable "secret" cannot pass for a key-signed assertion.
    let hmac = sign(
        Algorithm::HS256,
        None,
        &claims(PKJWT_CLIENT, &f.token_url()),
        &EncodingKey::from_secret(b""),
    );
    assert_eq!(f.with_assertion(&hmac).await.error(), "invalid_client");
}

#[tokio::test]
async fn private_key_jwt_with_registered_jwks_es256_and_eddsa() {
    let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key");
    let ed = Ed25519KeyPair::generate().expect("Ed25519 key");
    let point = ec.public_key().as_ref();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let jwks = json!([
        { "kty": "EC", "crv": "P-256", "kid": "ec-1", "x": b64(&point[1..33]), "y": b64(&point[33..65]) },
        { "kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "x": b64(ed.public_key().as_ref()) },
    ]);
    let mut config = SandboxConfig::default();
    config.clients.push(baton::ClientConfig {
        id: "keys".into(),
        jwks: Some(serde_json::from_value(jwks).expect("JWKs")),
        ..Default::default()
    });
    let f = start_with(config).await;
    let ec_key = EncodingKey::from_ec_der(ec.to_pkcs8v1().expect("pkcs8").as_ref());
    let ed_key = EncodingKey::from_ed_der(ed.to_pkcs8v1().expect("pkcs8").as_ref());
    let cases = [
        (Algorithm::ES256, Some("ec-1"), &ec_key),
        (Algorithm::ES256, None, &ec_key),
        (Algorithm::EdDSA, Some("ed-1"), &ed_key),
    ];
    for (alg, kid, key) in cases {
        let assertion = sign(alg, kid, &claims("keys", &f.token_url()), key);
        let reply = f.with_assertion(&assertion).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{alg:?} {kid:?}: {}",
            reply.json
        );
    }
    let stranger = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key");
    let stranger = EncodingKey::from_ec_der(stranger.to_pkcs8v1().expect("pkcs8").as_ref());
    let forged = sign(
        Algorithm::ES256,
        Some("ec-1"),
        &claims("keys", &f.token_url()),
        &stranger,
    );
    let reply = f.with_assertion(&forged).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert!(
        reply.str("error_description").contains("signature"),
        "{}",
        reply.json
    );
}

#[tokio::test]
async fn bad_assertions_are_invalid_client() {
    let f = start().await;
    let token_url = f.token_url();
    let base = || claims(JWT_CLIENT, &token_url);
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut aud = base();
    aud["aud"] = json!("https://elsewhere.example/token");
    cases.push(("aud", aud));
    let mut expired = base();
    expired["exp"] = json!(now() - 120);
    cases.push(("expired", expired));
    let mut no_exp = base();
    no_exp.as_object_mut().expect("object").remove("exp");
    cases.push(("exp", no_exp));
    let mut no_jti = base();
    no_jti.as_object_mut().expect("object").remove("jti");
    cases.push(("jti", no_jti));
    let mut iss = base();
    iss["iss"] = json!(CLIENT);
    cases.push(("iss", iss));
    let mut future = base();
    future["nbf"] = json!(now() + 600);
    cases.push(("not valid before", future));
    let mut unknown = claims("nobody", &token_url);
    unknown["iss"] = json!("nobody");
    cases.push(("unknown client", unknown));
    for (needle, claims) in cases {
        let reply = f.with_assertion(&hs256(&claims)).await;
        assert_eq!(
            (reply.status, reply.error()),
            (StatusCode::UNAUTHORIZED, "invalid_client"),
            "{needle}: {}",
            reply.json
        );
        assert!(
            reply.str("error_description").contains(needle),
            "{needle}: {}",
            reply.json
        );
    }
    let wrong_secret = sign(
        Algorithm::HS256,
        None,
        &base(),
        &EncodingKey::from_secret(b"guess"),
    );
    assert_eq!(
        f.with_assertion(&wrong_secret).await.error(),
        "invalid_client"
    );
    // A client registered for client_secret_jwt cannot switch to a key it made up.
    let rs = sign(Algorithm::RS256, None, &base(), &committed_key());
    assert_eq!(f.with_assertion(&rs).await.error(), "invalid_client");
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(base().to_string())
    );
    assert_eq!(f.with_assertion(&unsigned).await.error(), "invalid_client");
    assert_eq!(
        f.with_assertion("not-a-jwt").await.error(),
        "invalid_client"
    );

    let good = hs256(&base());
    let saml = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        ),
        ("client_assertion", good.as_str()),
    ];
    assert_eq!(
        f.post("/connect/token", &saml).await.error(),
        "invalid_client"
    );
    let basic_too = f
        .http
        .post(f.url("/connect/token"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", good.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(
        read_reply(basic_too).await.error(),
        "invalid_request",
        "two methods"
    );
    // None of the rejections above spent the jti of the good assertion.
    assert_eq!(f.with_assertion(&good).await.status, StatusCode::OK);
}

#[tokio::test]
async fn assertions_work_at_introspection_and_revocation() {
    let f = start().await;
    let reply = f
        .with_assertion(&hs256(&claims(JWT_CLIENT, &f.token_url())))
        .await;
    let access_token = reply.str("access_token");
    let introspect = f.url("/connect/introspect");
    let form = |assertion: String| {
        vec![
            ("token", access_token.clone()),
            ("client_assertion_type", ASSERTION_TYPE.to_string()),
            ("client_assertion", assertion),
        ]
    };
    let response = f
        .http
        .post(&introspect)
        .form(&form(hs256(&claims(JWT_CLIENT, &introspect))))
        .send()
        .await
        .expect("send");
    let reply = read_reply(response).await;
    assert_eq!(reply.json["active"], true, "{}", reply.json);
    let response = f
        .http
        .post(f.url("/connect/revocation"))
        .form(&form(hs256(&claims(JWT_CLIENT, &f.token_url()))))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(f.introspect(&access_token).await["active"], false);
}
