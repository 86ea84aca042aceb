//! The login form mode: `login_form` clients are sent to `/account/login` (anti-forgery token,
//! session cookie) and, with `consent`, to `/consent` before the code, as a headless client
//! would walk IdentityServer's pages.

use reqwest::header::SET_COOKIE;

use super::*;

/// A browser walking the forms with its own cookie jar.
struct Browser<'f> {
    f: &'f Fixture,
    http: reqwest::Client,
}

/// One response, kept whole.
struct Page {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    html: String,
}

impl<'f> Browser<'f> {
    fn new(f: &'f Fixture) -> Self {
        Browser {
            f,
            http: cookie_client(),
        }
    }

    async fn page(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("send");
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().expect("ascii").to_string());
        let set_cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii").to_string())
            .collect();
        let html = response.text().await.expect("body");
        Page {
            status,
            location,
            set_cookies,
            html,
        }
    }

    async fn get(&self, url: &str) -> Page {
        self.page(self.http.get(url)).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.page(self.http.post(self.f.url(path)).form(form)).await
    }

    /// GET /connect/authorize for baton-form (or `client`), with PKCE.
    async fn authorize(&self, client: &str, extra: &[(&str, &str)]) -> Page {
        let challenge = s256(VERIFIER);
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile api offline_access"),
            ("state", "st4te"),
            ("nonce", "n0nce"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        self.page(
            self.http
                .get(self.f.url("/connect/authorize"))
                .query(&params),
        )
        .await
    }

    /// Follows the login redirect and posts the form; returns the login POST's response.
    async fn log_in(&self, to_login: &Page, username: &str, password: &str) -> Page {
        let login = self
            .get(to_login.location.as_deref().expect("Location"))
            .await;
        assert_eq!(login.status, StatusCode::OK);
        let token = hidden_value(&login.html, "__RequestVerificationToken");
        let return_url = hidden_value(&login.html, "ReturnUrl");
        let form = [
            ("username", username),
            ("password", password),
            ("__RequestVerificationToken", token.as_str()),
            ("ReturnUrl", return_url.as_str()),
            ("button", "login"),
        ];
        self.post("/account/login", &form).await
    }

    /// Loads the consent page a redirect points at and answers it.
    async fn consent(&self, to_consent: &Page, answer: &[(&str, &str)]) -> Page {
        let location = to_consent.location.as_deref().expect("Location");
        assert!(
            location.starts_with(&self.f.url("/consent?returnUrl=%2Fconnect%2Fauthorize%3F")),
            "{location}"
        );
        let consent = self.get(location).await;
        assert_eq!(consent.status, StatusCode::OK);
        assert!(consent.html.contains("value=\"yes\""), "{}", consent.html);
        let token = hidden_value(&consent.html, "__RequestVerificationToken");
        let return_url = hidden_value(&consent.html, "returnUrl");
        let mut form = vec![
            ("__RequestVerificationToken", token.as_str()),
            ("returnUrl", return_url.as_str()),
        ];
        form.extend_from_slice(answer);
        self.post("/consent", &form).await
    }
}

