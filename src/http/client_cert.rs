//! A client certificate to present (mTLS, RFC 8705): read from PEM (certificate and key in
//! one file or two) or PKCS#12 (`.p12`/`.pfx`, with a password from the environment),
//! checked at once that the key is the certificate's, and named for `-v` by its path and
//! subject. Its x5t#S256 thumbprint is what a certificate-bound token's `cnf` carries.

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a certificate comes from, as given (`--cert`/`--key`/`--cert-password-env`, or a
/// collection's `client_cert:` rendered): the key of the run's client cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CertSource {
    pub cert: PathBuf,
    /// `None`: the key is in the certificate's file (PEM holding both, or PKCS#12).
    pub key: Option<PathBuf>,
    /// The environment variable holding a PKCS#12 file's password.
    pub password_env: Option<String>,
}

/// A certificate loaded: its chain and key, ready for a TLS client.
pub(crate) struct ClientCert {
    pub source: CertSource,
    /// The first certificate's subject, e.g. `CN=client, O=Example`.
    pub subject: String,
    /// x5t#S256: base64url (no padding) SHA-256 of the first certificate's DER.
    pub thumbprint: String,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// Never the key: what `{:?}` of a prepared request shows.
impl std::fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCert")
            .field("cert", &self.source.cert)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl ClientCert {
    /// Reads and checks the certificate of `source`. `Err` is a message naming the file(s),
    /// for an input error.
    pub(crate) fn load(source: &CertSource) -> Result<Arc<ClientCert>, String> {
        let shown = |p: &Path| crate::diag::display_path(p);
        let cert_path = &source.cert;
        let bytes = crate::fsutil::read(cert_path, crate::fsutil::MAX_INPUT).map_err(|e| {
            format!(
                "cannot read the client certificate {}: {e}",
                shown(cert_path)
            )
        })?;
        let (chain, key) = if is_pkcs12(cert_path, &bytes) {
            if let Some(key) = &source.key {
                return Err(format!(
                    "the client certificate {} is PKCS#12, which holds its key: {} is not needed",
                    shown(cert_path),
                    shown(key)
                ));
            }
            pkcs12(cert_path, &bytes, source.password_env.as_deref())?
        } else {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: not a PEM certificate: {e}", shown(cert_path)))?;
            if chain.is_empty() {
                return Err(format!(
                    "{}: no certificate found (a PEM `BEGIN CERTIFICATE` block, or a PKCS#12 file)",
                    shown(cert_path)
                ));
            }
            let (key_path, key_bytes) = match &source.key {
                Some(k) => {
                    let b = crate::fsutil::read(k, crate::fsutil::MAX_INPUT)
                        .map_err(|e| format!("cannot read the client key {}: {e}", shown(k)))?;
                    (k.as_path(), b)
                }
                None => (cert_path.as_path(), bytes.clone()),
            };
            let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|_| {
                if source.key.is_some() {
                    format!("{}: no PEM private key found", shown(key_path))
                } else {
                    format!(
                        "{}: no private key in the certificate's file; give it with --key (or `key:`)",
                        shown(key_path)
                    )
                }
            })?;
            (chain, key)
        };
        keys_match(&chain, &key).map_err(|why| match &source.key {
            Some(k) => format!(
                "the key {} does not match the certificate {}: {why}",
                shown(k),
                shown(cert_path)
            ),
            None => format!(
                "the key in {} does not match its certificate: {why}",
                shown(cert_path)
            ),
        })?;
        let subject = p12_keystore::Certificate::from_der(chain[0].as_ref())
            .map(|c| c.subject().to_string())
            .map_err(|e| format!("{}: not a usable certificate: {e}", shown(cert_path)))?;
        Ok(Arc::new(ClientCert {
            source: source.clone(),
            subject,
            thumbprint: thumbprint_of(chain[0].as_ref()),
            chain,
            key,
        }))
    }

    /// The certificate and key as one PEM text, as reqwest's `Identity::from_pem` reads it.
    pub(super) fn pem(&self) -> String {
        let mut out = String::new();
        for c in &self.chain {
            out.push_str(&pem_block("CERTIFICATE", c.as_ref()));
        }
        let label = match &self.key {
            PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
            PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
            _ => "PRIVATE KEY",
        };
        out.push_str(&pem_block(label, self.key.secret_der()));
        out
    }

    /// How `-v` names the certificate presented: its path, subject and thumbprint (the
    /// `cnf` of the tokens bound to it); never anything of the key.
    pub(crate) fn describe(&self) -> String {
        let shown = crate::diag::display_path(&self.source.cert);
        format!(
            "client certificate {shown} (subject {}; x5t#S256 {})",
            self.subject, self.thumbprint
        )
    }

    /// curl's options for presenting it, by the paths given.
    pub(crate) fn curl_flags(&self) -> crate::http::curl::CertFlags {
        let shown = |p: &Path| crate::diag::display_path(p);
        crate::http::curl::CertFlags {
            cert: shown(&self.source.cert),
            key: self.source.key.as_deref().map(shown),
            password_env: self.source.password_env.clone(),
        }
    }
}

