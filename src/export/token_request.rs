//! An `oauth2` request exported as the token request it sends (introspection and
//! revocation: theirs), with its client authentication as configured; what only a run knows
//! (the code, the verifier, a signed assertion) a placeholder, and what the snippet cannot do
//! (discovery, PAR, DPoP proofs) a note.

use super::ExportError;
use super::model::{Body, HttpRequest, Renderer, form_encode, marker};
use crate::oauth::form::{self, Client, Exchange};
use crate::oauth::spec::{Grant, OAuth2, Pkce};

/// The prefix of a discovered endpoint's name when it is the mTLS alias of that endpoint.
pub(super) const MTLS: &str = "mtls_";

/// The token request of an `oauth2` request, client authentication as configured.
pub(super) fn build(
    s: &OAuth2,
    r: &mut Renderer,
    out: &mut HttpRequest,
    notes: &mut Vec<String>,
) -> Result<(), ExportError> {
    out.method = "POST".into();
    let endpoint = match s.grant {
        Grant::Introspect => &s.introspection_url,
        Grant::Revoke => &s.revocation_url,
        _ => &s.token_url,
    };
    out.url = if let Some(u) = r.opt(endpoint)? {
        super::marker::encode_url(&u)
    } else {
        let issuer = r.opt(&s.issuer)?.unwrap_or_default();
        // With a certificate the client goes to the document's `mtls_endpoint_aliases` where
        // it has them (RFC 8705 5), as a run does: a value of its own for the program.
        let alias = if out.client_cert.is_some() {
            " (with a client certificate: its mtls_endpoint_aliases, where it has them)"
        } else {
            ""
        };
        notes.push(format!(
            "the endpoint is found by discovery: {issuer}/.well-known/openid-configuration{alias}"
        ));
        let member = match s.grant {
            Grant::Introspect => "introspection_endpoint",
            Grant::Revoke => "revocation_endpoint",
            _ => "token_endpoint",
        };
        let member = if alias.is_empty() {
            member.to_string()
        } else {
            format!("{MTLS}{member}")
        };
        let url = marker(&member);
        out.discovery = Some((issuer, member));
        url
    };
    // What only a run knows (the code, the verifier, the device code) is a placeholder.
    let exchange = match s.grant {
        Grant::Password => Exchange::Password,
        Grant::ClientCredentials => Exchange::ClientCredentials,
        Grant::RefreshToken => Exchange::Refresh {
            token: r
                .opt(&s.refresh_token)?
                .unwrap_or_else(|| marker("refresh_token")),
        },
        Grant::AuthorizationCode => {
            let authorize = r
                .opt(&s.authorize_url)?
                .or(r.opt(&s.issuer)?)
                .unwrap_or_default();
            notes.push(format!("first send the user to {authorize} (response_type=code) and take the `code` of the redirect"));
            if s.par == Some(true) || (s.par.is_none() && s.par_url.is_some()) {
                notes.push("with PAR (RFC 9126): POST the authorize parameters to the provider's pushed_authorization_request_endpoint, authenticated as the token request below, and send the user with only client_id and the request_uri it answers".into());
            }
            if s.request_object {
                notes.push("with a signed request object (RFC 9101): the authorize parameters go as the claims of a JWT signed with the client's private key (`request=`)".into());
            }
            Exchange::Code {
                code: r.opt(&s.code)?.unwrap_or_else(|| marker("code")),
                redirect_uri: r.opt(&s.redirect_uri)?.unwrap_or_default(),
                verifier: (s.pkce != Pkce::Off).then(|| marker("code_verifier")),
            }
        }
        Grant::DeviceCode => Exchange::DevicePoll {
            device_code: marker("device_code"),
        },
        Grant::Introspect | Grant::Revoke => Exchange::TokenCheck,
        Grant::TokenExchange => Exchange::Tokens,
        Grant::JwtBearer => Exchange::JwtBearer {
            assertion: if let Some(a) = r.opt(&s.assertion)? {
                a
            } else {
                notes.push(
                    "assertion is a JWT signed with the private key for each request (RFC 7523 2.1)"
                        .into(),
                );
                marker("assertion")
            },
        },
        Grant::Custom => Exchange::Custom,
    };
    if s.dpop.is_some() && s.grant.issues_tokens() {
        notes.push("with DPoP (RFC 9449): each token request needs a fresh `DPoP` proof header signed with the DPoP key, and the token goes as `Authorization: DPoP` with a proof per request".into());
    }
    let mut form = form::fields(s, &exchange, r)?;
    let id = r.text(&s.client_id)?;
    let secret = r.opt(&s.client_secret)?.unwrap_or_default();
    let client = form::client(s.client_auth(), id, secret, |_, _| {
        notes.push("client_assertion is a JWT signed for each request (RFC 7523)".into());
        Ok::<_, ExportError>(marker("client_assertion"))
    })?;
    match client {
        // RFC 6749 2.3.1: form-encoded, then Basic.
        Client::Basic { id, secret } => {
            out.basic = Some((form_encode(&id), form_encode(&secret)));
            out.basic_form_encoded = true;
        }
        Client::Fields(fields) => form.extend(fields),
    }
    if out.header("content-type").is_none() {
        out.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    out.body = Some(Body::Form(form));
    Ok(())
}
