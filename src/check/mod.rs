//! `baton check`, the pre-flight of `baton run`: what loading refuses (for both), then
//! every variable a request reads must be defined by then (in the collection's `vars`, a
//! layer above it, or a capture or `id` of an earlier request) and renderable as the run
//! starts (no cycle), and what a request would send must be sendable wherever it is known
//! before sending (`send`). Sends nothing; reports every problem, each once per file, with
//! the message and place the run would give.

use crate::collection::Layer;
use crate::collection::model::{Collection, Request};
use crate::diag::{Diagnostic, did_you_mean};
use crate::runner::Inputs;
use crate::template::Tpl;
use std::collections::BTreeSet;

mod send;

pub(crate) fn check(inputs: &Inputs) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (i, c) in inputs.collections.iter().enumerate() {
        // What its needs export is defined from its first request, as the run gives it;
        // what they keep to themselves is not.
        let exported: Vec<String> = inputs
            .needs
            .get(i)
            .into_iter()
            .flatten()
            .flat_map(|&j| inputs.collections[j].export.iter().cloned())
            .collect();
        check_collection(c, &inputs.layers, &exported, inputs, &mut problems);
    }
    problems
}

/// Problems of one file, with the first use of each missing name and a count of the others.
struct Found<'p> {
    problems: &'p mut Vec<Diagnostic>,
    reported: Vec<(String, usize, usize)>,
}

impl Found<'_> {
    /// True when `name` was already reported (and counts this use).
    fn seen(&mut self, name: &str) -> bool {
        match self.reported.iter_mut().find(|(n, _, _)| n == name) {
            Some(entry) => {
                entry.2 += 1;
                true
            }
            None => false,
        }
    }

    fn push(&mut self, name: &str, d: Diagnostic) {
        self.reported
            .push((name.to_string(), self.problems.len(), 0));
        self.problems.push(d);
    }

    fn finish(self) {
        for (_, index, more) in self.reported {
            if more > 0 {
                let plural = if more == 1 { "" } else { "s" };
                self.problems[index]
                    .notes
                    .push(format!("used {more} more time{plural} in this file"));
            }
        }
    }
}

