//! The embedded sandbox OIDC provider: an offline axum server on 127.0.0.1 that the examples
//! and tests run against. This file owns its public handle: start, describe, vars, shutdown.
//!
//! ```no_run
//! # async fn demo() -> Result<(), baton::sandbox::SandboxError> {
//! use baton::sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("{}", sandbox.issuer()); // http://127.0.0.1:<free port>
//! sandbox.shutdown().await?;
//! # Ok(()) }
//! ```

mod authorize;
mod client_auth;
mod config;
mod error;
mod keys;
mod pkce;
mod resource;
mod routes;
mod scope;
mod store;
mod token;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{ClientConfig, GrantType, Lifetimes, SandboxConfig, UserConfig};
pub use error::SandboxError;

use keys::SigningKey;
use routes::Shared;

/// How long `shutdown` lets open connections finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running sandbox. Dropping it asks the server to stop; `shutdown` also waits for it.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Sandbox {
    /// Validates `config`, binds its address, makes a fresh RSA key and serves on the current
    /// tokio runtime. Port 0 picks a free port; see [`Sandbox::addr`].
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        config.validate()?;
        let requested = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(requested)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: requested,
                source,
            })?;
        let addr = listener.local_addr().map_err(SandboxError::Serve)?;
        let issuer = match &config.issuer {
            Some(issuer) => issuer.trim_end_matches('/').to_string(),
            // 0.0.0.0 is where to listen, not where to connect: advertise loopback instead.
            None if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        let key = tokio::task::spawn_blocking(SigningKey::generate)
            .await
            .map_err(|_| SandboxError::KeyGeneration)??;
        let shared = Arc::new(Shared::new(config, issuer, key));
        let app = routes::router(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the handle is gone: stop as well.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Sandbox {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The issuer URL, e.g. `http://127.0.0.1:49152`, with no trailing slash.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration being served.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// How many requests reached `path` (e.g. `/connect/token`), whatever their outcome.
    pub fn hits(&self, path: &str) -> u64 {
        self.shared.hits(path)
    }

    /// Moves the sandbox's clock forward, so that codes and tokens expire without sleeping.
    /// Tokens issued afterwards carry the shifted times too.
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .clock
            .advance(i64::try_from(by.as_secs()).unwrap_or(i64::MAX));
    }

    /// The variables the example collections use, for `baton run --sandbox`:
    /// `baseAuthURL`, `ClientId`, `ClientSecret`, `username`, `password`, `redirect_URI`,
    /// `Scope`, and, when configured, `PublicClientId`, `SpecialClientId`, `SpecialClientSecret`.
    pub fn vars(&self) -> Vec<(String, String)> {
        let config = &self.shared.config;
        let mut vars = vec![("baseAuthURL".to_string(), self.issuer().to_string())];
        let mut confidential = config.clients.iter().filter(|c| !c.is_public());
        let mut push = |name: &str, value: &str| vars.push((name.to_string(), value.to_string()));
        if let Some(client) = confidential.next() {
            push("ClientId", &client.id);
            push("ClientSecret", client.secret.as_deref().unwrap_or_default());
            if let Some(uri) = client.redirect_uris.first() {
                push("redirect_URI", uri);
            }
        }
        if let Some(user) = config.users.first() {
            push("username", &user.username);
            push("password", &user.password);
        }
        push("Scope", "api offline_access");
        if let Some(client) = config.clients.iter().find(|c| c.is_public()) {
            push("PublicClientId", &client.id);
        }
        if let Some(client) = confidential.next() {
            push("SpecialClientId", &client.id);
            push(
                "SpecialClientSecret",
                client.secret.as_deref().unwrap_or_default(),
            );
        }
        vars
    }

    /// A banner for people: issuer, endpoints, clients, users and lifetimes.
    pub fn describe(&self) -> String {
        describe(&self.shared)
    }

    /// Stops accepting connections, lets open requests finish (up to 5 s) and waits.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let abort = task.abort_handle();
        match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
            Ok(Ok(result)) => result.map_err(SandboxError::Serve),
            Ok(Err(join)) => Err(SandboxError::Serve(std::io::Error::other(join))),
            Err(_) => {
                abort.abort();
                Ok(())
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a sandbox, prints [`Sandbox::describe`] to stdout and serves until Ctrl-C or
/// SIGTERM, then shuts down gracefully. This is `baton sandbox`.
pub async fn serve(config: SandboxConfig) -> Result<(), SandboxError> {
    let mut sandbox = Sandbox::start(config).await?;
    println!("{}", sandbox.describe());
    let Some(mut task) = sandbox.task.take() else {
        return Ok(());
    };
    tokio::select! {
        signal = stop_signal() => {
            signal?;
            sandbox.task = Some(task);
            sandbox.shutdown().await
        }
        // The server ending by itself is an error (it only stops when asked).
        ended = &mut task => match ended {
            Ok(result) => result.map_err(SandboxError::Serve),
            Err(join) => Err(SandboxError::Serve(std::io::Error::other(join))),
        },
    }
}

async fn stop_signal() -> Result<(), SandboxError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(SandboxError::Serve)?;
        tokio::select! {
            ctrl_c = tokio::signal::ctrl_c() => ctrl_c.map_err(SandboxError::Serve),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(SandboxError::Serve)
    }
}

fn describe(shared: &Shared) -> String {
    use routes::*;
    use std::fmt::Write as _;
    let config = &shared.config;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "baton sandbox: an OpenID Connect provider for tests (in memory, offline)\n"
    );
    let _ = writeln!(out, "  issuer      {}", shared.issuer);
    for (name, path, note) in [
        ("discovery", DISCOVERY_PATH, ""),
        ("jwks", JWKS_PATH, "  (RS256, new key at each start)"),
        (
            "authorize",
            AUTHORIZE_PATH,
            "  (auto-approves the first user, or login_hint)",
        ),
        ("token", TOKEN_PATH, "  (also /oauth/token)"),
        ("userinfo", USERINFO_PATH, ""),
        ("introspect", INTROSPECT_PATH, ""),
        ("revocation", REVOCATION_PATH, ""),
    ] {
        let _ = writeln!(out, "  {name:<11} {}{note}", shared.url(path));
    }
    let _ = writeln!(out, "\nclients");
    for client in &config.clients {
        let secret = match &client.secret {
            // Point out the RFC 6749 2.3.1 trap before someone falls into it.
            Some(secret)
                if secret
                    .bytes()
                    .any(|b| !b.is_ascii_alphanumeric() && !b"-._~".contains(&b)) =>
            {
                format!("secret {secret}   (form-encode it in a Basic header)")
            }
            Some(secret) => format!("secret {secret}"),
            None => "public, PKCE required".to_string(),
        };
        let grants: Vec<&str> = [
            GrantType::Password,
            GrantType::ClientCredentials,
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
        ]
        .into_iter()
        .filter(|g| client.allows(*g))
        .map(GrantType::as_str)
        .collect();
        let _ = writeln!(out, "  {:<15} {secret}", client.id);
        let _ = writeln!(out, "  {:<15} grants: {}", "", grants.join(", "));
        if !client.redirect_uris.is_empty() {
            let _ = writeln!(
                out,
                "  {:<15} redirect URIs: {} (loopback ones match any port)",
                "",
                client.redirect_uris.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\nusers");
    for user in &config.users {
        let _ = writeln!(
            out,
            "  {:<20} sub {}{}",
            format!("{} / {}", user.username, user.password),
            user.sub(),
            user.email
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default()
        );
    }
    let l = &config.lifetimes;
    let _ = writeln!(out, "\nscopes      {}", config.supported_scopes().join(" "));
    let _ = write!(
        out,
        "lifetimes   access token {} s, refresh token {} s (rotated at each use), code {} s, id_token {} s",
        l.access_token, l.refresh_token, l.code, l.id_token
    );
    out
}
