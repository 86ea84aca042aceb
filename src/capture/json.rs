//! Captures from the JSON body: a JSONPath (`$.access_token`) and a JWT found by one
//! (`{ jwt: $.id_token, claim: sub }`).

use super::{Missing, Read, Source, Take};
use crate::http::Response;
use crate::query::Path;
use crate::secret::{Said, name, value};
use serde_json::Value;

/// `$.access_token`: the value at a JSONPath of the body.
#[derive(Debug)]
pub struct JsonPath(pub Path);

pub(super) const READ_JSONPATH: Read = |r, n, _, _, _| {
    let text = r.text(n, "jsonpath")?;
    Path::parse(r, n, &text).map(|p| Source::JsonPath(JsonPath(p)))
};

impl Take for JsonPath {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        let json = response.json().map_err(Missing::not_json)?;
        self.0.select(json).ok_or_else(|| {
            Missing::said(Said::new(
                "`{}` matched nothing in the response body: {}",
                [name(&self.0.text), value(response.excerpt())],
            ))
        })
    }
}

/// A claim of the JWT at a JSONPath of the body, or all its claims.
#[derive(Debug)]
pub struct Jwt {
    token: Path,
    claim: Option<String>,
}

pub(super) const READ_JWT: Read = |r, n, m, _, _| {
    // The modifier is taken first: a JSONPath that cannot be read does not leave it unknown.
    let claim = m.get("claim").and_then(|c| r.text(c, "claim"));
    let text = r.text(n, "jwt")?;
    let token = Path::parse(r, n, &text)?;
    Some(Source::Jwt(Jwt { token, claim }))
};

impl Take for Jwt {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        let json = response.json().map_err(Missing::not_json)?;
        let Some(Value::String(jwt)) = self.token.select(json) else {
            return Err(Missing::said(Said::new(
                "`{}` is not a string in the response body",
                [name(&self.token.text)],
            )));
        };
        let claims = crate::jwt::decode_claims(&jwt)
            .map_err(|e| Missing::said(Said::value(e.to_string())))?;
        match &self.claim {
            None => Ok(claims),
            Some(c) => claims.get(c).cloned().ok_or_else(|| {
                Missing::said(Said::new(
                    "the JWT at `{}` has no claim `{}`",
                    [name(&self.token.text), name(c)],
                ))
            }),
        }
    }
}
