//! The device authorization grant (RFC 8628): the endpoint, polling answers, approval by the
//! test route and by the verification page.

use super::*;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

impl Fixture {
    /// Starts a device flow for the confidential client.
    async fn device_start(&self, scope: &str) -> Reply {
        let form = [
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("scope", scope),
        ];
        self.post("/connect/deviceauthorization", &form).await
    }

    async fn device_poll(&self, device_code: &str) -> Reply {
        self.token(&[("grant_type", DEVICE_GRANT), ("device_code", device_code)])
            .await
    }

    async fn device_decide(&self, form: &[(&str, &str)]) -> Reply {
        self.post("/test/device/approve", form).await
    }
}

fn is_user_code(code: &str) -> bool {
    let alphabet = "BCDFGHJKLMNPQRSTVWXZ";
    code.len() == 9
        && code.char_indices().all(|(i, c)| match i {
            4 => c == '-',
            _ => alphabet.contains(c),
        })
}

#[tokio::test]
async fn device_flow_is_pending_until_approved_then_issues_tokens_once() {
    let f = start().await;
    let start = f.device_start("openid profile api offline_access").await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.json);
    assert_no_store(&start.headers);
    let user_code = start.str("user_code");
    assert!(is_user_code(&user_code), "{user_code}");
    let issuer = f.sandbox.issuer();
    assert_eq!(start.str("verification_uri"), format!("{issuer}/device"));
    assert_eq!(
        start.str("verification_uri_complete"),
        format!("{issuer}/device?user_code={user_code}")
    );
    assert_eq!(start.json["expires_in"], 600);
    assert_eq!(start.json["interval"], 5);
    let device_code = start.str("device_code");
    assert!(device_code.len() >= 32);

    let pending = f.device_poll(&device_code).await;
    assert_eq!(
        (pending.status, pending.error()),
        (StatusCode::BAD_REQUEST, "authorization_pending")
    );
    let decided = f
        .device_decide(&[
            ("user_code", &user_code.to_lowercase()),
            ("username", "bob"),
        ])
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.json);
    assert_eq!(decided.json["approved"], true);
    assert_eq!(decided.json["sub"], "88421113");
    assert_eq!(decided.json["client_id"], CLIENT);

    f.sandbox.advance_clock(Duration::from_secs(5));
    let tokens = f.device_poll(&device_code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_no_store(&tokens.headers);
    let claims = f.verify(&tokens.str("access_token"), "api").await;
    assert_eq!(claims["sub"], "88421113");
    assert_eq!(claims["client_id"], CLIENT);
    assert_eq!(tokens.str("scope"), "openid profile api offline_access");
    assert!(tokens.json["refresh_token"].is_string());
    let id = f.verify(&tokens.str("id_token"), CLIENT).await;
    assert_eq!(id["sub"], "88421113");
    assert_eq!(
        f.refresh(&tokens.str("refresh_token")).await.status,
        StatusCode::OK
    );

    f.sandbox.advance_clock(Duration::from_secs(5));
    let again = f.device_poll(&device_code).await;
    assert_eq!(
        (again.status, again.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "single use"
    );
}

#[tokio::test]
async fn polling_faster_than_the_interval_is_slow_down_and_adds_five_seconds() {
    let f = start().await;
    let device_code = f.device_start("api").await.str("device_code");
    assert_eq!(
        f.device_poll(&device_code).await.error(),
        "authorization_pending"
    );
    assert_eq!(f.device_poll(&device_code).await.error(), "slow_down");
    // The interval is now 10 s: 6 s later is still too soon (and makes it 15 s).
    f.sandbox.advance_clock(Duration::from_secs(6));
    let reply = f.device_poll(&device_code).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "slow_down")
    );
    assert!(
        reply.str("error_description").contains("15 s"),
        "{}",
        reply.json
    );
    f.sandbox.advance_clock(Duration::from_secs(14));
    assert_eq!(f.device_poll(&device_code).await.error(), "slow_down");
    f.sandbox.advance_clock(Duration::from_secs(20));
    assert_eq!(
        f.device_poll(&device_code).await.error(),
        "authorization_pending"
    );
}

#[tokio::test]
async fn configured_interval_is_advertised_and_timed_in_real_time() {
    let mut config = SandboxConfig::default();
    config.lifetimes.device_interval = 1;
    config.lifetimes.device_code = 30;
    let f = start_with(config).await;
    let start = f.device_start("api").await;
    assert_eq!(
        (
            start.json["interval"].clone(),
            start.json["expires_in"].clone()
        ),
        (1.into(), 30.into())
    );
    let device_code = start.str("device_code");
    assert_eq!(
        f.device_poll(&device_code).await.error(),
        "authorization_pending"
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        f.device_poll(&device_code).await.error(),
        "authorization_pending",
        "a poll after the interval is not slow_down"
    );
    assert_eq!(f.device_poll(&device_code).await.error(), "slow_down");
}

#[tokio::test]
async fn denied_and_expired_device_codes() {
    let f = start().await;
    let start = f.device_start("api").await;
    let denied = f
        .device_decide(&[("user_code", &start.str("user_code")), ("deny", "1")])
        .await;
    assert_eq!(denied.json["approved"], false);
    let reply = f.device_poll(&start.str("device_code")).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "access_denied")
    );
    let twice = f
        .device_decide(&[("user_code", &start.str("user_code"))])
        .await;
    assert_eq!(twice.error(), "invalid_request", "already decided");

    let start = f.device_start("api").await;
    f.sandbox.advance_clock(Duration::from_secs(601));
    let reply = f.device_poll(&start.str("device_code")).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "expired_token")
    );
    let late = f
        .device_decide(&[("user_code", &start.str("user_code"))])
        .await;
    assert_eq!(
        (late.status, late.error()),
        (StatusCode::BAD_REQUEST, "expired_token")
    );
    let unknown = f.device_decide(&[("user_code", "BCDF-GHJK")]).await;
    assert_eq!(unknown.error(), "invalid_request");
    assert_eq!(f.device_poll("no-such-code").await.error(), "invalid_grant");
}

