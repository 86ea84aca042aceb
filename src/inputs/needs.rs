//! `needs:` followed while a run's inputs are assembled: every needed file is loaded too
//! (given on the command line or not), once however many files need it; a needed file that
//! does not exist, or a cycle of them, is invalid input at the lines of the `needs:` that
//! lead there; and the files are put in an order where each comes after what it needs.

use crate::collection::load;
use crate::collection::model::Collection;
use crate::diag::{Diagnostic, display_path};
use crate::template::Templates;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The files of a run with what they need: `needs[i]` are the indices of the files the
/// `i`-th needs (each before it), `needed[i]` whether any file of the run needs it.
pub(crate) struct Followed {
    pub collections: Vec<Collection>,
    pub needs: Vec<Vec<usize>>,
    pub needed: Vec<bool>,
}

/// The same file however it is written (`./a.yaml`, `dir/../a.yaml`, a link).
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads what `given` needs, transitively, and orders everything needed first (otherwise
/// in the order given). Problems go to `problems`; with one, the result is not run.
pub(crate) fn follow(
    given: Vec<Collection>,
    templates: &mut Templates,
    problems: &mut Vec<Diagnostic>,
    keep: load::Keep,
) -> Followed {
    // Without `needs:` anywhere, the files are as given (and not looked up again).
    if given.iter().all(|c| c.needs.is_empty()) {
        let n = given.len();
        return Followed {
            collections: given,
            needs: vec![Vec::new(); n],
            needed: vec![false; n],
        };
    }
    let mut all = given;
    let mut index: HashMap<PathBuf, usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (key(&c.file.path), i))
        .collect();
    // Paths already found missing or broken: said once, not once per file needing them.
    let mut tried: Vec<PathBuf> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let wanted: Vec<_> = all[i].needs.clone();
        for need in wanted {
            let k = key(&need.path);
            if index.contains_key(&k) || tried.contains(&k) {
                continue;
            }
            if !need.path.is_file() {
                tried.push(k);
                problems.push(
                    Diagnostic::error(format!(
                        "{}: no such file or directory",
                        display_path(&need.path)
                    ))
                    .at(&all[i].file, need.loc)
                    .label("needed here")
                    .help("paths in `needs:` are relative to the file that needs them"),
                );
                continue;
            }
            let mut loaded =
                load::load_files(std::slice::from_ref(&need.path), templates, problems, keep);
            match loaded.pop() {
                Some(c) => {
                    index.insert(k, all.len());
                    all.push(c);
                }
                None => tried.push(k),
            }
        }
        i += 1;
    }
    let edges: Vec<Vec<usize>> = all
        .iter()
        .map(|c| {
            let mut out: Vec<usize> = Vec::new();
            for n in &c.needs {
                if let Some(&j) = index.get(&key(&n.path))
                    && !out.contains(&j)
                {
                    out.push(j);
                }
            }
            out
        })
        .collect();
    cycles(&all, &edges, problems);
    order(all, edges)
}

/// Every cycle of `needs:` once, each file of it named at the line of the need that closes
/// its step of the cycle.
fn cycles(all: &[Collection], edges: &[Vec<usize>], problems: &mut Vec<Diagnostic>) {
    // 0: not seen, 1: on the path being walked, 2: done.
    let mut mark = vec![0u8; all.len()];
    let mut seen: Vec<Vec<usize>> = Vec::new();
    fn walk(
        at: usize,
        path: &mut Vec<usize>,
        mark: &mut [u8],
        edges: &[Vec<usize>],
        found: &mut Vec<Vec<usize>>,
    ) {
        mark[at] = 1;
        path.push(at);
        for &next in &edges[at] {
            if mark[next] == 1 {
                let from = path.iter().position(|&p| p == next).unwrap_or(0);
                found.push(path[from..].to_vec());
            } else if mark[next] == 0 {
                walk(next, path, mark, edges, found);
            }
        }
        path.pop();
        mark[at] = 2;
    }
    let mut found = Vec::new();
    for start in 0..all.len() {
        if mark[start] == 0 {
            walk(start, &mut Vec::new(), &mut mark, edges, &mut found);
        }
    }
    for cycle in found {
        let mut sorted = cycle.clone();
        sorted.sort_unstable();
        if seen.contains(&sorted) {
            continue;
        }
        seen.push(sorted);
        let name = |i: usize| all[i].file.display();
        let step = |i: usize| {
            let next = cycle[(cycle.iter().position(|&c| c == i).unwrap_or(0) + 1) % cycle.len()];
            let need = all[i]
                .needs
                .iter()
                .find(|n| key(&n.path) == key(&all[next].file.path));
            (next, need.map(|n| n.loc).unwrap_or_default())
        };
        let shown: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&i| name(i))
            .collect();
        let (_, loc) = step(cycle[0]);
        let mut d = Diagnostic::error(format!("a cycle of `needs:`: {}", shown.join(" needs ")))
            .at(&all[cycle[0]].file, loc)
            .label(format!("needs {}", name(step(cycle[0]).0)));
        for &i in &cycle[1..] {
            let (next, loc) = step(i);
            d = d.note(format!(
                "{}:{}:{}: {} needs {}",
                name(i),
                loc.line,
                loc.col,
                name(i),
                name(next)
            ));
        }
        if cycle.len() == 1 {
            d = d.help("a file cannot need itself: remove it from its own `needs:`");
        } else {
            d = d.help("a needed file runs before the files that need it: one of them must not need the other");
        }
        problems.push(d);
    }
}

/// Needed files before the files that need them, otherwise in the order given; `needs`
/// renumbered to the new order.
fn order(all: Vec<Collection>, edges: Vec<Vec<usize>>) -> Followed {
    let n = all.len();
    let mut placed = vec![usize::MAX; n];
    let mut sequence = Vec::with_capacity(n);
    fn visit(i: usize, edges: &[Vec<usize>], placed: &mut [usize], sequence: &mut Vec<usize>) {
        // `usize::MAX - 1`: being visited (a cycle, already reported: left where it is).
        if placed[i] != usize::MAX {
            return;
        }
        placed[i] = usize::MAX - 1;
        for &j in &edges[i] {
            visit(j, edges, placed, sequence);
        }
        placed[i] = sequence.len();
        sequence.push(i);
    }
    for i in 0..n {
        visit(i, &edges, &mut placed, &mut sequence);
    }
    let mut needed = vec![false; n];
    for e in &edges {
        for &j in e {
            needed[placed[j]] = true;
        }
    }
    let needs = sequence
        .iter()
        .map(|&i| edges[i].iter().map(|&j| placed[j]).collect())
        .collect();
    let mut slots: Vec<Option<Collection>> = all.into_iter().map(Some).collect();
    let collections = sequence.iter().filter_map(|&i| slots[i].take()).collect();
    Followed {
        collections,
        needs,
        needed,
    }
}
