//! `auth: { oauth1 }` judged by oauthlib (tests/interop/oauth1/server.py): every signature
//! method and placement, a query with reserved characters, a form body, a redirect signed
//! again, a wrong secret refused; and the loader's errors for what is missing or misspelt.

use crate::support::{Baton, Ready, run_yaml, start_ready};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The consumer and token the server knows, with secrets that need encoding.
pub(crate) const VARS: &str = r#"vars:
  ck: batonconsumer
  consumer_secret: "consumer s3cret&+/="
  tk: batontoken
  token_secret: "token s3cret!*'()"
"#;

/// A running `tests/interop/oauth1/server.py`, stopped on drop.
pub(crate) struct OAuth1Server {
    url: String,
    child: Child,
    _stdin: ChildStdin,
    log: Arc<Mutex<String>>,
}

impl Drop for OAuth1Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- oauth1 server log ---\n{}", self.log.lock().unwrap());
        }
    }
}

fn python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/dot/.venv/bin/python")
}

impl OAuth1Server {
    /// A server of its own on a free port; `None` (after `skipped: …`) without the venv of
    /// `.ci/run`, a panic under `CI`.
    pub(crate) fn start() -> Option<OAuth1Server> {
        let ok = python().is_file()
            && Command::new(python())
                .args(["-c", "import oauthlib"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "tests/interop/dot/.venv with oauthlib is missing under CI"
            );
            eprintln!(
                "skipped: tests/interop/dot/.venv with oauthlib is missing (.ci/run makes it)"
            );
            return None;
        }
        let mut cmd = Command::new(python());
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/oauth1/server.py"))
            .env("PORT", "0")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("IGNORE_STDIN");
        let Ready {
            child,
            stdin,
            log,
            url,
        } = start_ready(cmd, "oauth1 server");
        Some(OAuth1Server {
            url,
            child,
            _stdin: stdin,
            log,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

const SIGNED: &str = r#"
requests:
  - name: HMAC-SHA1 in the header, a query of reserved characters
    GET: <<base>>/photos
    query: { q: "a b&c", odd: "!*'()", empty: "", plus: "1+1=2" }
    auth: { oauth1: { consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, token: <<tk>>, token_secret: <<token_secret>>, realm: Photos } }
    expect:
      status: 200
      body: { $.signature_method: HMAC-SHA1, $.params.q: "a b&c", $.params.odd: "!*'()", $.params.plus: "1+1=2", $.params.empty: "" }

  - name: HMAC-SHA256 in the query, a form body
    POST: <<base>>/update
    form: { status: "Hello Ladies + Gentlemen, a signed OAuth request!", accents: "é ü" }
    auth: { oauth1: { consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, token: <<tk>>, token_secret: <<token_secret>>, signature_method: HMAC-SHA256, placement: query } }
    expect:
      status: 200
      body: { $.signature_method: HMAC-SHA256, $.params.status: "Hello Ladies + Gentlemen, a signed OAuth request!", $.params.accents: "é ü" }

  - name: PLAINTEXT, two-legged (no token)
    POST: <<base>>/two
    form: { a: "1" }
    auth: { oauth1: { consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, signature_method: PLAINTEXT } }
    expect: { status: 200, body: { $.token: null, $.signature_method: PLAINTEXT } }

  - name: a JSON body is not signed, the query is
    PUT: <<base>>/json?x=1
    json: { a: 1 }
    auth: { oauth1: { consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, token: <<tk>>, token_secret: <<token_secret>> } }
    expect: { status: 200 }

  - name: a redirect is signed again
    GET: <<base>>/hop
    follow_redirects: true
    auth: { oauth1: { consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, token: <<tk>>, token_secret: <<token_secret>> } }
    expect: { status: 200, body: { $.params.after: hop } }

"#;

#[test]
fn oauthlib_accepts_every_method_and_placement() {
    let Some(server) = OAuth1Server::start() else {
        return;
    };
    let out = run_yaml(server.url(), &format!("{VARS}{SIGNED}"))
        .arg("-v")
        .run();
    out.code(0)
        .stdout_contains("5 passed, 0 failed")
        .output_contains("authorization: OAuth •••")
        .output_lacks("s3cret")
        .output_lacks("batontoken");
}

#[test]
fn a_wrong_secret_is_refused_and_said() {
    let Some(server) = OAuth1Server::start() else {
        return;
    };
    let yaml = format!(
        "{VARS}requests:\n  - name: wrong secret\n    GET: <<base>>/x\n    auth: {{ oauth1: {{ consumer_key: <<ck>>, consumer_secret: not-the-secret, token: <<tk>>, token_secret: <<token_secret>> }} }}\n    expect: {{ status: 200 }}\n"
    );
    run_yaml(server.url(), &yaml)
        .run()
        .code(1)
        .output_contains("error: expectation failed: status")
        .output_contains("actual: 401 (invalid OAuth 1.0a signature)")
        .output_lacks("s3cret");
}

#[test]
fn the_loader_names_what_is_missing_or_misspelt() {
    let yaml = "requests:\n  - GET: http://127.0.0.1:9/x\n    auth: { oauth1: { consumer_key: k, consumer_secet: s, signature_method: RSA-SHA1, placement: body } }\n";
    Baton::new()
        .file("c.yaml", yaml)
        .args(["check", "c.yaml"])
        .run()
        .code(2)
        .output_contains(
            "unknown key 'consumer_secet' in auth.oauth1 (did you mean 'consumer_secret'?)",
        )
        .output_contains("`auth.oauth1` needs `consumer_secret`")
        .output_contains("baton does not sign with RSA-SHA1")
        .output_contains("`auth.oauth1.placement` is `header` or `query`, not `body`");
}

/// Postman's OAuth 1.0 helper (on the collection and on requests) imported as `auth: {
/// oauth1 }`, then run against oauthlib: what Postman fixes once is warned about, and the
/// secrets move to the environment.
#[test]
fn a_postman_oauth1_collection_imports_and_runs() {
    let i = crate::import::import("oauth1.postman_collection.json", &[]);
    i.out
        .stderr_contains("the OAuth 1.0 helper's fixed `timestamp` is ignored")
        .stderr_contains("the OAuth 1.0 helper's fixed `nonce` is ignored")
        .stderr_contains("the OAuth 1.0 helper's body hash (oauth_body_hash) is not sent")
        .stdout_contains("export CONSUMER_SECRET=... TOKEN=... TOKEN_SECRET=...");
    let f = i.file("o-auth-1-0a-signing.yaml");
    for line in [
        "defaults:\n  auth:\n    oauth1:\n      consumer_key: <<consumer_key>>\n      consumer_secret: <<env.CONSUMER_SECRET>>\n",
        "      realm: Photos\n",
        "        signature_method: HMAC-SHA256\n        placement: query\n",
        "        signature_method: PLAINTEXT\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    assert!(!f.contains("s3cret") && !f.contains("fixednonce1"), "{f}");
    let Some(server) = OAuth1Server::start() else {
        return;
    };
    i.baton(&["run", "--no-progress", "--var"])
        .arg(format!("base={}", server.url()))
        .env("CONSUMER_SECRET", "consumer s3cret&+/=")
        .env("TOKEN", "batontoken")
        .env("TOKEN_SECRET", "token s3cret!*'()")
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

/// A snippet cannot carry a signature (it holds a nonce and a time): export says so on
/// stderr and in a comment on the request, and writes no secret.
#[test]
fn export_says_the_request_is_written_unsigned() {
    let yaml = format!(
        "{VARS}requests:\n  - name: signed\n    GET: http://127.0.0.1:9/x\n    auth: {{ oauth1: {{ consumer_key: <<ck>>, consumer_secret: <<consumer_secret>> }} }}\n"
    );
    for lang in ["curl", "python", "node"] {
        Baton::new()
            .file("c.yaml", &yaml)
            .args(["export", "c.yaml", "--as", lang])
            .run()
            .code(0)
            .stderr_contains("warning: 1 request(s) signed with OAuth 1.0a are written unsigned")
            .stdout_contains("not signed: baton signs this request with OAuth 1.0a (HMAC-SHA1)")
            .output_lacks("s3cret");
    }
}

/// The server refuses a nonce it has seen: the URL baton signed (query placement), sent
/// again as it was, is a 401. Why each send of baton's gets a fresh nonce.
#[test]
fn a_replayed_signature_is_refused() {
    use std::io::Write;
    let Some(server) = OAuth1Server::start() else {
        return;
    };
    let yaml = format!(
        "{VARS}requests:\n  - GET: <<base>>/once\n    auth: {{ oauth1: {{ consumer_key: <<ck>>, consumer_secret: <<consumer_secret>>, placement: query }} }}\n    expect: {{ status: 200 }}\n"
    );
    let out = run_yaml(server.url(), &yaml)
        .args(["-v", "--show-secrets"])
        .run();
    out.code(0);
    let url = out
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("> GET "))
        .expect("the request line of -v");
    let path = &url[server.url().len()..];
    let host = server.url().trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.0 401"), "{answer}");
}

/// A Postman request that signs itself in a pre-request script (CryptoJS over a base string
/// it builds, as Twitter's Ads collection does), written here in that style: imported as
/// `auth: { oauth1 }` reading the script's variables, every line of the script counted as
/// converted, and the request then accepted by oauthlib.
#[test]
fn a_pre_request_script_that_signs_by_hand_becomes_oauth1_and_runs() {
    let script = [
        "const env = pm.environment.toObject({ excludeDisabled: true });",
        "const consumerKey = env.consumer_key;",
        "const consumerSecret = pm.environment.get('consumer_secret');",
        "const accessToken = env.access_token;",
        "const tokenSecret = pm.environment.get('token_secret');",
        "const params = {",
        "    oauth_consumer_key: consumerKey,",
        "    oauth_token: accessToken,",
        "    oauth_nonce: CryptoJS.lib.WordArray.random(16).toString(),",
        "    oauth_signature_method: 'HMAC-SHA1',",
        "    oauth_timestamp: Math.floor(Date.now() / 1000),",
        "    oauth_version: '1.0'",
        "};",
        "const base = ['GET', encodeURIComponent(pm.request.url.toString().split('?')[0]),",
        "    encodeURIComponent(Object.keys(params).sort().map(k => k + '=' + params[k]).join('&'))].join('&');",
        "const key = consumerSecret + '&' + tokenSecret;",
        "params.oauth_signature = CryptoJS.enc.Base64.stringify(CryptoJS.HmacSHA1(base, key));",
        "pm.request.headers.add({ key: 'Authorization', value: 'OAuth ' + Object.keys(params).map(k => k + '=\"' + encodeURIComponent(params[k]) + '\"').join(', ') });",
    ];
    let collection = serde_json::json!({
        "info": {
            "name": "Signed by hand",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "name": "photos",
            "event": [{ "listen": "prerequest", "script": { "exec": script } }],
            "request": { "method": "GET", "url": "{{base}}/photos?size=original", "auth": { "type": "noauth" } }
        }]
    })
    .to_string();
    let i = crate::import::import_with("c.json", &[], &[("c.json", &collection)]);
    i.out
        .stderr_contains("the pre-request script signs the request with OAuth 1.0a by hand")
        .stdout_contains("pre-request 18 lines: 18 converted, 0 warned, 0 logging, 0 dropped");
    let f = i.file("signed-by-hand.yaml");
    assert!(
        f.contains("    auth:\n      oauth1:\n        consumer_key: <<consumer_key>>\n        consumer_secret: <<consumer_secret>>\n        token: <<access_token>>\n        token_secret: <<token_secret>>\n        signature_method: HMAC-SHA1\n"),
        "{f}"
    );
    let Some(server) = OAuth1Server::start() else {
        return;
    };
    i.baton(&["run", "--no-progress", "--var"])
        .arg(format!("base={}", server.url()))
        .args(["--var", "consumer_key=batonconsumer"])
        .args(["--var", "consumer_secret=consumer s3cret&+/="])
        .args(["--var", "access_token=batontoken"])
        .args(["--var", "token_secret=token s3cret!*'()"])
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
}
