//! Expectations: what a response must be for its request to pass. Each kind is one file
//! with a `read` and an `eval`; this module holds the list and the one `match`.

pub mod body;
pub mod duration;
pub mod header;
pub mod jsonpath;
pub mod jwt;
pub mod predicate;
pub mod status;
mod types;

use crate::diag::Loc;
use crate::http::Response;
use crate::secret::Said;
use crate::template::JsonTpl;
use crate::yaml::node::Node;
use crate::yaml::read::Reader;
use serde_json::Value;

/// The expectations of one request, in the order they are written.
#[derive(Debug, Default, Clone)]
pub struct Expectations {
    pub items: Vec<Expectation>,
}

impl Expectations {
    /// True when the request says which status it expects (then an error status is an
    /// outcome to check, not a failure by default).
    pub fn has_status(&self) -> bool {
        self.items
            .iter()
            .any(|e| matches!(e, Expectation::Status(_)))
    }
}

#[derive(Debug, Clone)]
pub enum Expectation {
    Status(status::Status),
    Header(header::Header),
    JsonPath(jsonpath::JsonCheck),
    Body(body::BodyCheck),
    Duration(duration::DurationCheck),
    /// Boxed: the largest check by far (keys, claims), and the rarest.
    Jwt(Box<jwt::JwtCheck>),
}

/// One failed expectation: what was expected and what came back, and where it is written.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was checked: `status`, `header content-type`, `$.token_type`, `body`.
    pub subject: String,
    /// Baton's words (`not`, `one of`, `nothing matched`) apart from the values they
    /// quote, so that redaction masks only the values.
    pub expected: Said,
    pub actual: Said,
    pub loc: Loc,
    /// Set when what was expected is itself invalid (`status: <<code>>` rendered as no
    /// status): the collection's mistake, exit 2, as an expected value that cannot render.
    pub invalid: Option<Box<crate::diag::Diagnostic>>,
}

/// What evaluation needs besides the response: a way to render expected values.
pub struct Eval<'a> {
    pub response: &'a Response,
    pub render: &'a mut dyn FnMut(&JsonTpl) -> Result<Value, String>,
    /// JWKS documents fetched for `jwt:` expectations, by URL.
    pub jwks: &'a std::collections::HashMap<String, Value>,
}

pub const EXPECT_KEYS: &[&str] = &["status", "headers", "body", "duration_ms", "jwt"];

pub fn read(r: &mut Reader, node: &Node) -> Expectations {
    let Some(mut map) = r.map(node, "expect") else {
        return Expectations::default();
    };
    let mut items = Vec::new();
    if let Some(n) = map.get("status") {
        items.extend(status::read(r, n).map(Expectation::Status));
    }
    if let Some(n) = map.get("headers") {
        items.extend(header::read(r, n).into_iter().map(Expectation::Header));
    }
    if let Some(n) = map.get("body") {
        let (json, raw) = body::read(r, n);
        items.extend(json.into_iter().map(Expectation::JsonPath));
        items.extend(raw.into_iter().map(Expectation::Body));
    }
    if let Some(n) = map.get("jwt") {
        items.extend(
            jwt::read(r, n)
                .into_iter()
                .map(|j| Expectation::Jwt(Box::new(j))),
        );
    }
    if let Some(n) = map.get("duration_ms") {
        items.extend(duration::read(r, n).map(Expectation::Duration));
    }
    map.finish(r, "expect", EXPECT_KEYS);
    items.shrink_to_fit();
    Expectations { items }
}

/// Every failure of `e` against the response (empty when it holds).
pub fn eval(e: &Expectation, ctx: &mut Eval) -> Option<Failure> {
    match e {
        Expectation::Status(s) => status::eval(s, ctx),
        Expectation::Header(h) => header::eval(h, ctx),
        Expectation::JsonPath(j) => jsonpath::eval(j, ctx),
        Expectation::Body(b) => body::eval(b, ctx),
        Expectation::Duration(d) => duration::eval(d, ctx),
        Expectation::Jwt(j) => jwt::eval(j, ctx),
    }
}

/// Every template in the expected values (for `baton check`).
pub fn templates<'a>(e: &'a Expectations, out: &mut Vec<&'a crate::template::Tpl>) {
    for item in &e.items {
        let preds = match item {
            Expectation::Header(h) => &h.preds,
            Expectation::JsonPath(j) => &j.preds,
            Expectation::Body(b) => &b.preds,
            Expectation::Duration(d) => &d.preds,
            Expectation::Jwt(j) => {
                out.extend(j.jwks_url.iter());
                for v in j.issuer.iter().chain(j.audience.iter()) {
                    v.templates(out);
                }
                for (_, p) in j.header.iter().chain(j.claims.iter()) {
                    predicate::templates(p, out);
                }
                continue;
            }
            Expectation::Status(s) => {
                out.extend(s.template.iter());
                continue;
            }
        };
        predicate::templates(preds, out);
    }
}
