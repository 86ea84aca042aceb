//! In-memory grant state: authorization codes, refresh-token families with rotation and
//! reuse detection, access-token revocation, and the sandbox clock tests can move forward.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::OAuthError;

/// Seconds since the epoch, plus an offset tests add to expire things without sleeping.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    skew: AtomicI64,
}

impl Clock {
    pub(crate) fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        real.saturating_add(self.skew.load(Ordering::Relaxed))
    }

    /// Milliseconds since the epoch, with the same offset: device polling is timed in ms
    /// because a one-second interval cannot be judged with one-second ticks.
    pub(crate) fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.skew.load(Ordering::Relaxed).saturating_mul(1000))
    }

    pub(crate) fn advance(&self, seconds: i64) {
        self.skew.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// PKCE parameters of an authorize request (RFC 7636 4.3).
#[derive(Debug, Clone)]
pub(crate) struct Pkce {
    pub(crate) challenge: String,
    /// `S256` or `plain`.
    pub(crate) method: String,
}

/// What an authorization code stands for.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) client_id: String,
    /// The `redirect_uri` of the authorize request, which the token request must repeat;
    /// `None` when it was omitted (allowed when the client has a single registered URI).
    pub(crate) redirect_uri: Option<String>,
    pub(crate) scope: Vec<String>,
    pub(crate) sub: String,
    pub(crate) auth_time: i64,
    pub(crate) nonce: Option<String>,
    pub(crate) pkce: Option<Pkce>,
    /// RFC 9396: what the authorize request asked for, echoed in the token response.
    pub(crate) authorization_details: Option<serde_json::Value>,
    /// RFC 9449 10: the thumbprint of the only DPoP key the code may be redeemed with.
    pub(crate) dpop_jkt: Option<String>,
    pub(crate) expires_at: i64,
}

struct CodeEntry {
    grant: CodeGrant,
    /// Set once redeemed: the family of the tokens it produced, revoked if the code comes back
    /// (RFC 6749 4.1.2: a reused code SHOULD revoke what was issued from it).
    redeemed_into: Option<u64>,
}

/// A refresh token and the grant it continues.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub(crate) family: u64,
    pub(crate) client_id: String,
    pub(crate) sub: String,
    /// The scope of the original grant; a rotated token keeps it (RFC 6749 6).
    pub(crate) scope: Vec<String>,
    pub(crate) auth_time: i64,
    pub(crate) expires_at: i64,
    /// Already exchanged: presenting it again is reuse.
    pub(crate) rotated: bool,
}

struct AccessRecord {
    family: u64,
    revoked: bool,
    expires_at: i64,
}

/// Prune expired entries after this many insertions, so a long load test stays bounded.
const PRUNE_EVERY: u32 = 1024;

/// All grant state; lives behind one mutex, held only for map operations.
#[derive(Default)]
pub(crate) struct Store {
    codes: HashMap<String, CodeEntry>,
    refresh: HashMap<String, RefreshRecord>,
    /// Access tokens by `jti`.
    access: HashMap<String, AccessRecord>,
    /// A family is every token descending from one grant (one sign-in, one code).
    revoked_families: HashSet<u64>,
    /// `jti`s of client assertions already used, by client, with when they stop mattering.
    assertion_ids: HashMap<(String, String), i64>,
    next_family: u64,
    inserts: u32,
}

impl Store {
    pub(crate) fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    pub(crate) fn insert_code(&mut self, code: String, grant: CodeGrant, now: i64) {
        self.codes.insert(
            code,
            CodeEntry {
                grant,
                redeemed_into: None,
            },
        );
        self.count_insert(now);
    }

