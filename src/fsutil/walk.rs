//! Walking directories of collections or guides: sorted, depth first, each directory
//! entered once and each file taken once, known by device and inode. A link back to `.`
//! or to a parent ended only at the kernel's 40 levels of links (a collection ran 41
//! times; two such links multiplied the walks until the run hung).

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

/// What a file or directory is, whatever path reaches it: device and inode (on systems
/// without them, the canonical path).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn file_id(path: &Path) -> io::Result<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path)?;
        Ok(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        Ok(FileId::Path(std::fs::canonicalize(path)?))
    }
}

/// The directories entered and the files taken so far in one run.
#[derive(Default)]
pub(crate) struct Walker {
    dirs: HashSet<FileId>,
    files: HashSet<FileId>,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// The wanted files met for the first time, in order.
    pub files: Vec<PathBuf>,
    /// Wanted files met before (given earlier, or reached again through a link).
    pub again: usize,
}

/// What to take from a walk.
pub(crate) struct Filter<'a> {
    /// Whether to go into a subdirectory of this name.
    pub enter: &'a dyn Fn(&str) -> bool,
    /// Whether a file of this name (at this path) is wanted.
    pub take: &'a dyn Fn(&Path, &str) -> bool,
}

impl Walker {
    /// True the first time the file at `path` is met: a file given twice, or reached
    /// again through a link, is taken once. A file that cannot be looked at is taken (its
    /// reading says why it cannot be read).
    pub(crate) fn first_file(&mut self, path: &Path) -> bool {
        match file_id(path) {
            Ok(id) => self.files.insert(id),
            Err(_) => true,
        }
    }

    /// True the first time the directory at `path` is met.
    pub(crate) fn first_dir(&mut self, path: &Path) -> bool {
        match file_id(path) {
            Ok(id) => self.dirs.insert(id),
            Err(_) => true,
        }
    }

    /// The wanted files under `root` (a directory), in sorted order, depth first; each
    /// directory is entered once, however many links lead to it. `root` itself is
    /// entered even if met before (see `first_dir`). A directory that cannot be read is
    /// handed to `unreadable`.
    pub(crate) fn walk(
        &mut self,
        root: &Path,
        filter: &Filter,
        unreadable: &mut dyn FnMut(&Path, io::Error),
    ) -> Walked {
        let mut out = Walked::default();
        self.first_dir(root);
        // An explicit stack of what is still to visit, in sorted order (a subdirectory's
        // files come where its name sorts, as a recursive walk gives them): a deep tree
        // is bounded by the path length, not by the stack.
        let mut pending = vec![(root.to_path_buf(), true)];
        while let Some((path, is_dir)) = pending.pop() {
            if !is_dir {
                out.files.push(path);
                continue;
            }
            let entries = match std::fs::read_dir(&path) {
                Ok(entries) => entries,
                Err(e) => {
                    unreadable(&path, e);
                    continue;
                }
            };
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            let mut visit = Vec::new();
            for p in paths {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if p.is_dir() {
                    if (filter.enter)(&name) && self.first_dir(&p) {
                        visit.push((p, true));
                    }
                } else if (filter.take)(&p, &name) {
                    if self.first_file(&p) {
                        visit.push((p, false));
                    } else {
                        out.again += 1;
                    }
                }
            }
            pending.extend(visit.into_iter().rev());
        }
        out
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn yaml(dir: &Path) -> Vec<String> {
        let filter = Filter {
            enter: &|name| !name.starts_with('.'),
            take: &|p, _| p.extension().is_some_and(|e| e == "yaml"),
        };
        Walker::default()
            .walk(dir, &filter, &mut |p, e| panic!("{}: {e}", p.display()))
            .files
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn sorted_depth_first_each_directory_and_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "a.yaml",
            "b/x.yaml",
            "b/c/y.yaml",
            "c.yaml",
            ".h/z.yaml",
            "n.txt",
        ] {
            std::fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
            std::fs::write(d.join(f), "").unwrap();
        }
        assert_eq!(yaml(d), ["a.yaml", "b/c/y.yaml", "b/x.yaml", "c.yaml"]);
        // Links to `.`, to a parent and to a file: nothing twice, and no endless walk.
        symlink(".", d.join("self")).unwrap();
        symlink("..", d.join("b/up")).unwrap();
        symlink("a.yaml", d.join("d.yaml")).unwrap();
        symlink("b", d.join("e")).unwrap();
        assert_eq!(yaml(d), ["a.yaml", "b/c/y.yaml", "b/x.yaml", "c.yaml"]);
    }
}
