//! What a run or a check is given, assembled from plain options (no clap here): the
//! collection files (discovered, then sharded), the environments, `--var`, the sandbox's
//! variables, the `--data` rows; all of it as `runner::Inputs`, with every problem found
//! on the way. Printing those problems, and the exit code, are the front ends' (`cmd`).

pub(crate) mod needs;
pub(crate) mod state;
mod steps;
pub(crate) mod values;

use crate::collection::Layer;
use crate::collection::{environment, load};
use crate::diag::{Diagnostic, display_path};
use crate::runner::Inputs;
use crate::template::Templates;
use std::path::{Path, PathBuf};
pub(crate) use values::Shard;

/// Where variables come from, the same for `run`, `check`, `token` and `docs check`:
/// `-e ENV` (a name or a path; later wins), `--var NAME=VALUE`, and `--sandbox`, whose
/// variables the front end passes to [`assemble`] once it has started the sandbox.
#[derive(Clone, Debug, Default)]
pub struct VarSources {
    pub env: Vec<String>,
    pub vars: Vec<(String, String)>,
    pub sandbox: bool,
}

/// Which files run, and how many times.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// What stays in memory of the requests loaded (`baton run`: `load::RUN_KEEPS`).
    pub keep: load::Keep,
    pub shard: Option<Shard>,
    pub data: Option<PathBuf>,
    pub iterations: Option<usize>,
    /// `--fresh`: leave the values `persist:` kept (`.baton/state.json`) unread.
    pub fresh: bool,
}

/// Load everything a run or a check needs from `paths`. The problems (warnings too) come
/// back beside the inputs: the inputs are usable only when none is an error.
pub(crate) fn assemble(
    paths: &[PathBuf],
    sources: &VarSources,
    sandbox_vars: Option<Vec<(String, String)>>,
    plan: &Plan,
) -> (Inputs, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files = steps::without_steps(discover(paths, &mut problems), paths);
    if let Some(Shard { k, n }) = plan.shard {
        files.retain(|f| shard_of(f, paths, n) == k);
    }
    let mut templates = Templates::new();
    let given = load::load_files(&files, &mut templates, &mut problems, plan.keep);
    // What they need comes along, needed first: also into a shard, which then runs it.
    let followed = needs::follow(given, &mut templates, &mut problems, plan.keep);
    compile_names(&followed.collections, &mut templates);
    let mut layers = environments(&sources.env, paths, &mut templates, &mut problems);
    let iteration_position = layers.len() + usize::from(sandbox_vars.is_some());
    if let Some(pairs) = sandbox_vars {
        layers.push(Layer::literal(
            &pairs,
            vec!["ClientSecret".into(), "password".into()],
        ));
    }
    layers.extend(var_layer(&sources.vars));
    let persisted = match plan.fresh {
        true => None,
        false if followed.collections.iter().any(|c| !c.persist.is_empty()) => {
            state::layer(&state::default_path(), &mut problems)
        }
        false => None,
    };
    let mut env_dirs: Vec<PathBuf> = followed
        .collections
        .iter()
        .filter_map(|c| c.file.path.parent().map(Path::to_path_buf))
        .collect();
    env_dirs.dedup();
    env_dirs.push(PathBuf::from("."));
    let env = environment::env_vars(&env_dirs, &mut problems);
    let rows = match &plan.data {
        Some(path) => crate::collection::data::load_rows(path).unwrap_or_else(|d| {
            problems.push(d);
            Vec::new()
        }),
        None => Vec::new(),
    };
    // `--iterations N` runs N times (cycling through `--data` rows); `--data` alone once per row.
    let iterations = match plan.iterations {
        Some(0) => {
            problems.push(Diagnostic::error("--iterations must be at least 1"));
            0
        }
        Some(n) => n,
        None => rows.len(),
    };
    let inputs = Inputs {
        collections: followed.collections,
        needs: followed.needs,
        needed: followed.needed,
        persisted,
        layers,
        env,
        templates,
        rows,
        iterations,
        iteration_position,
    };
    (inputs, problems)
}

/// Request names that hold a template (`name: login <<user>>`), compiled so that the
/// runner renders them per run (each data row's request under a name of its own). A name
/// that does not compile is shown as written: it is a label, not something sent.
fn compile_names(collections: &[crate::collection::model::Collection], templates: &mut Templates) {
    for c in collections {
        for req in &c.requests {
            if crate::template::has_template_syntax(&req.name) {
                let _ = templates.compile(&req.name, req.loc, &c.file);
            }
        }
    }
}

