//! `duration_ms: 500` (at most 500 ms) or `duration_ms: { lt: 500 }`: time from sending the
//! request to the end of its body.

use super::predicate::{self, Predicate};
use super::{Eval, Failure};
use crate::secret::Said;
use crate::template::JsonTpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct DurationCheck {
    pub preds: Vec<Predicate>,
}

pub(crate) fn read(r: &mut Reader, node: &Node) -> Option<DurationCheck> {
    let preds = match &node.kind {
        Kind::Int(_) | Kind::Float(_) => vec![Predicate {
            op: predicate::Op::Le(JsonTpl::Value(node.to_json())),
            loc: node.loc,
        }],
        Kind::Map(_) => predicate::read(r, node, "duration_ms"),
        _ => {
            let d = r.error(node.loc, "`duration_ms` must be a number of milliseconds or predicates such as `{ lt: 500 }`");
            d.label = Some("not a duration".into());
            return None;
        }
    };
    Some(DurationCheck { preds })
}

pub(crate) fn eval(d: &DurationCheck, ctx: &mut Eval) -> Option<Failure> {
    let ms = ctx.response.duration.as_millis() as u64;
    let mismatch = predicate::check(&d.preds, Some(&Value::from(ms)), ctx.render).err()?;
    Some(Failure {
        subject: "duration_ms".into(),
        expected: mismatch.expected,
        actual: Said::value(ms.to_string()),
        loc: mismatch.loc,
        invalid: None,
    })
}

impl super::Kind for DurationCheck {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        super::predicate::templates(&self.preds, out);
    }
}
