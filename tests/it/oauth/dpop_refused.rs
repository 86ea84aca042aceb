//! Proofs a provider must refuse, made on the wire rather than by baton: a relay of the
//! test's own stands between baton and the provider's userinfo and either replays a proof
//! that was already accepted, or forwards the request to an address other than the one baton
//! signed (a wrong `htu`); and the bound token sent as Bearer, without a proof. Each refused
//! by both providers, each reported by baton with the provider's words.

use super::{Provider, Vars, both};
use crate::support::{Output, redact};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};

/// A sign-in bound to a key made for the run, then userinfo twice through `<<userinfo>>`.
const TWICE: &str = r"name: dpop refused
requests:
  - name: sign in
    id: tok
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      login: { username: <<username>>, password: <<password>> }
      scope: openid profile
      dpop: true
  - name: userinfo
    url: <<userinfo>>
    auth: { oauth2: tok }
    expect: { status: 200 }
  - name: userinfo again
    url: <<userinfo>>
    auth: { oauth2: tok }
    expect: { status: 200 }
";

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// Forwarded with the `Host` baton addressed (the provider sees the URL baton signed);
    /// once a proof has been accepted, it is sent again in place of the next one.
    Replay,
    /// Forwarded to the provider as addressed to the provider: the proof names the relay.
    OtherAddress,
}

struct RelayState {
    upstream: String,
    fault: Fault,
    /// The proof of the last request the provider answered with 200.
    accepted: Mutex<Option<String>>,
    http: reqwest::Client,
}

/// `GET /connect/userinfo` relayed to the provider's, with the fault applied.
struct Relay {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl Relay {
    fn start(upstream: String, fault: Fault) -> Relay {
        let state = Arc::new(RelayState {
            upstream,
            fault,
            accepted: Mutex::default(),
            http: reqwest::Client::new(),
        });
        let runtime = super::runtime();
        let app = axum::Router::new()
            .route("/connect/userinfo", axum::routing::get(relay))
            .with_state(state);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the relay");
        let url = format!("http://{}/connect/userinfo", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Relay {
            url,
            _runtime: runtime,
        }
    }
}

async fn relay(State(state): State<Arc<RelayState>>, headers: HeaderMap, _: Bytes) -> Response {
    let mut req = state.http.get(&state.upstream);
    for name in ["authorization", "accept"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v.clone());
        }
    }
    let mut proof = headers
        .get("dpop")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if state.fault == Fault::Replay {
        if let Some(host) = headers.get("host") {
            req = req.header("host", host.clone());
        }
        if let Some(accepted) = state.accepted.lock().unwrap().clone() {
            proof = Some(accepted);
        }
    }
    if let Some(p) = &proof {
        req = req.header("dpop", p);
    }
    let resp = req.send().await.expect("relay to userinfo");
    let status = resp.status().as_u16();
    if status == 200 {
        *state.accepted.lock().unwrap() = proof;
    }
    let mut out = HeaderMap::new();
    for name in ["www-authenticate", "dpop-nonce", "content-type"] {
        if let Some(v) = resp.headers().get(name) {
            out.insert(HeaderName::from_static(name), v.clone());
        }
    }
    let body = resp.bytes().await.unwrap_or_default();
    (StatusCode::from_u16(status).unwrap(), out, body).into_response()
}

/// What baton prints for a refused userinfo request: the line that quotes the provider.
fn refusal(out: &Output) -> String {
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("actual: 401"))
        .unwrap_or_else(|| panic!("no 401 reported:\n{}", out.stdout));
    redact(line.trim_start_matches(|c: char| c == ' ' || c == '|' || c.is_ascii_digit()))
}

fn refused_proofs(p: &Provider) {
    let client = p.dpop_client();
    let upstream = format!("{}/connect/userinfo", p.issuer());

    // The same proof twice: accepted the first time, refused the second.
    let relay = Relay::start(upstream.clone(), Fault::Replay);
    let out = p
        .run(TWICE)
        .client(&client)
        .var("userinfo", &relay.url)
        .run();
    out.code(1)
        .stdout_contains("✓ userinfo 200")
        .stdout_contains("✗ userinfo again 401");
    insta::assert_snapshot!(format!("dpop_replay_{}", p.name()), refusal(&out));

    // A proof for the relay's address arriving at the provider's.
    let relay = Relay::start(upstream, Fault::OtherAddress);
    let out = p
        .run(TWICE)
        .client(&client)
        .var("userinfo", &relay.url)
        .run();
    out.code(1).stdout_contains("✗ userinfo 401");
    insta::assert_snapshot!(format!("dpop_htu_{}", p.name()), refusal(&out));

    // The bound token without its proof.
    let bearer = TWICE.replace(
        "auth: { oauth2: tok }",
        "auth: { bearer: <<tok.access_token>> }",
    );
    let out = p.run(&bearer).client(&client).arg("-v").run();
    out.code(1).stdout_contains("✗ userinfo 401");
    out.stdout_contains("> authorization: Bearer •••");
    insta::assert_snapshot!(format!("dpop_as_bearer_{}", p.name()), refusal(&out));
}
both!(refused_proofs);
