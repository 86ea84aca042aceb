//! Whether the filters, tests and functions a template names exist, and whether the
//! `<< >>` tags that read no variable can be worked out: checked when a template is
//! compiled, so that `run` and `check` refuse a misspelt `sha512` or a `random('many')`
//! where it is written instead of when (and each time) it is rendered.

use super::scan::{Call, CallKind, scan};
use crate::diag::did_you_mean;
use minijinja::{Environment, ErrorKind};
use std::collections::HashMap;

/// Names offered as suggestions: baton's filters, then minijinja's (each is probed before
/// it is offered, so a name missing from this list is only never suggested).
#[rustfmt::skip]
const FILTERS: &[&str] = &[
    "base64", "base64url", "b64decode", "urlencode", "sha256", "sha256_base64url", "jwt_claims",
    "uuid", "now", "safe", "escape", "lower", "upper", "title", "capitalize", "replace",
    "length", "count", "dictsort", "items", "reverse", "trim", "join", "split", "lines",
    "default", "round", "abs", "int", "float", "attr", "first", "last", "min", "max", "sort",
    "list", "string", "bool", "batch", "slice", "sum", "indent", "select", "reject",
    "selectattr", "rejectattr", "map", "groupby", "unique", "chain", "zip", "pprint", "format",
    "tojson",
];

#[rustfmt::skip]
const TESTS: &[&str] = &[
    "undefined", "defined", "none", "safe", "escaped", "boolean", "odd", "even", "divisibleby",
    "number", "integer", "float", "string", "sequence", "iterable", "mapping", "startingwith",
    "endingwith", "lower", "upper", "sameas", "eq", "ne", "lt", "le", "gt", "ge", "in", "true",
    "false", "filter", "test",
];

/// What is wrong with a template's calls, for the diagnostic at its place.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Problem {
    pub message: String,
    pub label: String,
    pub help: String,
}

/// Whether minijinja knows `name` as a `kind`. Functions are globals; a filter or test is
/// known when applying it fails for any other reason than its name.
pub(super) fn knows(env: &Environment, kind: CallKind, name: &str) -> bool {
    let probe = match kind {
        CallKind::Function => return env.globals().any(|(n, _)| n == name),
        CallKind::Filter => format!("none | {name}"),
        CallKind::Test => format!("none is {name}"),
    };
    let unknown = match kind {
        CallKind::Filter => ErrorKind::UnknownFilter,
        _ => ErrorKind::UnknownTest,
    };
    match env.compile_expression_owned(probe) {
        Ok(expr) => !matches!(expr.eval(()), Err(e) if e.kind() == unknown),
        Err(_) => false,
    }
}

/// The first problem of `text`'s calls: a name that is no filter, test or function, or a
/// tag that reads no variable and fails when worked out (`<< random('many') >>`), which
/// would fail the same way in every run. `known` remembers the names already probed.
pub(super) fn problem(
    env: &Environment,
    text: &str,
    known: &mut HashMap<(CallKind, String), bool>,
) -> Option<Problem> {
    let scan = scan(text);
    for call in &scan.calls {
        let key = (call.kind, call.name.to_string());
        let ok = *known
            .entry(key)
            .or_insert_with(|| knows(env, call.kind, call.name));
        if !ok {
            return Some(unknown(env, call));
        }
    }
    for expr in scan.constants {
        let failure = match env.compile_expression_owned(expr.to_string()) {
            Ok(compiled) => compiled.eval(()).err(),
            Err(e) => Some(e),
        };
        if let Some(e) = failure {
            let reason = e
                .detail()
                .map_or_else(|| e.kind().to_string(), str::to_string);
            return Some(Problem {
                message: format!("invalid call `{expr}`: {reason}"),
                label: "fails whatever the variables".into(),
                help: "its arguments are written in the template: correct them".into(),
            });
        }
    }
    None
}

fn unknown(env: &Environment, call: &Call) -> Problem {
    let noun = call.kind.noun();
    let names: Vec<String> = match call.kind {
        CallKind::Function => env.globals().map(|(n, _)| n.to_string()).collect(),
        CallKind::Filter => FILTERS
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
        CallKind::Test => TESTS.iter().map(std::string::ToString::to_string).collect(),
    };
    let names: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| call.kind == CallKind::Function || knows(env, call.kind, n))
        .collect();
    let help = if let Some(s) = closest(call.name, &names) {
        format!("did you mean `{s}`?")
    } else {
        let ours: Vec<&str> = names.iter().copied().take(9).collect();
        format!("{noun}s include: {}, ...", ours.join(", "))
    };
    Problem {
        message: format!("unknown {noun} `{}`", call.name),
        label: format!("`{}` is not a {noun}", call.name),
        help,
    }
}

/// The candidate `name` was meant to be: a close spelling, or the same name but for its
/// digits (`sha512` for `sha256`, `uuid4` for `uuid`).
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(s) = did_you_mean(name, candidates.iter().copied()) {
        return Some(s);
    }
    let stem = |n: &str| n.replace(|c: char| c.is_ascii_digit(), "");
    let wanted = stem(name);
    candidates
        .iter()
        .copied()
        .find(|c| !wanted.is_empty() && stem(c) == wanted)
}

#[cfg(test)]
mod tests {
    fn compiled(text: &str) -> Result<(), String> {
        let file = crate::diag::SourceFile::new("t.yaml", text);
        let mut t = crate::template::Templates::new();
        t.compile(text, crate::diag::Loc::default(), &file)
            .map(|_| ())
            .map_err(|d| format!("{} / {}", d.message, d.help.unwrap_or_default()))
    }

    #[test]
    fn unknown_names_and_failing_constants_are_refused_when_compiled() {
        assert_eq!(
            compiled("<< x | sha512 >>"),
            Err("unknown filter `sha512` / did you mean `sha256`?".into())
        );
        assert_eq!(
            compiled("<< uuid4() >>"),
            Err("unknown function `uuid4` / did you mean `uuid`?".into())
        );
        assert_eq!(
            compiled("<% if x is od %>1<% endif %>"),
            Err("unknown test `od` / did you mean `odd`?".into())
        );
        let bad = compiled("<< random('many') >>").unwrap_err();
        assert!(bad.starts_with("invalid call `random('many')`: "), "{bad}");
        for fine in [
            "<% for i in range(3) %><< i >><% endfor %>",
            "<< dict(a=1).a >><% set ns = namespace(n=0) %><< ns.n >>",
            "<< v | base64 | urlencode >><< now('%s') >><< uuid() >><< random(43) >>",
            "<% if v is defined and v is not none %><< v | default('x') >><% endif %>",
        ] {
            assert_eq!(compiled(fine), Ok(()), "{fine}");
        }
    }
}
