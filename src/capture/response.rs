//! Captures of the response as a whole: its status, its body (JSON when it is, else text),
//! the URL that answered or one parameter of it.

use super::{Missing, Read, Source, Take};
use crate::http::Response;
use crate::query::query_param;
use crate::secret::{Said, name, value};
use serde_json::Value;

/// `{ status: true }`.
#[derive(Debug)]
pub struct Status;

pub(super) const READ_STATUS: Read = |r, n, _, _, _| {
    r.bool(n, "status")
        .filter(|b| *b)
        .map(|_| Source::Status(Status))
};

impl Take for Status {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        Ok(Value::from(response.status))
    }
}

/// `{ body: true }`: the body as JSON, or its text.
#[derive(Debug)]
pub struct Body;

pub(super) const READ_BODY: Read =
    |r, n, _, _, _| r.bool(n, "body").filter(|b| *b).map(|_| Source::Body(Body));

impl Take for Body {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        Ok(match response.json() {
            Ok(v) => v.clone(),
            Err(_) => Value::String(response.text().into_owned()),
        })
    }
}

/// `{ url: true }`, or `{ url: code }`: a parameter of the URL that answered.
#[derive(Debug)]
pub struct Url(Option<String>);

pub(super) const READ_URL: Read = |r, n, _, _, _| match &n.kind {
    crate::yaml::node::Kind::Bool(true) => Some(Source::Url(Url(None))),
    _ => r.text(n, "url").map(|p| Source::Url(Url(Some(p)))),
};

impl Take for Url {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        match &self.0 {
            None => Ok(Value::String(response.url.clone())),
            Some(param) => query_param(&response.url, param)
                .map(Value::String)
                .ok_or_else(|| {
                    Missing::said(Said::new(
                        "`{}` is not a parameter of {}",
                        [name(param), value(&response.url)],
                    ))
                }),
        }
    }
}
