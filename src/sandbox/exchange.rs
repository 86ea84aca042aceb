//! The token endpoint's grants beyond RFC 6749: token exchange (RFC 8693), the JWT bearer
//! grant (RFC 7523 2.1), and a vendor grant of the sandbox's own (an API key for a token), so
//! that `grant: token_exchange`, `jwt_bearer` and `custom` run offline.

use jsonwebtoken::Validation;
use serde_json::{Value, json};

use super::client::ClientConfig;
use super::client_auth::Params;
use super::error::OAuthError;
use super::routes::{Shared, TOKEN_PATH};
use super::scope;

/// RFC 8693 3: the token types the sandbox reads and issues (its access tokens are JWTs).
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The sandbox's vendor grant: `api_key=key-<username>` for that user's token.
pub(crate) const API_KEY_GRANT: &str = "urn:baton:params:grant-type:api-key";

/// Who a token of these grants is for, and what it says beyond the usual claims.
pub(crate) struct Exchanged {
    pub sub: String,
    pub scope: Vec<String>,
    /// `aud` asked for (`audience`, or `resource`), instead of the sandbox's default.
    pub aud: Option<String>,
    /// RFC 8693 4.1: the acting party.
    pub act: Option<Value>,
    /// RFC 8693 2.2.1: `issued_token_type` is in the response.
    pub exchanged: bool,
}

/// RFC 8693: an active access token of this server (the subject, and the actor's) for a
/// new one, the scope narrowed to what the subject token had at most.
pub(crate) fn token_exchange(shared: &Shared, params: &Params) -> Result<Exchanged, OAuthError> {
    let subject = params.require("subject_token")?;
    let subject_type = params.require("subject_token_type")?;
    let subject = active(shared, subject, subject_type, "subject_token")?;
    let act = match params.get("actor_token")? {
        Some(actor) => {
            let Some(kind) = params.get("actor_token_type")? else {
                return Err(OAuthError::invalid_request(
                    "actor_token_type is required with actor_token (RFC 8693 2.1)",
                ));
            };
            let actor = active(shared, actor, kind, "actor_token")?;
            Some(json!({ "sub": actor.sub }))
        }
        None => None,
    };
    if let Some(kind) = params.get("requested_token_type")?
        && kind != ACCESS_TOKEN_TYPE
        && kind != JWT_TOKEN_TYPE
    {
        return Err(OAuthError::invalid_request(format!(
            "requested_token_type `{kind}` is not issued here; ask for {ACCESS_TOKEN_TYPE}"
        )));
    }
    let had = scope::parse(&subject.scope);
    let scope = match params.get("scope")?.map(scope::parse) {
        Some(asked) => {
            if let Some(more) = asked.iter().find(|s| !had.contains(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "scope `{more}` is not in the subject token's scope `{}`",
                    subject.scope
                )));
            }
            asked
        }
        None => had,
    };
    Ok(Exchanged {
        sub: subject.sub,
        scope,
        aud: target(params)?,
        act,
        exchanged: true,
    })
}

/// What a token of these grants is for: `audience`, else `resource` (RFC 8707).
fn target(params: &Params) -> Result<Option<String>, OAuthError> {
    Ok(params
        .get("audience")?
        .or(params.get("resource")?)
        .map(str::to_string))
}

/// The claims of an active access token of this server, given as `name` of type `kind`.
fn active(
    shared: &Shared,
    token: &str,
    kind: &str,
    name: &str,
) -> Result<super::resource::AccessClaims, OAuthError> {
    if kind != ACCESS_TOKEN_TYPE && kind != JWT_TOKEN_TYPE {
        return Err(OAuthError::invalid_request(format!(
            "{name}_type `{kind}` is not accepted; this server exchanges its access tokens ({ACCESS_TOKEN_TYPE})"
        )));
    }
    super::resource::active_access(shared, token).ok_or_else(|| {
        OAuthError::invalid_grant(format!(
            "{name} is not an active access token of this server"
        ))
    })
}

/// RFC 7523 2.1 and 3: a JWT signed with a registered key of the client that issued it
/// (`iss`), for a user of the sandbox or for that client (`sub`), addressed to this server,
/// unexpired, with a `jti` used once.
pub(crate) fn jwt_bearer(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Exchanged, OAuthError> {
    let assertion = params.require("assertion")?;
    let invalid = |why: String| OAuthError::invalid_grant(format!("assertion: {why}"));
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|e| invalid(format!("not a signed JWT ({e})")))?;
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(assertion)
        .map_err(|e| invalid(format!("unreadable claims ({e})")))?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    let Some(iss) = text("iss") else {
        return Err(invalid("`iss` is missing".into()));
    };
    let Some(issuer) = shared.config.client(iss) else {
        return Err(invalid(format!("`iss` `{iss}` is not a registered client")));
    };
    if issuer.id != client.id && !client.is_public() {
        return Err(invalid(format!(
            "issued by `{iss}`, sent by client `{}`",
            client.id
        )));
    }
    let keys = issuer.verification_keys(header.kid.as_deref(), header.alg);
    let mut validation = Validation::new(header.alg);
    validation.validate_aud = false;
    validation.leeway = 30;
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    let checked = keys
        .iter()
        .find_map(|key| jsonwebtoken::decode::<Value>(assertion, key, &validation).ok());
    if checked.is_none() {
        return Err(invalid(format!(
            "the {:?} signature does not verify with the keys of `{iss}`, or it expired",
            header.alg
        )));
    }
    super::assertion::addressed_here(
        shared,
        TOKEN_PATH,
        claims.get("aud").unwrap_or(&Value::Null),
    )
    .map_err(invalid)?;
    let sub = text("sub").unwrap_or_default();
    if sub != issuer.id && shared.config.user_by_sub(sub).is_none() {
        return Err(invalid(format!(
            "`sub` `{sub}` is neither a user of this server nor the client"
        )));
    }
    let Some(jti) = text("jti").filter(|j| !j.is_empty()) else {
        return Err(invalid("`jti` is missing".into()));
    };
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let now = shared.clock.now();
    if !shared
        .store()
        .use_assertion_id(&issuer.id, jti, exp.saturating_add(30), now)
    {
        return Err(invalid(format!("jti `{jti}` was already used")));
    }
    let scope = scope::parse(params.get("scope")?.unwrap_or_default());
    Ok(Exchanged {
        sub: sub.to_string(),
        scope,
        aud: target(params)?,
        act: None,
        exchanged: false,
    })
}

/// The sandbox's vendor grant: `api_key=key-<username>` is that user's key.
pub(crate) fn api_key(shared: &Shared, params: &Params) -> Result<Exchanged, OAuthError> {
    let key = params.require("api_key")?;
    let user = key
        .strip_prefix("key-")
        .and_then(|name| shared.config.user(name))
        .ok_or_else(|| OAuthError::invalid_grant("unknown api_key"))?;
    let scope = scope::parse(params.get("scope")?.unwrap_or_default());
    Ok(Exchanged {
        sub: user.sub().to_string(),
        scope,
        aud: target(params)?,
        act: None,
        exchanged: false,
    })
}
