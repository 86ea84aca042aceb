//! Which endpoints a flow sends to, and where their URLs come from: discovered, or given
//! (`token_url`...), and the error that names the key to set when neither has one.

use super::discovery::Endpoints;
use super::flow::{Ctx, FlowError};
use super::spec::{Grant, OAuth2};
use crate::http::Hop;
use crate::template::Tpl;

/// The endpoints of a flow: discovered from `issuer` (the OpenID document, and the RFC 8414
/// one for what the grant needs and the first lacks), then overridden by the URLs given.
pub(crate) async fn resolve(
    spec: &OAuth2,
    grant: Grant,
    cx: &mut Ctx<'_>,
    hops: &mut Vec<Hop>,
) -> Result<Endpoints, FlowError> {
    let issuer = cx.render_opt(&spec.issuer)?;
    let mut endpoints = match &issuer {
        Some(issuer) => cx.cache.discover(cx.http, issuer, hops).await?,
        None => Endpoints::default(),
    };
    // RFC 8705 5: a client presenting a certificate uses the provider's mTLS aliases.
    if cx.client_cert.is_some() {
        super::mtls::use_aliases(&mut endpoints);
    }
    // Explicit URLs win over discovered ones.
    let explicit = |t: &Option<Tpl>, cx: &Ctx| cx.render_opt(t);
    if let Some(u) = explicit(&spec.token_url, cx)? {
        endpoints.token = Some(u);
    }
    if let Some(u) = explicit(&spec.authorize_url, cx)? {
        endpoints.authorize = Some(u);
    }
    if let Some(u) = explicit(&spec.device_url, cx)? {
        endpoints.device = Some(u);
    }
    if let Some(u) = explicit(&spec.introspection_url, cx)? {
        endpoints.introspection = Some(u);
    }
    if let Some(u) = explicit(&spec.revocation_url, cx)? {
        endpoints.revocation = Some(u);
    }
    if let Some(u) = explicit(&spec.jwks_url, cx)? {
        endpoints.jwks = Some(u);
    }
    if let Some(u) = explicit(&spec.par_url, cx)? {
        endpoints.par = Some(u);
    }
    // An endpoint the OpenID Connect document leaves out may be in the RFC 8414 one.
    if let Some(issuer) = &issuer
        && needed(spec, grant)
            .iter()
            .any(|e| e.get(&endpoints).is_none())
        && let Some(more) = cx.cache.metadata(cx.http, issuer, hops).await?
    {
        endpoints.fill(&more);
    }
    Ok(endpoints)
}

/// The rendered values of a spec.
pub(crate) struct Rendered {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub endpoints: Endpoints,
}

/// The endpoints a flow may need, with their metadata and YAML names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Endpoint {
    Authorize,
    Token,
    Device,
    Introspection,
    Revocation,
    /// RFC 9126's pushed authorization request endpoint.
    Par,
}

impl Endpoint {
    pub(crate) fn get(self, e: &Endpoints) -> Option<&String> {
        match self {
            Endpoint::Authorize => e.authorize.as_ref(),
            Endpoint::Token => e.token.as_ref(),
            Endpoint::Device => e.device.as_ref(),
            Endpoint::Introspection => e.introspection.as_ref(),
            Endpoint::Revocation => e.revocation.as_ref(),
            Endpoint::Par => e.par.as_ref(),
        }
    }

    /// Its name in discovery documents and the `oauth2` key that gives it.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Endpoint::Authorize => ("authorization_endpoint", "authorize_url"),
            Endpoint::Token => ("token_endpoint", "token_url"),
            Endpoint::Device => ("device_authorization_endpoint", "device_authorization_url"),
            Endpoint::Introspection => ("introspection_endpoint", "introspection_url"),
            Endpoint::Revocation => ("revocation_endpoint", "revocation_url"),
            Endpoint::Par => ("pushed_authorization_request_endpoint", "par_url"),
        }
    }
}

/// The endpoints the grant will send to.
pub(crate) fn needed(spec: &OAuth2, grant: Grant) -> Vec<Endpoint> {
    match grant {
        Grant::Password
        | Grant::ClientCredentials
        | Grant::RefreshToken
        | Grant::TokenExchange
        | Grant::JwtBearer
        | Grant::Custom => vec![Endpoint::Token],
        Grant::AuthorizationCode if spec.mode == super::spec::Mode::Code => vec![Endpoint::Token],
        Grant::AuthorizationCode if spec.par == Some(true) => {
            vec![Endpoint::Authorize, Endpoint::Par, Endpoint::Token]
        }
        Grant::AuthorizationCode => vec![Endpoint::Authorize, Endpoint::Token],
        Grant::DeviceCode => vec![Endpoint::Device, Endpoint::Token],
        Grant::Introspect => vec![Endpoint::Introspection],
        Grant::Revoke => vec![Endpoint::Revocation],
    }
}

impl Rendered {
    /// The URL of an endpoint, or an error that names the documents read and the key to set.
    pub(crate) fn endpoint(&self, which: Endpoint) -> Result<String, FlowError> {
        if let Some(url) = which.get(&self.endpoints) {
            return Ok(url.clone());
        }
        let (field, key) = which.names();
        let read = match self.endpoints.sources.as_slice() {
            [] => "no discovery document was read (no `issuer`)".to_string(),
            [one] => format!("the provider's discovery document ({one}) has no `{field}`"),
            many => format!(
                "the provider's discovery documents ({}) have no `{field}`",
                many.join(", ")
            ),
        };
        Err(FlowError::Protocol(format!("{read}; give `{key}: ...`")))
    }
}
