//! What each grant needs, and whether a `private_key:` can sign: said at load time (and by
//! `baton check`) rather than as a provider's error later.

use super::{ClientAuth, Grant, Mode, OAuth2};
use crate::diag::Diagnostic;
use crate::template::Tpl;
use crate::yaml::node::Node;
use crate::yaml::read::Reader;
use std::path::Path;

/// What each grant needs, said once at load time rather than as a provider error later.
pub(super) fn validate(r: &mut Reader, s: &OAuth2, node: &Node) {
    let mut need = |ok: bool, what: &str, why: &str| {
        if !ok {
            let d = r.error(
                node.loc,
                format!("`oauth2` with grant `{}` needs {what}", s.grant.as_str()),
            );
            d.help = Some(why.to_string());
        }
    };
    let endpoint = s.issuer.is_some();
    match s.grant {
        Grant::Password => {
            need(
                s.username.is_some() && s.password.is_some(),
                "`username` and `password`",
                "the resource owner's credentials",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::ClientCredentials => need(
            endpoint || s.token_url.is_some(),
            "`issuer` or `token_url`",
            "where to send the token request",
        ),
        Grant::RefreshToken => {
            need(
                s.refresh_token.is_some(),
                "`refresh_token`",
                "e.g. refresh_token: <<login.refresh_token>>",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::AuthorizationCode => {
            need(
                s.redirect_uri.is_some(),
                "`redirect_uri`",
                "the redirect URI registered for the client, e.g. http://127.0.0.1:8765/callback",
            );
            need(
                endpoint
                    || (s.token_url.is_some()
                        && (s.authorize_url.is_some() || s.mode == Mode::Code)),
                "`issuer`, or `authorize_url` and `token_url`",
                "where to send the user and the token request",
            );
            need(
                s.mode != Mode::Code || s.code.is_some(),
                "`code`",
                "mode `code` exchanges a code you obtained elsewhere",
            );
            need(
                s.exchange || s.mode != Mode::Code,
                "a code to obtain (`exchange: false` with mode `code` does nothing)",
                "`exchange: false` stops a headless or interactive sign-in at the redirect",
            );
        }
        Grant::DeviceCode => need(
            endpoint || (s.token_url.is_some() && s.device_url.is_some()),
            "`issuer`, or `device_authorization_url` and `token_url`",
            "where to start the device flow",
        ),
        Grant::Introspect => {
            need(
                s.token.is_some(),
                "`token`",
                "the token to introspect, e.g. token: <<login.access_token>>",
            );
            need(
                endpoint || s.introspection_url.is_some(),
                "`issuer` or `introspection_url`",
                "where to send it",
            );
        }
        Grant::Revoke => {
            need(s.token.is_some(), "`token`", "the token to revoke");
            need(
                endpoint || s.revocation_url.is_some(),
                "`issuer` or `revocation_url`",
                "where to send it",
            );
        }
        Grant::TokenExchange => {
            need(
                s.subject_token.is_some(),
                "`subject_token`",
                "the token to exchange, e.g. subject_token: <<login.access_token>>",
            );
            need(
                s.actor_token.is_some() || s.actor_token_type.is_none(),
                "`actor_token` beside `actor_token_type`",
                "RFC 8693 2.1: the actor's token type goes with an actor token",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::JwtBearer => {
            need(
                s.assertion.is_some() || s.private_key.is_some(),
                "`assertion`, or `private_key` to sign one",
                "RFC 7523 2.1: a JWT the provider trusts, given or signed with the client's key",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
        Grant::Custom => {
            need(
                s.grant_type.is_some(),
                "`grant_type`",
                "the grant type the provider defines, e.g. grant_type: urn:example:grant:api-key",
            );
            need(
                endpoint || s.token_url.is_some(),
                "`issuer` or `token_url`",
                "where to send the token request",
            );
        }
    }
    if matches!(s.client_auth, Some(ClientAuth::PrivateKeyJwt)) && s.private_key.is_none() {
        need(
            false,
            "`private_key`",
            "private_key_jwt signs with the client's key: give a PEM file path",
        );
    }
    if matches!(
        s.client_auth,
        Some(ClientAuth::ClientSecretJwt | ClientAuth::Basic | ClientAuth::Body)
    ) && s.client_secret.is_none()
    {
        need(
            false,
            "`client_secret`",
            "this client authentication method uses the secret; a public client uses client_auth: none",
        );
    }
}

/// The PEM of `private_key:` rendered to `value` (the PEM itself, or a file path relative
/// to `base_dir`), checked to be a key that can sign: a problem names the key file and is
/// placed at `key`, for `run` (before it sends the token request) and `check` alike.
pub(crate) fn private_key_pem(
    key: &Tpl,
    value: &str,
    base_dir: &Path,
) -> Result<String, Diagnostic> {
    use crate::oauth::assertion::{AssertionKey, client_assertion};
    let at = |message: String| Diagnostic::error(message).at(&key.file, key.loc);
    let (pem, shown) = if value.contains("-----BEGIN") {
        (value.to_string(), "the private key".to_string())
    } else {
        let full = base_dir.join(value);
        let unreadable = |reason| at(format!("cannot read the private key `{value}`: {reason}"));
        if let Some(reason) = crate::sendable::not_a_file(&full) {
            return Err(unreadable(reason).help("the path is relative to the collection file"));
        }
        let pem = crate::fsutil::read_to_string(&full, crate::fsutil::MAX_INPUT)
            .map_err(|e| unreadable(crate::fsutil::io_reason(&e)))?;
        (pem, format!("the private key `{value}`"))
    };
    let probe = AssertionKey::PrivatePem {
        pem: pem.clone(),
        kid: None,
    };
    match client_assertion("baton", "baton", &probe, None) {
        Ok(_) => Ok(pem),
        Err(e) => Err(at(format!("{shown} cannot sign: {e}"))
            .help("private_key_jwt needs an unencrypted PEM private key (RSA, EC or Ed25519)")),
    }
}
