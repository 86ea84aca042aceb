//! One owner of a token's life: `baton run --save` and `baton token` take and keep tokens
//! the same way. A cached token renewed for a run is written back to the cache whether or
//! not the request names an `id`: the refresh token it replaced is dead, and a cache left
//! holding it would cost the next run its grant (reuse detection revokes the family).

use crate::oauth::{Provider, Vars, own};

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

fn renewed_for_a_run_is_saved_without_an_id(p: &Provider) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(".baton");
    let (username, password) = p.user();
    let token = || {
        p.baton(SIGN_IN, &["token", "c.yaml"])
            .client(&p.basic_client())
            .var("username", username)
            .var("password", password)
            .env("BATON_STATE_DIR", &state)
            .run()
    };
    let first = token();
    first.code(0).stderr_contains("access token requested");
    let hits = p.token_hits();

    // Tokens that live 20 s are always within the 30 s of renewal: the run renews.
    let without_id = SIGN_IN.replace("    id: login\n", "");
    let run = p
        .run(&without_id)
        .client(&p.basic_client())
        .var("username", username)
        .var("password", password)
        .arg("--save")
        .env("BATON_STATE_DIR", &state)
        .run();
    run.code(0)
        .stdout_contains("cached token renewed with its refresh token (--save)");
    assert_eq!(p.token_hits(), hits + 1, "one refresh");

    // The cache holds the rotated refresh token: `baton token` renews with it.
    let again = token();
    again.code(0).stderr_contains("access token refreshed");
    assert_eq!(p.token_hits(), hits + 2, "one refresh, no new grant");
}
own!(renewed_for_a_run_is_saved_without_an_id, Some(20));
