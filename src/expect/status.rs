//! `status: 200`, `status: [200, 201]`, `status: 2xx`, `status: any`.

use super::{Eval, Failure};
use crate::diag::Loc;
use crate::secret::{Said, name};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;

#[derive(Debug, Clone)]
pub struct Status {
    pub allowed: Vec<Pattern>,
    pub loc: Loc,
    /// `status: <<code>>`: rendered with the other expected values when evaluated, then
    /// read as a pattern (`allowed` is then empty).
    pub template: Option<crate::template::Tpl>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pattern {
    Code(u16),
    /// `2xx` → 2.
    Class(u16),
    Any,
}

impl Pattern {
    pub fn matches(self, status: u16) -> bool {
        match self {
            Pattern::Code(c) => c == status,
            Pattern::Class(c) => status / 100 == c,
            Pattern::Any => true,
        }
    }

    fn show(self) -> String {
        match self {
            Pattern::Code(c) => c.to_string(),
            Pattern::Class(c) => format!("{c}xx"),
            Pattern::Any => "any".into(),
        }
    }
}

pub(crate) fn read(r: &mut Reader, node: &Node) -> Option<Status> {
    if let Kind::Str(text) = &node.kind
        && crate::template::has_template_syntax(text)
    {
        return Some(Status {
            allowed: Vec::new(),
            loc: node.loc,
            template: Some(r.tpl(node, "expect.status")?),
        });
    }
    let allowed = match &node.kind {
        Kind::Seq(items) if !items.is_empty() => items
            .iter()
            .map(|i| pattern(r, i))
            .collect::<Option<Vec<_>>>()?,
        _ => vec![pattern(r, node)?],
    };
    Some(Status {
        allowed,
        loc: node.loc,
        template: None,
    })
}

const INVALID: &str =
    "invalid status: expected a code (200), a list ([200, 201]), a class (2xx) or `any`";

fn pattern(r: &mut Reader, node: &Node) -> Option<Pattern> {
    let parsed = match &node.kind {
        Kind::Int(i) if (100..=599).contains(i) => Some(Pattern::Code(*i as u16)),
        Kind::Str(s) => parse_pattern(s),
        _ => None,
    };
    if parsed.is_none() {
        let d = r.error(node.loc, INVALID);
        d.label = Some("not a status".into());
    }
    parsed
}

/// One pattern from text: `200`, `2xx`, `any`.
fn parse_pattern(s: &str) -> Option<Pattern> {
    let s = s.trim().to_lowercase();
    if s == "any" {
        return Some(Pattern::Any);
    }
    match s.strip_suffix("xx").and_then(|d| d.parse::<u16>().ok()) {
        Some(c) if (1..=5).contains(&c) && s.len() == 3 => Some(Pattern::Class(c)),
        _ => s
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=599).contains(c))
            .map(Pattern::Code),
    }
}

/// The patterns a rendered `status: <<code>>` stands for: one pattern, or a list of them
/// (a variable holding `[200, 201]`, or text `200, 201`).
fn rendered(value: &serde_json::Value) -> Option<Vec<Pattern>> {
    use serde_json::Value;
    let one = |v: &Value| match v {
        Value::Number(n) => n
            .as_u64()
            .filter(|c| (100..=599).contains(c))
            .map(|c| Pattern::Code(c as u16)),
        Value::String(s) => parse_pattern(s),
        _ => None,
    };
    match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        Value::String(s) if s.contains(',') => s.split(',').map(parse_pattern).collect(),
        v => one(v).map(|p| vec![p]),
    }
}

pub(crate) fn eval(s: &Status, ctx: &mut Eval) -> Option<Failure> {
    let actual = ctx.response.status;
    let from_template;
    let allowed = match &s.template {
        None => &s.allowed,
        Some(t) => {
            // Rendered as the other expected values are, when the response is judged; a value
            // that is no status fails the expectation, saying what it rendered as.
            let value = (ctx.render)(&crate::template::JsonTpl::Str(t.clone()));
            match value {
                // The render error is the runner's to report (see `Eval::render`).
                Err(e) => {
                    return Some(Failure {
                        subject: "status".into(),
                        expected: Said::words("a status"),
                        actual: Said::value(e),
                        loc: s.loc,
                        invalid: None,
                    });
                }
                Ok(v) => {
                    if let Some(p) = rendered(&v) {
                        from_template = p;
                        &from_template
                    } else {
                        let shown = match &v {
                            serde_json::Value::String(s) => s.clone(),
                            v => v.to_string(),
                        };
                        let d = crate::diag::Diagnostic::error(format!(
                            "`status: {}` rendered as `{shown}`: {INVALID}",
                            t.text
                        ))
                        .at(&t.file, s.loc);
                        return Some(Failure {
                            subject: "status".into(),
                            expected: Said::words("a status"),
                            actual: Said::value(shown),
                            loc: s.loc,
                            invalid: Some(Box::new(d)),
                        });
                    }
                }
            }
        }
    };
    if allowed.iter().any(|p| p.matches(actual)) {
        return None;
    }
    let expected: Vec<String> = allowed.iter().map(|p| p.show()).collect();
    Some(Failure {
        subject: "status".into(),
        expected: Said::new("{}", [name(expected.join(" or "))]),
        actual: Said::value(format!("{actual}{}", ctx.response.error_hint())),
        loc: s.loc,
        invalid: None,
    })
}

impl super::Kind for Status {
    fn eval(&self, ctx: &mut Eval) -> Option<Failure> {
        eval(self, ctx)
    }
    fn templates<'a>(&'a self, out: &mut Vec<&'a crate::template::Tpl>) {
        out.extend(self.template.iter());
    }
}
