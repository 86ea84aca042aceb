//! The collection as one `.http` file (the REST Client of VS Code; JetBrains' HTTP client
//! reads most of it): variables at the top (`{{$processEnv NAME}}` for what the environment
//! gives), requests apart by `###`, each named (`# @name`) so that a later request reads a
//! capture as `{{name.response.body.$.path}}`. A `.http` file does not stop on a status: the
//! status each request must have is a comment.

use super::plan::{How, Plan, Seg, Status, Step, TopVar};
use super::shown;
use crate::export::model::marker;
use crate::export::shell::http;
use std::collections::BTreeMap;

/// `login.access_token` → `login_access_token`: a name REST Client accepts.
fn name(var: &str) -> String {
    var.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `get a token` → `get_a_token_1`: a request's `# @name`, unique by its number.
fn request_name(step: &Step, i: usize) -> String {
    let words: Vec<String> = step
        .name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_lowercase)
        .collect();
    format!("{}_{}", words.join("_"), i + 1)
}

pub(super) fn write(plan: &Plan) -> String {
    let mut out = format!(
        "# {}: the collection {} as a .http file,\n\
         # written by `baton export --as http`.\n\
         # Send the requests in order: each reads what the ones before it captured. The status\n\
         # each must answer with is a comment (a .http file does not stop on one).\n",
        plan.title, plan.source
    );
    for v in &plan.vars {
        match v {
            TopVar::Literal { name: n, value } => {
                out.push_str(&format!("@{} = {value}\n", name(n)));
            }
            TopVar::Expr { name: n, value } => {
                let mut value = value.clone();
                for var in crate::export::model::markers(&value) {
                    value = value.replace(&marker(&var), &format!("{{{{{}}}}}", name(&var)));
                }
                out.push_str(&format!("@{} = {value}\n", name(n)));
            }
            TopVar::Env { name: n, env, why } => out.push_str(&format!(
                "# {}: {}\n@{} = {{{{$processEnv {env}}}}}\n",
                name(n),
                why.says(),
                name(n)
            )),
        }
    }
    // What each captured variable reads, from the latest request that captured it.
    let mut captured: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let id = request_name(step, i);
        let mut req = step.req.clone();
        req.fold_query();
        let mut text = http(&req, &step.notes, true);
        for var in crate::export::model::markers(&text) {
            let reference = match captured.get(&var) {
                Some(Some(r)) => r.clone(),
                Some(None) => format!("<{var}: not captured in a .http file>"),
                None => format!("{{{{{}}}}}", name(&var)),
            };
            text = text.replace(&marker(&var), &reference);
        }
        let expected = match &step.status {
            Status::Allowed(p) => format!("status {}", shown(p)),
            Status::BelowFour => "a status below 400".into(),
            Status::Unchecked => "any status".into(),
        };
        out.push_str(&format!(
            "\n### {}\n# @name {id}\n# expect: {expected}\n",
            step.name
        ));
        if !step.unchecked.is_empty() {
            out.push_str(&format!(
                "# also expected (not checked here): {}\n",
                step.unchecked.join(", ")
            ));
        }
        out.push_str(&text);
        for c in &step.captures {
            let reference = match &c.how {
                How::Json(segs) => {
                    let mut path = String::from("$");
                    for s in segs {
                        match s {
                            Seg::Key(k) => path.push_str(&format!(".{k}")),
                            Seg::Index(i) => path.push_str(&format!("[{i}]")),
                        }
                    }
                    Some(format!("{{{{{id}.response.body.{path}}}}}"))
                }
                // A `.http` file has no "else": the alias, which a provider of mTLS clients has.
                How::MtlsAlias(m) => Some(format!(
                    "{{{{{id}.response.body.$.mtls_endpoint_aliases.{m}}}}}"
                )),
                How::Header(h) => Some(format!("{{{{{id}.response.headers.{h}}}}}")),
                How::Status => None,
            };
            captured.insert(c.name.clone(), reference);
        }
    }
    out
}
