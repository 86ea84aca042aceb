//! `body:` holds JSONPath checks (`$...` keys) and checks of the raw text: `contains`,
//! `not_contains`, `matches`, `eq`, `length`.

use super::jsonpath::JsonCheck;
use super::predicate::{self, Predicate};
use super::{Eval, Failure};
use crate::query::Path;
use crate::secret::Said;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use serde_json::Value;

pub(crate) const RAW_OPS: &[&str] = &["contains", "not_contains", "matches", "eq", "ne", "length"];

/// Predicates on the body as text.
#[derive(Debug, Clone)]
pub struct BodyCheck {
    pub preds: Vec<Predicate>,
}

pub(crate) fn read(r: &mut Reader, node: &Node) -> (Vec<JsonCheck>, Vec<BodyCheck>) {
    let (mut json, mut raw) = (Vec::new(), Vec::new());
    if let Kind::Str(_) = node.kind {
        // `body: "exact text"`.
        raw.push(BodyCheck {
            preds: predicate::read(r, node, "body"),
        });
        return (json, raw);
    }
    let Some(mut map) = r.map(node, "expect.body") else {
        return (json, raw);
    };
    for (k, v) in map.rest() {
        if k.name.starts_with('$') {
            let wrapper = Node::new(v.kind.clone(), k.loc);
            if let Some(path) = Path::parse(r, &wrapper, &k.name) {
                json.push(JsonCheck {
                    path,
                    preds: predicate::read(r, v, &k.name),
                });
            }
        } else if RAW_OPS.contains(&&*k.name) {
            let single = Node::new(Kind::Map(vec![(k.clone(), v.clone())]), v.loc);
            raw.push(BodyCheck {
                preds: predicate::read(r, &single, "body"),
            });
        } else {
            let suggestion = crate::diag::did_you_mean(&k.name, RAW_OPS.iter().copied())
                .map_or_else(|| format!("$.{}", k.name), str::to_string);
            let d = r.error(
                k.loc,
                format!(
                    "unknown key '{}' in expect.body (did you mean '{suggestion}'?)",
                    k.name
                ),
            );
            d.help = Some("JSON fields are checked with JSONPath keys such as `$.access_token`; the raw body with contains, matches or eq".into());
        }
    }
    (json, raw)
}

pub(crate) fn eval(b: &BodyCheck, ctx: &mut Eval) -> Option<Failure> {
    let text = Value::String(ctx.response.text().into_owned());
    let mismatch = predicate::check(&b.preds, Some(&text), ctx.render).err()?;
    Some(Failure {
        subject: "body".into(),
        expected: mismatch.expected,
        actual: Said::value(ctx.response.excerpt()),
        loc: mismatch.loc,
        invalid: None,
    })
}

impl super::Kind for BodyCheck {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        super::predicate::templates(&self.preds, out);
    }
}
