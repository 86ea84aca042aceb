//! A loopback token endpoint for `bench/compare.sh`: `POST /token` answers a fixed, small
//! OAuth token response, so that what is measured is the client, not the server.
//!
//! Usage: `tokend [PORT]` (0 or nothing: a free port). It prints `PORT` on stdout once it
//! listens, then serves until killed.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::post;
use std::io::Write as _;

const TOKEN: &str = r#"{"access_token":"at-0123456789abcdef","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-0123456789abcdef","scope":"api"}"#;

async fn token(_body: axum::body::Bytes) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], TOKEN)
}

// One thread: the clients under test get the other core.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .map(|p| p.parse().expect("PORT is a number"))
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    let mut out = std::io::stdout();
    writeln!(out, "{port}").expect("print the port");
    out.flush().expect("flush the port");
    let app = Router::new().route("/token", post(token));
    axum::serve(listener, app).await.expect("serve");
}