    /// Consumes a code for `client_id` and opens the family its tokens will belong to.
    /// Every attempt consumes it, so a failed PKCE check cannot be retried with other guesses.
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        now: i64,
        reusable: bool,
    ) -> Result<(CodeGrant, u64), OAuthError> {
        let Some(entry) = self.codes.get(code) else {
            return Err(OAuthError::invalid_grant("unknown authorization code"));
        };
        if entry.grant.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "the authorization code was issued to another client",
            ));
        }
        if let Some(family) = entry.redeemed_into {
            if reusable {
                // The fault `reusable_codes`: the same grant again, its tokens left alone.
                return Ok((entry.grant.clone(), family));
            }
            self.revoked_families.insert(family);
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used; the tokens issued from it are now revoked",
            ));
        }
        if entry.grant.expires_at <= now {
            self.codes.remove(code);
            return Err(OAuthError::invalid_grant(
                "the authorization code has expired",
            ));
        }
        let family = self.new_family();
        let entry = self
            .codes
            .get_mut(code)
            .ok_or_else(|| OAuthError::invalid_grant("unknown authorization code"))?;
        entry.redeemed_into = Some(family);
        Ok((entry.grant.clone(), family))
    }

    pub(crate) fn insert_refresh(&mut self, token: String, record: RefreshRecord, now: i64) {
        self.refresh.insert(token, record);
        self.count_insert(now);
    }

    pub(crate) fn insert_access(&mut self, jti: String, family: u64, expires_at: i64, now: i64) {
        self.access.insert(
            jti,
            AccessRecord {
                family,
                revoked: false,
                expires_at,
            },
        );
        self.count_insert(now);
    }

    /// Marks a refresh token used and returns its record, or detects reuse: a rotated token
    /// presented again means it leaked, so the whole family is revoked (OAuth 2.0 Security BCP 4.14).
    /// `requested` scope must be within the original; the token is left untouched if not.
    pub(crate) fn rotate_refresh(
        &mut self,
        token: &str,
        client_id: &str,
        requested: Option<&[String]>,
        now: i64,
    ) -> Result<RefreshRecord, OAuthError> {
        let Some(record) = self.refresh.get_mut(token) else {
            return Err(OAuthError::invalid_grant("unknown refresh token"));
        };
        if record.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if self.revoked_families.contains(&record.family) {
            return Err(OAuthError::invalid_grant(
                "the refresh token has been revoked",
            ));
        }
        if record.rotated {
            let family = record.family;
            self.revoked_families.insert(family);
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used (rotated); reuse revokes every token of its family",
            ));
        }
        if record.expires_at <= now {
            return Err(OAuthError::invalid_grant("the refresh token has expired"));
        }
        if let Some(wider) = requested
            .into_iter()
            .flatten()
            .find(|s| !record.scope.contains(s))
        {
            return Err(OAuthError::invalid_scope(format!(
                "scope `{wider}` was not part of the original grant; a refresh may only narrow the scope"
            )));
        }
        record.rotated = true;
        Ok(record.clone())
    }

    /// Whether an access token (by `jti`) is still good: known, unexpired, not revoked.
    pub(crate) fn access_active(&self, jti: &str, now: i64) -> bool {
        self.access.get(jti).is_some_and(|r| {
            !r.revoked && r.expires_at > now && !self.revoked_families.contains(&r.family)
        })
    }

    /// The record of a refresh token that could still be exchanged.
    pub(crate) fn refresh_active(&self, token: &str, now: i64) -> Option<&RefreshRecord> {
        self.refresh.get(token).filter(|r| {
            !r.rotated && r.expires_at > now && !self.revoked_families.contains(&r.family)
        })
    }

    pub(crate) fn refresh_record(&self, token: &str) -> Option<&RefreshRecord> {
        self.refresh.get(token)
    }

    pub(crate) fn revoke_access(&mut self, jti: &str) {
        if let Some(record) = self.access.get_mut(jti) {
            record.revoked = true;
        }
    }

    pub(crate) fn revoke_family(&mut self, family: u64) {
        self.revoked_families.insert(family);
    }

    /// Records a client assertion's `jti`; false if it was seen before (a replay). Kept until
    /// `expires_at`, after which the assertion itself is refused as expired.
    pub(crate) fn use_assertion_id(
        &mut self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> bool {
        let key = (client_id.to_string(), jti.to_string());
        if self
            .assertion_ids
            .get(&key)
            .is_some_and(|until| *until > now)
        {
            return false;
        }
        self.assertion_ids.insert(key, expires_at);
        self.count_insert(now);
        true
    }

    fn count_insert(&mut self, now: i64) {
        self.inserts += 1;
        if self.inserts >= PRUNE_EVERY {
            self.inserts = 0;
            self.prune(now);
        }
    }

    /// Drops what can no longer matter. Redeemed codes are kept until they expire so that a
    /// replay within their lifetime is still recognised as reuse.
    fn prune(&mut self, now: i64) {
        self.codes.retain(|_, c| c.grant.expires_at > now);
        self.refresh.retain(|_, r| r.expires_at > now);
        self.access.retain(|_, a| a.expires_at > now);
        self.assertion_ids.retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(family: u64) -> RefreshRecord {
        RefreshRecord {
            family,
            client_id: "c".into(),
            sub: "s".into(),
            scope: vec!["api".into(), "offline_access".into()],
            auth_time: 0,
            expires_at: 100,
            rotated: false,
        }
    }

    #[test]
    fn reuse_of_rotated_refresh_token_revokes_family() {
        let mut store = Store::default();
        let family = store.new_family();
        store.insert_refresh("rt1".into(), record(family), 0);
        store.insert_access("jti1".into(), family, 100, 0);
        store
            .rotate_refresh("rt1", "c", None, 10)
            .expect("first use");
        store.insert_refresh("rt2".into(), record(family), 10);
        assert!(store.refresh_active("rt2", 10).is_some());
        let err = store
            .rotate_refresh("rt1", "c", None, 11)
            .expect_err("reuse");
        assert_eq!(err.code.as_str(), "invalid_grant");
        assert!(store.refresh_active("rt2", 11).is_none());
        assert!(!store.access_active("jti1", 11));
    }

    #[test]
    fn wider_scope_leaves_token_usable() {
        let mut store = Store::default();
        store.insert_refresh("rt".into(), record(1), 0);
        let wider = vec!["openid".to_string()];
        let err = store
            .rotate_refresh("rt", "c", Some(&wider), 1)
            .expect_err("wider");
        assert_eq!(err.code.as_str(), "invalid_scope");
        assert!(store.refresh_active("rt", 1).is_some());
    }

    #[test]
    fn clock_moves_forward() {
        let clock = Clock::default();
        let before = clock.now();
        let before_ms = clock.now_ms();
        clock.advance(3600);
        assert!(clock.now() >= before + 3600);
        assert!(clock.now_ms() >= before_ms + 3_600_000);
    }

    #[test]
    fn assertion_ids_are_single_use_per_client() {
        let mut store = Store::default();
        assert!(store.use_assertion_id("c", "j1", 100, 0));
        assert!(!store.use_assertion_id("c", "j1", 100, 50), "replay");
        assert!(store.use_assertion_id("d", "j1", 100, 50), "another client");
    }
}
