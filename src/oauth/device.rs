//! The device authorization grant (RFC 8628): ask for a device and user code, tell the user
//! where to enter it (and open that page), then poll the token endpoint, honouring
//! `interval` and `slow_down`, until the user approves, denies, or the code expires.

use super::flow::{Ctx, FlowError, Rendered, post_form};
use super::form::{self, Exchange};
use super::spec::OAuth2;
use crate::http::Hop;
use serde_json::Value;
use std::time::{Duration, Instant};

pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(crate) async fn run(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    hops: &mut Vec<Hop>,
) -> Result<usize, FlowError> {
    let url = r.endpoint(super::flow::Endpoint::Device)?;
    let form = form::fields(spec, &Exchange::DeviceAuthorization, cx)?;
    let i = post_form(spec, cx, r, &url, form, hops).await?;
    let start = &hops[i].response;
    if start.status != 200 {
        // The error response is the outcome the request is judged on.
        return Ok(i);
    }
    let json = start.json().map_err(FlowError::Protocol)?.clone();
    let field = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_string);
    let device_code = field("device_code").ok_or_else(|| {
        FlowError::Protocol(format!(
            "the device authorization response has no `device_code`: {}",
            start.excerpt()
        ))
    })?;
    cx.redactor.add(&device_code);
    let user_code = field("user_code").unwrap_or_default();
    let verification = field("verification_uri_complete")
        .or_else(|| field("verification_uri"))
        .or_else(|| field("verification_url"))
        .unwrap_or_default();
    let mut interval =
        Duration::from_secs(json.get("interval").and_then(Value::as_u64).unwrap_or(5));
    let expires = Duration::from_secs(
        json.get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(600),
    );
    (cx.notify)(format!(
        "To sign in, open {verification} and enter the code {user_code}"
    ));
    if spec.open_browser && !verification.is_empty() {
        let _ = webbrowser::open(&verification);
    }
    let waited = expires.min(spec.wait);
    let deadline = Instant::now() + waited;
    let timeout = || {
        FlowError::Timeout(format!(
            "nobody approved the device code {user_code} within {waited:?}"
        ))
    };
    loop {
        // The next poll may not come before `interval` (RFC 8628 3.5); when that is past
        // the deadline, the wait is over at the deadline, not an interval later.
        let now = Instant::now();
        if now + interval > deadline {
            tokio::time::sleep(deadline.saturating_duration_since(now)).await;
            return Err(timeout());
        }
        tokio::time::sleep(interval).await;
        let poll = Exchange::DevicePoll {
            device_code: device_code.clone(),
        };
        let form = form::fields(spec, &poll, cx)?;
        let i = post_form(
            spec,
            cx,
            r,
            r.endpoints.token.as_deref().unwrap_or_default(),
            form,
            hops,
        )
        .await?;
        let resp = &hops[i].response;
        let error = resp
            .json()
            .ok()
            .and_then(|j| j.get("error").and_then(Value::as_str).map(str::to_string));
        match error.as_deref() {
            Some("authorization_pending") => {}
            // RFC 8628 3.5: slow down by 5 seconds, for this and every later poll.
            Some("slow_down") => interval += Duration::from_secs(5),
            _ => return Ok(i),
        }
    }
}
