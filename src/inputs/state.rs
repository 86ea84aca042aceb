//! The values `persist:` keeps from one run to the next, in `.baton/state.json` beside the
//! token cache (the same directory: `$BATON_STATE_DIR`, else `.baton/` in the working
//! directory; mode 0600, written atomically, a `.gitignore` keeps it out of git). Read as a
//! layer (above environments, below `--var`) by the files whose `persist:` names them;
//! every value in it is a secret.

use crate::collection::Layer;
use crate::collection::VarDef;
use crate::diag::Diagnostic;
use crate::template::JsonTpl;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) fn default_path() -> PathBuf {
    crate::oauth::cache::state_dir().join("state.json")
}

#[derive(Serialize, Deserialize, Default)]
struct State {
    version: u32,
    /// By variable name: files that persist the same name share its value, as a refresh
    /// token chain is one whichever file moves it on.
    values: BTreeMap<String, Kept>,
}

#[derive(Serialize, Deserialize)]
struct Kept {
    value: Value,
    /// The file that kept it, and when (unix seconds): for whoever opens the file.
    file: String,
    saved_at: i64,
}

fn read_state(path: &Path) -> Result<State, String> {
    match crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a state file baton wrote ({e}); delete it, or run with --fresh",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(format!(
            "{}: cannot read: {}",
            path.display(),
            crate::fsutil::io_reason(&e)
        )),
    }
}

/// The kept values as a layer, every one a secret; none when nothing is kept.
pub(crate) fn layer(path: &Path, problems: &mut Vec<Diagnostic>) -> Option<Layer> {
    let state = match read_state(path) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Diagnostic::error(e));
            return None;
        }
    };
    if state.values.is_empty() {
        return None;
    }
    let names: Vec<String> = state.values.keys().cloned().collect();
    let vars = state
        .values
        .into_iter()
        .map(|(name, kept)| VarDef {
            name,
            value: JsonTpl::Value(kept.value),
            loc: crate::diag::Loc::default(),
            secret: true,
        })
        .collect();
    Some(Layer {
        vars,
        secrets: names,
    })
}

/// Keeps `values` (name, value, the file that captured it) in the state at `path`, beside
/// what it held: read, update, write atomically, readable by its owner only.
pub(crate) fn save(path: &Path, values: &[(String, Value, String)]) -> Result<(), String> {
    if values.is_empty() {
        return Ok(());
    }
    let mut state = read_state(path).unwrap_or_default();
    state.version = 1;
    let now = chrono::Utc::now().timestamp();
    for (name, value, file) in values {
        state.values.insert(
            name.clone(),
            Kept {
                value: value.clone(),
                file: file.clone(),
                saved_at: now,
            },
        );
    }
    let err = |e: std::io::Error| format!("{}: cannot write: {e}", path.display());
    let bytes = serde_json::to_vec_pretty(&state).unwrap_or_default();
    crate::fsutil::write_state(path, &bytes).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saved values come back as a layer of secrets; a later save keeps the names it does
    /// not write; the file is its owner's alone, and git ignores the directory.
    #[test]
    fn kept_values_come_back_as_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".baton/state.json");
        let mut problems = Vec::new();
        assert!(layer(&path, &mut problems).is_none());
        let kept = |name: &str, v: &str| (name.to_string(), Value::from(v), "a.yaml".to_string());
        save(
            &path,
            &[kept("refresh_token", "rt-1"), kept("cursor", "c-1")],
        )
        .unwrap();
        save(&path, &[kept("refresh_token", "rt-2")]).unwrap();
        let l = layer(&path, &mut problems).expect("a layer");
        assert!(problems.is_empty());
        let value = |name: &str| {
            let d = l.vars.iter().find(|d| d.name == name).unwrap();
            assert!(d.secret);
            match &d.value {
                JsonTpl::Value(v) => v.clone(),
                _ => panic!("not a literal"),
            }
        };
        assert_eq!(value("refresh_token"), "rt-2");
        assert_eq!(value("cursor"), "c-1");
        assert_eq!(l.secrets.len(), 2);
        assert!(dir.path().join(".baton/.gitignore").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_state_file_baton_did_not_write_is_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        let mut problems = Vec::new();
        assert!(layer(&path, &mut problems).is_none());
        assert!(
            problems[0].message.contains("--fresh"),
            "{:?}",
            problems[0].message
        );
    }
}
