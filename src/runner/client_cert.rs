//! Which client certificate a request presents (mTLS): a token bound to a certificate is
//! used with that certificate; otherwise the request's own `client_cert:` (or its oauth2
//! block's), then `defaults:` (applied to the request when read), then `--cert`. Paths are
//! rendered and read relative to the file that writes them; a certificate that cannot be
//! used is an input error at its `client_cert:`.

use super::FileRun;
use super::stop::Stop;
use crate::collection::client_cert::ClientCertSpec;
use crate::collection::model::{Auth, Request};
use crate::diag::Diagnostic;
use crate::http::client_cert::{CertSource, ClientCert};
use crate::template::Tpl;
use std::sync::Arc;

type Cert = Option<Arc<ClientCert>>;

impl super::Runner<'_> {
    /// The certificate of a plain request: the one its token is bound to, else its own.
    pub(super) fn request_cert(&self, st: &FileRun<'_>, req: &Request) -> Result<Cert, Stop> {
        if let Some(Auth::OAuth2 { id, .. }) = req.auth.as_deref()
            && let Some(bound) = st.tokens.state(id).and_then(|s| s.client_cert.clone())
        {
            return Ok(Some(bound));
        }
        self.own_cert(st, req.client_cert.as_deref())
    }

    /// The certificate of an oauth2 request's flow: its block's, else the request's own.
    pub(super) fn flow_cert(&self, st: &FileRun<'_>, req: &Request) -> Result<Cert, Stop> {
        let block = req.oauth2.as_ref().and_then(|o| o.client_cert.as_ref());
        self.own_cert(st, block.or(req.client_cert.as_deref()))
    }

    /// `spec` rendered and loaded, or `--cert` without one.
    fn own_cert(&self, st: &FileRun<'_>, spec: Option<&ClientCertSpec>) -> Result<Cert, Stop> {
        let Some(spec) = spec else {
            return Ok(self.http.cli_cert.clone());
        };
        let templates = &self.inputs.templates;
        let render = |t: &Tpl| {
            templates
                .render(t, &st.scope)
                .map_err(|e| Stop::from(crate::template::RenderFail::new(t, e)))
        };
        let base = spec
            .cert
            .file
            .path
            .parent()
            .unwrap_or(std::path::Path::new(""));
        let source = CertSource {
            cert: base.join(render(&spec.cert)?),
            key: spec
                .key
                .as_ref()
                .map(&render)
                .transpose()?
                .map(|k| base.join(k)),
            password_env: spec.password_env.as_ref().map(&render).transpose()?,
        };
        self.http.certs.load(&source).map(Some).map_err(|message| {
            Stop::Input(Diagnostic::error(message).at(&spec.cert.file, spec.loc))
        })
    }
}
