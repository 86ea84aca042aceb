//! `status: 200`, `status: [200, 201]`, `status: 2xx`, `status: any`.

use super::{Eval, Failure};
use crate::diag::Loc;
use crate::secret::{Said, name};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;

#[derive(Debug)]
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

pub fn read(r: &mut Reader, node: &Node) -> Option<Status> {
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

fn pattern(r: &mut Reader, node: &Node) -> Option<Pattern> {
    let parsed = match &node.kind {
        Kind::Int(i) if (100..=599).contains(i) => Some(Pattern::Code(*i as u16)),
        Kind::Str(s) if s == "any" => Some(Pattern::Any),
        Kind::Str(s) => {
            let s = s.to_lowercase();
            match s.strip_suffix("xx").and_then(|d| d.parse::<u16>().ok()) {
                Some(c) if (1..=5).contains(&c) && s.len() == 3 => Some(Pattern::Class(c)),
                _ => s
                    .parse::<u16>()
                    .ok()
                    .filter(|c| (100..=599).contains(c))
                    .map(Pattern::Code),
            }
        }
        _ => None,
    };
    if parsed.is_none() {
        let d = r.error(
            node.loc,
            "invalid status: expected a code (200), a list ([200, 201]), a class (2xx) or `any`",
        );
        d.label = Some("not a status".into());
    }
    parsed
}

pub fn eval(s: &Status, ctx: &mut Eval) -> Option<Failure> {
    let actual = ctx.response.status;
    if s.allowed.iter().any(|p| p.matches(actual)) {
        return None;
    }
    let expected: Vec<String> = s.allowed.iter().map(|p| p.show()).collect();
    Some(Failure {
        subject: "status".into(),
        expected: Said::new("{}", [name(expected.join(" or "))]),
        actual: Said::value(format!("{actual}{}", ctx.response.error_hint())),
        loc: s.loc,
    })
}
