//! `--cert`, `--key` and `--cert-password-env`: the client certificate (mTLS) of the commands
//! that send requests over TLS, as one group of flags and the source `http::client_cert`
//! loads.

use clap::Args;
use std::path::PathBuf;

/// `--cert`, `--key` and `--cert-password-env` (as curl spells the first two), on every
/// command that sends requests over TLS with `--cacert`.
#[derive(Args, Debug, Clone, Default)]
pub struct CertArgs {
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

impl CertArgs {
    pub(super) fn source(&self) -> Option<crate::http::client_cert::CertSource> {
        self.cert
            .as_ref()
            .map(|cert| crate::http::client_cert::CertSource {
                cert: cert.clone(),
                key: self.key.clone(),
                password_env: self.cert_password_env.clone(),
            })
    }
}
