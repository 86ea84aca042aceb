//! The password grant with `offline_access`, the refresh_token grant and its rotation, reuse
//! of a rotated refresh token (an expected outcome, then a failure), and the device grant
//! approved by a "browser" that posts the user code to the provider's approve route.

use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use baton::SandboxConfig;

use super::{Provider, Vars, both};

const PASSWORD_AND_REFRESH: &str = r"name: password and refresh
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
      scope: openid offline_access api
    expect:
      body:
        $.token_type: Bearer
        $.expires_in: { gt: 0 }
        $.access_token: { exists: true }
        $.refresh_token: { exists: true }
        $.id_token: { exists: true }
  - name: refresh
    id: refreshed
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
    expect:
      body:
        $.access_token: { ne: <<login.access_token>> }
        $.refresh_token: { ne: <<login.refresh_token>> }
  - name: the rotated refresh token is refused
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
    expect:
      status: 400
      body: { $.error: invalid_grant }
  - name: reuse without an expected status
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<login.refresh_token>>
";

fn password_then_refresh(p: &Provider) {
    let out = p.run(PASSWORD_AND_REFRESH).client(&p.basic_client()).run();
    out.code(1)
        .stdout_contains("✓ sign in 200")
        .stdout_contains("✓ refresh 200")
        .stdout_contains("✓ the rotated refresh token is refused 400")
        .stdout_contains("✗ reuse without an expected status 400")
        .stdout_contains("the provider refused the request: 400 (invalid_grant: ")
        .stdout_contains("3 passed, 1 failed");
}
both!(password_then_refresh);

/// A wrong password is the provider's `invalid_grant`, shown with its description.
fn wrong_password(p: &Provider) {
    let yaml = &PASSWORD_AND_REFRESH[..PASSWORD_AND_REFRESH.find("  - name: refresh").unwrap()];
    let out = p
        .run(yaml)
        .client(&p.basic_client())
        .var("password", "not-her-password")
        .run();
    out.code(1)
        .stdout_contains("✗ sign in 400")
        .stdout_contains("the provider refused the request: 400 (invalid_grant: ")
        .output_lacks("not-her-password");
}
both!(wrong_password);

const DEVICE: &str = r"name: device
requests:
  - name: sign in on another device
    id: device
    oauth2:
      grant: device_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      scope: openid profile offline_access api
      wait: 40s
    expect:
      body:
        $.access_token: { exists: true }
        $.refresh_token: { exists: true }
  - name: the token works
    GET: <<userinfo>>
    auth: { oauth2: device }
    expect:
      body: { $.preferred_username: alice }
";

/// The "browser" of the device flow: it reads `user_code` from the verification URL it is
/// given and approves it at the provider's test route, `APPROVE_AFTER` seconds later (so
/// that baton polls at least once before the approval).
pub(super) const APPROVER: &str = r#"#!/bin/sh
code=$(printf '%s' "$1" | sed -n 's/.*[?&]user_code=\([^&]*\).*/\1/p')
[ -n "$code" ] || { echo "no user_code in $1" >> "$APPROVE_LOG"; exit 1; }
(sleep "$APPROVE_AFTER"; curl -s -o /dev/null -w '%{http_code}' -d "user_code=$code" "$APPROVE_URL" >> "$APPROVE_LOG") &
"#;

fn device_code(p: &Provider, approve_after: &str) {
    let before = p.token_hits();
    let baton = p.run(DEVICE).client(&p.public_client());
    let script = baton.dir().join("approve.sh");
    std::fs::write(&script, APPROVER).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = baton.dir().join("approve.log");
    let out = baton
        .env("BROWSER", &script)
        .env("APPROVE_URL", p.device_approve_url())
        .env("APPROVE_AFTER", approve_after)
        .env("APPROVE_LOG", &log)
        .timeout(Duration::from_secs(50))
        .run();
    out.code(0)
        .stdout_contains("and enter the code ")
        .stdout_contains("✓ sign in on another device 200")
        .stdout_contains("✓ the token works 200");
    assert_eq!(std::fs::read_to_string(&log).unwrap_or_default(), "200");
    let polls = p.token_hits() - before;
    assert!(
        polls >= 2,
        "baton polled {polls} time(s): the first poll is pending"
    );
}

#[test]
fn device_code_interop() {
    // A server of its own: the test counts token requests. The interop provider sends no
    // `interval`, so baton polls every 5 s (RFC 8628): approve between the first poll (5 s) and the second (10 s).
    if let Some(p) = Provider::interop(None) {
        device_code(&p, "7.5");
    }
}

#[test]
fn device_code_sandbox() {
    // The sandbox's device flow (and its `device_interval`) comes with another branch.
    let Ok(config) = SandboxConfig::from_yaml_str("lifetimes:\n  device_interval: 1\n", "t.yaml")
    else {
        eprintln!("skipped: the sandbox has no device flow yet");
        return;
    };
    device_code(&Provider::sandbox_with(config), "2.5");
}

/// An approval that never comes: exit 3 once `wait` is over, even when that is sooner than
/// the next poll (the interop provider's 5 s default interval).
fn device_code_never_approved(p: &Provider) {
    let yaml = &DEVICE[..DEVICE.find("  - name: the token works").unwrap()];
    let out = p
        .run(&yaml.replace("wait: 40s", "wait: 2s"))
        .client(&p.public_client())
        .env("BROWSER", "/bin/true")
        .timeout(Duration::from_secs(30))
        .run();
    out.code(3)
        .stdout_contains("✗ sign in on another device")
        .stdout_contains("nobody approved the device code ")
        .stdout_contains("within 2s");
    assert!(out.elapsed < Duration::from_secs(4), "{:?}", out.elapsed);
}

#[test]
fn device_code_never_approved_interop() {
    if let Some(p) = Provider::interop_shared() {
        device_code_never_approved(p);
    }
}

#[test]
fn device_code_never_approved_sandbox() {
    let Ok(config) = SandboxConfig::from_yaml_str("lifetimes:\n  device_interval: 5\n", "t.yaml")
    else {
        eprintln!("skipped: the sandbox has no device flow yet");
        return;
    };
    device_code_never_approved(&Provider::sandbox_with(config));
}
