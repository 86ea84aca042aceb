//! What happens to tokens after they are issued: introspection and revocation, renewal of
//! a short-lived token for `auth: { oauth2: id }`, and the token cache across runs
//! (`baton token`, `baton run --save`).

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use super::{Provider, Vars, bearer_tokens, both, own};
use crate::support::Output;

const SIGN_IN: &str = r"name: tokens
requests:
  - name: sign in
    id: login
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: <<username>>
      password: <<password>>
      scope: openid profile offline_access api
";

const INTROSPECT_AND_REVOKE: &str = r"  - name: the access token is active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
      token_type_hint: access_token
    expect:
      body:
        $.active: true
        $.client_id: <<client_id>>
        $.scope: { contains: api }
  - name: the refresh token is active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.refresh_token>>
      token_type_hint: refresh_token
    expect:
      body: { $.active: true }
  - name: revoke the access token
    oauth2:
      grant: revoke
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
      token_type_hint: access_token
    expect:
      status: 200
  - name: the access token is no longer active
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<login.access_token>>
    expect:
      body: { $.active: false }
  - name: userinfo refuses it
    GET: <<userinfo>>
    auth: { oauth2: login }
    expect:
      status: 401
";

fn introspect_and_revoke(p: &Provider) {
    let out = p
        .run(&format!("{SIGN_IN}{INTROSPECT_AND_REVOKE}"))
        .client(&p.basic_client())
        .run();
    out.code(0)
        .stdout_contains("✓ the access token is active 200")
        .stdout_contains("✓ the refresh token is active 200")
        .stdout_contains("✓ revoke the access token 200")
        .stdout_contains("✓ the access token is no longer active 200")
        .stdout_contains("✓ userinfo refuses it 401")
        .stdout_contains("6 passed, 0 failed");
}
both!(introspect_and_revoke);

/// The same in a file past what `baton run` keeps in memory (1 MiB: a long description
/// here), whose requests are read again one at a time as it runs: the token obtained by the
/// first request still serves `auth: { oauth2: login }` after that request is gone.
fn introspect_and_revoke_in_a_big_file(p: &Provider) {
    let padding = "x".repeat(1_100_000);
    let yaml = format!("{SIGN_IN}{INTROSPECT_AND_REVOKE}").replacen(
        "requests:",
        &format!("description: {padding}\nrequests:"),
        1,
    );
    let out = p.run(&yaml).client(&p.basic_client()).run();
    out.code(0)
        .stdout_contains("✓ the access token is no longer active 200")
        .stdout_contains("✓ userinfo refuses it 401")
        .stdout_contains("6 passed, 0 failed");
}
both!(introspect_and_revoke_in_a_big_file);

/// A code-grant token that lives 33 s; baton renews 30 s before expiry, so the first call
/// uses it as it is and the second, 4 s later, renews it first. The second call's own
/// header belongs to the API, not to the token request made on its behalf.
const RENEWAL: &str = r"name: renewal
requests:
  - name: sign in
    id: login
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile offline_access
      redirect_uri: <<redirect_uri>>
      extra: { prompt: consent }
    expect:
      body:
        $.expires_in: 33
        $.refresh_token: { exists: true }
  - name: first call
    GET: <<userinfo>>
    auth: { oauth2: login }
    expect:
      body: { $.preferred_username: alice }
  - name: second call
    delay_ms: 4000
    GET: <<userinfo>>
    headers: { x-api-key: for-the-api-only }
    auth: { oauth2: login }
    expect:
      body: { $.preferred_username: alice }
";

fn renewal(p: &Provider) {
    let before = p.token_hits();
    let out = p
        .run(RENEWAL)
        .client(&p.public_client())
        .args(["-v", "--show-secrets"])
        .run();
    out.code(0)
        .stdout_contains("✓ first call 200")
        .stdout_contains("✓ second call 200");
    assert_eq!(
        p.token_hits() - before,
        2,
        "the code exchange, then one refresh"
    );
    let first = out.stdout.find("✓ first call").unwrap();
    let second = out.stdout.find("✓ second call").unwrap();
    assert!(!out.stdout[first..second].contains("grant_type=refresh_token"));
    let renewal = &out.stdout[second..];
    let refresh = renewal
        .lines()
        .find(|l| l.contains("grant_type=refresh_token"))
        .unwrap_or_else(|| panic!("no refresh before the second call:\n{renewal}"));
    // Parameters of the authorize request are not the token request's.
    assert!(!refresh.contains("prompt="), "{refresh}");
    let token_request = &renewal[..renewal.find("grant_type=refresh_token").unwrap()];
    assert!(!token_request.contains("x-api-key"), "{token_request}");
    let bearers = bearer_tokens(&out.stdout);
    assert_eq!(bearers.len(), 2, "{bearers:?}");
    assert_ne!(
        bearers[0], bearers[1],
        "the second call uses the renewed token"
    );
}
own!(renewal, Some(33));

