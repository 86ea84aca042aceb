//! `baton check`: every variable a request reads must be defined by then: in the
//! collection's `vars`, a layer above it, or a capture (or `id`) of an earlier request.
//! Sends nothing; reports every problem, each missing name once per file, and every call
//! of a template function whose literal arguments it refuses (`now('%Q')`).

use crate::collection::model::{Collection, Request, VarDef};
use crate::diag::{Diagnostic, did_you_mean};
use crate::runner::{Inputs, Layer};
use crate::template::Tpl;
use std::collections::{BTreeSet, HashSet};

pub fn check(inputs: &Inputs) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut calls_checked = HashSet::new();
    for c in &inputs.collections {
        check_collection(c, &inputs.layers, inputs, &mut problems);
        let mut tpls: Vec<&Tpl> = Vec::new();
        for def in c
            .vars
            .iter()
            .chain(inputs.layers.iter().flat_map(|l| &l.vars))
        {
            def.value.templates(&mut tpls);
        }
        tpls.extend(c.requests.iter().flat_map(Request::templates));
        for tpl in tpls {
            check_calls(tpl, &mut calls_checked, &mut problems);
        }
    }
    problems
}

/// The calls in `tpl` that fail with the literal arguments they are given, each reported
/// once however many requests share the template.
fn check_calls(
    tpl: &Tpl,
    checked: &mut HashSet<(String, u32, u32)>,
    problems: &mut Vec<Diagnostic>,
) {
    if tpl.is_literal() || !checked.insert((tpl.file.display(), tpl.loc.line, tpl.loc.col)) {
        return;
    }
    for (call, message) in crate::template_fns::literal_call_errors(&tpl.text) {
        problems.push(
            Diagnostic::error(message)
                .at(&tpl.file, tpl.loc)
                .label(format!("in `{call}`")),
        );
    }
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
    inputs: &Inputs,
    problems: &mut Vec<Diagnostic>,
) {
    let t = &inputs.templates;
    let all_defs: Vec<&VarDef> = c
        .vars
        .iter()
        .chain(layers.iter().flat_map(|l| l.vars.iter()))
        .collect();
    let mut defined: BTreeSet<String> = all_defs.iter().map(|d| d.name.clone()).collect();
    let mut used_vars: BTreeSet<String> = BTreeSet::new();
    let mut found = Found {
        problems,
        reported: Vec::new(),
    };
    for (i, req) in c.requests.iter().enumerate() {
        let later = &c.requests[i + 1..];
        let mut check = |tpl: &Tpl, defined: &BTreeSet<String>, found: &mut Found| {
            for var in t.variables(tpl) {
                if var == "vars" || defined.contains(&var) {
                    used_vars.insert(var);
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
                let captured_by = |r: &&Request| r.capture.iter().any(|cap| cap.name == var);
                let mut d = Diagnostic::error(format!(
                    "undefined variable `{var}` in request '{}'",
                    req.name
                ))
                .at(&tpl.file, tpl.loc)
                .label("used here");
                d = if captured_by(&req) {
                    d.help(format!("`{var}` is captured by this request, from its response: it is not defined yet when the request is sent"))
                } else if let Some(by) = later.iter().find(captured_by) {
                    d.help(format!(
                        "`{var}` is captured by a later request, '{}': move this request after it",
                        by.name
                    ))
                } else if let Some(s) = did_you_mean(&var, defined.iter().map(String::as_str)) {
                    d.help(format!("did you mean `{s}`?"))
                } else {
                    d.help(format!("define `{var}` in `vars`, an environment (-e), with --var {var}=..., or capture it in an earlier request"))
                };
                found.push(&var, d);
            }
        };
        for tpl in req.send_templates() {
            check(tpl, &defined, &mut found);
        }
        // Captures (and the id) are made before expectations, which may read them.
        defined.extend(req.capture.iter().map(|cap| cap.name.clone()));
        defined.extend(req.id.iter().cloned());
        let mut expected = Vec::new();
        crate::expect::templates(&req.expect, &mut expected);
        for tpl in expected {
            check(tpl, &defined, &mut found);
        }
    }
    // Variables whose own templates read what is missing, when a request uses them.
    for def in winners(&all_defs) {
        if !used_vars.contains(&def.name) {
            continue;
        }
        let mut tpls = Vec::new();
        def.value.templates(&mut tpls);
        for tpl in tpls {
            for var in t.variables(tpl) {
                let missing = match var.strip_prefix("env.") {
                    Some(name) => (!inputs.env.values.contains_key(name))
                        .then(|| format!("environment variable `{name}` is not set")),
                    None => {
                        (!defined.contains(&var)).then(|| format!("undefined variable `{var}`"))
                    }
                };
                if let Some(message) = missing {
                    let d = Diagnostic::error(message)
                        .at(&tpl.file, tpl.loc)
                        .label(format!("needed by `{}`", def.name))
                        .note(format!(
                            "`{}` is used by a request of {}",
                            def.name,
                            c.file.display()
                        ));
                    found.problems.push(d);
                }
            }
        }
    }
    found.finish();
}

fn winners<'a>(defs: &[&'a VarDef]) -> Vec<&'a VarDef> {
    let mut out: Vec<&VarDef> = Vec::new();
    for d in defs {
        out.retain(|w| w.name != d.name);
        out.push(d);
    }
    out
}
