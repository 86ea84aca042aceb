//! DPoP (RFC 9449) at the sandbox, proofs crafted here with the fixture keys: what its token
//! endpoint and userinfo accept and refuse, each refusal with its error code and challenge.

use super::*;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{EncodingKey, Header};

/// A key of `tests/fixtures/keys` that signs proofs.
struct Prover {
    key: EncodingKey,
    alg: Algorithm,
    jwk: Jwk,
}

impl Prover {
    fn new(file: &str) -> Prover {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/keys")
            .join(file);
        let pem = std::fs::read(path).expect("fixture key");
        let (key, alg) = match EncodingKey::from_ec_pem(&pem) {
            Ok(k) => (k, Algorithm::ES256),
            Err(_) => (
                EncodingKey::from_ed_pem(&pem).expect("EC or Ed25519"),
                Algorithm::EdDSA,
            ),
        };
        let mut jwk = Jwk::from_encoding_key(&key, alg).expect("public JWK");
        jwk.common.key_algorithm = None;
        Prover { key, alg, jwk }
    }

    fn jkt(&self) -> String {
        self.jwk.thumbprint(ThumbprintHash::SHA256).unwrap()
    }

    /// A proof; `edit` changes the header or the claims first.
    fn proof(&self, htm: &str, htu: &str, edit: impl FnOnce(&mut Header, &mut Value)) -> String {
        let mut header = Header::new(self.alg);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut claims = serde_json::json!({
            "htm": htm, "htu": htu, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        });
        edit(&mut header, &mut claims);
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

impl Fixture {
    /// A password grant of `baton-dpop` with these DPoP headers.
    async fn dpop_token(&self, proofs: &[&str]) -> Reply {
        let mut req = self
            .http
            .post(self.url("/connect/token"))
            .basic_auth("baton-dpop", Some("dpop-secret"))
            .form(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "wonderland"),
                ("scope", "openid"),
            ]);
        for p in proofs {
            req = req.header("DPoP", *p);
        }
        read_reply(req.send().await.expect("token request")).await
    }

    async fn userinfo_with(&self, scheme: &str, token: &str, proof: Option<&str>) -> Reply {
        let mut req = self
            .http
            .get(self.url("/connect/userinfo"))
            .header("authorization", format!("{scheme} {token}"));
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        read_reply(req.send().await.expect("userinfo")).await
    }
}

