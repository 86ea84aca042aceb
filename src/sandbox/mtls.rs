//! The sandbox's mTLS port (RFC 8705): beside the plain port, the same routes over TLS with a
//! CA made at start, a server certificate it issues for 127.0.0.1, and a client certificate
//! and key it issues too, written to a private temporary directory for `--sandbox` runs. The
//! port asks for a client certificate without requiring one and accepts any chain (the
//! registered subject or thumbprint is what authenticates a client, as RFC 8705 2 says); the
//! certificate presented reaches the handlers of its request through `peer()`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;

use super::client::{AuthMethod, ClientConfig};
use super::error::OAuthError;
use super::routes::{
    DEVICE_AUTHORIZATION_PATH, INTROSPECT_PATH, PAR_PATH, REVOCATION_PATH, Shared, TOKEN_PATH,
    USERINFO_PATH,
};

/// The ids of the sandbox's mTLS clients.
pub(crate) const TLS_CLIENT: &str = "baton-mtls";
pub(crate) const SELF_SIGNED_CLIENT: &str = "baton-mtls-self";

/// A client certificate presented in a request's TLS handshake.
#[derive(Clone, Debug, Default)]
pub(crate) struct Peer {
    /// x5t#S256 and subject of the first certificate; `None` when none was presented.
    cert: Option<(String, String)>,
}

tokio::task_local! {
    static PEER: Peer;
}

/// The certificate of the request being handled (x5t#S256, subject): set for requests of the
/// mTLS port only. A task-local rather than an extractor so that client authentication,
/// deep under every endpoint that authenticates a client, reads it without each handler
/// passing it down.
pub(crate) fn peer() -> Option<(String, String)> {
    PEER.try_with(|p| p.cert.clone()).ok().flatten()
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> Peer {
        let first = stream
            .io()
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first());
        Peer {
            cert: first.map(|c| {
                let subject = p12_keystore::Certificate::from_der(c.as_ref())
                    .map(|c| c.subject().to_string())
                    .unwrap_or_default();
                (crate::http::client_cert::thumbprint_of(c.as_ref()), subject)
            }),
        }
    }
}

async fn scope_peer(ConnectInfo(peer): ConnectInfo<Peer>, req: Request, next: Next) -> Response {
    PEER.scope(peer, next.run(req)).await
}

/// What the sandbox made for mTLS, and the port it serves.
pub(crate) struct Setup {
    pub(crate) url: String,
    pub(crate) ca: CertificateDer<'static>,
    pub(crate) client_cert_file: PathBuf,
    pub(crate) client_key_file: PathBuf,
    /// The CA in PEM, for curl's --cacert (baton's `--sandbox` trusts it by itself).
    pub(crate) ca_file: PathBuf,
    pub(crate) client_subject: String,
    pub(crate) client_thumbprint: String,
    dir: PathBuf,
    listener: Option<TlsListener>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes the CA and certificates, writes the client's to a private directory and binds the
/// TLS port on `ip`.
pub(crate) async fn prepare(ip: std::net::IpAddr) -> Result<Setup, String> {
    let err = |e: &dyn std::fmt::Display| format!("cannot set up the mTLS port: {e}");
    let ca_key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "baton sandbox CA");
    let ca = ca_params.self_signed(&ca_key).map_err(|e| err(&e))?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
    let server_params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
        .map_err(|e| err(&e))?;
    let server = server_params
        .signed_by(&server_key, &issuer)
        .map_err(|e| err(&e))?;
    let client_key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
    let mut client_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
    client_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "baton-sandbox-client");
    client_params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "baton sandbox");
    let client = client_params
        .signed_by(&client_key, &issuer)
        .map_err(|e| err(&e))?;
    let dir = private_dir().map_err(|e| err(&e))?;
    let client_cert_file = dir.join("client.pem");
    let client_key_file = dir.join("client.key");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).map_err(|e| err(&e))?;
    std::fs::write(&client_cert_file, client.pem()).map_err(|e| err(&e))?;
    std::fs::write(&client_key_file, client_key.serialize_pem()).map_err(|e| err(&e))?;
    let client_subject = p12_keystore::Certificate::from_der(client.der())
        .map(|c| c.subject().to_string())
        .map_err(|e| err(&e))?;
    let config = server_config(
        vec![server.der().clone(), ca.der().clone()],
        PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
    )?;
    let tcp = TcpListener::bind(SocketAddr::new(ip, 0))
        .await
        .map_err(|e| err(&e))?;
    let addr = tcp.local_addr().map_err(|e| err(&e))?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    Ok(Setup {
        url: format!("https://{host}:{}", addr.port()),
        ca: ca.der().clone(),
        client_thumbprint: crate::http::client_cert::thumbprint_of(client.der()),
        client_cert_file,
        client_key_file,
        ca_file,
        client_subject,
        dir,
        listener: Some(TlsListener::spawn(
            tcp,
            tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        )),
    })
}

impl Setup {
    /// The sandbox's two mTLS clients, registered with this setup's client certificate.
    pub(crate) fn clients(&self) -> [ClientConfig; 2] {
        [
            ClientConfig {
                id: TLS_CLIENT.into(),
                token_endpoint_auth_method: Some(AuthMethod::TlsClientAuth),
                tls_client_auth_subject_dn: Some(self.client_subject.clone()),
                ..ClientConfig::default()
            },
            ClientConfig {
                id: SELF_SIGNED_CLIENT.into(),
                token_endpoint_auth_method: Some(AuthMethod::SelfSignedTlsClientAuth),
                tls_client_auth_x5t_s256: Some(self.client_thumbprint.clone()),
                ..ClientConfig::default()
            },
        ]
    }

