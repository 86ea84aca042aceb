//! The device authorization grant (RFC 8628): the device authorization endpoint, user codes,
//! and the state each device code goes through, which the token endpoint polls and the
//! verification page (`device_page`) decides.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client::GrantType;
use super::client_auth::{Accept, Params, authenticate};
use super::error::{ErrorCode, OAuthError, no_store};
use super::keys::random_token;
use super::routes::{DEVICE_AUTHORIZATION_PATH, DEVICE_PAGE_PATH, Shared};
use super::scope;

/// RFC 8628 6.1: consonants only, no vowels (no words) and nothing that looks alike (0/O, 1/I).
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// RFC 8628 3.5: `slow_down` adds 5 seconds to the interval, for good.
const SLOW_DOWN_STEP: u64 = 5;
/// Expired device codes are still recognised this long, to answer `expired_token`.
const EXPIRED_GRACE: i64 = 3600;
/// Prune after this many new device codes.
const PRUNE_EVERY: u32 = 256;

/// What the person at the verification page decided.
pub(crate) enum Decision {
    Approve { sub: String, auth_time: i64 },
    Deny,
}

#[derive(Debug, Clone)]
enum DeviceState {
    Pending,
    Approved { sub: String, auth_time: i64 },
    Denied,
    Redeemed,
}

struct DeviceGrant {
    client_id: String,
    scope: Vec<String>,
    user_code: String,
    expires_at: i64,
    /// Seconds; grows by 5 at each `slow_down`.
    interval: u64,
    last_poll_ms: Option<i64>,
    state: DeviceState,
}

/// What a user code asks for, shown on the verification page.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) client_id: String,
    pub(crate) scope: Vec<String>,
    pub(crate) user_code: String,
}

/// An approved device code, exchanged for tokens.
pub(crate) struct Approved {
    pub(crate) sub: String,
    pub(crate) auth_time: i64,
    pub(crate) scope: Vec<String>,
}

/// Why a user code cannot be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserCodeError {
    Unknown,
    Expired,
    AlreadyDecided,
}

impl UserCodeError {
    pub(crate) fn message(self) -> &'static str {
        match self {
            UserCodeError::Unknown => "That code is not known. Check it and try again.",
            UserCodeError::Expired => "That code has expired. Start again on your device.",
            UserCodeError::AlreadyDecided => "That code has already been approved or denied.",
        }
    }
}

/// Device codes by code, and the user codes that point at them.
#[derive(Default)]
pub(crate) struct DeviceStore {
    grants: HashMap<String, DeviceGrant>,
    /// Normalised user code (no dash, upper case) to device code.
    user_codes: HashMap<String, String>,
    inserts: u32,
}

impl DeviceStore {
    fn insert(
        &mut self,
        client_id: &str,
        scope: Vec<String>,
        expires_at: i64,
        interval: u64,
        now: i64,
    ) -> (String, String) {
        self.inserts += 1;
        if self.inserts >= PRUNE_EVERY {
            self.inserts = 0;
            self.grants
                .retain(|_, g| g.expires_at.saturating_add(EXPIRED_GRACE) > now);
            let grants = &self.grants;
            self.user_codes.retain(|_, code| grants.contains_key(code));
        }
        let device_code = random_token();
        // 20^8 codes: a clash is next to impossible, but a live code must never be replaced.
        let mut user_code = new_user_code();
        while self.user_codes.contains_key(&user_code) {
            user_code = new_user_code();
        }
        self.user_codes
            .insert(user_code.clone(), device_code.clone());
        let grant = DeviceGrant {
            client_id: client_id.to_string(),
            scope,
            user_code: format!("{}-{}", &user_code[..4], &user_code[4..]),
            expires_at,
            interval,
            last_poll_ms: None,
            state: DeviceState::Pending,
        };
        let shown = grant.user_code.clone();
        self.grants.insert(device_code.clone(), grant);
        (device_code, shown)
    }

