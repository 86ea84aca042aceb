//! The layers a file's run gains around its scope, beyond those it starts with:
//! - `include:` — an included request's `with:` variables (and the included file's own
//!   `vars:`, below them) are a layer seen by it alone: put over the file's scope for the
//!   request and taken off after it, so what it captures stays in the file's scope for the
//!   requests after the include, and a name only `with:` gave is undefined again;
//! - `persist:` — the kept values a file reads back (those its `persist:` names, from the
//!   state the inputs read), and the values it keeps (those it captured during the run),
//!   collected for the front end to write to `.baton/state.json` once the run is over.

use super::{FileRun, Runner, vars};
use crate::collection::Layer;
use crate::collection::model::Collection;
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

impl Runner<'_> {
    /// The kept values `collection` reads back: only the names its own `persist:` lists,
    /// so that a kept `refresh_token` does not reach a file that never asked for it.
    pub(super) fn persisted_for(&self, collection: &Collection) -> Option<Layer> {
        let kept = self.inputs.persisted.as_ref()?;
        let wanted = |name: &String| collection.persist.contains(name);
        let vars: Vec<_> = kept
            .vars
            .iter()
            .filter(|d| wanted(&d.name))
            .cloned()
            .collect();
        if vars.is_empty() {
            return None;
        }
        Some(Layer {
            secrets: vars.iter().map(|d| d.name.clone()).collect(),
            vars,
        })
    }

    /// Keeps the values of the file's `persist:` names that it captured during the run: a
    /// value it only read (from an environment, or kept before) is not written back over
    /// what it was.
    pub(super) fn keep_persisted(&self, st: &FileRun) {
        let mut out = Vec::new();
        for name in &st.collection.persist {
            if !st.captured.contains(name) {
                continue;
            }
            let value = st
                .scope
                .get(name)
                .and_then(|v| serde_json::to_value(v).ok());
            if let Some(value) = value {
                out.push((name.clone(), value, st.collection.file.display()));
            }
        }
        if !out.is_empty() {
            let mut kept = self
                .kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            kept.extend(out);
        }
    }
}
