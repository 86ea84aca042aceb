//! Rich authorization requests (RFC 9396): the `authorization_details` parameter of an
//! authorize, pushed or token request, checked to be a list of objects with a `type`, and
//! echoed in the token response (RFC 9396 7) and the access token (9.1). The sandbox grants
//! any type as asked: it has no policy of its own to apply.

use serde_json::Value;

use super::client_auth::Params;
use super::error::{ErrorCode, OAuthError};

/// The parsed parameter; `None` when it is absent.
pub(crate) fn parse(params: &Params) -> Result<Option<Value>, OAuthError> {
    let Some(raw) = params.get("authorization_details")? else {
        return Ok(None);
    };
    let invalid = |why: String| OAuthError::new(ErrorCode::InvalidAuthorizationDetails, why);
    let value: Value = serde_json::from_str(raw)
        .map_err(|e| invalid(format!("authorization_details is not JSON: {e}")))?;
    let Some(items) = value.as_array() else {
        return Err(invalid(
            "authorization_details must be a JSON array (RFC 9396 2)".into(),
        ));
    };
    for (i, item) in items.iter().enumerate() {
        let typed = item
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty());
        if !item.is_object() || !typed {
            return Err(invalid(format!(
                "authorization_details[{i}] must be an object with a non-empty `type` (RFC 9396 2)"
            )));
        }
    }
    Ok((!items.is_empty()).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(raw: &str) -> Result<Option<Value>, OAuthError> {
        let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        parse(&Params::parse(
            format!("authorization_details={encoded}").as_bytes(),
        ))
    }

    #[test]
    fn a_list_of_typed_objects() {
        let ok = of(r#"[{"type":"payment_initiation","actions":["initiate"]}]"#).unwrap();
        assert_eq!(ok.unwrap()[0]["type"], "payment_initiation");
        for bad in [r#"{"type":"x"}"#, r#"[{"actions":[]}]"#, "[1]", "not json"] {
            let err = of(bad).expect_err(bad);
            assert_eq!(err.code.as_str(), "invalid_authorization_details", "{bad}");
        }
        assert_eq!(of("[]").unwrap(), None);
        assert_eq!(parse(&Params::default()).unwrap(), None);
    }
}