/// The certificates of a run, each read and checked once (a collection names the same
/// `client_cert:` on many requests); a failure is kept too, and said again at each.
#[derive(Default)]
pub(crate) struct CertCache(
    std::sync::Mutex<std::collections::HashMap<CertSource, Result<Arc<ClientCert>, String>>>,
);

impl CertCache {
    pub(crate) fn load(&self, source: &CertSource) -> Result<Arc<ClientCert>, String> {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        known
            .entry(source.clone())
            .or_insert_with(|| ClientCert::load(source))
            .clone()
    }
}

/// x5t#S256 (RFC 8705 3.1) of the first certificate of the PEM file at `path`.
pub(crate) fn thumbprint_file(path: &Path) -> Result<String, String> {
    let shown = crate::diag::display_path(path);
    let bytes = crate::fsutil::read(path, crate::fsutil::MAX_INPUT)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let first = CertificateDer::pem_slice_iter(&bytes)
        .next()
        .ok_or_else(|| format!("{shown}: no PEM certificate found"))?
        .map_err(|e| format!("{shown}: not a PEM certificate: {e}"))?;
    Ok(thumbprint_of(first.as_ref()))
}

pub(crate) fn thumbprint_of(der: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// PKCS#12 by its name, or by its content: DER (a SEQUENCE) rather than PEM text.
fn is_pkcs12(path: &Path, bytes: &[u8]) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("p12" | "pfx")) || bytes.first() == Some(&0x30)
}

type Chain = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn pkcs12(path: &Path, bytes: &[u8], password_env: Option<&str>) -> Result<Chain, String> {
    let shown = crate::diag::display_path(path);
    let password = match password_env {
        Some(var) => std::env::var(var)
            .map_err(|_| format!("the password of {shown} is to be in ${var}, which is not set"))?,
        None => String::new(),
    };
    let store = p12_keystore::KeyStore::from_pkcs12(
        bytes,
        &password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .map_err(|e| {
        let hint = if password_env.is_some() {
            "is the password right?"
        } else {
            "give its password with --cert-password-env VAR (or `password_env:`)"
        };
        format!("cannot open the PKCS#12 file {shown} ({e}): {hint}")
    })?;
    let (_, entry) = store.private_key_chain().ok_or_else(|| {
        format!("{shown}: no private key with its certificate in the PKCS#12 file")
    })?;
    let chain: Vec<CertificateDer<'static>> = entry
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    if chain.is_empty() {
        return Err(format!("{shown}: no certificate in the PKCS#12 file"));
    }
    let key = PrivateKeyDer::Pkcs8(entry.key().as_der().to_vec().into());
    Ok((chain, key))
}

/// Whether `key` is the private key of the first certificate of `chain`.
fn keys_match(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<(), String> {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| format!("the key is not usable: {e}"))?;
    let certified = rustls::sign::CertifiedKey::new(chain.to_vec(), signing);
    certified.keys_match().map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => "they are not a pair".to_string(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        let (c, k) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&c, cert.pem()).unwrap();
        std::fs::write(&k, key.serialize_pem()).unwrap();
        (c, k)
    }

    fn source(cert: &Path, key: Option<&Path>) -> CertSource {
        CertSource {
            cert: cert.to_path_buf(),
            key: key.map(Path::to_path_buf),
            password_env: None,
        }
    }

    #[test]
    fn loads_a_pair_and_names_its_subject() {
        let dir = tempfile::tempdir().unwrap();
        let (c, k) = pair(dir.path(), "alice");
        let cert = ClientCert::load(&source(&c, Some(&k))).unwrap();
        assert_eq!(cert.subject, "CN=alice");
        assert_eq!(cert.thumbprint, thumbprint_file(&c).unwrap());
        assert_eq!(cert.thumbprint.len(), 43);
        assert!(!format!("{cert:?}").contains("PRIVATE"));
        // One file holding both.
        let both = dir.path().join("both.pem");
        let text = std::fs::read_to_string(&c).unwrap() + &std::fs::read_to_string(&k).unwrap();
        std::fs::write(&both, text).unwrap();
        assert_eq!(
            ClientCert::load(&source(&both, None)).unwrap().subject,
            "CN=alice"
        );
        // The PEM made for reqwest reads back as the same pair.
        std::fs::write(&both, cert.pem()).unwrap();
        assert!(ClientCert::load(&source(&both, None)).is_ok());
    }

    #[test]
    fn refuses_a_key_of_another_certificate_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let (c, _) = pair(dir.path(), "alice");
        let (_, k) = pair(dir.path(), "bob");
        let e = ClientCert::load(&source(&c, Some(&k))).unwrap_err();
        assert!(e.contains("bob.key") && e.contains("alice.pem"), "{e}");
        assert!(e.contains("does not match"), "{e}");
    }

    #[test]
    fn says_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let (c, k) = pair(dir.path(), "alice");
        let e = ClientCert::load(&source(&k, None)).unwrap_err();
        assert!(e.contains("no certificate found"), "{e}");
        let e = ClientCert::load(&source(&c, None)).unwrap_err();
        assert!(e.contains("no private key"), "{e}");
        let e = ClientCert::load(&source(&dir.path().join("nope.pem"), None)).unwrap_err();
        assert!(e.contains("cannot read the client certificate"), "{e}");
    }
}