/// `baton token` / `baton run --save` in one state directory, as two shells in one project.
struct State {
    dir: tempfile::TempDir,
}

impl State {
    fn new() -> State {
        State {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join(".baton")
    }

    fn cache(&self) -> std::path::PathBuf {
        self.path().join("tokens.json")
    }

    fn token(&self, p: &Provider) -> Output {
        self.token_as(p, p.user())
    }

    fn token_as(&self, p: &Provider, (username, password): (&str, &str)) -> Output {
        let out = p
            .baton(SIGN_IN, &["token", "c.yaml"])
            .client(&p.basic_client())
            .var("username", username)
            .var("password", password)
            .env("BATON_STATE_DIR", self.path())
            .run();
        out.code(0);
        out
    }

    fn run_saved(&self, p: &Provider) -> Output {
        let yaml = format!(
            "{SIGN_IN}  - name: userinfo\n    GET: <<userinfo>>\n    auth: {{ oauth2: login }}\n    expect:\n      body: {{ $.preferred_username: alice }}\n"
        );
        let out = p
            .run(&yaml)
            .client(&p.basic_client())
            .arg("--save")
            .env("BATON_STATE_DIR", self.path())
            .run();
        out.code(0).stdout_contains("✓ userinfo 200");
        out
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn token_cache(p: &Provider) {
    let state = State::new();
    let hits = p.token_hits();
    let first = state.token(p);
    first.stderr_contains("access token requested");
    let token = first.stdout.trim().to_string();
    assert!(token.len() >= 20, "{token:?}");
    assert_eq!(p.token_hits(), hits + 1);
    assert_eq!(mode(&state.cache()), 0o600);
    assert!(state.path().join(".gitignore").is_file());

    let again = state.token(p);
    again.stderr_contains("access token cache");
    assert_eq!(again.stdout.trim(), token, "the cached token");
    assert_eq!(p.token_hits(), hits + 1, "no request for a cached token");

    // `run --save` shares the cache.
    let saved = state.run_saved(p);
    saved.stdout_contains("token from the cache (--save): not requested again");
    assert_eq!(p.token_hits(), hits + 1);

    let clear = crate::support::Baton::new()
        .args(["token", "--clear"])
        .env("BATON_STATE_DIR", state.path())
        .run();
    clear.code(0).stderr_contains("removed");
    assert!(!state.cache().exists());

    let saved = state.run_saved(p);
    saved.stdout_contains("✓ sign in 200");
    assert_eq!(p.token_hits(), hits + 2);
    let saved = state.run_saved(p);
    saved.stdout_contains("token from the cache (--save): not requested again");
    assert_eq!(p.token_hits(), hits + 2);
    assert_eq!(mode(&state.cache()), 0o600);
}
own!(token_cache, None);

/// A cached token 30 s from expiry is renewed with the cached refresh token.
fn token_refresh(p: &Provider) {
    let state = State::new();
    let hits = p.token_hits();
    let first = state.token(p);
    let token = first.stdout.trim().to_string();
    assert_eq!(p.token_hits(), hits + 1);

    let again = state.token(p);
    again.stderr_contains("access token refreshed");
    let renewed = again.stdout.trim().to_string();
    assert_ne!(renewed, token);
    assert_eq!(p.token_hits(), hits + 2, "one refresh");
    let cache = std::fs::read_to_string(state.cache()).unwrap();
    assert!(
        cache.contains(&renewed) && !cache.contains(&token),
        "{cache}"
    );

    // The cached token is renewed for the oauth2 request, and, still within 30 s of its
    // expiry, once more for the call that uses it: the cache must follow both rotations.
    let saved = state.run_saved(p);
    saved.stdout_contains("cached token renewed with its refresh token (--save)");
    assert_eq!(p.token_hits(), hits + 4);
    let last = state.token(p);
    last.stderr_contains("access token refreshed");
    assert_eq!(
        p.token_hits(),
        hits + 5,
        "the cached refresh token is the latest"
    );
}
own!(token_refresh, Some(20));

/// Tokens are people's: another user of the same client gets a token of their own.
fn token_cache_per_user(p: &Provider) {
    let state = State::new();
    let alice = state.token(p);
    alice.stderr_contains("access token requested");
    let bob = state.token_as(p, ("bob", "builder"));
    bob.stderr_contains("access token requested");
    assert_ne!(alice.stdout.trim(), bob.stdout.trim());
    let whose = |token: &str| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let me: serde_json::Value = reqwest::Client::new()
                .get(format!("{}/connect/userinfo", p.issuer()))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            me["preferred_username"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
    };
    assert_eq!(whose(alice.stdout.trim()), "alice");
    assert_eq!(whose(bob.stdout.trim()), "bob");
    let again = state.token_as(p, ("bob", "builder"));
    again.stderr_contains("access token cache");
    assert_eq!(again.stdout.trim(), bob.stdout.trim());
}
both!(token_cache_per_user);
