//! The embedded sandbox OIDC provider: an offline axum server on 127.0.0.1 that the examples
//! and tests run against. This file owns its public handle: start, describe, vars, shutdown.
//!
//! ```no_run
//! # async fn demo() -> Result<(), baton::SandboxError> {
//! use baton::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("{}", sandbox.issuer()); // http://127.0.0.1:<free port>
//! sandbox.shutdown().await?;
//! # Ok(()) }
//! ```

mod assertion;
mod authorize;
mod banner;
mod client;
mod client_auth;
mod config;
mod consent;
mod details;
mod device;
mod device_page;
mod dpop;
mod error;
mod exchange;
mod fapi;
mod html;
mod jar;
mod keys;
mod login;
mod mtls;
mod par;
mod pkce;
mod resource;
mod routes;
mod scope;
mod session;
mod store;
mod token;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) use client::{AuthMethod, DEFAULT_PKJWT_PUBLIC_PEM};
pub use client::{ClientConfig, GrantType};
pub use config::SandboxConfig;
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
    /// The mTLS port's certificates and its server, which stops with the plain one.
    /// Boxed: a handle is moved around by tests and front ends, and this is most of it.
    mtls: Box<mtls::Setup>,
    mtls_task: Option<JoinHandle<std::io::Result<()>>>,
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
        let mut mtls = mtls::prepare(addr.ip())
            .await
            .map_err(|e| SandboxError::Serve(std::io::Error::other(e)))?;
        let mut config = config;
        for client in mtls.clients() {
            // A configuration's own client of that id stays as written.
            if config.client(&client.id).is_none() {
                config.clients.push(client);
            }
        }
        let shared = Arc::new(Shared::new(config, issuer, key));
        let _ = shared.mtls_url.set(mtls.url.clone());
        let app = routes::router(Arc::clone(&shared));
        let (mtls_stop, mtls_stopped) = oneshot::channel::<()>();
        let mtls_task = mtls.serve(app.clone(), async {
            let _ = mtls_stopped.await;
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the handle is gone: stop as well.
                    let _ = stopped.await;
                })
                .await;
            let _ = mtls_stop.send(());
            served
        });
        Ok(Sandbox {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
            mtls: Box::new(mtls),
            mtls_task: Some(mtls_task),
        })
    }

    /// The issuer URL, e.g. `http://127.0.0.1:49152`, with no trailing slash.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration being served.
    #[must_use]
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// How many requests reached `path` (e.g. `/connect/token`), whatever their outcome.
    #[must_use]
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
    /// `Scope`, and, when such clients are configured, `PublicClientId`, `SpecialClientId`,
    /// `SpecialClientSecret`, `JwtClientId`, `JwtClientSecret`, `PkJwtClientId`,
    /// `PkJwtKeyFile` (only while the default key pair is registered and its private key file
    /// exists), `FormClientId` and `FormClientSecret`, `ParClientId` and `ParClientSecret`
    /// (a client that must push its authorization requests, RFC 9126), `DpopClientId` and
    /// `DpopClientSecret` (a client whose tokens must be DPoP-bound, RFC 9449), and
    /// `FapiClientId` (a client held to the FAPI 2.0 Security Profile).
    #[must_use]
    pub fn vars(&self) -> Vec<(String, String)> {
        let config = &self.shared.config;
        let mut vars = vec![("baseAuthURL".to_string(), self.issuer().to_string())];
        let mut push = |name: &str, value: &str| vars.push((name.to_string(), value.to_string()));
        let secret = |c: &ClientConfig| c.secret.as_deref().unwrap_or_default().to_string();
        let mut confidential = config
            .clients
            .iter()
            .filter(|c| c.accepts(AuthMethod::ClientSecretBasic) && !c.login_form);
        if let Some(client) = confidential.next() {
            push("ClientId", &client.id);
            push("ClientSecret", &secret(client));
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
            push("SpecialClientSecret", &secret(client));
        }
        let find = |method| config.clients.iter().find(|c| c.accepts(method));
        if let Some(client) = find(AuthMethod::ClientSecretJwt) {
            push("JwtClientId", &client.id);
            push("JwtClientSecret", &secret(client));
        }
        if let Some(client) = find(AuthMethod::PrivateKeyJwt) {
            push("PkJwtClientId", &client.id);
            if client.jwks_pem.as_deref() == Some(DEFAULT_PKJWT_PUBLIC_PEM)
                && let Some(path) = default_pkjwt_key_file()
            {
                push("PkJwtKeyFile", &path);
            }
        }
        if let Some(client) = config.clients.iter().find(|c| c.login_form) {
            push("FormClientId", &client.id);
            push("FormClientSecret", &secret(client));
        }
        let par = config
            .clients
            .iter()
            .find(|c| c.require_pushed_authorization_requests);
        if let Some(client) = par {
            push("ParClientId", &client.id);
            push("ParClientSecret", &secret(client));
        }
        let dpop = |fapi: bool| {
            let mut all = config.clients.iter();
            all.find(move |c| c.dpop_bound_access_tokens && c.fapi2 == fapi)
        };
        if let Some(client) = dpop(false) {
            push("DpopClientId", &client.id);
            push("DpopClientSecret", &secret(client));
        }
        if let Some(client) = dpop(true) {
            push("FapiClientId", &client.id);
        }
        push("sandboxMtlsURL", &self.mtls.url);
        push(
            "SandboxClientCert",
            &self.mtls.client_cert_file.display().to_string(),
        );
        push(
            "SandboxClientKey",
            &self.mtls.client_key_file.display().to_string(),
        );
        let by_method = |m| config.clients.iter().find(|c| c.auth_methods() == [m]);
        if let Some(client) = by_method(AuthMethod::TlsClientAuth) {
            push("MtlsClientId", &client.id);
        }
        if let Some(client) = by_method(AuthMethod::SelfSignedTlsClientAuth) {
            push("MtlsSelfClientId", &client.id);
        }
        vars
    }

    /// The CA that issued the certificate of the mTLS port (DER): what `--sandbox` trusts.
    #[must_use]
    pub fn mtls_ca(&self) -> Vec<u8> {
        self.mtls.ca.to_vec()
    }

    /// Where the CA of [`Sandbox::mtls_ca`] is written (PEM), for curl's `--cacert`.
    #[must_use]
    pub fn mtls_ca_file(&self) -> &std::path::Path {
        &self.mtls.ca_file
    }

    /// The base URL of the mTLS port, e.g. `https://127.0.0.1:49153`.
    #[must_use]
    pub fn mtls_url(&self) -> &str {
        &self.mtls.url
    }

    /// A banner for people: issuer, endpoints, clients, users and lifetimes.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{}\n\n{}",
            banner::describe(&self.shared),
            self.mtls.describe()
        )
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
        if let Some(task) = self.mtls_task.take() {
            task.abort();
        }
    }
}

/// Starts a sandbox, prints [`Sandbox::describe`] to stdout and serves until Ctrl-C or
/// SIGTERM, then shuts down gracefully. This is `baton sandbox`.
pub(crate) async fn serve(config: SandboxConfig) -> Result<(), SandboxError> {
    let mut sandbox = Sandbox::start(config).await?;
    crate::outln!("{}", sandbox.describe());
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

/// The committed test key of `baton-pkjwt`, where the source tree was built. A binary run
/// elsewhere has no such file, and then the variable is simply not offered.
fn default_pkjwt_key_file() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys/sandbox-pkjwt-private.pem");
    path.is_file().then(|| path.display().to_string())
}
