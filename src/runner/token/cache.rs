//! `--save` and renewal: where an `oauth2` request's tokens live across runs (the cache
//! slot), what the cache offers for it, renewing with a refresh token, and following a
//! refresh token's rotation into the cache.

use super::state::{SKEW_SECS, now, token_value, who_signs_in};
use crate::http::Hop;
use crate::oauth::flow::{self, Ctx, Failure};
use crate::oauth::spec::OAuth2;
use serde_json::Value;

/// New tokens for an expired state, for the request that uses them (`auth: { oauth2: id }`):
/// the refresh grant when there is a refresh token, else the original grant again. Returns
/// the hops and the new token value.
///
/// `cx` is that request's: its headers are meant for its API (an API key, a content type),
/// not for the provider, so the token request goes without them.
pub(super) async fn renew(
    spec: &OAuth2,
    refresh_token: Option<&str>,
    cx: &mut Ctx<'_>,
) -> Result<(Vec<Hop>, Option<Value>), Failure> {
    cx.headers.clear();
    let renewed = renew_for_itself(spec, refresh_token, cx).await?;
    if let (Some(old), (_, Some(value))) = (refresh_token, &renewed) {
        follow_rotation(&crate::oauth::cache::default_path(), old, value);
    }
    Ok(renewed)
}

/// A refresh rotates the refresh token: the old one is dead, and reusing it makes providers
/// revoke the whole grant (reuse detection). When the token came from the cache
/// (`--save`), the cache entry that holds the old refresh token takes the new tokens, or the
/// next run would present a dead one. Nothing is written when no entry holds it (a run
/// without `--save`), and a cache that cannot be written costs the next run a new grant,
/// not this run its request.
fn follow_rotation(path: &std::path::Path, old: &str, value: &Value) {
    use crate::oauth::cache::TokenCache;
    let Ok(cache) = TokenCache::load(path) else {
        return;
    };
    let updated: Vec<_> = cache
        .tokens
        .into_iter()
        .filter(|(_, e)| e.refresh_token() == Some(old))
        .map(|(key, mut entry)| {
            let mut tokens = value.clone();
            // A refresh response may omit the refresh token: the old one stays valid then.
            if tokens.get("refresh_token").is_none()
                && let Value::Object(m) = &mut tokens
            {
                m.insert("refresh_token".into(), Value::String(old.to_string()));
            }
            entry.tokens = tokens;
            entry.saved_at = now();
            (key, entry)
        })
        .collect();
    if !updated.is_empty() {
        let _ = TokenCache::update(path, updated);
    }
}

/// `renew` for the `oauth2` request itself (from the cache): its own headers are kept.
async fn renew_for_itself(
    spec: &OAuth2,
    refresh_token: Option<&str>,
    cx: &mut Ctx<'_>,
) -> Result<(Vec<Hop>, Option<Value>), Failure> {
    let outcome = match refresh_token {
        Some(rt) => flow::refresh(spec, cx, rt).await?,
        None => flow::execute(spec, cx).await?,
    };
    let last = outcome.hops.get(outcome.judged).map(|h| &h.response);
    let value = last
        .filter(|r| r.status == 200)
        .and_then(|r| r.json().ok())
        .map(|j| token_value(j, outcome.id_claims.as_ref()));
    Ok((outcome.hops, value))
}

/// Where an `oauth2` request's tokens live in the cache across runs.
pub(crate) struct CacheSlot {
    pub key: String,
    pub issuer: String,
    pub client_id: String,
    pub grant: String,
    pub scope: String,
    pub user: String,
}

/// The cache slot of a token-issuing request (not refresh, introspect or revoke, whose
/// results are not reusable tokens of their own).
pub(super) fn cache_slot(spec: &OAuth2, cx: &Ctx<'_>) -> Option<CacheSlot> {
    use crate::oauth::spec::Grant;
    if matches!(
        spec.grant,
        Grant::RefreshToken | Grant::Introspect | Grant::Revoke
    ) {
        return None;
    }
    let issuer = cx
        .render_opt(&spec.issuer)
        .ok()?
        .or(cx.render_opt(&spec.token_url).ok()?)?;
    let client_id = cx.render(&spec.client_id).ok()?;
    let scope = cx.render_opt(&spec.scope).ok()?.unwrap_or_default();
    let grant = spec.grant.as_str().to_string();
    let user = user_of(spec, cx)?;
    let mut target = [&spec.audience, &spec.resource]
        .into_iter()
        .map(|t| cx.render_opt(t).ok().map(Option::unwrap_or_default))
        .collect::<Option<Vec<String>>>()?;
    // Tokens for other authorization details (RFC 9396) are other tokens; without any, the
    // key stays what it was.
    if let Some(details) = &spec.authorization_details {
        let json = crate::runner::vars::render_json_tpl(details, cx.templates, cx.scope).ok()?;
        target.push(json.to_string());
    }
    // A token bound to a certificate (RFC 8705) is another token for another certificate;
    // without one, the key stays what it was.
    if let Some(cert) = &cx.client_cert {
        target.push(format!("x5t#S256={}", cert.thumbprint));
    }
    let target = target.join("\n");
    let key = crate::oauth::cache::key(&issuer, &client_id, &grant, &scope, &user, &target);
    Some(CacheSlot {
        key,
        issuer,
        client_id,
        grant,
        scope,
        user,
    })
}

