//! The JWTs a client signs at the token endpoint: its client assertion (`client_secret_jwt`,
//! `private_key_jwt`) and the assertion of the `jwt_bearer` grant. Both are signed with the
//! key of the block and addressed to the same audience: the token endpoint unless
//! `assertion_audience` says `issuer` (FAPI 2.0 asks for the issuer) or gives a URL.

use super::assertion::{AssertionKey, client_assertion, grant_assertion};
use super::flow::{Ctx, FlowError, Rendered};
use super::spec::{ClientAuth, OAuth2};
use crate::template::RenderFail;

/// The key that signs: the client secret for `client_secret_jwt`, otherwise the PEM of
/// `private_key:` (read and checked as `baton check` does, with the error at the key).
pub(crate) fn key(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    auth: ClientAuth,
    secret: String,
) -> Result<AssertionKey, FlowError> {
    if auth == ClientAuth::ClientSecretJwt {
        return Ok(AssertionKey::Secret(secret));
    }
    let path_or_pem = cx.render_opt(&spec.private_key)?.unwrap_or_default();
    let pem = match &spec.private_key {
        Some(key) => {
            super::spec::private_key_pem(key, &path_or_pem, cx.base_dir).map_err(|diagnostic| {
                FlowError::Render(Box::new(RenderFail {
                    diagnostic,
                    missing: None,
                }))
            })?
        }
        None => path_or_pem,
    };
    Ok(AssertionKey::PrivatePem {
        pem,
        kid: cx.render_opt(&spec.key_id)?,
    })
}

/// The `aud` of an assertion sent to `url`.
pub(crate) fn audience(
    spec: &OAuth2,
    cx: &Ctx<'_>,
    r: &Rendered,
    url: &str,
) -> Result<String, FlowError> {
    match cx.render_opt(&spec.assertion_audience)?.as_deref() {
        None | Some("token_endpoint") => Ok(url.to_string()),
        Some("issuer") => r
            .endpoints
            .issuer
            .clone()
            .or(cx.render_opt(&spec.issuer)?)
            .ok_or_else(|| {
                FlowError::Input(
                    "`assertion_audience: issuer` needs the issuer: give `issuer:` (discovery) or write its URL as the audience".into(),
                )
            }),
        Some(other) => Ok(other.to_string()),
    }
}

/// The client assertion sent to `url`, learned by the redactor.
pub(crate) fn client(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    url: &str,
    id: &str,
    secret: String,
) -> Result<String, FlowError> {
    let key = key(spec, cx, spec.client_auth(), secret)?;
    let aud = audience(spec, cx, r, url)?;
    let alg = cx.render_opt(&spec.assertion_alg)?;
    let jwt = client_assertion(id, &aud, &key, alg.as_deref())
        .map_err(|e| FlowError::Input(format!("cannot sign the client assertion: {e}")))?;
    cx.redactor.add(&jwt);
    Ok(jwt)
}

/// The assertion of a `jwt_bearer` grant: `assertion:` as given, or signed with
/// `private_key` by the client for `assertion_subject` (the client itself by default).
pub(crate) fn grant(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    url: &str,
) -> Result<String, FlowError> {
    if let Some(given) = cx.render_opt(&spec.assertion)? {
        cx.redactor.add(&given);
        return Ok(given);
    }
    let key = key(spec, cx, ClientAuth::PrivateKeyJwt, String::new())?;
    let subject = cx
        .render_opt(&spec.assertion_subject)?
        .unwrap_or_else(|| r.client_id.clone());
    let aud = audience(spec, cx, r, url)?;
    let alg = cx.render_opt(&spec.assertion_alg)?;
    let jwt = grant_assertion(&r.client_id, &subject, &aud, &key, alg.as_deref())
        .map_err(|e| FlowError::Input(format!("cannot sign the jwt_bearer assertion: {e}")))?;
    cx.redactor.add(&jwt);
    Ok(jwt)
}
