//! `baton import`, `baton export`, `baton schema` and `baton completions`, through the real
//! binary: Postman fixtures (tests/fixtures/postman/, written as teams export them) are
//! imported, checked, and run against the sandbox or the test server; curl commands round
//! trip through export; the checked-in schemas match `baton schema` and validate every
//! example.

mod curl;
mod newman;
mod postman;
mod postman_after;
mod postman_auth;
mod postman_defaults;
mod postman_prerequest;
mod postman_schema;
mod postman_scripts;
mod postman_shapes;
mod schema;

use crate::support::{Baton, Output};
use std::path::{Path, PathBuf};

/// `tests/fixtures/postman/NAME`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman")
        .join(name)
}

/// An import written into a directory of its own that outlives the command.
pub(crate) struct Imported {
    pub dir: tempfile::TempDir,
    pub out: Output,
}

impl Imported {
    /// The output directory.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// A file the import wrote.
    #[track_caller]
    pub(crate) fn file(&self, relative: &str) -> String {
        let p = self.path().join(relative);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", p.display(), self.out.stdout))
    }

    /// Every file the import wrote, `(relative path, text)`, sorted.
    pub(crate) fn files(&self) -> Vec<(String, String)> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, root, out);
                } else {
                    let rel = p
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.path(), &self.path(), &mut out);
        out.sort();
        out
    }

    /// `baton ARGS… OUT` (check or run on the imported directory).
    pub(crate) fn baton(&self, args: &[&str]) -> Baton {
        Baton::new()
            .args(args.iter().take(1))
            .arg(self.path())
            .args(args.iter().skip(1))
    }
}

/// `baton import postman FIXTURE -o OUT` plus `extra` arguments; asserts exit 0.
#[track_caller]
pub(crate) fn import(collection: &str, extra: &[&str]) -> Imported {
    import_with(collection, extra, &[])
}

#[track_caller]
pub(crate) fn import_with(collection: &str, extra: &[&str], files: &[(&str, &str)]) -> Imported {
    let dir = tempfile::Builder::new()
        .prefix("baton-test-import")
        .tempdir()
        .unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let c = if files.iter().any(|(n, _)| *n == collection) {
        dir.path().join(collection)
    } else {
        fixture(collection)
    };
    let out = Baton::new()
        .args(["import", "postman"])
        .arg(c)
        .arg("-o")
        .arg(dir.path().join("out"))
        .args(extra)
        .run();
    out.code(0);
    Imported { dir, out }
}