fn nonce_of(reply: &Reply) -> String {
    reply.headers["dpop-nonce"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_token_endpoint_checks_each_part_of_a_proof() {
    let f = start().await;
    let ec = Prover::new("ec-p256-pkcs8.pem");
    let htu = f.url("/connect/token");
    let first = f.dpop_token(&[&ec.proof("POST", &htu, |_, _| {})]).await;
    assert_eq!(
        (first.status.as_u16(), first.error()),
        (400, "use_dpop_nonce")
    );
    let nonce = nonce_of(&first);
    let with_nonce = |c: &mut Value| c["nonce"] = Value::String(nonce.clone());
    let refused = [
        (
            ec.proof("POST", &htu, |h, c| {
                h.typ = Some("JWT".into());
                with_nonce(c);
            }),
            "typ must be dpop+jwt",
        ),
        (
            ec.proof("GET", &htu, |_, c| with_nonce(c)),
            "htm must be POST",
        ),
        (
            ec.proof("POST", &f.url("/connect/par"), |_, c| with_nonce(c)),
            "is not this endpoint",
        ),
        (
            ec.proof("POST", &htu, |_, c| {
                c["iat"] = 1_000_000_000.into();
                with_nonce(c);
            }),
            "iat",
        ),
    ];
    for (proof, says) in &refused {
        let r = f.dpop_token(&[proof]).await;
        assert_eq!(
            (r.status.as_u16(), r.error()),
            (400, "invalid_dpop_proof"),
            "{says}"
        );
        assert!(
            r.str("error_description").contains(says),
            "{says}: {}",
            r.json
        );
    }
    // A nonce the sandbox never gave: a new one to use.
    let made_up = ec.proof("POST", &htu, |_, c| c["nonce"] = "made-up".into());
    let r = f.dpop_token(&[&made_up]).await;
    assert_eq!(r.error(), "use_dpop_nonce");
    assert_ne!(nonce_of(&r), "made-up");
    let good = ec.proof("POST", &htu, |_, c| with_nonce(c));
    let two = f.dpop_token(&[&good, &good]).await;
    assert_eq!(two.error(), "invalid_dpop_proof", "two proofs");
    let ok = f.dpop_token(&[&good]).await;
    assert_eq!(ok.status.as_u16(), 200, "{}", ok.json);
    assert_eq!(ok.json["token_type"], "DPoP");
    let claims =
        jsonwebtoken::dangerous::insecure_decode_claims::<Value>(&ok.str("access_token")).unwrap();
    assert_eq!(claims["cnf"]["jkt"], ec.jkt().as_str());
    let again = f.dpop_token(&[&good]).await;
    assert!(
        again.str("error_description").contains("replayed"),
        "{}",
        again.json
    );
    let doc: Value = f
        .http
        .get(f.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["dpop_signing_alg_values_supported"][0], "ES256");
}

#[tokio::test]
async fn userinfo_wants_a_proof_of_the_bound_key_for_this_token() {
    let f = start().await;
    let ec = Prover::new("ec-p256-pkcs8.pem");
    let nonce = nonce_of(
        &f.dpop_token(&[&ec.proof("POST", &f.url("/connect/token"), |_, _| {})])
            .await,
    );
    let with = |c: &mut Value| c["nonce"] = Value::String(nonce.clone());
    let token_reply = f
        .dpop_token(&[&ec.proof("POST", &f.url("/connect/token"), |_, c| with(c))])
        .await;
    let token = token_reply.str("access_token");
    let htu = f.url("/connect/userinfo");
    let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
    let challenge = |r: &Reply| r.headers[WWW_AUTHENTICATE].to_str().unwrap().to_string();

    let bearer = f.userinfo_with("Bearer", &token, None).await;
    assert_eq!(bearer.status.as_u16(), 401);
    assert!(
        challenge(&bearer).starts_with(r#"DPoP error="invalid_token""#),
        "{}",
        challenge(&bearer)
    );
    let none = f.userinfo_with("DPoP", &token, None).await;
    assert_eq!(none.error(), "invalid_dpop_proof");
    let wrong_ath = ec.proof("GET", &htu, |_, c| {
        with(c);
        c["ath"] = "bm90LXRoZS1oYXNo".into();
    });
    let r = f.userinfo_with("DPoP", &token, Some(&wrong_ath)).await;
    assert!(r.str("error_description").contains("ath"), "{}", r.json);
    assert!(challenge(&r).starts_with(r#"DPoP error="invalid_dpop_proof""#));
    let ed = Prover::new("ed25519.pem");
    let other_key = ed.proof("GET", &htu, |_, c| {
        with(c);
        c["ath"] = ath.clone().into();
    });
    let r = f.userinfo_with("DPoP", &token, Some(&other_key)).await;
    assert!(
        r.str("error_description").contains("another key"),
        "{}",
        r.json
    );
    let good = ec.proof("GET", &htu, |_, c| {
        with(c);
        c["ath"] = ath.clone().into();
    });
    let r = f.userinfo_with("DPoP", &token, Some(&good)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.json);
    assert_eq!(r.json["sub"], "818727");
}

/// RFC 9449 10: a code asked for with `dpop_jkt` is redeemed only with a proof of that key.
#[tokio::test]
async fn a_code_asked_for_with_dpop_jkt_wants_a_proof_of_that_key() {
    let f = start().await;
    let ec = Prover::new("ec-p256-pkcs8.pem");
    let ed = Prover::new("ed25519.pem");
    let jkt = ec.jkt();
    let code = || async {
        let params = [
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "st4te"),
            ("dpop_jkt", jkt.as_str()),
        ];
        let (status, location, _) = f.authorize(&params).await;
        assert_eq!(status, StatusCode::FOUND);
        query(&location.expect("Location"))["code"].clone()
    };
    let htu = f.url("/connect/token");
    let redeem = |code: String, proof: String| {
        let req = f
            .http
            .post(f.url("/connect/token"))
            .basic_auth(CLIENT, Some(SECRET))
            .header("DPoP", proof)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ]);
        async move { read_reply(req.send().await.expect("token request")).await }
    };
    let first = redeem(code().await, ed.proof("POST", &htu, |_, _| {})).await;
    assert_eq!(first.error(), "use_dpop_nonce");
    let nonce = nonce_of(&first);
    let with = |c: &mut Value| c["nonce"] = Value::String(nonce.clone());

    let other = redeem(code().await, ed.proof("POST", &htu, |_, c| with(c))).await;
    assert_eq!(other.error(), "invalid_grant", "{}", other.json);
    assert!(other.str("error_description").contains("dpop_jkt"));
    let bound = redeem(code().await, ec.proof("POST", &htu, |_, c| with(c))).await;
    assert_eq!(bound.status.as_u16(), 200, "{}", bound.json);
    assert_eq!(bound.str("token_type"), "DPoP");
}
