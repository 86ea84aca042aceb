//! Why a variable could not be rendered, told at its root: the cycle it is part of
//! (`a: <<b>>`, `b: <<a>>`), or the variable it reads that could not be rendered itself,
//! rather than "undefined variable `b`" for a `b` that is defined. The runner and
//! `baton check` both tell it this way, so it lives with the variables, below both.

use super::VarDef;
use crate::diag::Diagnostic;
use crate::template::{Templates, Tpl};
use std::collections::{HashMap, HashSet, VecDeque};

/// A variable whose value could not be rendered, and why.
pub(crate) struct Unresolved<'a> {
    pub def: &'a VarDef,
    pub diagnostic: Diagnostic,
    /// The variable the rendering missed, if that was why.
    pub missing: Option<String>,
}

/// The reason to give for each variable of `failed` (in definition order): a cycle, the
/// reason of the failed variable it reads, or its own.
pub(crate) fn explain(
    failed: Vec<Unresolved>,
    templates: &Templates,
) -> HashMap<String, Diagnostic> {
    let names: HashSet<&str> = failed.iter().map(|u| u.def.name.as_str()).collect();
    // What each failed variable reads among the failed ones.
    let reads: HashMap<&str, Vec<String>> = failed
        .iter()
        .map(|u| {
            let mut next: Vec<String> = Vec::new();
            for tpl in tpls(u.def) {
                for v in templates.variables(tpl) {
                    if names.contains(v.as_str()) && !next.contains(&v) {
                        next.push(v);
                    }
                }
            }
            (u.def.name.as_str(), next)
        })
        .collect();
    let mut out: HashMap<String, Diagnostic> = HashMap::new();
    for u in &failed {
        if out.contains_key(&u.def.name) {
            continue;
        }
        if let Some(cycle) = cycle_from(&u.def.name, &reads) {
            let d = cycle_diagnostic(&cycle, &failed, templates);
            for name in &cycle {
                out.entry(name.clone()).or_insert_with(|| d.clone());
            }
        }
    }
    for u in &failed {
        if out.contains_key(&u.def.name) {
            continue;
        }
        let d = root(u, &failed, &out, &mut HashSet::new());
        out.insert(u.def.name.clone(), d);
    }
    out
}

/// The reason of `u`: that of the failed variable it missed, followed to the end.
fn root(
    u: &Unresolved,
    failed: &[Unresolved],
    known: &HashMap<String, Diagnostic>,
    seen: &mut HashSet<String>,
) -> Diagnostic {
    let missed = u
        .missing
        .as_deref()
        .map(|m| m.split('.').next().unwrap_or(m));
    let next = missed
        .filter(|m| *m != u.def.name && seen.insert(m.to_string()))
        .and_then(|m| failed.iter().find(|f| f.def.name == m));
    match next {
        Some(next) => match known.get(&next.def.name) {
            Some(d) => d.clone(),
            None => root(next, failed, known, seen),
        },
        None => u.diagnostic.clone(),
    }
}

/// The shortest way from `start` back to itself, as the names along it (`[a, b]` for
/// a -> b -> a), if there is one.
fn cycle_from(start: &str, reads: &HashMap<&str, Vec<String>>) -> Option<Vec<String>> {
    let mut came_from: HashMap<&str, &str> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in reads.get(at).into_iter().flatten() {
            if next == start {
                let mut path = vec![at.to_string()];
                let mut step = at;
                while step != start {
                    step = came_from[step];
                    path.push(step.to_string());
                }
                path.reverse();
                return Some(path);
            }
            if let Some((key, _)) = reads.get_key_value(next.as_str())
                && !came_from.contains_key(key)
            {
                came_from.insert(key, at);
                queue.push_back(key);
            }
        }
    }
    None
}

fn cycle_diagnostic(cycle: &[String], failed: &[Unresolved], templates: &Templates) -> Diagnostic {
    let def = |name: &str| failed.iter().find(|u| u.def.name == name).map(|u| u.def);
    let shown: Vec<&str> = cycle
        .iter()
        .map(String::as_str)
        .chain(cycle.first().map(String::as_str))
        .collect();
    let first = &cycle[0];
    let second = cycle.get(1).unwrap_or(first);
    let mut d = Diagnostic::error(format!(
        "variable `{first}` is defined in a cycle {}",
        shown.join(" -> ")
    ));
    if let Some(tpl) = def(first).and_then(|d| reading(d, second, templates)) {
        d = d.at(&tpl.file, tpl.loc).label(format!("reads `{second}`"));
    }
    for (name, next) in shown.iter().zip(shown.iter().skip(1)).skip(1) {
        if let Some(tpl) = def(name).and_then(|d| reading(d, next, templates)) {
            let (file, line, col) = (tpl.file.display(), tpl.loc.line, tpl.loc.col);
            d = d.note(format!("`{name}` reads `{next}` at {file}:{line}:{col}"));
        }
    }
    d.help(if cycle.len() == 1 {
        format!(
            "a variable cannot read itself: give `{first}` a value of its own, or read another name"
        )
    } else {
        "give one of them a value that does not read the others".to_string()
    })
}

/// The template of `def` that reads `name`.
fn reading<'d>(def: &'d VarDef, name: &str, templates: &Templates) -> Option<&'d Tpl> {
    tpls(def)
        .into_iter()
        .find(|t| templates.variables(t).contains(name))
}

fn tpls(def: &VarDef) -> Vec<&Tpl> {
    let mut out = Vec::new();
    def.value.templates(&mut out);
    out
}
