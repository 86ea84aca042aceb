//! `client_cert:` of a request, of its `oauth2` block or of `defaults:`: the client
//! certificate to present (mTLS), as `{ cert, key, password_env }` with templated paths
//! relative to the collection file, or a bare path (a PEM holding both, or PKCS#12). Read
//! and checked for shape here; the runner renders and loads it (`runner/client_cert.rs`).

use crate::diag::Loc;
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;

pub(crate) const CLIENT_CERT_KEYS: &[&str] = &["cert", "key", "password_env"];

/// A client certificate as written.
#[derive(Debug, Clone)]
pub struct ClientCertSpec {
    /// The certificate: PEM (with its key unless `key` is given) or PKCS#12.
    pub cert: Tpl,
    /// The PEM private key, when not in the certificate's file.
    pub key: Option<Tpl>,
    /// The environment variable holding a PKCS#12 file's password.
    pub password_env: Option<Tpl>,
    pub loc: Loc,
}

impl ClientCertSpec {
    /// Every template of the spec (for `baton check`).
    pub(crate) fn templates(&self) -> impl Iterator<Item = &Tpl> {
        std::iter::once(&self.cert)
            .chain(&self.key)
            .chain(&self.password_env)
    }
}

/// `client_cert:` at `node`; `what` names where it is written (`client_cert`,
/// `oauth2.client_cert`) for the messages.
pub(crate) fn read(r: &mut Reader, node: &Node, what: &str) -> Option<ClientCertSpec> {
    if let Kind::Str(_) = &node.kind {
        let cert = r.tpl(node, what)?;
        return Some(ClientCertSpec {
            cert,
            key: None,
            password_env: None,
            loc: node.loc,
        });
    }
    let Kind::Map(_) = &node.kind else {
        r.error(node.loc, format!("`{what}` is a mapping or a path"))
            .help = Some(
            "e.g. client_cert: { cert: client.pem, key: client.key }, or client_cert: client.p12 with password_env".into(),
        );
        return None;
    };
    let mut map = r.map(node, what)?;
    let cert = map.get("cert");
    let key = map.get("key");
    let password_env = map.get("password_env");
    map.finish(r, what, CLIENT_CERT_KEYS);
    let Some(cert) = cert else {
        r.error(node.loc, format!("`{what}` needs `cert:`")).help = Some(
            "the certificate file: PEM (its key in `key:` or in the same file) or PKCS#12 (.p12)"
                .into(),
        );
        return None;
    };
    let cert = r.tpl(cert, &format!("{what}.cert"))?;
    let key = key.and_then(|n| r.tpl(n, &format!("{what}.key")));
    let password_env = password_env.and_then(|n| r.tpl(n, &format!("{what}.password_env")));
    if let Some(env) = &password_env
        && env.is_literal()
        && !crate::yaml::read::is_identifier(&env.text)
    {
        r.error(env.loc, "`password_env` names an environment variable")
            .help = Some(
            "e.g. password_env: CLIENT_P12_PASSWORD; the password itself never goes in the collection"
                .into(),
        );
    }
    Some(ClientCertSpec {
        cert,
        key,
        password_env,
        loc: node.loc,
    })
}
