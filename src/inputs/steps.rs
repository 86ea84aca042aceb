//! Step files: a collection that another file of the run includes (`include: steps/x.yaml`)
//! is run where it is included, with that include's `with:`; found by walking a directory,
//! it is not also run on its own, where its variables would be undefined. A file named on
//! the command line always runs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `files` without the ones another of them includes, unless `named` (given as a path).
/// Decided before `--shard` splits the files, so that every shard agrees.
pub(crate) fn without_steps(files: Vec<PathBuf>, named: &[PathBuf]) -> Vec<PathBuf> {
    // Files named one by one all run: no need to read them once more to find steps.
    if named.iter().all(|p| !p.is_dir()) {
        return files;
    }
    let included: HashSet<PathBuf> = files.iter().flat_map(|f| includes(f)).collect();
    if included.is_empty() {
        return files;
    }
    let named: HashSet<PathBuf> = named.iter().map(|p| canonical(p)).collect();
    files
        .into_iter()
        .filter(|f| {
            let c = canonical(f);
            named.contains(&c) || !included.contains(&c)
        })
        .collect()
}

/// The files `file` includes, read from its text: the `include:` items of its request list.
/// A text scan, not a load (the loader reads the file again, with every check): an item
/// it misreads only decides whether a file also runs alone.
fn includes(file: &Path) -> Vec<PathBuf> {
    let Ok(text) = crate::fsutil::read_to_string(file, crate::fsutil::MAX_COLLECTION) else {
        return Vec::new();
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    text.lines()
        .filter_map(|line| {
            let item = line.trim_start().strip_prefix('-')?.trim_start();
            let target = item.strip_prefix("include:")?.trim();
            let target = target.split(" #").next()?.trim().trim_matches(['"', '\'']);
            (!target.is_empty() && !target.contains("<<")).then(|| canonical(&dir.join(target)))
        })
        .collect()
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_included_file_found_in_a_directory_runs_where_it_is_included() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("steps")).unwrap();
        std::fs::write(
            root.join("orders.yaml"),
            "requests:\n  - include: steps/create.yaml  # the step\n    with: { sku: A }\n",
        )
        .unwrap();
        std::fs::write(root.join("steps/create.yaml"), "requests: []\n").unwrap();
        std::fs::write(root.join("other.yaml"), "requests: []\n").unwrap();
        let files = vec![
            root.join("orders.yaml"),
            root.join("other.yaml"),
            root.join("steps/create.yaml"),
        ];
        let kept = without_steps(files.clone(), &[root.to_path_buf()]);
        assert_eq!(kept, files[..2].to_vec());
        // Named on the command line, it runs alone too.
        let kept = without_steps(files.clone(), &[root.join("steps/create.yaml")]);
        assert_eq!(kept, files);
    }
}
