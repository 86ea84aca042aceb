//! `jwt:` expectations on a JWT found in the response (an id_token, a JWT access token):
//! predicates on its claims and header, and, with `jwks_url`, its signature and times
//! verified against the issuer's keys (with `issuer` and `audience` checked too).
//!
//! ```yaml
//! expect:
//!   jwt:
//!     $.id_token:
//!       jwks_url: <<baseAuthURL>>/.well-known/openid-configuration/jwks
//!       issuer: <<baseAuthURL>>
//!       audience: <<ClientId>>
//!       header: { alg: RS256 }
//!       claims: { sub: { exists: true }, email_verified: true }
//!       expires_in_at_most: 1h     # exp no later than an hour from now
//!       expires_in_at_least: 5m    # and no sooner than five minutes
//! ```

use super::predicate::{self, Predicate};
use super::{Eval, Failure};
use crate::diag::Loc;
use crate::query::Path;
use crate::secret::{Said, value};
use crate::template::JsonTpl;
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use serde_json::Value;

/// The keys of a `jwt:` expectation (also the collection schema's, `schema.rs`).
pub(crate) const JWT_KEYS: &[&str] = &[
    "jwks_url",
    "issuer",
    "audience",
    "header",
    "claims",
    "expires_in_at_least",
    "expires_in_at_most",
];

#[derive(Debug, Clone)]
pub struct JwtCheck {
    pub path: Path,
    pub loc: Loc,
    pub jwks_url: Option<Tpl>,
    pub issuer: Option<JsonTpl>,
    pub audience: Option<JsonTpl>,
    pub header: Vec<(String, Vec<Predicate>)>,
    pub claims: Vec<(String, Vec<Predicate>)>,
    /// `expires_in_at_least` and `expires_in_at_most`: bounds on `exp` minus now.
    pub lifetime: Vec<Lifetime>,
}

/// One bound on the time a token has left, as written (`1h`) and in seconds.
#[derive(Debug, Clone)]
pub struct Lifetime {
    pub at_most: bool,
    pub written: String,
    pub secs: f64,
    pub loc: Loc,
}

const LIFETIME_KEYS: [(&str, bool); 2] =
    [("expires_in_at_least", false), ("expires_in_at_most", true)];

pub(crate) fn read(r: &mut Reader, node: &Node) -> Vec<JwtCheck> {
    let Some(mut map) = r.map(node, "expect.jwt") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map.rest() {
        if !k.name.starts_with('$') {
            let d = r.error(k.loc, format!("`{}` is not a JSONPath to a JWT", k.name));
            d.help =
                Some("e.g. `jwt: { $.id_token: { claims: { sub: { exists: true } } } }`".into());
            continue;
        }
        let key_node = Node::new(v.kind.clone(), k.loc);
        let Some(path) = Path::parse(r, &key_node, &k.name) else {
            continue;
        };
        let Some(mut m) = r.map(v, &format!("expect.jwt.{}", k.name)) else {
            continue;
        };
        let jwks_url = m.get("jwks_url").and_then(|n| r.tpl(n, "jwks_url"));
        let issuer = m
            .get("issuer")
            .map(|n| crate::yaml::read::read_json_tpl(r, n, "issuer"));
        let audience = m
            .get("audience")
            .map(|n| crate::yaml::read::read_json_tpl(r, n, "audience"));
        let header = m
            .get("header")
            .map(|n| named_predicates(r, n, "header"))
            .unwrap_or_default();
        let claims = m
            .get("claims")
            .map(|n| named_predicates(r, n, "claims"))
            .unwrap_or_default();
        let mut lifetime = Vec::new();
        for (key, at_most) in LIFETIME_KEYS {
            if let Some(n) = m.get(key)
                && let Some(d) = r.duration(n, key)
            {
                lifetime.push(Lifetime {
                    at_most,
                    // A bare number is seconds, as `r.duration` reads it.
                    written: match n.kind {
                        Kind::Int(_) | Kind::Float(_) => {
                            format!("{}s", n.scalar_text().unwrap_or_default())
                        }
                        _ => n.scalar_text().unwrap_or_default(),
                    },
                    secs: d.as_secs_f64(),
                    loc: n.loc,
                });
            }
        }
        m.finish(r, &format!("expect.jwt.{}", k.name), JWT_KEYS);
        out.push(JwtCheck {
            path,
            loc: k.loc,
            jwks_url,
            issuer,
            audience,
            header,
            claims,
            lifetime,
        });
    }
    out
}

fn named_predicates(r: &mut Reader, node: &Node, what: &str) -> Vec<(String, Vec<Predicate>)> {
    let Some(mut m) = r.map(node, what) else {
        return Vec::new();
    };
    m.rest()
        .into_iter()
        .map(|(k, v)| {
            (
                k.name.to_string(),
                predicate::read(r, v, &format!("{what}.{}", k.name)),
            )
        })
        .collect()
}

