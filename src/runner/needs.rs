//! `needs:` while running: a needed file runs once per run (it is one unit of the run, the
//! inputs having put it before its dependents), and what it ends with is posted on a board
//! that its dependents read before their first request: its `export:` names (values, the
//! secrets among them, the tokens of exported `oauth2` ids), or why it failed. With
//! `--jobs`, a dependent taken by a worker while what it needs still runs waits for it.

use super::token::TokenState;
use super::{FileRun, Runner, vars};
use crate::event::Counts;
use crate::secret::Redactor;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// What a needed file gives the files that need it.
#[derive(Default)]
pub(super) struct Exported {
    values: Vec<(String, Value)>,
    /// Texts the needed file masked: masked in its dependents too.
    secrets: Vec<String>,
    tokens: Vec<(String, TokenState)>,
}

/// How a needed file's run (one iteration of it) ended: its exports, or why it failed.
type Posted = Result<Arc<Exported>, String>;

/// The ends of the needed files' runs, by file index and iteration.
#[derive(Default)]
pub(super) struct Board {
    posted: Mutex<HashMap<(usize, Option<usize>), Posted>>,
    changed: Condvar,
}

impl Board {
    fn post(&self, unit: (usize, Option<usize>), posted: Posted) {
        let mut map = self.posted.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(unit, posted);
        self.changed.notify_all();
    }
}

impl Runner<'_> {
    /// What the needs of file `index` gave, waiting for those still running (another
    /// worker runs them: they come first in the order workers take files, so the wait
    /// ends). `Err`: the reason its requests are skipped, naming the file that failed.
    pub(super) fn wait_for_needs(
        &self,
        index: usize,
        iteration: Option<usize>,
    ) -> Result<Vec<Arc<Exported>>, String> {
        let Some(needs) = self.inputs.needs.get(index) else {
            return Ok(Vec::new());
        };
        let mut got = Vec::new();
        let mut map = self
            .board
            .posted
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for &need in needs {
            let posted = loop {
                if let Some(p) = map.get(&(need, iteration)) {
                    break p.clone();
                }
                // Ctrl-C: the needed file will not finish; the dependent is not run.
                if self.cancel.is_cancelled() {
                    return Err("interrupted".into());
                }
                let wait = self
                    .board
                    .changed
                    .wait_timeout(map, Duration::from_millis(100));
                map = wait.unwrap_or_else(PoisonError::into_inner).0;
            };
            // Stopped by Ctrl-C, it did not fail: the dependent says what stopped it.
            if posted.is_err() && self.cancel.is_cancelled() {
                return Err("interrupted".into());
            }
            let shown = self.inputs.collections[need].file.display();
            got.push(posted.map_err(|why| format!("needs {shown}, which failed: {why}"))?);
        }
        Ok(got)
    }

    /// Posts how a file's run ended, when a file of the run needs it.
    pub(super) fn post_exports(
        &self,
        index: usize,
        iteration: Option<usize>,
        st: &FileRun,
        counts: &Counts,
        skipped: Option<&str>,
        first_failure: Option<String>,
    ) {
        if !self.inputs.needed.get(index).copied().unwrap_or(false) {
            return;
        }
        let posted = if let Some(why) = skipped {
            // Its own needs failed: so did it, for its dependents.
            Err(why.to_string())
        } else if counts.exit_code() != 0 {
            Err(first_failure.unwrap_or_else(|| "a request failed".into()))
        } else if self.cancel.is_cancelled() {
            Err("interrupted".into())
        } else {
            Ok(Arc::new(exports(st)))
        };
        self.board.post((index, iteration), posted);
    }
}

/// The `export:` names of a file that ran, as its scope and tokens hold them at its end.
fn exports(st: &FileRun) -> Exported {
    let mut out = Exported::default();
    for name in &st.collection.export {
        let Some(value) = st.scope.get(name) else {
            continue;
        };
        let Ok(json) = serde_json::to_value(value) else {
            continue;
        };
        collect_secrets(&st.redactor, &json, &mut out.secrets);
        if let Some(state) = st.tokens.state(name) {
            out.tokens.push((name.clone(), state.clone()));
        }
        out.values.push((name.clone(), json));
    }
    out
}

/// Every text in `value` that `redactor` masks, whole or in part.
fn collect_secrets(redactor: &Redactor, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if redactor.redact(s) != s.as_str() => out.push(s.clone()),
        Value::Number(n) if redactor.is_secret(&n.to_string()) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect_secrets(redactor, i, out)),
        Value::Object(map) => map.values().for_each(|v| collect_secrets(redactor, v, out)),
        _ => {}
    }
}

/// A dependent starts with what its needs exported: above its environments and `--var`
/// (set over the scope they built), below its own captures (which replace them as they
/// come). A name exported by two needs takes the later one's value.
pub(super) fn apply(st: &mut FileRun, exported: &[Arc<Exported>]) {
    for e in exported {
        for secret in &e.secrets {
            st.redactor.add(secret);
        }
        for (name, value) in &e.values {
            vars::add_secret_fields(&mut st.redactor, value);
            st.scope.set_json(name, value);
            // An environment's value of it that could not render is not the one read.
            st.unresolved.remove(name);
        }
        for (id, state) in &e.tokens {
            st.tokens.adopt(id, state.clone());
        }
    }
}