    fn by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceGrant> {
        let code = self.user_codes.get(&normalize_user_code(user_code)?)?;
        self.grants.get_mut(code)
    }

    /// The pending request a user code stands for.
    pub(crate) fn pending(&mut self, user_code: &str, now: i64) -> Result<Request, UserCodeError> {
        let grant = self.by_user_code(user_code).ok_or(UserCodeError::Unknown)?;
        if grant.expires_at <= now {
            return Err(UserCodeError::Expired);
        }
        if !matches!(grant.state, DeviceState::Pending) {
            return Err(UserCodeError::AlreadyDecided);
        }
        Ok(Request {
            client_id: grant.client_id.clone(),
            scope: grant.scope.clone(),
            user_code: grant.user_code.clone(),
        })
    }

    /// Approves or denies a pending user code.
    pub(crate) fn decide(
        &mut self,
        user_code: &str,
        decision: Decision,
        now: i64,
    ) -> Result<Request, UserCodeError> {
        let request = self.pending(user_code, now)?;
        if let Some(grant) = self.by_user_code(user_code) {
            grant.state = match decision {
                Decision::Approve { sub, auth_time } => DeviceState::Approved { sub, auth_time },
                Decision::Deny => DeviceState::Denied,
            };
        }
        Ok(request)
    }

    /// One poll of the token endpoint (RFC 8628 3.4, 3.5). An approved code is exchanged once.
    pub(crate) fn poll(
        &mut self,
        device_code: &str,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Approved, OAuthError> {
        let Some(grant) = self.grants.get_mut(device_code) else {
            return Err(OAuthError::invalid_grant("unknown device_code"));
        };
        if grant.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "the device_code was issued to another client",
            ));
        }
        if matches!(grant.state, DeviceState::Redeemed) {
            return Err(OAuthError::invalid_grant(
                "the device_code was already exchanged for tokens",
            ));
        }
        if grant.expires_at.saturating_mul(1000) <= now_ms {
            return Err(OAuthError::new(
                ErrorCode::ExpiredToken,
                "the device_code has expired; start again at the device authorization endpoint",
            ));
        }
        match std::mem::replace(&mut grant.state, DeviceState::Redeemed) {
            DeviceState::Approved { sub, auth_time } => Ok(Approved {
                sub,
                auth_time,
                scope: grant.scope.clone(),
            }),
            DeviceState::Denied => {
                grant.state = DeviceState::Denied;
                Err(OAuthError::new(
                    ErrorCode::AccessDenied,
                    "the user denied the authorization request",
                ))
            }
            DeviceState::Pending | DeviceState::Redeemed => {
                grant.state = DeviceState::Pending;
                let interval_ms =
                    i64::try_from(grant.interval.saturating_mul(1000)).unwrap_or(i64::MAX);
                let too_soon = grant
                    .last_poll_ms
                    .is_some_and(|last| now_ms.saturating_sub(last) < interval_ms);
                grant.last_poll_ms = Some(now_ms);
                if too_soon {
                    grant.interval = grant.interval.saturating_add(SLOW_DOWN_STEP);
                    return Err(OAuthError::new(
                        ErrorCode::SlowDown,
                        format!(
                            "polled sooner than the interval; wait {} s between polls from now on",
                            grant.interval
                        ),
                    ));
                }
                Err(OAuthError::new(
                    ErrorCode::AuthorizationPending,
                    format!(
                        "user code {} is not approved yet; poll again in {} s",
                        grant.user_code, grant.interval
                    ),
                ))
            }
        }
    }
}

/// Eight letters from the alphabet, drawn without modulo bias.
fn new_user_code() -> String {
    let mut code = String::with_capacity(8);
    while code.len() < 8 {
        for byte in rand::random::<[u8; 16]>() {
            // 240 is the largest multiple of 20 that fits in a byte.
            if byte < 240 && code.len() < 8 {
                code.push(char::from(USER_CODE_ALPHABET[usize::from(byte % 20)]));
            }
        }
    }
    code
}

