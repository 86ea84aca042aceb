//! The TLS flags of the commands that send requests: which servers to trust (`--insecure`,
//! `--cacert`) and the client certificate to present (`--cert`, `--key`,
//! `--cert-password-env`, the source `http::client_cert` loads), as one group.

use clap::Args;
use std::path::PathBuf;

/// curl's spellings, on `run`, `probe`, `token` and `docs check`.
#[derive(Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// Accept invalid TLS certificates.
    #[arg(long)]
    pub insecure: bool,
    /// Trust the certificates of this PEM file too.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Present this client certificate (mTLS): PEM (its key in the same file or in --key)
    /// or PKCS#12 (.p12/.pfx). A request's or the collection's `client_cert:` comes first.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// The PEM private key of --cert, when it is not in the certificate's file.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// The environment variable holding the password of a PKCS#12 --cert.
    #[arg(long, value_name = "VAR", requires = "cert")]
    pub cert_password_env: Option<String>,
}

impl TlsArgs {
    /// The TLS set-up the flags ask for (the sandbox's CA is the command's to add).
    pub(super) fn choice(&self) -> crate::http::Tls {
        crate::http::Tls {
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            cert: self
                .cert
                .as_ref()
                .map(|cert| crate::http::client_cert::CertSource {
                    cert: cert.clone(),
                    key: self.key.clone(),
                    password_env: self.cert_password_env.clone(),
                }),
            ..crate::http::Tls::default()
        }
    }
}
