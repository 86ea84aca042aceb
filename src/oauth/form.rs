//! The form of every request an `oauth2:` block makes of the provider's back channel (the
//! token requests of each grant, the device authorization request, introspection and
//! revocation) and how its client authenticates. Both the live flow (`flow.rs`,
//! `authorize.rs`, `device.rs`) and the snippet exporter (`export/model.rs`) build their
//! forms here, so a snippet sends the fields a run sends, in the same order.
//!
//! Templates are rendered through [`Render`]: the flow renders with the run's scope and
//! redacts the secrets it meets; the exporter renders unknown variables as placeholders.
//! Values only a run can know (the authorization code, the PKCE verifier, the device code,
//! the refresh token of a cached grant) are given by the caller in [`Exchange`].

use super::assertion::ASSERTION_TYPE;
use super::device::GRANT_TYPE as DEVICE_GRANT_TYPE;
use super::spec::{ACCESS_TOKEN_TYPE, ClientAuth, Grant, JWT_BEARER, OAuth2, TOKEN_EXCHANGE};
use crate::template::{JsonTpl, Tpl};
use serde_json::Value;

/// Renders the templates of an `oauth2:` block, for [`fields`].
pub(crate) trait Render {
    type Error;
    /// A template as sent.
    fn text(&mut self, tpl: &Tpl) -> Result<String, Self::Error>;
    /// A key that may be absent: `None` when it is not written.
    fn opt(&mut self, tpl: &Option<Tpl>) -> Result<Option<String>, Self::Error> {
        tpl.as_ref().map(|t| self.text(t)).transpose()
    }
    /// A value the form carries that must never be shown (a password, a token): the live
    /// flow teaches it to the redactor as soon as it is rendered.
    fn secret(&mut self, _value: &str) {}
    /// A JSON-shaped value: its templates rendered as text unless the renderer knows better
    /// (the live flow keeps a whole-value template's JSON type: `<<amount>>` stays a number).
    fn json(&mut self, tpl: &JsonTpl) -> Result<Value, Self::Error> {
        Ok(match tpl {
            JsonTpl::Value(v) => v.clone(),
            JsonTpl::Str(t) => Value::String(self.text(t)?),
            JsonTpl::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.json(i))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTpl::Object(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(k.clone(), self.json(v)?);
                }
                Value::Object(map)
            }
        })
    }
}

/// `authorization_details` as sent (RFC 9396 2): the list in compact JSON.
pub(crate) fn authorization_details<R: Render>(
    spec: &OAuth2,
    r: &mut R,
) -> Result<Option<String>, R::Error> {
    let Some(details) = &spec.authorization_details else {
        return Ok(None);
    };
    Ok(Some(r.json(details)?.to_string()))
}

/// Which request of the block, with what only the caller knows.
#[derive(Debug, Clone)]
pub(crate) enum Exchange {
    /// `grant_type=password`: `username` and `password` from the block.
    Password,
    /// `grant_type=client_credentials`.
    ClientCredentials,
    /// `grant_type=refresh_token` with this token (from `refresh_token:`, or the cache's).
    Refresh { token: String },
    /// The code exchange of the authorization code grant.
    Code {
        code: String,
        redirect_uri: String,
        verifier: Option<String>,
    },
    /// The device authorization request (RFC 8628 3.1) that starts a device grant.
    DeviceAuthorization,
    /// A poll of the token endpoint with the device code (RFC 8628 3.4).
    DevicePoll { device_code: String },
    /// Introspection (RFC 7662) or revocation (RFC 7009) of `token:`.
    TokenCheck,
    /// RFC 8693: `subject_token` (and `actor_token`) for a token.
    Tokens,
    /// RFC 7523 2.1: this assertion (given, or signed by the caller) for a token.
    JwtBearer { assertion: String },
    /// A vendor's `grant_type` with the fields of `form:`.
    Custom,
}