/// What a person may type: any case, with or without the dash or spaces (RFC 8628 6.1).
fn normalize_user_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 8 && code.is_ascii()).then_some(code)
}

/// `POST /connect/deviceauthorization` (RFC 8628 3.1, 3.2).
pub(crate) async fn device_authorization(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match start(&shared, &headers, &body) {
        Ok(value) => {
            let mut response = axum::Json(value).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

fn start(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let client = authenticate(
        shared,
        DEVICE_AUTHORIZATION_PATH,
        headers,
        &params,
        Accept::AnyClient,
    )?;
    if !client.allows(GrantType::DeviceCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("client `{}` may not use the device_code grant", client.id),
        ));
    }
    let scope = scope::resolve(
        &shared.config,
        client,
        params.get("scope")?,
        GrantType::DeviceCode,
    )?;
    let lifetimes = &shared.config.lifetimes;
    let now = shared.clock.now();
    let expires_at = now.saturating_add_unsigned(lifetimes.device_code);
    let (device_code, user_code) = shared.devices().insert(
        &client.id,
        scope,
        expires_at,
        lifetimes.device_interval,
        now,
    );
    let verification_uri = shared.url(DEVICE_PAGE_PATH);
    Ok(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
        "expires_in": lifetimes.device_code,
        "interval": lifetimes.device_interval,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_unambiguous_and_forgiving() {
        let code = new_user_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(
            normalize_user_code("bcdf-ghjk").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(
            normalize_user_code(" BCDF GHJK ").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(normalize_user_code("BCDFGHJ"), None);
        assert_eq!(normalize_user_code("ÉCDFGHJK"), None);
    }

    #[test]
    fn polling_pending_slow_down_approved_then_used() {
        let mut store = DeviceStore::default();
        let (device, user) = store.insert("c", vec!["api".into()], 100, 1, 0);
        let code = |r: Result<Approved, OAuthError>| r.err().map(|e| e.code.as_str());
        assert_eq!(
            code(store.poll(&device, "c", 0)),
            Some("authorization_pending")
        );
        assert_eq!(code(store.poll(&device, "c", 500)), Some("slow_down"));
        // The interval grew to 6 s, then to 11 s: each poll too soon adds 5 s.
        assert_eq!(code(store.poll(&device, "c", 2_000)), Some("slow_down"));
        assert_eq!(
            code(store.poll(&device, "c", 13_000)),
            Some("authorization_pending")
        );
        assert_eq!(
            code(store.poll(&device, "other", 30_000)),
            Some("invalid_grant")
        );
        let approve = Decision::Approve {
            sub: "s".into(),
            auth_time: 1,
        };
        store
            .decide(&user.to_lowercase(), approve, 10)
            .expect("pending");
        assert_eq!(
            store.decide(&user, Decision::Deny, 10).err(),
            Some(UserCodeError::AlreadyDecided)
        );
        let approved = store.poll(&device, "c", 14_000).expect("approved");
        assert_eq!((approved.sub.as_str(), approved.scope.len()), ("s", 1));
        assert_eq!(
            code(store.poll(&device, "c", 30_000)),
            Some("invalid_grant")
        );
    }

    #[test]
    fn denied_and_expired_codes() {
        let mut store = DeviceStore::default();
        let (device, user) = store.insert("c", Vec::new(), 100, 5, 0);
        store.decide(&user, Decision::Deny, 1).expect("pending");
        let err = store.poll(&device, "c", 2_000).err().expect("denied");
        assert_eq!(err.code.as_str(), "access_denied");
        let (device, user) = store.insert("c", Vec::new(), 100, 5, 0);
        assert_eq!(
            store.pending(&user, 100).err(),
            Some(UserCodeError::Expired)
        );
        let err = store.poll(&device, "c", 100_000).err().expect("expired");
        assert_eq!(err.code.as_str(), "expired_token");
    }
}
