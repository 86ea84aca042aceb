//! `baton check`: every variable a request reads must be defined by then: in the
//! collection's `vars`, a layer above it, or a capture (or `id`) of an earlier request.
//! Sends nothing; reports every problem.

use crate::collection::model::{Collection, Request, VarDef};
use crate::diag::{Diagnostic, did_you_mean};
use crate::runner::{Inputs, Layer};
use crate::template::Tpl;
use std::collections::BTreeSet;

pub fn check(inputs: &Inputs) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for c in &inputs.collections {
        check_collection(c, &inputs.layers, inputs, &mut problems);
    }
    problems
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
    for (i, req) in c.requests.iter().enumerate() {
        let later = &c.requests[i + 1..];
        let mut check = |tpl: &Tpl, defined: &BTreeSet<String>| {
            for var in t.variables(tpl) {
                if let Some(name) = var.strip_prefix("env.") {
                    if !inputs.env.values.contains_key(name) {
                        problems.push(
                            Diagnostic::error(format!("environment variable `{name}` is not set"))
                                .at(&tpl.file, tpl.loc)
                                .label("read here")
                                .help(format!("export {name}=... or put it in a .env file")),
                        );
                    }
                    continue;
                }
                if var == "vars" || defined.contains(&var) {
                    used_vars.insert(var);
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
                problems.push(d);
            }
        };
        for tpl in req.send_templates() {
            check(tpl, &defined);
        }
        // Captures (and the id) are made before expectations, which may read them.
        defined.extend(req.capture.iter().map(|cap| cap.name.clone()));
        defined.extend(req.id.iter().cloned());
        let mut expected = Vec::new();
        crate::expect::templates(&req.expect, &mut expected);
        for tpl in expected {
            check(tpl, &defined);
        }
    }
    // Variables whose own templates read what is missing, when a request uses them.
    let winners = winners(&all_defs);
    for def in winners {
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
                    problems.push(
                        Diagnostic::error(message)
                            .at(&tpl.file, tpl.loc)
                            .label(format!("needed by `{}`", def.name))
                            .note(format!(
                                "`{}` is used by a request of {}",
                                def.name,
                                c.file.display()
                            )),
                    );
                }
            }
        }
    }
}

fn winners<'a>(defs: &[&'a VarDef]) -> Vec<&'a VarDef> {
    let mut out: Vec<&VarDef> = Vec::new();
    for d in defs {
        out.retain(|w| w.name != d.name);
        out.push(d);
    }
    out
}