/// Whom a request's tokens are for, as far as the request says: the password grant's
/// `username`; for a headless sign-in, the `login:` values that are not secrets and a
/// `login_hint`. Empty when the provider alone decides (the device grant, a browser).
fn user_of(spec: &OAuth2, cx: &Ctx<'_>) -> Option<String> {
    use crate::oauth::spec::Grant;
    let mut who = Vec::new();
    match spec.grant {
        Grant::Password => who.extend(cx.render_opt(&spec.username).ok()?),
        Grant::AuthorizationCode => {
            for (k, v) in who_signs_in(spec) {
                who.push(format!("{k}={}", cx.render(v).ok()?));
            }
        }
        // Whom the token is for is in what is exchanged or asserted (a token, a JWT, a
        // vendor's fields): a digest of it, so that the cache never holds it in clear.
        Grant::TokenExchange | Grant::JwtBearer | Grant::Custom => {
            use sha2::Digest as _;
            let mut h = sha2::Sha256::new();
            let singles = [
                &spec.subject_token,
                &spec.actor_token,
                &spec.requested_token_type,
                &spec.assertion,
                &spec.assertion_subject,
                &spec.grant_type,
            ];
            for t in singles {
                h.update(cx.render_opt(t).ok()?.unwrap_or_default());
                h.update([0]);
            }
            for (k, v) in &spec.form {
                h.update(format!("{k}={}", cx.render(v).ok()?));
                h.update([0]);
            }
            let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            who.push(format!("sha256:{digest}"));
        }
        _ => {}
    }
    Some(who.join("\n"))
}

/// What the cache offers for a slot.
pub(super) enum Cached {
    /// A token still valid: no request needed.
    Fresh(Value),
    /// An expired token renewed with its refresh token.
    Refreshed(Vec<Hop>, Value),
    Miss,
}

pub(super) async fn from_cache(
    path: &std::path::Path,
    slot: &CacheSlot,
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
) -> Cached {
    let Ok(cache) = crate::oauth::cache::TokenCache::load(path) else {
        return Cached::Miss;
    };
    let Some(entry) = cache.tokens.get(&slot.key) else {
        return Cached::Miss;
    };
    // A DPoP-bound token is of use only with its key (`oauth/dpop.rs`).
    if let Some(dpop) = &spec.dpop {
        let key = dpop.key(cx.templates, cx.scope, cx.base_dir).ok();
        if !crate::oauth::dpop::cache_usable(dpop, &entry.tokens, key.as_deref()) {
            return Cached::Miss;
        }
    }
    for k in ["access_token", "refresh_token", "id_token"] {
        if let Some(v) = entry.tokens.get(k).and_then(Value::as_str) {
            cx.redactor.add(v);
        }
    }
    if entry.fresh(now(), SKEW_SECS) {
        return Cached::Fresh(entry.tokens.clone());
    }
    let Some(rt) = entry.refresh_token() else {
        return Cached::Miss;
    };
    match renew_for_itself(spec, Some(rt), cx).await {
        Ok((hops, Some(mut value))) => {
            // A refresh response may omit the refresh token: the old one stays valid then.
            if value.get("refresh_token").is_none()
                && let Value::Object(m) = &mut value
            {
                m.insert("refresh_token".into(), Value::String(rt.to_string()));
            }
            Cached::Refreshed(hops, value)
        }
        _ => Cached::Miss,
    }
}

pub(super) fn store(
    path: &std::path::Path,
    slot: &CacheSlot,
    value: &Value,
) -> Result<(), crate::oauth::cache::CacheError> {
    let entry = crate::oauth::cache::Entry {
        issuer: slot.issuer.clone(),
        client_id: slot.client_id.clone(),
        grant: slot.grant.clone(),
        scope: slot.scope.clone(),
        user: slot.user.clone(),
        tokens: value.clone(),
        saved_at: now(),
    };
    crate::oauth::cache::TokenCache::update(path, vec![(slot.key.clone(), entry)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::cache::{Entry, TokenCache};
    use serde_json::json;

    #[test]
    fn a_rotation_replaces_the_cached_entry_holding_the_old_refresh_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let entry = |at: &str, rt: &str| Entry {
            issuer: "i".into(),
            client_id: "c".into(),
            grant: "password".into(),
            scope: "s".into(),
            user: String::new(),
            tokens: json!({"access_token": at, "refresh_token": rt}),
            saved_at: 1,
        };
        follow_rotation(&path, "rt1", &json!({"access_token": "at2"}));
        assert!(!path.exists(), "no cache, nothing written");
        TokenCache::update(
            &path,
            vec![
                ("a".into(), entry("at1", "rt1")),
                ("b".into(), entry("other", "rt9")),
            ],
        )
        .unwrap();
        follow_rotation(
            &path,
            "rt1",
            &json!({"access_token": "at2", "refresh_token": "rt2"}),
        );
        let cache = TokenCache::load(&path).unwrap();
        assert_eq!(cache.tokens["a"].access_token(), Some("at2"));
        assert_eq!(cache.tokens["a"].refresh_token(), Some("rt2"));
        assert_eq!(cache.tokens["b"].access_token(), Some("other"));
        // Without a new refresh token, the old one stays.
        follow_rotation(&path, "rt2", &json!({"access_token": "at3"}));
        let cache = TokenCache::load(&path).unwrap();
        assert_eq!(cache.tokens["a"].access_token(), Some("at3"));
        assert_eq!(cache.tokens["a"].refresh_token(), Some("rt2"));
    }
}