fn check_collection(
    c: &Collection,
    layers: &[Layer],
    exported: &[String],
    inputs: &Inputs,
    problems: &mut Vec<Diagnostic>,
) {
    let t = &inputs.templates;
    let mut defined: BTreeSet<String> = c
        .vars
        .iter()
        .chain(layers.iter().flat_map(|l| l.vars.iter()))
        .map(|d| d.name.clone())
        .collect();
    // The variables as a run starts with them: those that cannot be rendered (a cycle, a
    // missing name inside) are reported when a request reads them, as the run reports them.
    let mut redactor = crate::secret::Redactor::new(false);
    let start = crate::runner::vars::start(&c.vars, layers, &inputs.env, t, &mut redactor);
    // Exported values replace what the run starts with, as captures do: not known now.
    let mut captured: BTreeSet<String> = exported.iter().cloned().collect();
    defined.extend(exported.iter().cloned());
    let mut found = Found {
        problems,
        reported: Vec::new(),
    };
    let base_dir = c.file.path.parent().unwrap_or(std::path::Path::new(""));
    for (i, req) in c.requests.iter().enumerate() {
        // A variable is fixed when the run starts with it and no earlier request replaces it;
        // a value is known now when it reads only fixed variables.
        let fixed = |var: &String| match var.strip_prefix("env.") {
            Some(name) => inputs.env.values.contains_key(name),
            None => start.scope.contains(var) && !captured.contains(var),
        };
        let known_now = |tpl: &Tpl| -> Option<String> {
            if tpl.is_literal() {
                return Some(tpl.text.to_string());
            }
            t.variables(tpl)
                .iter()
                .all(&fixed)
                .then(|| t.render(tpl, &start.scope).ok())?
        };
        let before = found.problems.len();
        send::check(req, &known_now, base_dir, found.problems);
        // A template that reads only what the run starts with and fails to render (a filter
        // given the wrong kind of value) fails the run at this request: say it now.
        for tpl in req.templates() {
            if tpl.is_literal() || !t.variables(tpl).iter().all(&fixed) {
                continue;
            }
            if let Err(e) = t.render(tpl, &start.scope)
                && !matches!(e, crate::template::RenderError::Undefined { .. })
            {
                found.problems.push(e.diagnostic(tpl));
            }
        }
        // A rendered URL may hold a secret, as in the run's messages.
        for d in found.problems.iter_mut().skip(before) {
            d.message = redactor.redact(&d.message).into_owned();
        }
        let later = &c.requests[i + 1..];
        let check = |tpl: &Tpl,
                     defined: &BTreeSet<String>,
                     captured: &BTreeSet<String>,
                     found: &mut Found| {
            for var in t.variables(tpl) {
                if var == "vars" {
                    continue;
                }
                if defined.contains(&var) {
                    // A capture replaces the value the run started with.
                    if let Some(d) = start
                        .unresolved
                        .get(&var)
                        .filter(|_| !captured.contains(&var))
                    {
                        let key = format!("{}@{:?}", d.message, d.location());
                        if !found.seen(&key) {
                            found.push(&key, d.clone());
                        }
                    }
                    continue;
                }
                if found.seen(&var) {
                    continue;
                }
                if let Some(name) = var.strip_prefix("env.") {
                    if !inputs.env.values.contains_key(name) {
                        let d =
                            Diagnostic::error(format!("environment variable `{name}` is not set"))
                                .at(&tpl.file, tpl.loc)
                                .label("read here")
                                .help(format!("export {name}=... or put it in a .env file"));
                        found.push(&var, d);
                    }
                    continue;
                }
                found.push(&var, undefined(&var, req, later, defined, tpl));
            }
        };
        // An included request also sees its `with:` (and its file's `vars:`), it alone.
        let with: Vec<String> = req
            .included
            .iter()
            .flat_map(|i| i.with.iter().map(|d| d.name.clone()))
            .filter(|n| !defined.contains(n))
            .collect();
        defined.extend(with.iter().cloned());
        // `save_body` is rendered once the response is in, before the request's captures.
        for tpl in req
            .send_templates()
            .into_iter()
            .chain(req.save_body.as_deref())
        {
            check(tpl, &defined, &captured, &mut found);
        }
        // `auth: { oauth2: id }` in a file with `needs:` may name a needed file's id (the
        // loader leaves it to the run): an earlier request's id, or one exported to it.
        if let Some(crate::collection::model::Auth::OAuth2 { id, loc }) = req.auth.as_deref()
            && !c.needs.is_empty()
            && !defined.contains(id)
            && !found.seen(id)
        {
            let d = Diagnostic::error(format!(
                "no earlier request has the id `{id}`, and no file this one needs exports it"
            ))
            .at(&c.file, *loc)
            .label("used here")
            .help(format!(
                "give the oauth2 request `id: {id}`, or add `{id}` to the `export:` of the file that has it"
            ));
            found.push(id, d);
        }
        // Captures (and the id) are made before expectations, which may read them.
        for name in req.capture.iter().map(|cap| &cap.name).chain(&req.id) {
            defined.insert(name.clone());
            captured.insert(name.clone());
        }
        let mut expected = Vec::new();
        crate::expect::templates(&req.expect, &mut expected);
        for tpl in expected {
            check(tpl, &defined, &captured, &mut found);
        }
        for name in with {
            if !captured.contains(&name) {
                defined.remove(&name);
            }
        }
    }
    found.finish();
}

/// `var`, read by `req` at `tpl`, is defined nowhere before: say where it could come from.
fn undefined(
    var: &str,
    req: &Request,
    later: &[Request],
    defined: &BTreeSet<String>,
    tpl: &Tpl,
) -> Diagnostic {
    let captured_by = |r: &&Request| r.capture.iter().any(|cap| cap.name == var);
    let d = Diagnostic::error(format!(
        "undefined variable `{var}` in request '{}'",
        req.name
    ))
    .at(&tpl.file, tpl.loc)
    .label("used here");
    if captured_by(&req) {
        d.help(format!("`{var}` is captured by this request, from its response: it is not defined yet when the request is sent"))
    } else if let Some(by) = later.iter().find(captured_by) {
        d.help(format!(
            "`{var}` is captured by a later request, '{}': move this request after it",
            by.name
        ))
    } else if let Some(s) = did_you_mean(var, defined.iter().map(String::as_str)) {
        d.help(format!("did you mean `{s}`?"))
    } else {
        d.help(format!("define `{var}` in `vars`, an environment (-e), with --var {var}=..., or capture it in an earlier request"))
    }
}
