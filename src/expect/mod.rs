//! Expectations: what a response must be for its request to pass. Each kind is one file
//! with a `read` and an `eval`; this module holds the list and the one `match`.

pub(crate) mod body;
pub(crate) mod duration;
pub(crate) mod header;
pub(crate) mod jsonpath;
pub(crate) mod jwt;
pub(crate) mod predicate;
pub(crate) mod schema;
pub(crate) mod status;
mod types;

use crate::diag::Loc;
use crate::http::Response;
use crate::secret::Said;
use crate::template::JsonTpl;
use crate::yaml::node::{Key, Node};
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

/// What every expectation kind does; each kind's file implements it for its type.
pub(crate) trait Kind {
    /// The failure of this check against the response, if it does not hold.
    fn eval(&self, ctx: &mut Eval) -> Option<Failure>;
    /// The templates of its expected values (for `baton check`).
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>);
    /// Whether a request's own check replaces this default one (`defaults:`): by default
    /// any check of the same kind does; a header or a JSONPath only of the same name.
    fn replaced_by(&self, _own: &Self) -> bool
    where
        Self: Sized,
    {
        true
    }
}

impl<T: Kind> Kind for Box<T> {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        (**self).eval(ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        (**self).templates(out);
    }
    fn replaced_by(&self, own: &Self) -> bool {
        (**self).replaced_by(own)
    }
}

/// The table of kinds: the enum and every dispatch over it are made from this list, so a
/// new kind is its file (a type implementing `Kind`) plus one line here and the key that
/// reads it in `READERS`.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty)),* $(,)?) => {
        #[derive(Debug, Clone)]
        pub enum Expectation {
            $($(#[$doc])* $variant($ty)),*
        }

        impl Expectation {
            fn kind(&self) -> &dyn Kind {
                match self {
                    $(Expectation::$variant(k) => k),*
                }
            }

            /// Whether `own`, a request's own check, replaces this default one.
            pub(crate) fn replaced_by(&self, own: &Expectation) -> bool {
                match (self, own) {
                    $((Expectation::$variant(d), Expectation::$variant(o)) => d.replaced_by(o),)*
                    _ => false,
                }
            }
        }
    };
}

kinds! {
    Status(status::Status),
    Header(header::Header),
    JsonPath(jsonpath::JsonCheck),
    Body(body::BodyCheck),
    Duration(duration::DurationCheck),
    /// Boxed: the largest check by far (keys, claims), and the rarest.
    Jwt(Box<jwt::JwtCheck>),
    /// Boxed: a compiled schema is shared, its check is a location and a name.
    Schema(Box<schema::SchemaCheck>),
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

/// The keys of `expect:` and what each reads (a key may read several checks, or checks of
/// two kinds: `body` holds JSONPath checks and a raw body check). The key is given for
/// the checks reported at it (`schema`).
type Read = fn(&mut Reader, &Key, &Node, &mut Vec<Expectation>);
const READERS: &[(&str, Read)] = &[
    ("status", |r, _, n, out| {
        out.extend(status::read(r, n).map(Expectation::Status));
    }),
    ("headers", |r, _, n, out| {
        out.extend(header::read(r, n).into_iter().map(Expectation::Header));
    }),
    ("body", |r, _, n, out| {
        let (json, raw) = body::read(r, n);
        out.extend(json.into_iter().map(Expectation::JsonPath));
        out.extend(raw.into_iter().map(Expectation::Body));
    }),
    ("jwt", |r, _, n, out| {
        out.extend(
            jwt::read(r, n)
                .into_iter()
                .map(|j| Expectation::Jwt(Box::new(j))),
        );
    }),
    ("duration_ms", |r, _, n, out| {
        out.extend(duration::read(r, n).map(Expectation::Duration));
    }),
    ("schema", |r, k, n, out| {
        out.extend(schema::read(r, k, n).map(|s| Expectation::Schema(Box::new(s))));
    }),
];

pub(crate) const EXPECT_KEYS: &[&str] =
    &["status", "headers", "body", "duration_ms", "jwt", "schema"];

pub(crate) fn read(r: &mut Reader, node: &Node) -> Expectations {
    let Some(mut map) = r.map(node, "expect") else {
        return Expectations::default();
    };
    let mut items = Vec::new();
    for (key, read) in READERS {
        if let Some((k, n)) = map.entry(key) {
            read(r, k, n, &mut items);
        }
    }
    map.finish(r, "expect", EXPECT_KEYS);
    items.shrink_to_fit();
    Expectations { items }
}

/// Every failure of `e` against the response (empty when it holds).
pub fn eval(e: &Expectation, ctx: &mut Eval) -> Option<Failure> {
    e.kind().eval(ctx)
}

/// Every template in the expected values (for `baton check`).
pub(crate) fn templates<'a>(e: &'a Expectations, out: &mut Vec<&'a crate::template::Tpl>) {
    for item in &e.items {
        item.kind().templates(out);
    }
}

#[cfg(test)]
mod tests {
    /// Every key the loader accepts is read by the table, and the table reads no other.
    #[test]
    fn the_keys_are_the_table_s() {
        let mut read: Vec<&str> = super::READERS.iter().map(|(k, _)| *k).collect();
        let mut keys = super::EXPECT_KEYS.to_vec();
        read.sort_unstable();
        keys.sort_unstable();
        assert_eq!(read, keys);
    }
}
