//! `body: { $.token_type: Bearer, $.expires_in: { gt: 0 } }`: predicates on what a JSONPath
//! selects in a JSON body.

use super::predicate::{self, Predicate};
use super::{Eval, Failure};
use crate::query::Path;
use crate::secret::Said;

#[derive(Debug, Clone)]
pub struct JsonCheck {
    pub path: Path,
    pub preds: Vec<Predicate>,
}

pub(crate) fn eval(j: &JsonCheck, ctx: &mut Eval) -> Option<Failure> {
    let json = match ctx.response.json() {
        Ok(json) => json,
        Err(reason) => {
            return Some(Failure {
                subject: j.path.text.to_string(),
                expected: Said::words("a JSON body"),
                actual: Said::value(reason),
                loc: j.preds.first().map(|p| p.loc).unwrap_or_default(),
                invalid: None,
            });
        }
    };
    let actual = j.path.select(json);
    let mismatch = predicate::check(&j.preds, actual.as_ref(), ctx.render).err()?;
    Some(Failure {
        subject: j.path.text.to_string(),
        expected: mismatch.expected,
        actual: actual.map_or_else(
            || Said::words("nothing matched"),
            |v| Said::value(predicate::show_value(&v)),
        ),
        loc: mismatch.loc,
        invalid: None,
    })
}

impl super::Kind for JsonCheck {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        super::predicate::templates(&self.preds, out);
    }
    fn replaced_by(&self, own: &Self) -> bool {
        self.path.text == own.path.text
    }
}
