//! `headers: { content-type: { contains: application/json } }`: predicates on header values
//! (names are case-insensitive; repeated headers are joined with `, `).

use super::predicate::{self, Predicate};
use super::{Eval, Failure};
use crate::secret::Said;
use crate::yaml::node::Node;
use crate::yaml::read::Reader;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub preds: Vec<Predicate>,
}

pub(crate) fn read(r: &mut Reader, node: &Node) -> Vec<Header> {
    let Some(mut map) = r.map(node, "expect.headers") else {
        return Vec::new();
    };
    map.rest()
        .into_iter()
        .map(|(k, v)| Header {
            name: k.name.to_lowercase(),
            preds: predicate::read(r, v, &format!("header {}", k.name)),
        })
        .collect()
}

pub(crate) fn eval(h: &Header, ctx: &mut Eval) -> Option<Failure> {
    let values = ctx.response.header_all(&h.name);
    let actual = (!values.is_empty()).then(|| Value::String(values.join(", ")));
    let mismatch = predicate::check(&h.preds, actual.as_ref(), ctx.render).err()?;
    Some(Failure {
        subject: format!("header {}", h.name),
        expected: mismatch.expected,
        actual: actual.map_or_else(
            || Said::words("no such header"),
            |v| Said::value(predicate::show_value(&v)),
        ),
        loc: mismatch.loc,
        invalid: None,
    })
}

impl super::Kind for Header {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        super::predicate::templates(&self.preds, out);
    }
    fn replaced_by(&self, own: &Self) -> bool {
        self.name == own.name
    }
}
