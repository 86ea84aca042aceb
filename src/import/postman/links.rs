//! Names captured in one file and read in another. Postman keeps every variable in one
//! environment for the whole run; baton keeps captures per file, and a file reaches another's
//! with `needs:` and `export:` (README "Reuse across files"). A name captured by an earlier
//! file (in Postman's order) becomes an export of that file and a need of the reader; one
//! captured only by a later file is what Postman would read from the previous run, so it is
//! reported with the names nothing defines.

use super::Ctx;
use super::env::EnvIn;
use super::model::{Folder, Node};
use super::{prerequest, script};
use crate::import::out::OutRequest;
use crate::import::yaml::{Entry, Y};

/// Captured names (for [`crate::import::names::Names`]) and every defined name.
pub(super) fn all_names(root: &Folder, env: Option<&EnvIn>) -> (Vec<String>, Vec<String>) {
    let (mut captured, mut known) = (Vec::new(), Vec::new());
    fn walk(f: &Folder, captured: &mut Vec<String>, known: &mut Vec<String>) {
        known.extend(f.variables.iter().map(|v| v.key.clone()));
        let events = f.events.iter().chain(f.items.iter().flat_map(|i| match i {
            Node::Request(r) => r.events.iter(),
            Node::Folder(_) => [].iter(),
        }));
        for e in events.filter(|e| !e.disabled) {
            if e.listen == "test" {
                let c = script::convert(&e.lines, &|n| n.to_string());
                captured.extend(c.captures.into_iter().map(|(n, _)| n));
            } else if e.listen == "prerequest" {
                // A pre-request call's captures are captures too (identifiers).
                let pre = prerequest::convert(&e.lines, &|_| true);
                let calls = pre.calls.into_iter().flat_map(|c| c.captures);
                captured.extend(calls.map(|(n, _)| n));
            }
        }
        for i in &f.items {
            if let Node::Folder(sub) = i {
                walk(sub, captured, known);
            }
        }
    }
    walk(root, &mut captured, &mut known);
    if let Some(e) = env {
        known.extend(e.values.iter().map(|v| v.key.clone()));
    }
    captured.dedup();
    (captured, known)
}

/// What one written file defines and reads, and what it is made of until it is written.
pub(super) struct FileUse {
    /// The file, relative to the output directory, with `/`.
    pub path: String,
    pub file: std::path::PathBuf,
    pub reads: Vec<String>,
    /// Names read before a request of this file captures them.
    pub early: Vec<String>,
    pub defines: Vec<String>,
    pub captures: Vec<String>,
    /// Variables its pre-request scripts set (in its `vars`).
    pub sets: Vec<String>,
    pub doc: Doc,
}

/// A collection file's parts, written once `needs:` and `export:` are known.
pub(super) struct Doc {
    pub header: Vec<String>,
    pub name: String,
    pub vars: Vec<Entry>,
    pub defaults: Entry,
    pub requests: Vec<OutRequest>,
    /// `needs:` and `export:`, when the file has them.
    pub top: Vec<Entry>,
}

/// Wire captures across files; returns the names nothing defines before they are read.
/// `env_reads` are the names the environment file reads (`username: {{epr}}`).
pub(super) fn settle(
    uses: &mut [FileUse],
    env_keys: &[String],
    env_reads: &[String],
    cx: &mut Ctx,
) -> Vec<String> {
    let mut undefined: Vec<String> = env_reads
        .iter()
        .filter(|n| !env_keys.contains(n) && !cx.is_known_variable(n))
        .cloned()
        .collect();
    let n = uses.len();
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut exports: Vec<Vec<String>> = vec![Vec::new(); n];
    for i in 0..n {
        for name in &uses[i].reads {
            let u = &uses[i];
            if u.captures.contains(name) && !u.early.contains(name) {
                continue;
            }
            // The nearest earlier capture is the value Postman would have when this runs: a
            // script's `set` overrides the collection's and the environment's values.
            if let Some(j) = (0..i).rev().find(|&j| uses[j].captures.contains(name)) {
                if !needs[i].contains(&j) {
                    needs[i].push(j);
                }
                if !exports[j].contains(name) {
                    exports[j].push(name.clone());
                }
                continue;
            }
            if u.defines.contains(name) || env_keys.contains(name) {
                continue;
            }
            if let Some(later) = uses[i + 1..].iter().find(|o| o.captures.contains(name)) {
                cx.place.clone_from(&u.path);
                cx.warn(format!(
                    "`{name}` is captured in {}, which runs after this file: Postman would read it from an earlier run; give it with --var or an environment",
                    later.path
                ));
                let across = (name.clone(), later.path.clone(), u.path.clone());
                cx.notes.across.push(across);
            }
            if !undefined.contains(name) {
                undefined.push(name.clone());
            }
        }
    }
    for i in 0..n {
        let mut top = Vec::new();
        if !needs[i].is_empty() {
            needs[i].sort_unstable();
            let what: Vec<String> = needs[i]
                .iter()
                .map(|&j| {
                    let names: Vec<&str> = uses[i]
                        .reads
                        .iter()
                        .filter(|r| {
                            exports[j].contains(r)
                                && (!uses[i].captures.contains(r) || uses[i].early.contains(r))
                        })
                        .map(String::as_str)
                        .collect();
                    format!("{} from {}", names.join(", "), uses[j].path)
                })
                .collect();
            top.push(Entry {
                comments: vec![format!(
                    "Captured by files Postman runs earlier: {}.",
                    what.join("; ")
                )],
                key: "needs".into(),
                value: Y::seq(
                    needs[i]
                        .iter()
                        .map(|&j| Y::Str(relative(&uses[i].path, &uses[j].path))),
                ),
            });
        }
        if !exports[i].is_empty() {
            top.push(Entry {
                comments: Vec::new(),
                key: "export".into(),
                value: Y::seq(exports[i].iter().map(|e| Y::Str(e.clone()))),
            });
        }
        uses[i].doc.top = top;
    }
    undefined
}

/// `to` as a path relative to the directory of `from` (both relative to one root, with `/`).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dirs.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn paths_relative_to_the_needing_file() {
        assert_eq!(relative("b.yaml", "a.yaml"), "a.yaml");
        assert_eq!(relative("2-x/b.yaml", "1-auth.yaml"), "../1-auth.yaml");
        assert_eq!(relative("2-x/b.yaml", "2-x/a.yaml"), "a.yaml");
        assert_eq!(
            relative("1-a/2-b/c.yaml", "1-a/3-d/e.yaml"),
            "../3-d/e.yaml"
        );
        assert_eq!(relative("c.yaml", "1-a/e.yaml"), "1-a/e.yaml");
    }
}
