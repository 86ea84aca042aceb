//! `persist:` in a run: the kept values a file reads back (those its `persist:` names, from
//! the state the inputs read), and the values it keeps (those it captured during the run),
//! collected for the front end to write to `.baton/state.json` once the run is over.

use super::{FileRun, Runner};
use crate::collection::Layer;
use crate::collection::model::Collection;

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
            name: kept.name.clone(),
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
