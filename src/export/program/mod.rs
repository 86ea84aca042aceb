//! A whole collection as one runnable program, as the documentation guides write them:
//! Python `requests`, Node `axios`, a shell script of curl commands with `jq`, or a `.http`
//! file. The requests run in order; each capture becomes a variable of the program that the
//! requests after it read; the collection's variables are defined at the top (a secret, or a
//! variable without a value, is read from the process environment, never written); an
//! `oauth2` request is its token request; and the program stops with a non-zero exit when a
//! status is not the one the collection expects. What a program cannot do as baton does (a
//! regex capture, a JWT claim, the other expectations) is a comment in it and a warning.
//!
//! This module plans the program once ([`Plan`]); one file per language writes it.

mod http;
mod node;
mod plan;
mod python;
mod shell;

use super::{ExportError, Lang, Values};
use crate::collection::model::Collection;
use crate::expect::status::Pattern;
use plan::Status;

/// An exported program and what it could not say exactly (for stderr).
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub text: String,
    pub warnings: Vec<String>,
}

/// The collection as a program in `lang`. `values.program` must be set; `source` names the
/// collection file in the program's heading.
pub(crate) fn program(
    collection: &Collection,
    lang: Lang,
    values: &Values,
    source: &str,
) -> Result<Program, ExportError> {
    let plan = plan::plan(collection, values, source)?;
    let text = match lang {
        Lang::Python => python::write(&plan),
        Lang::Node => node::write(&plan),
        Lang::Curl => shell::write(&plan),
        Lang::Http => http::write(&plan),
    };
    Ok(Program {
        text,
        warnings: plan.warnings,
    })
}

/// The condition a status must meet, and how the message says it.
fn status_test(status: &Status, var: &str, eq: &str) -> Option<(String, String)> {
    match status {
        Status::Unchecked => None,
        Status::BelowFour => Some((format!("{var} < 400"), "a status below 400".into())),
        Status::Allowed(patterns) => {
            let tests: Vec<String> = patterns
                .iter()
                .map(|p| match p {
                    Pattern::Code(c) => format!("{var} {eq} {c}"),
                    Pattern::Class(c) => format!("Math.floor({var} / 100) {eq} {c}"),
                    Pattern::Any => "true".into(),
                })
                .collect();
            Some((tests.join(" || "), shown(patterns)))
        }
    }
}

/// `200 or 2xx`.
fn shown(patterns: &[Pattern]) -> String {
    patterns
        .iter()
        .map(|p| match p {
            Pattern::Code(c) => c.to_string(),
            Pattern::Class(c) => format!("{c}xx"),
            Pattern::Any => "any".into(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}