/// The fields of `exchange`, in the order they are sent, client authentication not included
/// (see [`client`]: it goes last, after the grant's fields).
pub(crate) fn fields<R: Render>(
    spec: &OAuth2,
    exchange: &Exchange,
    r: &mut R,
) -> Result<Vec<(String, String)>, R::Error> {
    let mut form: Vec<(String, String)> = Vec::new();
    let push = |form: &mut Vec<(String, String)>, k: &str, v: String| form.push((k.to_string(), v));
    match exchange {
        Exchange::Password => {
            push(&mut form, "grant_type", Grant::Password.as_str().into());
            let user = r.opt(&spec.username)?.unwrap_or_default();
            let password = r.opt(&spec.password)?.unwrap_or_default();
            r.secret(&password);
            push(&mut form, "username", user);
            push(&mut form, "password", password);
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::ClientCredentials => {
            push(
                &mut form,
                "grant_type",
                Grant::ClientCredentials.as_str().into(),
            );
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::Refresh { token } => {
            r.secret(token);
            push(&mut form, "grant_type", Grant::RefreshToken.as_str().into());
            push(&mut form, "refresh_token", token.clone());
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::Code {
            code,
            redirect_uri,
            verifier,
        } => {
            push(
                &mut form,
                "grant_type",
                Grant::AuthorizationCode.as_str().into(),
            );
            push(&mut form, "code", code.clone());
            push(&mut form, "redirect_uri", redirect_uri.clone());
            if let Some(v) = verifier {
                push(&mut form, "code_verifier", v.clone());
            }
            // The scope was asked for at the authorize endpoint; the exchange does not
            // repeat it.
            token_params(spec, &mut form, false, r)?;
        }
        Exchange::DeviceAuthorization => {
            if let Some(scope) = r.opt(&spec.scope)? {
                push(&mut form, "scope", scope);
            }
            if let Some(details) = authorization_details(spec, r)? {
                push(&mut form, "authorization_details", details);
            }
            if let Some(aud) = r.opt(&spec.audience)? {
                push(&mut form, "audience", aud);
            }
        }
        Exchange::DevicePoll { device_code } => {
            push(&mut form, "grant_type", DEVICE_GRANT_TYPE.into());
            push(&mut form, "device_code", device_code.clone());
        }
        Exchange::Tokens => {
            push(&mut form, "grant_type", TOKEN_EXCHANGE.into());
            let subject = r.opt(&spec.subject_token)?.unwrap_or_default();
            r.secret(&subject);
            push(&mut form, "subject_token", subject);
            let kind = r.opt(&spec.subject_token_type)?;
            push(
                &mut form,
                "subject_token_type",
                kind.unwrap_or(ACCESS_TOKEN_TYPE.into()),
            );
            if let Some(actor) = r.opt(&spec.actor_token)? {
                r.secret(&actor);
                push(&mut form, "actor_token", actor);
                let kind = r.opt(&spec.actor_token_type)?;
                push(
                    &mut form,
                    "actor_token_type",
                    kind.unwrap_or(ACCESS_TOKEN_TYPE.into()),
                );
            }
            if let Some(kind) = r.opt(&spec.requested_token_type)? {
                push(&mut form, "requested_token_type", kind);
            }
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::JwtBearer { assertion } => {
            r.secret(assertion);
            push(&mut form, "grant_type", JWT_BEARER.into());
            push(&mut form, "assertion", assertion.clone());
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::Custom => {
            let grant_type = r.opt(&spec.grant_type)?.unwrap_or_default();
            push(&mut form, "grant_type", grant_type);
            for (k, v) in &spec.form {
                let v = r.text(v)?;
                push(&mut form, k, v);
            }
            token_params(spec, &mut form, true, r)?;
        }
        Exchange::TokenCheck => {
            let token = r.opt(&spec.token)?.unwrap_or_default();
            r.secret(&token);
            push(&mut form, "token", token);
            if let Some(hint) = r.opt(&spec.token_type_hint)? {
                push(&mut form, "token_type_hint", hint);
            }
            form.extend(extra(spec, r)?);
        }
    }
    Ok(form)
}

/// What every token request adds after its grant's fields: scope and authorization_details
/// (unless `with_scope` is false: they were asked for at the authorize endpoint), audience,
/// resource and the extra parameters.
fn token_params<R: Render>(
    spec: &OAuth2,
    form: &mut Vec<(String, String)>,
    with_scope: bool,
    r: &mut R,
) -> Result<(), R::Error> {
    if let Some(scope) = r.opt(&spec.scope)?
        && with_scope
    {
        form.push(("scope".into(), scope));
    }
    if with_scope && let Some(details) = authorization_details(spec, r)? {
        form.push(("authorization_details".into(), details));
    }
    if let Some(aud) = r.opt(&spec.audience)? {
        form.push(("audience".into(), aud));
    }
    if let Some(res) = r.opt(&spec.resource)? {
        form.push(("resource".into(), res));
    }
    form.extend(extra(spec, r)?);
    Ok(())
}

/// The extra parameters of a token request. The `extra` of an authorization_code block
/// belongs to its authorize request (`prompt`, `login_hint`...): its token requests, the
/// code exchange and the refreshes that renew its tokens, take `token_extra`.
fn extra<R: Render>(spec: &OAuth2, r: &mut R) -> Result<Vec<(String, String)>, R::Error> {
    let pairs = if spec.grant == Grant::AuthorizationCode {
        &spec.token_extra
    } else {
        &spec.extra
    };
    pairs
        .iter()
        .map(|(k, v)| Ok((k.clone(), r.text(v)?)))
        .collect()
}

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Client {
    /// HTTP Basic with these two, not yet encoded: RFC 6749 2.3.1 form-encodes each before
    /// base64, which each caller does in its own way (a snippet keeps its placeholders).
    Basic { id: String, secret: String },
    /// Fields appended to the form, after the grant's.
    Fields(Vec<(String, String)>),
}

/// The client authentication of `auth` for `id` and `secret` (empty when none is given);
/// `assertion` makes the signed JWT of `client_secret_jwt` and `private_key_jwt` (RFC 7523),
/// called only for those.
pub(crate) fn client<E>(
    auth: ClientAuth,
    id: String,
    secret: String,
    assertion: impl FnOnce(&str, String) -> Result<String, E>,
) -> Result<Client, E> {
    Ok(match auth {
        ClientAuth::Basic => Client::Basic { id, secret },
        ClientAuth::Body => Client::Fields(vec![
            ("client_id".into(), id),
            ("client_secret".into(), secret),
        ]),
        // RFC 8705 2: the certificate of the handshake authenticates; the form names the
        // client only.
        ClientAuth::None | ClientAuth::Tls | ClientAuth::SelfSignedTls => {
            Client::Fields(vec![("client_id".into(), id)])
        }
        ClientAuth::ClientSecretJwt | ClientAuth::PrivateKeyJwt => {
            let jwt = assertion(&id, secret)?;
            Client::Fields(vec![
                ("client_id".into(), id),
                ("client_assertion_type".into(), ASSERTION_TYPE.into()),
                ("client_assertion".into(), jwt),
            ])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;

    /// Templates as written: the order and presence of fields is what is under test.
    struct AsWritten(Vec<String>);

    impl Render for AsWritten {
        type Error = ();
        fn text(&mut self, tpl: &Tpl) -> Result<String, ()> {
            Ok(tpl.text.to_string())
        }
        fn secret(&mut self, value: &str) {
            self.0.push(value.to_string());
        }
    }

    fn spec(block: &str) -> std::sync::Arc<OAuth2> {
        let text = format!("name: t\nrequests:\n  - name: r\n    oauth2:\n{block}");
        let file = SourceFile::new("t.yaml", text);
        let mut problems = Vec::new();
        let mut templates = crate::template::Templates::new();
        let c = crate::collection::load::load_source(&file, &mut templates, &mut problems)
            .unwrap_or_else(|| panic!("{problems:?}"));
        c.requests[0].oauth2.clone().expect("an oauth2 block")
    }

    fn names(form: &[(String, String)]) -> Vec<&str> {
        form.iter().map(|(k, _)| k.as_str()).collect()
    }

    const PARAMS: &str = "      scope: s\n      audience: a\n      resource: r\n";

    #[test]
    fn each_grant_sends_its_fields_then_scope_audience_resource_and_extra() {
        let s = spec(&format!(
            "      grant: password\n      token_url: http://x/t\n      client_id: c\n      \
             username: u\n      password: p\n{PARAMS}      extra: {{ x: y }}\n"
        ));
        let mut r = AsWritten(Vec::new());
        let form = fields(&s, &Exchange::Password, &mut r).unwrap();
        assert_eq!(
            names(&form),
            [
                "grant_type",
                "username",
                "password",
                "scope",
                "audience",
                "resource",
                "x"
            ]
        );
        assert_eq!(r.0, ["p"], "the password is a secret");
        let form = fields(&s, &Exchange::TokenCheck, &mut r).unwrap();
        assert_eq!(names(&form), ["token", "x"]);
    }

    #[test]
    fn the_snippet_departs_from_the_run_only_where_it_always_did() {
        let s = spec(&format!(
            "      grant: authorization_code\n      token_url: http://x/t\n      \
             authorize_url: http://x/a\n      client_id: c\n      redirect_uri: http://x/cb\n\
             {PARAMS}      extra: {{ prompt: login }}\n      token_extra: {{ te: '1' }}\n"
        ));
        let code = Exchange::Code {
            code: "k".into(),
            redirect_uri: "http://x/cb".into(),
            verifier: Some("v".into()),
        };
        let mut r = AsWritten(Vec::new());
        // One form for the run and the snippet: what a guide shows is what baton sent.
        let sent = fields(&s, &code, &mut r).unwrap();
        let head = ["grant_type", "code", "redirect_uri", "code_verifier"];
        assert_eq!(
            names(&sent),
            [&head[..], &["audience", "resource", "te"]].concat()
        );
        let poll = Exchange::DevicePoll {
            device_code: "d".into(),
        };
        let s = spec(&format!(
            "      grant: device_code\n      token_url: http://x/t\n      \
             device_authorization_url: http://x/d\n      client_id: c\n{PARAMS}      \
             extra: {{ x: y }}\n"
        ));
        let sent = fields(&s, &poll, &mut r).unwrap();
        assert_eq!(names(&sent), ["grant_type", "device_code"]);
        let start = fields(&s, &Exchange::DeviceAuthorization, &mut r);
        assert_eq!(names(&start.unwrap()), ["scope", "audience"]);
    }

    #[test]
    fn client_authentication_is_a_header_or_fields_after_the_grant() {
        let sign = |_: &str, _: String| Ok::<_, ()>("jwt".to_string());
        assert_eq!(
            client(ClientAuth::Basic, "i".into(), "s".into(), sign),
            Ok(Client::Basic {
                id: "i".into(),
                secret: "s".into()
            })
        );
        let fields_of = |auth| match client(auth, "i".into(), "s".into(), sign) {
            Ok(Client::Fields(f)) => f,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            names(&fields_of(ClientAuth::Body)),
            ["client_id", "client_secret"]
        );
        assert_eq!(names(&fields_of(ClientAuth::None)), ["client_id"]);
        let jwt = fields_of(ClientAuth::PrivateKeyJwt);
        assert_eq!(
            names(&jwt),
            ["client_id", "client_assertion_type", "client_assertion"]
        );
        assert_eq!(jwt[2].1, "jwt");
    }
}