#[tokio::test]
async fn login_and_consent_forms_lead_to_a_code() {
    let f = start().await;
    let b = Browser::new(&f);
    let to_login = b.authorize(FORM_CLIENT, &[]).await;
    assert_eq!(to_login.status, StatusCode::FOUND);
    let location = to_login.location.clone().expect("Location");
    let prefix = f.url("/account/login?ReturnUrl=");
    assert!(location.starts_with(&prefix), "{location}");
    let return_url = query(&location)["ReturnUrl"].clone();
    assert!(
        return_url.starts_with("/connect/authorize?"),
        "{return_url}"
    );
    assert!(return_url.contains("client_id=baton-form"));

    let login = b.get(&location).await;
    assert_eq!(login.status, StatusCode::OK);
    for field in [
        "name=\"username\"",
        "name=\"password\"",
        "name=\"ReturnUrl\"",
    ] {
        assert!(login.html.contains(field), "{field}:\n{}", login.html);
    }
    assert_eq!(hidden_value(&login.html, "ReturnUrl"), return_url);
    assert!(
        login
            .set_cookies
            .iter()
            .any(|c| c.starts_with(".AspNetCore.Antiforgery."))
    );

    let logged_in = b.log_in(&to_login, "bob", "builder").await;
    assert_eq!(logged_in.status, StatusCode::FOUND);
    assert_eq!(logged_in.location, Some(f.url(&return_url)));
    let session = logged_in
        .set_cookies
        .iter()
        .find(|c| c.starts_with(".AspNetCore.Identity.Application="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("Path=/"),
        "{session}"
    );

    let to_consent = b.get(&f.url(&return_url)).await;
    assert_eq!(to_consent.status, StatusCode::FOUND);
    let consented = b.consent(&to_consent, &[("button", "yes")]).await;
    assert_eq!(consented.status, StatusCode::FOUND);
    let back = consented.location.clone().expect("Location");
    assert!(back.starts_with(&f.url("/connect/authorize?")), "{back}");

    let redirect = b.get(&back).await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    let q = query(redirect.location.as_deref().expect("Location"));
    assert_eq!(q["state"], "st4te");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", q["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", FORM_CLIENT),
        ("client_secret", FORM_SECRET),
    ];
    let tokens = f.post("/connect/token", &form).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let id = f.verify(&tokens.str("id_token"), FORM_CLIENT).await;
    assert_eq!(
        (id["sub"].as_str(), id["nonce"].as_str()),
        (Some("88421113"), Some("n0nce"))
    );
    assert_eq!(tokens.str("scope"), "openid profile api offline_access");

    // The consent was for that one request: the next one asks again, but the session holds.
    let again = b.authorize(FORM_CLIENT, &[]).await;
    let again = again.location.expect("Location");
    assert!(again.starts_with(&f.url("/consent?")), "{again}");
}

#[tokio::test]
async fn wrong_password_shows_the_form_and_forged_posts_are_400() {
    let f = start().await;
    let b = Browser::new(&f);
    let to_login = b.authorize(FORM_CLIENT, &[]).await;
    let wrong = b.log_in(&to_login, "alice", "not-it").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong.html.contains("Invalid username or password"),
        "{}",
        wrong.html
    );
    assert!(wrong.html.contains("name=\"__RequestVerificationToken\""));
    assert!(
        !wrong
            .set_cookies
            .iter()
            .any(|c| c.contains("Identity.Application"))
    );

    let return_url = query(to_login.location.as_deref().expect("Location"))["ReturnUrl"].clone();
    let base = [
        ("username", "alice"),
        ("password", "wonderland"),
        ("ReturnUrl", return_url.as_str()),
    ];
    // No token at all.
    assert_eq!(
        b.post("/account/login", &base).await.status,
        StatusCode::BAD_REQUEST
    );
    // A token, but not the one of this browser's cookie.
    let mut forged = base.to_vec();
    forged.push(("__RequestVerificationToken", "AAAA"));
    assert_eq!(
        b.post("/account/login", &forged).await.status,
        StatusCode::BAD_REQUEST
    );
    // The right token from a client without the cookie.
    let page = b.get(to_login.location.as_deref().expect("Location")).await;
    let token = hidden_value(&page.html, "__RequestVerificationToken");
    let mut stolen = base.to_vec();
    stolen.push(("__RequestVerificationToken", token.as_str()));
    let response = client()
        .post(f.url("/account/login"))
        .form(&stolen)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // And with the cookie it works.
    let ok = b.post("/account/login", &stolen).await;
    assert_eq!(ok.status, StatusCode::FOUND);
}

