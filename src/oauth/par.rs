//! Pushed authorization requests (RFC 9126): the authorize parameters are POSTed to the
//! provider's PAR endpoint with the client's authentication, as a token request is sent, and
//! the browser is sent to the authorize endpoint with only `client_id` and the `request_uri`
//! the provider answered.

use super::flow::{Ctx, Endpoint, FlowError, Rendered, post_form};
use super::spec::{ClientAuth, OAuth2};
use crate::http::Hop;
use serde_json::Value;

/// What the PAR endpoint answered.
pub(crate) enum Pushed {
    /// RFC 9126 2.2: the reference to send to the authorize endpoint.
    Uri(String),
    /// A refusal (an error response), at this index of the hops: the request is judged on
    /// it, as on a refused token request.
    Refused(usize),
}

/// Whether the sign-in pushes its parameters: as `par:` says, else when `par_url` is given
/// or the provider requires it (RFC 9126 5, `require_pushed_authorization_requests`).
pub(crate) fn wanted(spec: &OAuth2, r: &Rendered) -> bool {
    spec.par
        .unwrap_or(spec.par_url.is_some() || r.endpoints.require_par)
}

/// POST the authorize parameters to the PAR endpoint, authenticated as at the token endpoint
/// (a client assertion is addressed by the same rule, `assertion_audience`).
pub(crate) async fn push(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    mut params: Vec<(String, String)>,
    hops: &mut Vec<Hop>,
) -> Result<Pushed, FlowError> {
    let url = r.endpoint(Endpoint::Par)?;
    // Every client authentication but Basic carries `client_id` itself: once is enough (a
    // repeated parameter is an error at any provider).
    if spec.client_auth() != ClientAuth::Basic {
        params.retain(|(k, _)| k != "client_id");
    }
    let index = post_form(spec, cx, r, &url, params, hops).await?;
    let resp = &hops[index].response;
    if !(200..300).contains(&resp.status) {
        return Ok(Pushed::Refused(index));
    }
    read(resp.json().ok(), &url).map(Pushed::Uri)
}

/// The `request_uri` of a PAR response, which must also say how long it lives.
fn read(json: Option<&Value>, url: &str) -> Result<String, FlowError> {
    let json = json.ok_or_else(|| {
        FlowError::Protocol(format!(
            "the PAR endpoint {url} answered without a JSON body (RFC 9126 2.2)"
        ))
    })?;
    let uri = json
        .get("request_uri")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            FlowError::Protocol(format!(
                "the PAR response of {url} has no `request_uri` (RFC 9126 2.2)"
            ))
        })?;
    match json.get("expires_in").and_then(Value::as_u64) {
        Some(secs) if secs > 0 => Ok(uri.to_string()),
        _ => Err(FlowError::Protocol(format!(
            "the PAR response of {url} has no positive `expires_in` (RFC 9126 2.2 requires it)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::read;
    use serde_json::json;

    #[test]
    fn a_par_response_needs_its_uri_and_lifetime() {
        let ok =
            json!({ "request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60 });
        assert_eq!(
            read(Some(&ok), "u").unwrap(),
            "urn:ietf:params:oauth:request_uri:abc"
        );
        let no_uri = json!({ "expires_in": 60 });
        assert!(
            read(Some(&no_uri), "u")
                .unwrap_err()
                .to_string()
                .contains("request_uri")
        );
        let no_life = json!({ "request_uri": "urn:x" });
        assert!(
            read(Some(&no_life), "u")
                .unwrap_err()
                .to_string()
                .contains("expires_in")
        );
        assert!(read(None, "u").is_err());
    }
}
