//! Issue 19, "Reuse across files": `needs:` and `export:` (a shared login that runs once),
//! `defaults:`, `include:` with `with:`, `persist:` with `--fresh`, and data rows that render
//! request names. Real files on disk, the real binary, loopback servers.
//!
//! Written ahead of the implementation, from the issue's contract, so NOT registered in
//! `tests/it/main.rs`: it is registered (`mod reuse;` there) when the feature lands. Until
//! then these tests fail, on the keys baton does not know yet (`unknown key 'needs' in the
//! collection`, `unknown key 'defaults'`, ...) or the option (`--fresh`).
//!
//! Where the issue left a choice open, the test that settles it says so in its comment.

mod check_data;
mod defaults;
mod include;
mod needs;
// Runs share a project directory through a symlink, and the state's mode is a Unix one.
#[cfg(unix)]
mod persist;
mod suite;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{Baton, CLIENT_ID, CLIENT_SECRET, Output, PASSWORD, TestServer, USERNAME};

/// The shared login, against the test server's `POST /token` (password grant): it exports
/// the two tokens and keeps `grant_scope` to itself.
pub(crate) fn login_yaml() -> String {
    format!(
        r"name: sign in
export: [access_token, refresh_token]
requests:
  - name: password grant
    POST: <<base>>/token
    auth: {{ basic: [{CLIENT_ID}, {CLIENT_SECRET}] }}
    form: {{ grant_type: password, username: {USERNAME}, password: {PASSWORD}, scope: api }}
    expect: {{ status: 200 }}
    capture:
      access_token: $.access_token
      refresh_token: $.refresh_token
      grant_scope: $.scope
"
    )
}

/// An API file that needs `login.yaml` and sends its exported token through `defaults:`.
/// `GET /me` accepts only a token the test server issued; `/echo/NAME` shows what was sent.
pub(crate) fn api_yaml(name: &str) -> String {
    format!(
        r"name: {name}
needs: [login.yaml]
defaults:
  headers: {{ Accept: application/json }}
  auth: {{ bearer: <<access_token>> }}
requests:
  - name: who am I ({name})
    GET: <<base>>/me
    expect:
      status: 200
      body: {{ $.sub: {USERNAME} }}
  - name: list {name}
    GET: <<base>>/echo/{name}
    expect:
      body:
        $.path: /echo/{name}
        $.headers.accept: application/json
        $.headers.authorization: {{ matches: '^Bearer at-' }}
"
    )
}

/// `suite/`: the login and three API files that need it (7 requests).
pub(crate) fn suite() -> Baton {
    Baton::new()
        .file("suite/login.yaml", login_yaml())
        .file("suite/orders.yaml", api_yaml("orders"))
        .file("suite/users.yaml", api_yaml("users"))
        .file("suite/items.yaml", api_yaml("items"))
}

/// `--var base=URL` of the server.
pub(crate) fn base(server: &TestServer) -> [String; 2] {
    ["--var".to_owned(), format!("base={}", server.url())]
}

#[track_caller]
pub(crate) fn json_file(out: &Output, name: &str) -> Value {
    serde_json::from_str(&out.file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `[passed, failed, errors, skipped]` of a report's `counts`.
pub(crate) fn counts(v: &Value) -> [u64; 4] {
    ["passed", "failed", "errors", "skipped"].map(|k| v[k].as_u64().unwrap())
}

/// What each request of a JSON report came to: (file, request name) -> (outcome, status).
pub(crate) fn results(doc: &Value) -> BTreeMap<(String, String), (String, Value)> {
    let mut all = BTreeMap::new();
    for file in doc["files"].as_array().expect("files") {
        for request in file["requests"].as_array().expect("requests") {
            let key = (
                file["file"].as_str().unwrap().to_owned(),
                request["name"].as_str().unwrap().to_owned(),
            );
            let result = (
                request["outcome"].as_str().unwrap().to_owned(),
                request["status"].clone(),
            );
            assert!(
                all.insert(key.clone(), result).is_none(),
                "{key:?} reported twice in one report"
            );
        }
    }
    all
}

/// The requests of `file` in a JSON report.
#[track_caller]
pub(crate) fn requests_of<'a>(doc: &'a Value, file: &str) -> &'a Vec<Value> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == file)
        .unwrap_or_else(|| panic!("{file} is not in the report: {doc}"))["requests"]
        .as_array()
        .unwrap()
}