    /// The banner's section on the mTLS port.
    pub(crate) fn describe(&self) -> String {
        format!(
            "mtls        {}  (the same routes over TLS, asking for a client certificate;              discovery lists it in mtls_endpoint_aliases)
               CA          {}  (made at start; --sandbox trusts it)
               client      {}  key {}
                           subject {}, x5t#S256 {}",
            self.url,
            self.ca_file.display(),
            self.client_cert_file.display(),
            self.client_key_file.display(),
            self.client_subject,
            self.client_thumbprint
        )
    }

    /// Serves `app` on the TLS port until `stop` resolves.
    pub(crate) fn serve(
        &mut self,
        app: Router,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<std::io::Result<()>> {
        let listener = self.listener.take().expect("served once");
        let app = app.layer(middleware::from_fn(scope_peer));
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<Peer>())
                .with_graceful_shutdown(stop)
                .await
        })
    }
}

/// RFC 8705 5: the endpoints a client with a certificate uses, and bound tokens.
pub(crate) fn advertise(shared: &Shared, doc: &mut Value) {
    let Some(url) = shared.mtls_url.get() else {
        return;
    };
    let at = |path: &str| format!("{url}{path}");
    doc["mtls_endpoint_aliases"] = json!({
        "token_endpoint": at(TOKEN_PATH),
        "userinfo_endpoint": at(USERINFO_PATH),
        "introspection_endpoint": at(INTROSPECT_PATH),
        "revocation_endpoint": at(REVOCATION_PATH),
        "device_authorization_endpoint": at(DEVICE_AUTHORIZATION_PATH),
        "pushed_authorization_request_endpoint": at(PAR_PATH),
    });
    doc["tls_client_certificate_bound_access_tokens"] = json!(true);
}

/// `tls_client_auth` / `self_signed_tls_client_auth` (RFC 8705 2): the certificate of the
/// handshake must be the one registered for `client`.
pub(crate) fn authenticate(client: &ClientConfig) -> Result<(), OAuthError> {
    let id = &client.id;
    let Some((thumbprint, subject)) = peer() else {
        return Err(OAuthError::invalid_client(format!(
            "client `{id}` authenticates with a client certificate (RFC 8705), and none was \
             presented: send the request to the mtls_endpoint_aliases of discovery with one"
        )));
    };
    let ok = match client.token_endpoint_auth_method {
        Some(AuthMethod::TlsClientAuth) => {
            client.tls_client_auth_subject_dn.as_deref() == Some(subject.as_str())
        }
        _ => client.tls_client_auth_x5t_s256.as_deref() == Some(thumbprint.as_str()),
    };
    if ok {
        Ok(())
    } else {
        Err(OAuthError::invalid_client(format!(
            "the client certificate presented (subject {subject}) is not the one registered \
             for client `{id}`"
        )))
    }
}

/// The `cnf` of a token issued now: the thumbprint of the certificate presented (RFC 8705 3).
pub(crate) fn confirmation() -> Option<Value> {
    peer().map(|(thumbprint, _)| json!({ "x5t#S256": thumbprint }))
}

/// RFC 8705 3: a token bound to a certificate is refused without that very certificate.
pub(crate) fn check_binding(cnf: Option<&Value>) -> Result<(), OAuthError> {
    let Some(bound) = cnf.and_then(|c| c.get("x5t#S256")).and_then(Value::as_str) else {
        return Ok(());
    };
    match peer() {
        Some((presented, _)) if presented == bound => Ok(()),
        Some(_) => Err(OAuthError::new(
            super::error::ErrorCode::InvalidToken,
            "the access token is bound to another client certificate: the certificate \
             presented does not match its cnf x5t#S256 (RFC 8705 3)",
        )),
        None => Err(OAuthError::new(
            super::error::ErrorCode::InvalidToken,
            "the access token is bound to a client certificate and none was presented: the \
             certificate does not match its cnf x5t#S256 (RFC 8705 3)",
        )),
    }
}

/// A directory only this user can read, for the client key.
fn private_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "baton-sandbox-{}-{}",
        std::process::id(),
        super::keys::random_token()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect::<String>()
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    Ok(dir)
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = AnyClientCert {
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up the mTLS port: {e}"))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(chain, key)
        .map_err(|e| format!("cannot set up the mTLS port: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Asks for a client certificate, takes any (or none), and checks only that the client
/// holds its key (the handshake signature).
#[derive(Debug)]
struct AnyClientCert {
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// TLS connections, handshaken off the accept loop (a client that stalls its handshake does
/// not hold up the others), handed to axum one at a time.
pub(crate) struct TlsListener {
    addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    fn spawn(tcp: TcpListener, acceptor: tokio_rustls::TlsAcceptor) -> TlsListener {
        let addr = tcp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                // The server gone (its receiver dropped), the port is closed with this loop.
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    () = tx.closed() => return,
                };
                let Ok((stream, from)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let shake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    if let Ok(Ok(tls)) = shake.await {
                        let _ = tx.send((tls, from)).await;
                    }
                });
            }
        });
        TlsListener { addr, ready }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop is gone: nothing will ever come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
