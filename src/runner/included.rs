//! Requests inlined by `include:`: their `with:` variables (and the included file's own
//! `vars:`, below them) are a layer seen by the included requests alone. The layer is put
//! over the file's scope for the request and taken off after it, so what the request
//! captures stays in the file's scope for the requests after the include, and a name only
//! `with:` gave is undefined again.

use super::{FileRun, vars};
use crate::event::RequestReport;
use crate::secret::looks_secret;
use crate::template::Templates;
use minijinja::Value;

/// The names the layer covered, with the values they had before (`None`: undefined).
pub(super) type Shadowed = Vec<(String, Option<Value>)>;

/// Puts the `with:` layer of an included request over the file's scope.
pub(super) fn enter(
    st: &mut FileRun,
    req: &crate::collection::model::Request,
    templates: &Templates,
) -> Shadowed {
    let Some(included) = &req.included else {
        return Vec::new();
    };
    let mut shadowed: Shadowed = Vec::new();
    // `with:` comes first and wins over the included file's `vars:` after it; values may
    // read the file's scope (`with: { sku: <<default_sku>> }`), rendered before any is set.
    let mut values = Vec::new();
    for def in &included.with {
        if values.iter().any(|(n, _): &(String, _)| *n == def.name) {
            continue;
        }
        if let Ok(v) = vars::render_json_tpl(&def.value, templates, &st.scope) {
            values.push((def.name.clone(), v));
        }
    }
    for (name, value) in values {
        if looks_secret(&name) || def_secret(&included.with, &name) {
            vars::add_secret_value(&mut st.redactor, &value);
        }
        shadowed.push((name.clone(), st.scope.get(&name).cloned()));
        st.scope.set_json(&name, &value);
    }
    shadowed
}

fn def_secret(with: &[crate::collection::VarDef], name: &str) -> bool {
    with.iter().any(|d| d.secret && d.name == name)
}

/// Takes the layer off: each name gets its value back, unless the request captured it (a
/// capture goes to the file's scope, and stays).
pub(super) fn leave(st: &mut FileRun, shadowed: Shadowed, report: &RequestReport) {
    for (name, before) in shadowed {
        if report.captures.iter().any(|(n, _)| *n == name) {
            continue;
        }
        match before {
            Some(v) => st.scope.set(name, v),
            None => {
                st.scope.remove(&name);
            }
        }
    }
}