pub(crate) fn eval(j: &JwtCheck, ctx: &mut Eval) -> Option<Failure> {
    // The reasons a token is refused are the JWT library's words about a value: values.
    let fail = |expected: Said, actual: String, loc: Loc| {
        Some(Failure {
            subject: format!("jwt {}", j.path.text),
            expected,
            actual: Said::value(actual),
            loc,
            invalid: None,
        })
    };
    let json = match ctx.response.json() {
        Ok(json) => json,
        Err(reason) => return fail(Said::words("a JSON body holding a JWT"), reason, j.loc),
    };
    let token = match j.path.select(json) {
        Some(Value::String(t)) => t,
        Some(other) => {
            return fail(
                Said::words("a JWT (a string)"),
                predicate::show_value(&other),
                j.loc,
            );
        }
        None => {
            return Some(Failure {
                subject: format!("jwt {}", j.path.text),
                expected: Said::words("a JWT"),
                actual: Said::words("nothing matched"),
                loc: j.loc,
                invalid: None,
            });
        }
    };
    let (header, claims) = match (
        crate::jwt::decode_header(&token),
        crate::jwt::decode_claims(&token),
    ) {
        (Ok(h), Ok(c)) => (h, c),
        (Err(e), _) | (_, Err(e)) => return fail(Said::words("a JWT"), e.to_string(), j.loc),
    };
    if let Some(url) = &j.jwks_url {
        let url_text = match (ctx.render)(&JsonTpl::Str(url.clone())) {
            Ok(Value::String(u)) => u,
            Ok(other) => other.to_string(),
            Err(e) => return fail(Said::words("a JWKS URL"), e, url.loc),
        };
        let Some(doc) = ctx.jwks.get(&url_text) else {
            return Some(Failure {
                subject: format!("jwt {}", j.path.text),
                expected: Said::new("the keys at {}", [value(&url_text)]),
                actual: Said::words("they could not be fetched"),
                loc: url.loc,
                invalid: None,
            });
        };
        let render_str = |t: &Option<JsonTpl>, ctx: &mut Eval| -> Result<Option<String>, String> {
            match t {
                None => Ok(None),
                Some(t) => (ctx.render)(t)
                    .map(|v| Some(v.as_str().map_or_else(|| v.to_string(), str::to_string))),
            }
        };
        let issuer = match render_str(&j.issuer, ctx) {
            Ok(v) => v,
            Err(e) => return fail(Said::words("an issuer"), e, j.loc),
        };
        let audience = match render_str(&j.audience, ctx) {
            Ok(v) => v,
            Err(e) => return fail(Said::words("an audience"), e, j.loc),
        };
        let verified = crate::oauth::jwt_verify::Jwks::parse(doc).and_then(|jwks| {
            let checks = crate::oauth::jwt_verify::Checks {
                issuer: issuer.as_deref(),
                audience: audience.as_deref(),
                leeway: std::time::Duration::from_secs(60),
                ..Default::default()
            };
            crate::oauth::jwt_verify::verify(&token, &jwks, &checks)
        });
        if let Err(e) = verified {
            return fail(
                Said::new(
                    "a JWT that verifies with the keys at {}",
                    [value(&url_text)],
                ),
                e.to_string(),
                url.loc,
            );
        }
    }
    for (name, preds) in &j.header {
        let actual = header.get(name);
        if let Err(m) = predicate::check(preds, actual, ctx.render) {
            return Some(Failure {
                subject: format!("jwt {} header {name}", j.path.text),
                expected: m.expected,
                actual: actual.map_or(Said::words("nothing"), |v| {
                    Said::value(predicate::show_value(v))
                }),
                loc: m.loc,
                invalid: None,
            });
        }
    }
    if let Some(f) = check_lifetime(j, &claims) {
        return Some(f);
    }
    for (name, preds) in &j.claims {
        let actual = claims.get(name);
        if let Err(m) = predicate::check(preds, actual, ctx.render) {
            return Some(Failure {
                subject: format!("jwt {} claim {name}", j.path.text),
                expected: m.expected,
                actual: actual.map_or(Said::words("no such claim"), |v| {
                    Said::value(predicate::show_value(v))
                }),
                loc: m.loc,
                invalid: None,
            });
        }
    }
    None
}

/// The first bound on the token's remaining lifetime (`exp` minus now) that does not
/// hold, saying the lifetime it has.
fn check_lifetime(j: &JwtCheck, claims: &Value) -> Option<Failure> {
    let first = j.lifetime.first()?;
    let subject = format!("jwt {} exp", j.path.text);
    let Some(exp) = claims.get("exp").and_then(Value::as_f64) else {
        let actual = claims.get("exp").map_or(Said::words("no exp claim"), |v| {
            Said::new("exp is {}, not a number", [value(predicate::show_value(v))])
        });
        return Some(Failure {
            subject,
            expected: Said::words("an exp claim"),
            actual,
            loc: first.loc,
            invalid: None,
        });
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let left = exp - now;
    let bound = j.lifetime.iter().find(|b| {
        if b.at_most {
            left > b.secs
        } else {
            left < b.secs
        }
    })?;
    let expected = if bound.at_most {
        Said::new("to expire in at most {}", [value(&bound.written)])
    } else {
        Said::new("to expire in at least {}", [value(&bound.written)])
    };
    let actual = if left < 0.0 {
        Said::new(
            "expired {} ago (exp {})",
            [value(lifetime(-left)), value(exp)],
        )
    } else {
        Said::new(
            "expires in {} (exp {})",
            [value(lifetime(left)), value(exp)],
        )
    };
    Some(Failure {
        subject,
        expected,
        actual,
        loc: bound.loc,
        invalid: None,
    })
}

/// Whole seconds as `2h 0m 5s`, `4m 10s`, `42s`.
fn lifetime(secs: f64) -> String {
    let s = secs.round() as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec}s"),
        (h, m, sec) => format!("{h}h {m}m {sec}s"),
    }
}

impl super::Kind for JwtCheck {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        out.extend(self.jwks_url.iter());
        for v in self.issuer.iter().chain(self.audience.iter()) {
            v.templates(out);
        }
        for (_, p) in self.header.iter().chain(self.claims.iter()) {
            super::predicate::templates(p, out);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lifetimes_read_as_written() {
        assert_eq!(super::lifetime(42.4), "42s");
        assert_eq!(super::lifetime(250.0), "4m 10s");
        assert_eq!(super::lifetime(7205.0), "2h 0m 5s");
    }
}
