//! Environments (`environments/NAME.yaml`: `vars` and `secrets`), `.env` files and the
//! process environment that `<<env.NAME>>` reads.

use super::load::{parse_tree, read_source, read_vars};
use super::model::VarDef;
use super::read::{Compiler, Reader};
use crate::diag::{Diagnostic, SourceFile, display_path};
use crate::template::{EnvVars, Templates};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One environment file.
#[derive(Debug)]
pub struct Environment {
    pub file: Arc<SourceFile>,
    pub vars: Vec<VarDef>,
    /// Names whose values are secret, whether defined here or elsewhere.
    pub secrets: Vec<String>,
}

/// Find `-e NAME`: a path to a file, or `environments/NAME.yaml` in the working directory
/// or in a directory above one of the collections.
pub fn resolve(name: &str, collections: &[PathBuf]) -> Result<PathBuf, Diagnostic> {
    let direct = PathBuf::from(name);
    // Anything there but a directory is the file meant (`-e dev` beside a directory `dev/`
    // still means environments/dev.yaml); reading it refuses what is not a regular file.
    if std::fs::metadata(&direct).is_ok_and(|m| !m.is_dir()) {
        return Ok(direct);
    }
    let mut roots: Vec<PathBuf> = vec![PathBuf::from(".")];
    for c in collections {
        let start = if c.is_dir() {
            Some(c.as_path())
        } else {
            c.parent()
        };
        let mut dir = start.map(Path::to_path_buf);
        while let Some(d) = dir {
            roots.push(d.clone());
            dir = d
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf);
        }
    }
    let mut looked = Vec::new();
    for root in &roots {
        for ext in ["yaml", "yml"] {
            let candidate = root.join("environments").join(format!("{name}.{ext}"));
            if candidate.exists() {
                return Ok(candidate);
            }
            looked.push(candidate);
        }
    }
    let mut d = Diagnostic::error(format!("environment `{name}` not found"));
    let available = available_environments(&roots);
    d = if available.is_empty() {
        d.help("give a path (-e environments/dev.yaml) or create environments/NAME.yaml")
    } else {
        d.help(format!("available: {}", available.join(", ")))
    };
    Err(d.note(format!("looked for {}", display_path(&looked[0]))))
}

fn available_environments(roots: &[PathBuf]) -> Vec<String> {
    let mut names = Vec::new();
    for root in roots {
        if let Ok(entries) = std::fs::read_dir(root.join("environments")) {
            for e in entries.flatten() {
                let p = e.path();
                if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
                    && let Some(stem) = p.file_stem()
                {
                    let n = stem.to_string_lossy().into_owned();
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
        }
    }
    names.sort();
    names
}

pub fn load(
    path: &Path,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Option<Environment> {
    let file = read_source(path, problems)?;
    let tree = parse_tree(&file, problems)?;
    let before = problems.iter().filter(|d| d.is_error()).count();
    let mut r = Reader {
        file: &file,
        problems,
        templates: Compiler::New(templates),
    };
    let mut map = r.map(&tree, "the environment")?;
    let mut secrets: Vec<String> = Vec::new();
    let mut secret_vars = Vec::new();
    if let Some(node) = map.get("secrets") {
        match &node.kind {
            super::node::Kind::Seq(items) => {
                for item in items {
                    if let Some(name) = r.text(item, "secrets") {
                        secrets.push(name);
                    }
                }
            }
            super::node::Kind::Map(entries) => {
                secrets.extend(entries.iter().map(|(k, _)| k.name.to_string()));
                secret_vars = read_vars(&mut r, node, "secrets", &secrets);
            }
            _ => {
                let d = r.error(
                    node.loc,
                    "`secrets` must be a list of variable names, or a mapping of names to values",
                );
                d.help = Some("e.g. `secrets: [ClientSecret, password]`".into());
            }
        }
    }
    let mut vars = map
        .get("vars")
        .map(|n| read_vars(&mut r, n, "vars", &secrets))
        .unwrap_or_default();
    vars.extend(secret_vars);
    let _ = map.get("description");
    map.finish(
        &mut r,
        "the environment",
        &["vars", "secrets", "description"],
    );
    let after = r.problems.iter().filter(|d| d.is_error()).count();
    (after == before).then_some(Environment {
        file,
        vars,
        secrets,
    })
}

/// The process environment over `.env` files found in `dirs` (first found wins for a
/// name; the process always wins). A malformed `.env` is an error with its line.
pub fn env_vars(dirs: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Arc<EnvVars> {
    let mut values = std::collections::HashMap::new();
    let mut seen = Vec::new();
    for dir in dirs {
        let path = dir.join(".env");
        // A `.env` directory is a Python virtualenv, not ours; anything else that is there
        // (a FIFO, a link to /dev/zero) is refused by the read.
        if std::fs::metadata(&path).map_or(true, |m| m.is_dir()) {
            continue;
        }
        let canonical = path.canonicalize().unwrap_or(path.clone());
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical);
        let bytes = match crate::fsutil::read(&path, crate::fsutil::MAX_INPUT) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(Diagnostic::error(format!(
                    "{}: cannot read the file: {}",
                    display_path(&path),
                    super::load::io_reason(&e)
                )));
                continue;
            }
        };
        for item in dotenvy::from_read_iter(bytes.as_slice()) {
            match item {
                Ok((k, v)) => {
                    values.entry(k).or_insert(v);
                }
                Err(e) => {
                    problems.push(Diagnostic::error(format!(
                        "{}: {}",
                        display_path(&path),
                        dotenv_reason(&e)
                    )));
                    break;
                }
            }
        }
    }
    for (k, v) in std::env::vars() {
        values.insert(k, v);
    }
    Arc::new(EnvVars { values })
}

fn dotenv_reason(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, index) => {
            format!(
                "cannot parse `{}` (at character {index}): lines are NAME=value",
                line.trim()
            )
        }
        other => other.to_string(),
    }
}
