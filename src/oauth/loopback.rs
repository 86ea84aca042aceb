//! The loopback redirect listener of interactive sign-in (RFC 8252 7.3): listens on the
//! `redirect_uri`'s port (a free one when it names none or 0) on 127.0.0.1, answers the
//! browser with a page it can close, and hands back the URL the provider redirected to.

use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub(crate) struct Listener {
    listener: TcpListener,
    path: String,
    /// The redirect URI with the port actually bound.
    pub redirect_uri: String,
}

impl Listener {
    pub(crate) async fn bind(redirect_uri: &str) -> Result<Listener, String> {
        let mut url = url::Url::parse(redirect_uri)
            .map_err(|e| format!("invalid redirect_uri `{redirect_uri}`: {e}"))?;
        let host = url.host_str().unwrap_or_default().to_string();
        if url.scheme() != "http" || !matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!(
                "interactive sign-in listens on a loopback redirect_uri (http://127.0.0.1:PORT/path), not `{redirect_uri}`"
            ));
        }
        let addr = if host == "[::1]" {
            "[::1]"
        } else {
            "127.0.0.1"
        };
        let port = url.port().unwrap_or(0);
        let listener = TcpListener::bind(format!("{addr}:{port}"))
            .await
            .map_err(|e| format!("cannot listen on {addr}:{port} for the redirect: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?.port();
        let _ = url.set_port(Some(bound));
        Ok(Listener {
            listener,
            path: url.path().to_string(),
            redirect_uri: url.to_string(),
        })
    }

    /// The full callback URL, or `None` when the deadline passes first. Requests to other
    /// paths (a favicon) get a 404 and the wait goes on. The browser is told what the
    /// redirect says (`state` is the one sent): signed in, refused, or a forged callback.
    pub(crate) async fn wait(&self, deadline: Instant, state: &str) -> Option<String> {
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::timeout(left, self.accept_callback(state))
            .await
            .ok()
    }

    async fn accept_callback(&self, state: &str) -> String {
        loop {
            let Ok((mut socket, _)) = self.listener.accept().await else {
                continue;
            };
            let mut buf = vec![0u8; 16 * 1024];
            let mut len = 0;
            while len < buf.len() {
                match socket.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        len += n;
                        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                }
            }
            let head = String::from_utf8_lossy(&buf[..len]);
            let target = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("")
                .to_string();
            let path = target.split('?').next().unwrap_or("");
            if path != self.path {
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let page = page(&target, state);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            let base = self
                .redirect_uri
                .split('?')
                .next()
                .unwrap_or("")
                .trim_end_matches(path);
            return format!("{base}{target}");
        }
    }
}

/// The page the browser shows after the redirect: what baton makes of it.
fn page(target: &str, state: &str) -> String {
    let param = |k: &str| crate::query::query_param(&format!("http://l{target}"), k);
    let (title, says) = if let Some(error) = param("error") {
        let description = param("error_description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        (
            "Sign-in failed",
            format!("The provider did not sign you in ({error}{description})."),
        )
    } else if param("state").as_deref() != Some(state) {
        (
            "Not signed in",
            "This redirect does not answer the sign-in baton started (its state does not match): nothing was signed in.".to_string(),
        )
    } else if param("code").is_none() {
        (
            "Not signed in",
            "The provider's redirect carries no authorization code.".to_string(),
        )
    } else {
        ("Signed in", "Signed in.".to_string())
    };
    format!(
        "<!doctype html><title>baton: {title}</title><p>{}</p><p>You can close this window and return to baton.</p>",
        escape(&says)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn the_page_says_what_happened() {
        assert!(page("/cb?code=c&state=s", "s").contains("<p>Signed in.</p>"));
        let denied = page(
            "/cb?error=access_denied&error_description=%3Cno%3E&state=s",
            "s",
        );
        assert!(denied.contains("Sign-in failed"), "{denied}");
        assert!(denied.contains("(access_denied: &lt;no&gt;)"), "{denied}");
        assert!(!denied.contains("Signed in"));
        let forged = page("/cb?code=c&state=other", "s");
        assert!(forged.contains("state does not match"), "{forged}");
        assert!(!forged.contains("Signed in"));
        assert!(page("/cb?state=s", "s").contains("no authorization code"));
    }
}
