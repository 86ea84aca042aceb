//! Postman's OAuth 2.0 helper (every grant), inherited auth, and environments with secrets:
//! imported, checked and run against the embedded sandbox.

use super::import;

#[test]
fn password_helper_on_the_collection_becomes_an_oauth2_request_and_runs() {
    let i = import("mediavalet.postman_collection.json", &[]);
    i.out
        .stdout_contains("1-auth.yaml")
        .stdout_contains("2-user.yaml")
        .stdout_contains("2 files, 3 requests (and 1 oauth2 request from OAuth 2.0 helpers and token fetches), 3 captures, 8 expectations")
        // The collection's `console.log` is logging: counted, not warned.
        .stdout_contains("pre-request 1 lines: 0 converted, 0 warned, 1 logging, 0 dropped");
    let user = i.file("2-user.yaml");
    for line in [
        "  - name: MediaValet token\n    id: mediavalet_token\n    oauth2:\n      grant: password\n",
        "      token_url: <<baseAuthURL>>/connect/token\n",
        "      client_auth: basic\n",
        "      scope: openid profile email <<Scope>>\n",
        // The collection's helper, once for the file, not on each request.
        "defaults:\n  auth: { oauth2: mediavalet_token }\n",
        "    capture: { userId: $.sub }\n",
    ] {
        assert!(user.contains(line), "{line:?} not in\n{user}");
    }
    // The oauth2 request comes before the request that uses it; the cached token never shows.
    assert!(user.find("id: mediavalet_token") < user.find("name: Who am I"));
    let auth = i.file("1-auth.yaml");
    assert!(
        !auth.contains("oauth2"),
        "no request of Auth uses the helper:\n{auth}"
    );
    assert!(auth.contains("auth: { basic: [<<ClientId>>, <<ClientSecret>>] }"));
    assert!(auth.contains("$.refresh_token: { ne: <<refresh_token>> }"));
    assert!(
        !auth.contains("X-Debug") && !auth.contains("acr_values"),
        "disabled rows are dropped"
    );
    for (_, text) in i.files() {
        assert!(!text.contains("cached-token-never-written"));
    }
    i.baton(&["check", "--sandbox"]).run().code(0);
    i.baton(&["run", "--sandbox", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("4 passed, 0 failed");
}

#[test]
fn authorization_code_with_pkce_on_a_folder_is_inherited_through_subfolders() {
    let i = import("auth-code-pkce.postman_collection.json", &[]);
    i.out.stderr_contains("fixed `state`");
    let signed_in = i.file("2-signed-in/1-signed-in.yaml");
    for line in [
        "      grant: authorization_code\n",
        "      authorize_url: <<baseAuthURL>>/connect/authorize\n",
        "      client_auth: body\n",
        "      redirect_uri: <<redirect_URI>>\n",
        "      pkce: S256\n",
        "      extra: { prompt: consent }\n",
        "    headers: { X-Request-Source: postman-import }\n",
    ] {
        assert!(signed_in.contains(line), "{line:?} not in\n{signed_in}");
    }
    assert!(
        !signed_in.contains("ui_locales"),
        "disabled auth parameters are dropped"
    );
    // `inherit` twice (folder, then request) reaches the folder's helper.
    let admin = i.file("2-signed-in/2-admin.yaml");
    assert!(admin.contains("auth: { oauth2: user_token }"), "{admin}");
    assert!(
        admin.contains("status: 200"),
        "pm.response.to.be.ok is status 200:\n{admin}"
    );
    // The top-level request says noauth: no token request in its file.
    assert!(
        !i.file("1-identity-authorization-code-pkce.yaml")
            .contains("oauth2")
    );
    i.baton(&["run", "--sandbox", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("5 passed, 0 failed");
}

#[test]
fn identical_request_level_helpers_share_one_token_request() {
    let i = import("auth-code.postman_collection.json", &[]);
    let f = i.file("authorization-code-no-pkce.yaml");
    assert_eq!(f.matches("oauth2:\n").count(), 1, "{f}");
    assert_eq!(
        f.matches("auth: { oauth2: oauth2_token }").count(),
        2,
        "{f}"
    );
    assert!(
        f.contains("pkce: none"),
        "Postman's plain authorization code sends no PKCE:\n{f}"
    );
    assert!(
        f.contains("$.email: { exists: true }"),
        "to.have.property:\n{f}"
    );
    assert!(!f.contains("old-cached-access-token-value"));
    i.baton(&["run", "--sandbox", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

#[test]
fn a_v2_0_export_with_object_auth_parameters_and_legacy_tests() {
    let i = import("client-credentials-v20.postman_collection.json", &[]);
    i.out.stdout_contains("(Postman v2.0)");
    let f = i.file("service-account-v2-0-export.yaml");
    for line in [
        "# A machine-to-machine client. Exported by an older Postman as **Collection v2.0**.\n",
        "      grant: client_credentials\n",
        "      X-Client: postman-2.0\n",
        "      body: { contains: access_token }\n",
        "    capture: { svc_token: $.access_token }\n",
        "      body: { $.active: true, $.client_id: <<ClientId>> }\n",
        // The collection's auth, once for the file: `baton run` below shows it is sent.
        "defaults:\n  auth: { oauth2: service }\n  follow_redirects: true\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    i.baton(&["run", "--sandbox", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("4 passed, 0 failed");
}

#[test]
fn the_implicit_grant_and_unsupported_auth_types_are_warnings() {
    let i = import("implicit.postman_collection.json", &[]);
    i.out
        .stderr_contains("OAuth 2.0 grant `implicit` is not supported")
        .stderr_contains("auth type `hawk` has no baton equivalent")
        .stderr_contains("auth type `digest` has no baton equivalent");
    let f = i.file("legacy-auth.yaml");
    assert!(!f.contains("oauth2") && !f.contains("auth:"), "{f}");
    i.baton(&["check", "--sandbox"]).run().code(0);
}

#[test]
fn environment_secrets_become_env_references_and_are_never_written() {
    let i = import(
        "mediavalet.postman_collection.json",
        &[
            "--env",
            super::fixture("sandbox.postman_environment.json")
                .to_str()
                .unwrap(),
        ],
    );
    let env = i.file("environments/sandbox-local.yaml");
    assert!(env.contains("ClientSecret: <<env.CLIENT_SECRET>>"), "{env}");
    assert!(
        env.contains("password: <<env.PASSWORD>>"),
        "a name that looks secret:\n{env}"
    );
    assert!(
        env.contains("refresh_token: \"\""),
        "an empty secret has nothing to hide:\n{env}"
    );
    assert!(env.contains("baseAuthURL: http://127.0.0.1:5001"), "{env}");
    assert!(
        !env.contains("old_value"),
        "disabled values are dropped:\n{env}"
    );
    for (name, text) in i.files() {
        assert!(
            !text.contains("env-secret-Xq9v2Lr7") && !text.contains("env-password-W0nderland"),
            "{name}:\n{text}"
        );
    }
    i.out
        .stdout_contains("environments/sandbox-local.yaml  environment (-e sandbox-local)")
        .stdout_contains("export CLIENT_SECRET=... PASSWORD=... (or")
        .output_lacks("env-secret-Xq9v2Lr7");
    // With the environment and the process environment, check passes; without it, it says what is missing.
    i.baton(&["check", "-e", "sandbox-local"])
        .run()
        .code(2)
        .stderr_contains("environment variable `CLIENT_SECRET` is not set");
    i.baton(&["check", "-e", "sandbox-local"])
        .env("CLIENT_SECRET", "x")
        .env("PASSWORD", "y")
        .run()
        .code(0);
    // The sandbox's own variables win over the environment's placeholders when run there.
    i.baton(&["run", "-e", "sandbox-local", "--sandbox", "--no-progress"])
        .env("CLIENT_SECRET", "x")
        .env("PASSWORD", "y")
        .run()
        .code(0);
}

#[test]
fn keep_secrets_writes_the_values() {
    let i = import(
        "mediavalet.postman_collection.json",
        &[
            "--keep-secrets",
            "--env",
            super::fixture("sandbox.postman_environment.json")
                .to_str()
                .unwrap(),
        ],
    );
    let env = i.file("environments/sandbox-local.yaml");
    assert!(env.contains("ClientSecret: env-secret-Xq9v2Lr7"), "{env}");
    assert!(env.contains("keep this file out of git"), "{env}");
    i.baton(&["check", "-e", "sandbox-local"]).run().code(0);
}
