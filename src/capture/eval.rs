//! A capture taking its value from a response, or saying why there was nothing to take:
//! in baton's words, with the names it read and the values it found kept apart, so that
//! only the values are masked.

use super::{Capture, Source};
use crate::http::Response;
use crate::query::{first_group, query_param};
use crate::secret::{Said, name, value};
use serde_json::Value;

/// Why a capture found nothing: baton's words, the names the capture reads and the
/// values it found instead (an excerpt of the body, a header's value), apart, so that
/// only the values are masked.
#[derive(Debug)]
pub struct Missing {
    pub message: Said,
}

impl Capture {
    /// The captured value, or why nothing matched (with an excerpt of what was there).
    pub fn eval(&self, response: &Response) -> Result<Value, Missing> {
        let missing = |message: Said| Err(Missing { message });
        // Why the body is not JSON quotes the body: all of it a value.
        let not_json = |reason: String| Missing {
            message: Said::value(reason),
        };
        match &self.source {
            Source::JsonPath(path) => {
                let json = response.json().map_err(not_json)?;
                match path.select(json) {
                    Some(v) => Ok(v),
                    None => missing(Said::new(
                        "`{}` matched nothing in the response body: {}",
                        [name(&path.text), value(response.excerpt())],
                    )),
                }
            }
            Source::Header {
                name: header,
                query,
                regex,
            } => {
                let Some(found) = response.header(header) else {
                    return missing(Said::new(
                        "the response has no `{}` header (it has: {})",
                        [name(header), name(response.header_names())],
                    ));
                };
                if let Some(param) = query {
                    return match query_param(found, param) {
                        Some(v) => Ok(Value::String(v)),
                        None => missing(Said::new(
                            "`{}` is not a parameter of the `{}` header: {}",
                            [name(param), name(header), value(found)],
                        )),
                    };
                }
                match regex {
                    Some(re) => first_group(re, found).ok_or_else(|| Missing {
                        message: Said::new(
                            "`{}` does not match the `{}` header: {}",
                            [name(re.as_str()), name(header), value(found)],
                        ),
                    }),
                    None => Ok(Value::String(found.to_string())),
                }
            }
            Source::Regex(re) => {
                let text = response.text();
                first_group(re, &text).ok_or_else(|| Missing {
                    message: Said::new(
                        "`{}` does not match the body: {}",
                        [name(re.as_str()), value(response.excerpt())],
                    ),
                })
            }
            Source::Cookie(cookie) => match response.set_cookie(cookie) {
                Some(v) => Ok(Value::String(v)),
                None => missing(Said::new(
                    "the response sets no cookie `{}`",
                    [name(cookie)],
                )),
            },
            Source::Jwt { token, claim } => {
                let json = response.json().map_err(not_json)?;
                let Some(Value::String(jwt)) = token.select(json) else {
                    return missing(Said::new(
                        "`{}` is not a string in the response body",
                        [name(&token.text)],
                    ));
                };
                let claims = crate::jwt::decode_claims(&jwt).map_err(|e| Missing {
                    message: Said::value(e.to_string()),
                })?;
                match claim {
                    None => Ok(claims),
                    Some(c) => claims.get(c).cloned().ok_or_else(|| Missing {
                        message: Said::new(
                            "the JWT at `{}` has no claim `{}`",
                            [name(&token.text), name(c)],
                        ),
                    }),
                }
            }
            Source::Status => Ok(Value::from(response.status)),
            Source::Body => Ok(match response.json() {
                Ok(v) => v.clone(),
                Err(_) => Value::String(response.text().into_owned()),
            }),
            Source::Url(None) => Ok(Value::String(response.url.clone())),
            Source::Url(Some(param)) => query_param(&response.url, param)
                .map(Value::String)
                .ok_or_else(|| Missing {
                    message: Said::new(
                        "`{}` is not a parameter of {}",
                        [name(param), value(&response.url)],
                    ),
                }),
        }
    }
}