#[tokio::test]
async fn consent_no_is_access_denied_and_unticked_scopes_are_dropped() {
    let f = start().await;
    let b = Browser::new(&f);
    let to_login = b.authorize(FORM_CLIENT, &[]).await;
    let logged_in = b.log_in(&to_login, "alice", "wonderland").await;
    let to_consent = b
        .get(logged_in.location.as_deref().expect("Location"))
        .await;
    let declined = b.consent(&to_consent, &[("button", "no")]).await;
    let redirect = b.get(declined.location.as_deref().expect("Location")).await;
    let q = query(redirect.location.as_deref().expect("Location"));
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(q["state"], "st4te");
    assert!(!q.contains_key("code"));

    let to_consent = b.authorize(FORM_CLIENT, &[]).await;
    let narrowed = b
        .consent(
            &to_consent,
            &[
                ("ScopesConsented", "api"),
                ("ScopesConsented", "openid"),
                ("button", "yes"),
            ],
        )
        .await;
    let redirect = b.get(narrowed.location.as_deref().expect("Location")).await;
    let code = query(redirect.location.as_deref().expect("Location"))["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let tokens = read_reply(
        f.http
            .post(f.url("/connect/token"))
            .basic_auth(FORM_CLIENT, Some(FORM_SECRET))
            .form(&form)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(tokens.str("scope"), "openid api");
    assert!(
        tokens.json.get("refresh_token").is_none(),
        "offline_access was unticked"
    );

    let bad_button = b
        .consent(&b.authorize(FORM_CLIENT, &[]).await, &[("button", "maybe")])
        .await;
    assert_eq!(bad_button.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn prompt_none_and_prompt_login() {
    let f = start().await;
    let b = Browser::new(&f);
    let none = b.authorize(FORM_CLIENT, &[("prompt", "none")]).await;
    let q = query(none.location.as_deref().expect("Location"));
    assert_eq!(q.get("error").map(String::as_str), Some("login_required"));
    assert_eq!(q["state"], "st4te");

    let to_login = b.authorize(FORM_CLIENT, &[]).await;
    b.log_in(&to_login, "alice", "wonderland").await;
    let none = b.authorize(FORM_CLIENT, &[("prompt", "none")]).await;
    let q = query(none.location.as_deref().expect("Location"));
    assert_eq!(q.get("error").map(String::as_str), Some("consent_required"));

    // Signed in, but prompt=login asks again; the return URL no longer carries it.
    let relogin = b.authorize(FORM_CLIENT, &[("prompt", "login")]).await;
    let location = relogin.location.expect("Location");
    assert!(
        location.starts_with(&f.url("/account/login?")),
        "{location}"
    );
    assert!(!query(&location)["ReturnUrl"].contains("prompt"));
    let bad = b.authorize(FORM_CLIENT, &[("prompt", "none login")]).await;
    let q = query(bad.location.as_deref().expect("Location"));
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_request"));
}

#[tokio::test]
async fn login_form_without_consent_is_one_form_and_return_urls_stay_local() {
    let mut config = SandboxConfig::default();
    for client in &mut config.clients {
        if client.id == FORM_CLIENT {
            client.consent = false;
        }
    }
    let f = start_with(config).await;
    let b = Browser::new(&f);
    let to_login = b.authorize(FORM_CLIENT, &[]).await;
    let logged_in = b.log_in(&to_login, "alice", "wonderland").await;
    let redirect = b
        .get(logged_in.location.as_deref().expect("Location"))
        .await;
    let location = redirect.location.expect("Location");
    assert!(
        location.starts_with(REDIRECT) && location.contains("code="),
        "{location}"
    );

    for evil in [
        "https://evil.example/",
        "//evil.example/connect/authorize",
        "/account/login",
    ] {
        let url = format!(
            "{}?ReturnUrl={}",
            f.url("/account/login"),
            form_encode(evil)
        );
        assert_eq!(b.get(&url).await.status, StatusCode::BAD_REQUEST, "{evil}");
    }
    let page = b.get(&f.url("/account/login")).await;
    let token = hidden_value(&page.html, "__RequestVerificationToken");
    let form = [
        ("username", "alice"),
        ("password", "wonderland"),
        ("__RequestVerificationToken", token.as_str()),
        ("ReturnUrl", "https://evil.example/"),
    ];
    let posted = b.post("/account/login", &form).await;
    assert_eq!(posted.status, StatusCode::BAD_REQUEST);
    assert!(posted.location.is_none());
    // Auto-approving clients are untouched by the mode: straight to the code.
    let auto = b.authorize(CLIENT, &[]).await;
    assert!(auto.location.expect("Location").starts_with(REDIRECT));
}