#[tokio::test]
async fn public_clients_may_start_and_codes_are_bound_to_their_client() {
    let f = start().await;
    let start = f
        .post(
            "/connect/deviceauthorization",
            &[("client_id", PUBLIC), ("scope", "api")],
        )
        .await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.json);
    let device_code = start.str("device_code");
    f.device_decide(&[("user_code", &start.str("user_code"))])
        .await;
    // Another client cannot redeem it, and that does not use it up.
    assert_eq!(f.device_poll(&device_code).await.error(), "invalid_grant");
    let form = [
        ("grant_type", DEVICE_GRANT),
        ("device_code", device_code.as_str()),
        ("client_id", PUBLIC),
    ];
    let reply = f.post("/connect/token", &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        f.verify(&reply.str("access_token"), "api").await["sub"],
        "818727"
    );

    let wrong = f
        .post(
            "/connect/deviceauthorization",
            &[("client_id", CLIENT), ("client_secret", "x")],
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert_eq!(f.device_start("api admin").await.error(), "invalid_scope");
    assert_eq!(
        f.device_poll("").await.error(),
        "invalid_request",
        "missing device_code"
    );
}

#[tokio::test]
async fn client_without_the_device_grant_is_unauthorized_client() {
    let mut config = SandboxConfig::default();
    config.clients[0].grants = Some(vec![baton::GrantType::Password]);
    let f = start_with(config).await;
    let reply = f.device_start("api").await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "unauthorized_client")
    );
}

#[tokio::test]
async fn verification_page_approves_as_the_user_who_signs_in() {
    let f = start().await;
    let start = f.device_start("openid api").await;
    let user_code = start.str("user_code");
    let browser = cookie_client();
    let page = browser
        .get(start.str("verification_uri_complete"))
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains(&format!("value=\"{user_code}\"")), "{html}");
    assert!(html.contains(CLIENT), "the page says who asks");
    let token = hidden_value(&html, "__RequestVerificationToken");
    let post =
        |form: Vec<(&'static str, String)>| browser.post(f.url("/device")).form(&form).send();
    let base = |password: &str| {
        vec![
            ("user_code", user_code.clone()),
            ("username", "alice".to_string()),
            ("password", password.to_string()),
            ("button", "approve".to_string()),
        ]
    };
    let forged = post(base("wonderland")).await.expect("send");
    assert_eq!(
        forged.status(),
        StatusCode::BAD_REQUEST,
        "no anti-forgery token"
    );

    let mut wrong = base("nope");
    wrong.push(("__RequestVerificationToken", token.clone()));
    let wrong = post(wrong).await.expect("send");
    assert_eq!(wrong.status(), StatusCode::OK);
    assert!(
        wrong
            .text()
            .await
            .expect("body")
            .contains("Invalid username or password")
    );
    f.sandbox.advance_clock(Duration::from_secs(5));
    assert_eq!(
        f.device_poll(&start.str("device_code")).await.error(),
        "authorization_pending"
    );

    let mut right = base("wonderland");
    right.push(("__RequestVerificationToken", token));
    let done = post(right).await.expect("send");
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .expect("body")
            .contains("Device connected")
    );
    f.sandbox.advance_clock(Duration::from_secs(5));
    let tokens = f.device_poll(&start.str("device_code")).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(
        f.verify(&tokens.str("id_token"), CLIENT).await["sub"],
        "818727"
    );
}

#[tokio::test]
async fn verification_page_uses_the_session_and_reports_bad_codes() {
    let f = start().await;
    let browser = cookie_client();
    let html = browser
        .get(f.url("/device"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    let token = hidden_value(&html, "__RequestVerificationToken");
    let submit = |code: &str, extra: &[(&str, &str)]| {
        let mut form = vec![
            ("user_code", code.to_string()),
            ("__RequestVerificationToken", token.clone()),
        ];
        form.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        browser.post(f.url("/device")).form(&form).send()
    };
    let unknown = submit("ZZZZ-ZZZZ", &[("username", "bob"), ("password", "builder")])
        .await
        .expect("send");
    assert_eq!(unknown.status(), StatusCode::OK);
    assert!(unknown.text().await.expect("body").contains("not known"));
    // Bob signed in above, so the next code needs no password: the session approves it.
    let start = f.device_start("api").await;
    let done = submit(&start.str("user_code"), &[]).await.expect("send");
    assert!(
        done.text()
            .await
            .expect("body")
            .contains("Device connected")
    );
    f.sandbox.advance_clock(Duration::from_secs(5));
    let tokens = f.device_poll(&start.str("device_code")).await;
    assert_eq!(
        f.verify(&tokens.str("access_token"), "api").await["sub"],
        "88421113"
    );
    let denied = f.device_start("api").await;
    let page = submit(&denied.str("user_code"), &[("button", "deny")])
        .await
        .expect("send");
    assert!(page.text().await.expect("body").contains("Request denied"));
    f.sandbox.advance_clock(Duration::from_secs(5));
    assert_eq!(
        f.device_poll(&denied.str("device_code")).await.error(),
        "access_denied"
    );
}
