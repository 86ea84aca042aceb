//! Mistakes users meet (a discovery document for another issuer, an `oauth2` block that
//! cannot work, an issuer that is down), each with its exit code and place; and the secrets
//! of every flow, which `-v` never prints.

use base64::Engine as _;

use baton::SandboxConfig;

use super::{Provider, Relay, Vars, both, form_field};
use crate::support::{Baton, place};

const CLIENT_CREDENTIALS: &str = r"name: errors
requests:
  - name: token
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
";

fn run_at(issuer: &str, yaml: &str, p: &Provider) -> crate::support::Output {
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml"])
        .var("issuer", issuer)
        .client(&p.basic_client())
        .run()
}

/// The provider at `localhost` says its issuer is `127.0.0.1`: OpenID Connect Discovery 4.3
/// wants them equal, so baton stops before sending anything else.
fn issuer_mismatch(p: &Provider) {
    let port = p.issuer().rsplit(':').next().unwrap();
    let asked = format!("http://localhost:{port}");
    let out = run_at(&asked, CLIENT_CREDENTIALS, p);
    out.code(1)
        .stdout_contains("✗ token")
        .stdout_contains(&format!("names the issuer `{}`, not `{asked}`", p.issuer()))
        .stdout_contains(&place(
            "c.yaml",
            CLIENT_CREDENTIALS,
            "grant: client_credentials",
        ));
}
both!(issuer_mismatch);

#[test]
fn issuer_mismatch_configured_sandbox() {
    let config = SandboxConfig {
        issuer: Some("http://other.example".into()),
        ..SandboxConfig::default()
    };
    let p = Provider::sandbox_with(config);
    let out = run_at(&p.address(), CLIENT_CREDENTIALS, &p);
    out.code(1).stdout_contains(&format!(
        "names the issuer `http://other.example`, not `{}`",
        p.address()
    ));
    assert_eq!(p.token_hits(), 0);
}

/// Mistakes in the block are found when the file is read: exit 2 at their place, nothing sent.
fn invalid_blocks(p: &Provider) {
    let no_client = CLIENT_CREDENTIALS.replace("      client_id: <<client_id>>\n", "");
    let out = run_at(p.issuer(), &no_client, p);
    out.code(2)
        .stderr_contains("`oauth2` needs `client_id:`")
        .stderr_contains(&place("c.yaml", &no_client, "grant: client_credentials"));

    let typo = CLIENT_CREDENTIALS.replace("grant: client_credentials", "grant: client_credential");
    let out = run_at(p.issuer(), &typo, p);
    out.code(2)
        .stderr_contains("unknown grant `client_credential` (did you mean `client_credentials`?)")
        .stderr_contains(&place("c.yaml", &typo, "grant: ^client_credential"));
}
both!(invalid_blocks);

#[test]
fn issuer_refusing_connections() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let p = Provider::sandbox();
    let out = run_at(&format!("http://{closed}"), CLIENT_CREDENTIALS, &p);
    out.code(3)
        .stdout_contains("✗ token")
        .stdout_contains(&closed.to_string());
}

/// Every kind of secret of a run, in one collection: the client secret and the user's
/// password; tokens from the password, refresh and code grants; the code and the PKCE
/// verifier. The token requests go through a relay, which keeps the raw values.
const SECRETS: &str = r"name: secrets
requests:
  - name: password grant
    id: login
    oauth2:
      grant: password
      issuer: <<issuer>>
      token_url: <<relay>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: <<username>>
      password: <<password>>
      scope: openid offline_access api
  - name: refresh
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      token_url: <<relay>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
  - name: code
    id: code
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      token_url: <<relay>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile offline_access
      redirect_uri: <<redirect_uri>>
      extra: { prompt: consent }
  - name: userinfo
    GET: <<userinfo>>
    auth: { oauth2: code }
    expect:
      body: { $.preferred_username: alice }
";

/// The secret values a run's token requests carried and got back.
fn secrets_of(relay: &Relay, from: usize) -> Vec<String> {
    let mut found = Vec::new();
    for x in &relay.exchanges()[from..] {
        for k in ["code", "code_verifier", "refresh_token", "password"] {
            found.extend(form_field(&x.request, k));
        }
        let json: serde_json::Value = serde_json::from_str(&x.response).unwrap_or_default();
        for k in ["access_token", "refresh_token", "id_token"] {
            found.extend(json[k].as_str().map(str::to_string));
        }
    }
    found
}

fn secrets_stay_hidden(p: &Provider) {
    let client = p.basic_client();
    let relay = Relay::start(&format!("{}/connect/token", p.issuer()), &[]);
    let run = |show: bool| {
        let b = p
            .run(SECRETS)
            .client(&client)
            .var("relay", &relay.url("/token"))
            .arg("-v");
        let b = if show { b.arg("--show-secrets") } else { b };
        let out = b.run();
        out.code(0).stdout_contains("4 passed, 0 failed");
        out
    };

    let out = run(false);
    let secrets = secrets_of(&relay, 0);
    // password, refresh (request); 3 token responses; code and verifier.
    assert!(secrets.len() >= 10, "{secrets:?}");
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        encode(&client.id),
        encode(client.secret())
    ));
    for secret in
        secrets
            .iter()
            .map(String::as_str)
            .chain([client.secret(), p.user().1, basic.as_str()])
    {
        // As sent in a form body too (a PKCE verifier may hold `~`, encoded `%7E`).
        out.output_lacks(secret).output_lacks(&encode(secret));
    }
    // The exchanges were printed, their secrets masked.
    for shown in [
        "password=•••",
        "refresh_token=•••",
        "code=•••",
        "code_verifier=•••",
        "authorization: Bearer •••",
    ] {
        out.stdout_contains(shown);
    }

    // The same with --show-secrets: the values are there to hide.
    let count = relay.exchanges().len();
    let out = run(true);
    for secret in secrets_of(&relay, count) {
        let shown = out.stdout.contains(&secret) || out.stdout.contains(&encode(&secret));
        assert!(shown, "--show-secrets shows {secret}:\n{}", out.stdout);
    }
    out.output_contains(&basic).output_contains(p.user().1);
}
both!(secrets_stay_hidden);