/// One layer per environment named (`-e`), found by name beside `roots` or as a path, in
/// the order given: later ones win.
pub(crate) fn environments(
    names: &[String],
    roots: &[PathBuf],
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Layer> {
    let mut layers = Vec::new();
    for name in names {
        match environment::resolve(name, roots) {
            Ok(path) => {
                if let Some(env) = environment::load(&path, templates, problems) {
                    layers.push(Layer {
                        vars: env.vars,
                        secrets: env.secrets,
                    });
                }
            }
            Err(d) => problems.push(d),
        }
    }
    layers
}

/// The `--var` layer, above every environment; none without `--var`.
pub(crate) fn var_layer(pairs: &[(String, String)]) -> Option<Layer> {
    (!pairs.is_empty()).then(|| Layer::literal(pairs, Vec::new()))
}

/// Collection files under `paths`: files as given, directories walked in sorted order
/// (skipping `environments/`, hidden directories, `node_modules` and `target`). A file
/// runs once however it is reached: given twice, under two directories given, or through
/// a link; a directory is walked once however many links lead to it.
pub(crate) fn discover(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let filter = crate::fsutil::Filter {
        enter: &|name| {
            !(name.starts_with('.')
                || name == "environments"
                || name == "node_modules"
                || name == "target")
        },
        take: &|p, name| {
            matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                && !name.starts_with('.')
        },
    };
    find_files(
        paths,
        &filter,
        "no collections (.yaml or .yml files) in this directory",
        true,
        problems,
    )
}

/// The files of `paths`: each file as given, and in each directory (walked in sorted
/// order, once however many links lead to it) those `filter` takes; a file once however
/// it is reached. A directory with none is a problem (`nothing_here`), and so is one that
/// cannot be read when `unreadable_counts` (`run` and `check`: a guide's search skips it).
pub(crate) fn find_files(
    paths: &[PathBuf],
    filter: &crate::fsutil::Filter,
    nothing_here: &str,
    unreadable_counts: bool,
    problems: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut walker = crate::fsutil::Walker::default();
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            // `baton run . .`: the second is the first again, not an empty directory.
            if !walker.first_dir(p) {
                continue;
            }
            let mut unreadable = Vec::new();
            let found = walker.walk(p, filter, &mut |dir, e| {
                unreadable.push(Diagnostic::error(format!(
                    "{}: cannot read the directory: {}",
                    display_path(dir),
                    crate::fsutil::io_reason(&e)
                )));
            });
            if unreadable_counts {
                problems.append(&mut unreadable);
            }
            if found.files.is_empty() && found.again == 0 {
                problems.push(Diagnostic::error(format!(
                    "{}: {nothing_here}",
                    display_path(p)
                )));
            }
            out.extend(found.files);
        } else if p.exists() {
            if walker.first_file(p) {
                out.push(p.clone());
            }
        } else {
            problems.push(Diagnostic::error(format!(
                "{}: no such file or directory",
                display_path(p)
            )));
        }
    }
    out
}

/// The shard a file belongs to: a hash of its path below the directory it was found in, so
/// a file keeps its shard when others are added or removed (and whatever the working
/// directory), and every file is in exactly one shard.
pub(crate) fn shard_of(path: &Path, roots: &[PathBuf], n: u64) -> u64 {
    use sha2::Digest as _;
    let below = roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| path.strip_prefix(r).ok())
        .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()));
    let key = below.to_string_lossy().replace('\\', "/");
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % n + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's shard depends on its path below the directory given, not on where that
    /// directory is (a CI checkout, a laptop); every shard number is in 1..=n.
    #[test]
    fn a_file_keeps_its_shard_wherever_its_directory_is() {
        let here = std::env::temp_dir();
        let there = here.parent().unwrap_or(Path::new("/")).to_path_buf();
        for name in ["a.yaml", "b/c.yaml", "d.yml"] {
            let n = shard_of(&here.join(name), std::slice::from_ref(&here), 4);
            assert!((1..=4).contains(&n));
            assert_eq!(
                n,
                shard_of(&there.join(name), std::slice::from_ref(&there), 4)
            );
            assert_eq!(
                shard_of(&here.join(name), std::slice::from_ref(&here), 1),
                1
            );
        }
    }
}
