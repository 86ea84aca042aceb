//! Discovery, JWKS, concurrency, hit counts, vars, config files and the server lifecycle.

use super::*;

#[tokio::test]
async fn discovery_lists_endpoints_and_capabilities() {
    let f = start().await;
    let doc: Value = f
        .http
        .get(f.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let issuer = f.sandbox.issuer();
    assert!(issuer.starts_with("http://127.0.0.1:"));
    assert_eq!(doc["issuer"], issuer);
    assert_eq!(doc["token_endpoint"], format!("{issuer}/connect/token"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{issuer}/connect/authorize")
    );
    assert_eq!(
        doc["jwks_uri"],
        format!("{issuer}/.well-known/openid-configuration/jwks")
    );
    assert_eq!(
        doc["userinfo_endpoint"],
        format!("{issuer}/connect/userinfo")
    );
    assert_eq!(
        doc["introspection_endpoint"],
        format!("{issuer}/connect/introspect")
    );
    assert_eq!(
        doc["revocation_endpoint"],
        format!("{issuer}/connect/revocation")
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        serde_json::json!([
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none",
            "tls_client_auth",
            "self_signed_tls_client_auth"
        ])
    );
    // RFC 8705 5: the mTLS port's endpoints, and tokens bound to the certificate.
    let aliases = &doc["mtls_endpoint_aliases"];
    let mtls = f.sandbox.mtls_url();
    assert!(mtls.starts_with("https://127.0.0.1:"), "{mtls}");
    for (name, path) in [
        ("token_endpoint", "/connect/token"),
        ("userinfo_endpoint", "/connect/userinfo"),
        ("introspection_endpoint", "/connect/introspect"),
        ("revocation_endpoint", "/connect/revocation"),
        (
            "device_authorization_endpoint",
            "/connect/deviceauthorization",
        ),
        ("pushed_authorization_request_endpoint", "/connect/par"),
    ] {
        assert_eq!(aliases[name], format!("{mtls}{path}"), "{name}");
    }
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);
    let algs = doc["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .expect("array");
    for alg in ["HS256", "RS256", "PS256", "ES256", "EdDSA"] {
        assert!(algs.iter().any(|a| a == alg), "{alg} advertised");
    }
    assert!(!algs.iter().any(|a| a == "none"));
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{issuer}/connect/deviceauthorization")
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    // The RFC 8414 document says the same.
    let metadata: Value = f
        .http
        .get(f.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(metadata, doc);
    let grants = doc["grant_types_supported"].as_array().expect("array");
    for grant in [
        "authorization_code",
        "client_credentials",
        "password",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        assert!(grants.iter().any(|g| g == grant), "{grant} advertised");
    }
    let scopes = doc["scopes_supported"].as_array().expect("array");
    assert!(scopes.iter().any(|s| s == "offline_access") && scopes.iter().any(|s| s == "api"));
}

#[tokio::test]
async fn jwks_publishes_one_rs256_signing_key() {
    let f = start().await;
    let raw: Value = f
        .http
        .get(f.url("/.well-known/openid-configuration/jwks"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let key = &raw["keys"][0];
    assert_eq!(raw["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(key["e"], "AQAB");
    // 2048-bit modulus: 256 bytes, 342 base64url characters.
    assert_eq!(key["n"].as_str().map(str::len), Some(342));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_clients_all_get_tokens() {
    let f = start().await;
    let url = f.url("/connect/token");
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                // One client each: fifty separate connections, not one pooled one.
                let http = client();
                barrier.wait().await;
                let form: &[(&str, &str)] = if i % 2 == 0 {
                    &[
                        ("grant_type", "client_credentials"),
                        ("client_id", CLIENT),
                        ("client_secret", SECRET),
                    ]
                } else {
                    &[
                        ("grant_type", "password"),
                        ("username", "alice"),
                        ("password", "wonderland"),
                        ("scope", "openid api offline_access"),
                        ("client_id", CLIENT),
                        ("client_secret", SECRET),
                    ]
                };
                let response = http
                    .post(&url)
                    .form(form)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                let body: Value = response.json().await.map_err(|e| e.to_string())?;
                match body["access_token"].as_str() {
                    Some(token) if status == StatusCode::OK => Ok(token.to_string()),
                    _ => Err(format!("{status}: {body}")),
                }
            })
        })
        .collect();
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(token) => tokens.push(token),
            Err(error) => errors.push(error),
        }
    }
    assert!(errors.is_empty(), "errors: {errors:?}");
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 50, "every token distinct");
    assert_eq!(f.sandbox.hits("/connect/token"), 50);
}

#[tokio::test]
async fn hit_counter_counts_per_path() {
    let f = start().await;
    assert_eq!(f.sandbox.hits("/connect/token"), 0);
    f.password("api").await;
    f.token(&[("grant_type", "nope")]).await;
    f.jwks().await;
    let _ = f
        .http
        .get(f.url("/no/such/path"))
        .send()
        .await
        .expect("send");
    assert_eq!(f.sandbox.hits("/connect/token"), 2, "failures count too");
    assert_eq!(f.sandbox.hits("/.well-known/openid-configuration/jwks"), 1);
    assert_eq!(f.sandbox.hits("/no/such/path"), 1);
    assert_eq!(f.sandbox.hits("/connect/userinfo"), 0);
}

#[tokio::test]
async fn vars_describe_and_shutdown() {
    let f = start().await;
    let vars: HashMap<String, String> = f.sandbox.vars().into_iter().collect();
    assert_eq!(vars["baseAuthURL"], f.sandbox.issuer());
    assert_eq!(vars["ClientId"], CLIENT);
    assert_eq!(vars["ClientSecret"], SECRET);
    assert_eq!(vars["username"], "alice");
    assert_eq!(vars["password"], "wonderland");
    assert_eq!(vars["redirect_URI"], REDIRECT);
    assert_eq!(vars["Scope"], "api offline_access");
    assert_eq!(vars["PublicClientId"], PUBLIC);
    assert_eq!(vars["SpecialClientId"], SPECIAL);
    assert_eq!(vars["SpecialClientSecret"], SPECIAL_SECRET);
    assert_eq!(vars["JwtClientId"], JWT_CLIENT);
    assert_eq!(vars["JwtClientSecret"], JWT_SECRET);
    assert_eq!(vars["PkJwtClientId"], PKJWT_CLIENT);
    assert!(std::path::Path::new(&vars["PkJwtKeyFile"]).is_file());
    assert_eq!(vars["FormClientId"], FORM_CLIENT);
    assert_eq!(vars["FormClientSecret"], FORM_SECRET);
    assert_eq!(vars["ParClientId"], "baton-par");
    assert_eq!(vars["ParClientSecret"], "par-secret");
    assert_eq!(vars["DpopClientId"], "baton-dpop");
    assert_eq!(vars["DpopClientSecret"], "dpop-secret");
    assert_eq!(vars["FapiClientId"], "baton-fapi");
    assert_eq!(vars["sandboxMtlsURL"], f.sandbox.mtls_url());
    assert_eq!(vars["MtlsClientId"], "baton-mtls");
    assert_eq!(vars["MtlsSelfClientId"], "baton-mtls-self");
    // The client certificate and key the sandbox made, in a directory of its own.
    let cert = std::path::Path::new(&vars["SandboxClientCert"]);
    let key = std::path::Path::new(&vars["SandboxClientKey"]);
    assert!(
        std::fs::read_to_string(cert)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    assert!(
        std::fs::read_to_string(key)
            .unwrap()
            .contains("PRIVATE KEY")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = cert.parent().unwrap().metadata().unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    }
    assert_eq!(vars.len(), 26);

    let banner = f.sandbox.describe();
    for needle in [
        f.sandbox.issuer(),
        "/connect/token",
        "baton-cli",
        "sandbox-secret",
        "baton-public",
        "alice / wonderland",
        "/connect/deviceauthorization",
        "/device",
        "/test/device/approve",
        "/account/login",
        "baton-jwt",
        "[client_secret_jwt]",
        "baton-pkjwt",
        "[private_key_jwt]",
        "sandbox-pkjwt-private.pem",
        "baton-form",
        "login form, then consent form",
        "device_code",
        "/connect/par",
        "baton-par",
        "authorize: pushed requests only (PAR)",
        "baton-dpop",
        "tokens: DPoP-bound only (RFC 9449)",
        "baton-fapi",
        "profile: FAPI 2.0 (PKCE S256, assertion aud = issuer)",
        "baton-mtls",
        "[tls_client_auth]",
        "client certificate with subject CN=baton-sandbox-client",
        "[self_signed_tls_client_auth]",
        f.sandbox.mtls_url(),
    ] {
        assert!(banner.contains(needle), "banner lacks {needle}:\n{banner}");
    }

    let token_url = f.url("/connect/token");
    // A pooled keep-alive connection must not hold shutdown for its whole grace period.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT),
        ("client_secret", SECRET),
    ];
    assert_eq!(f.post("/connect/token", &form).await.status, StatusCode::OK);
    let started = std::time::Instant::now();
    f.sandbox.shutdown().await.expect("clean shutdown");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        started.elapsed()
    );
    let after = client()
        .post(token_url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    assert!(after.is_err(), "nothing listens after shutdown");
    assert!(
        !std::path::Path::new(&vars["SandboxClientCert"]).exists(),
        "the client key's directory goes with the sandbox"
    );
}

#[tokio::test]
async fn config_file_loads_and_errors_name_the_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sandbox.yaml");
    std::fs::write(
        &path,
        "lifetimes:\n  access_token: 60\nusers:\n  - username: carol\n    password: pw\n",
    )
    .expect("write");
    let config = SandboxConfig::from_yaml_file(&path).expect("valid");
    let f = start_with(config).await;
    let reply = f
        .token(&[
            ("grant_type", "password"),
            ("username", "carol"),
            ("password", "pw"),
            ("scope", "api"),
        ])
        .await;
    assert_eq!(reply.json["expires_in"], 60);

    std::fs::write(&path, "port: 1\nclients:\n  - id: x\n    secrte: y\n").expect("write");
    let err = SandboxConfig::from_yaml_file(&path).expect_err("unknown key");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:4:5:", path.display())),
        "{text}"
    );
    assert!(text.contains("secrte"), "{text}");

    let missing =
        SandboxConfig::from_yaml_file(dir.path().join("absent.yaml")).expect_err("missing");
    assert!(matches!(missing, SandboxError::ReadConfig { .. }));
}

#[tokio::test]
async fn vars_leave_out_the_key_file_for_a_key_that_is_not_the_default() {
    let mut config = SandboxConfig::default();
    for client in &mut config.clients {
        if client.id == PKJWT_CLIENT {
            client.jwks_pem = Some(
                "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"
                    .into(),
            );
        }
    }
    let f = start_with(config).await;
    let vars: HashMap<String, String> = f.sandbox.vars().into_iter().collect();
    assert_eq!(vars["PkJwtClientId"], PKJWT_CLIENT);
    assert!(!vars.contains_key("PkJwtKeyFile"));
}

#[tokio::test]
async fn occupied_port_is_a_bind_error() {
    let f = start().await;
    let config = SandboxConfig {
        port: f.sandbox.addr().port(),
        ..SandboxConfig::default()
    };
    let err = Sandbox::start(config).await.err().expect("port taken");
    assert!(matches!(err, SandboxError::Bind { .. }), "{err}");
}
