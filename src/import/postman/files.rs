//! The folder tree as files: one collection file per folder with requests, numbered in
//! Postman's order; inherited auth, variables and folder scripts resolved for each request;
//! and, at the end (with `links.rs`), the names read in one file but captured in another.

use super::apply::Pre;
use super::defaults;
use super::links::{self, Doc, FileUse};
use super::migration::{FileNotes, RequestNotes, report_unconverted, script_name};
use super::model::{AuthDef, Folder, Node, PmRequest, Variable};
use super::prerequest::PreRequest;
use super::{Ctx, Imported, oauth1_script, request, script};
use crate::import::names::slug;
use crate::import::out::{Expect, OutRequest, collection_with};
use crate::import::yaml::{Entry, Y};
use std::path::{Path, PathBuf};

/// What a folder passes down to what is inside it.
#[derive(Clone, Default)]
struct Inherit {
    /// Folder path for messages: `My API / Users`.
    label: String,
    vars: Vec<Variable>,
    auth: Option<(AuthDef, String)>,
    /// `followRedirects` of the nearest folder that sets it.
    follow: Option<bool>,
    expect: Expect,
    /// Names the inherited expectations read.
    reads: Vec<String>,
    comments: Vec<String>,
    /// What the pre-request scripts of the folders above set, fetch and call, with where.
    pre: Vec<(PreRequest, String)>,
}

pub(super) fn write_all(
    root: &Folder,
    version: &str,
    env_keys: &[String],
    env_reads: &[String],
    cx: &mut Ctx,
    out: &mut Imported,
) {
    let mut uses = Vec::new();
    let top = Inherit {
        label: root.name.clone(),
        ..Inherit::default()
    };
    folder(
        root,
        Place::Root(Path::new("")),
        &top,
        version,
        cx,
        out,
        &mut uses,
    );
    let mut undefined = links::settle(&mut uses, env_keys, env_reads, cx);
    for name in std::mem::take(&mut cx.blank) {
        if !undefined.contains(&name) {
            undefined.push(name);
        }
    }
    for u in &uses {
        for name in u.sets.iter().filter(|n| env_keys.contains(n)) {
            cx.place = u.path.clone();
            cx.warn(format!(
                "`{name}` is set by a pre-request script and defined by the environment: an environment wins over a file's `vars` in baton, so remove `{name}` from the environment to get the script's value"
            ));
            cx.notes.shadowed.push((name.clone(), u.path.clone()));
        }
    }
    cx.notes.undefined.clone_from(&undefined);
    for u in uses {
        let d = u.doc;
        let text = collection_with(
            &d.header,
            &d.name,
            d.top,
            d.vars,
            Some(d.defaults),
            &d.requests,
        );
        out.files.push((u.file, text));
    }
    if !undefined.is_empty() {
        cx.place = String::new();
        cx.warn(format!(
            "read but not defined by the collection{}: {}; give them with an environment (-e) or --var NAME=...",
            if env_keys.is_empty() { "" } else { " or the environment" },
            undefined.join(", ")
        ));
    }
}

/// Where a folder goes: the collection's own directory, a directory of its own (it has
/// subfolders), or one file (it has requests only).
enum Place<'p> {
    Root(&'p Path),
    Dir(PathBuf),
    File(PathBuf),
}

#[allow(clippy::too_many_arguments)]
fn folder(
    f: &Folder,
    place: Place,
    parent: &Inherit,
    version: &str,
    cx: &mut Ctx,
    out: &mut Imported,
    uses: &mut Vec<FileUse>,
) {
    let mut inh = parent.clone();
    let owner = if let Place::Root(_) = &place {
        format!("collection '{}'", f.name)
    } else {
        inh.label = format!("{} / {}", parent.label, f.name);
        format!("folder '{}'", inh.label)
    };
    inh.vars
        .extend(f.variables.iter().filter(|v| !v.disabled).cloned());
    if let Some(a) = &f.auth
        && a.kind != "inherit"
    {
        inh.auth = Some((a.clone(), inh.label.clone()));
    }
    if f.follow_redirects.is_some() {
        inh.follow = f.follow_redirects;
    }
    cx.place.clone_from(&owner);
    cx.seen.clear();
    let tests = request::tests(&f.events, false, cx);
    inh.reads.append(&mut cx.seen);
    for s in tests {
        let (listen, c) = (s.listen, s.converted);
        let what = script_name(&listen);
        cx.notes.tally.add(&listen, s.code, s.dropped, &c);
        let source = format!("'{}'", inh.label);
        inh.pre.push((s.pre, source));
        if !c.unconverted.is_empty() {
            cx.notes
                .folders
                .push((what.clone(), owner.clone(), c.unconverted.clone()));
        }
        if listen == "test" {
            inh.expect.inherit(&c.expect);
        }
        for (name, _) in &c.captures {
            cx.warn(format!("this {what} captures `{name}`: not applied to each request (a capture that matches nothing fails its request); move it to the request it is for"));
            inh.comments.push(format!(
                "Postman {what} of '{}' captures `{name}`: not converted.",
                inh.label
            ));
        }
        report_unconverted(&c.unconverted, &what, cx, &mut inh.comments, &inh.label);
    }
    let requests: Vec<&PmRequest> = f
        .items
        .iter()
        .filter_map(|i| match i {
            Node::Request(r) => Some(r.as_ref()),
            Node::Folder(_) => None,
        })
        .collect();
    let dir = match place {
        Place::File(path) => {
            if !requests.is_empty() {
                file(f, &requests, &path, &inh, version, cx, out, uses);
            }
            return;
        }
        Place::Root(d) => d.to_path_buf(),
        Place::Dir(d) => d,
    };
    let entries = f
        .items
        .iter()
        .filter(|i| matches!(i, Node::Folder(_)))
        .count()
        + usize::from(!requests.is_empty());
    let width = entries.to_string().len();
    let prefix = |n: usize| {
        if entries > 1 {
            format!("{n:0width$}-")
        } else {
            String::new()
        }
    };
    let mut n = 0;
    let mut wrote_requests = false;
    let mut after_folder = false;
    for item in &f.items {
        match item {
            Node::Request(_) if !wrote_requests => {
                n += 1;
                wrote_requests = true;
                let path = dir.join(format!("{}{}.yaml", prefix(n), slug(&f.name)));
                file(f, &requests, &path, &inh, version, cx, out, uses);
            }
            Node::Request(_) if after_folder => {
                cx.place.clone_from(&owner);
                cx.warn("requests before and after a subfolder are written together in one file, before the subfolder's");
                after_folder = false;
            }
            Node::Request(_) => {}
            Node::Folder(sub) => {
                n += 1;
                after_folder = wrote_requests;
                let name = format!("{}{}", prefix(n), slug(&sub.name));
                let has_subfolders = sub.items.iter().any(|i| matches!(i, Node::Folder(_)));
                let place = if has_subfolders {
                    Place::Dir(dir.join(name))
                } else {
                    Place::File(dir.join(format!("{name}.yaml")))
                };
                folder(sub, place, &inh, version, cx, out, uses);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn file(
    f: &Folder,
    requests: &[&PmRequest],
    path: &Path,
    inh: &Inherit,
    version: &str,
    cx: &mut Ctx,
    out: &mut Imported,
    uses: &mut Vec<FileUse>,
) {
    let shown = path.display().to_string().replace('\\', "/");
    cx.seen.clear();
    cx.seen.extend(inh.reads.iter().cloned());
    let mut reqs: Vec<OutRequest> = Vec::new();
    let mut path_vars = Vec::new();
    let mut tokens = defaults::Tokens::default();
    let mut authed = Vec::new();
    let mut captures = Vec::new();
    let mut n_requests = 0;
    let mut n_calls = 0;
    // What the folder's requests do unless they say otherwise: the file's default.
    let follow = inh.follow.unwrap_or(true);
    let mut pre = Pre::default();
    let mut notes = FileNotes {
        path: shown.clone(),
        ..FileNotes::default()
    };
    cx.place.clone_from(&shown);
    let (inherited_tokens, keys) = pre.inherit(&inh.pre, cx, &mut reqs, &mut tokens);
    out.captures += keys.len();
    captures.extend(keys);
    // Names read before any request of this file captures them (the inherited
    // expectations' reads are read by the first request already).
    let mut early: Vec<String> = cx.seen.clone();
    // Comments for the scripts of requests that are not imported.
    let mut skipped: Vec<String> = Vec::new();
    for req in requests {
        let (reads_before, captures_before) = (cx.seen.len(), captures.len());
        let mut before_this: Vec<String> = Vec::new();
        cx.place = format!("{shown}: request '{}'", req.name);
        if request::scripts_only(req) {
            cx.warn(format!(
                "a request to `{}` only runs its scripts in Postman: not imported",
                req.url.base.trim()
            ));
            // Its scripts are still the user's: kept as comments at the top of the file.
            for e in req.events.iter().filter(|e| !e.disabled) {
                let c = script::Converted {
                    unconverted: script::code_lines(&e.lines),
                    ..script::Converted::default()
                };
                cx.notes.tally.add(&e.listen, c.unconverted.len(), 0, &c);
                let what = script_name(&e.listen);
                report_unconverted(&c.unconverted, &what, cx, &mut skipped, &req.name);
            }
            continue;
        }
        let signed = oauth1_script::signed(req);
        if signed.is_some() {
            cx.warn("the pre-request script signs the request with OAuth 1.0a by hand: written as `auth: { oauth1 }`, which signs it the same way");
        }
        let req = signed.as_ref().unwrap_or(req);
        let mut o = request::convert(req, cx, &mut path_vars);
        let place = cx.place.clone();
        let mut rn = RequestNotes {
            name: req.name.clone(),
            oauth2: inherited_tokens.clone(),
            ..RequestNotes::default()
        };
        let mut after = Vec::new();
        for s in request::tests(&req.events, true, cx) {
            after.extend(s.after);
            let (listen, mut c) = (s.listen, s.converted);
            let what = script_name(&listen);
            let source = format!("'{}'", req.name);
            rn.vars.extend(pre.vars(s.pre.vars, &source, &mut c, cx));
            for t in &s.pre.tokens {
                let id = pre.token(t, &source, cx, &mut reqs, &mut tokens);
                rn.oauth2.extend(id);
            }
            for c in &s.pre.calls {
                let keys = Pre::call(c, &source, false, cx, &mut reqs);
                n_calls += 1;
                out.captures += keys.len();
                rn.captures += keys.len();
                // Sent before this request: what it captures is there when this one reads.
                before_this.extend(keys.iter().cloned());
                captures.extend(keys);
            }
            cx.notes.tally.add(&listen, s.code, s.dropped, &c);
            if !c.unconverted.is_empty() {
                rn.left
                    .push((what.clone(), req.name.clone(), c.unconverted.clone()));
            }
            for (name, source) in c.captures {
                let key = cx.names.key(&name);
                o.capture.retain(|(k, _)| *k != key);
                captures.push(key.clone());
                o.capture.push((key, source));
            }
            let mut into = std::mem::take(&mut o.expect);
            into.inherit(&c.expect);
            o.expect = into;
            for (n, note) in &c.notes {
                cx.warn(format!("{what}, line {n}: {note}"));
            }
            report_unconverted(&c.unconverted, &what, cx, &mut o.comments, &req.name);
        }
        o.expect.inherit(&inh.expect);
        if let Some(v) = req.follow_redirects
            && v != follow
        {
            o.follow_redirects = Some(v);
        }
        let own = req
            .auth
            .as_ref()
            .filter(|a| a.kind != "inherit")
            .map(|a| (a.clone(), format!("request '{}'", req.name)));
        let inherited = own.is_none();
        let added = match own.or_else(|| inh.auth.clone()) {
            Some((def, source)) => {
                cx.place = if inherited {
                    format!("auth of '{source}'")
                } else {
                    place.clone()
                };
                defaults::resolve(&def, &source, cx, &mut reqs, &mut tokens)
            }
            None => defaults::Added::default(),
        };
        authed.push(defaults::Authed {
            index: reqs.len(),
            inherited,
            added,
        });
        for name in &cx.seen[reads_before..] {
            if !captures[..captures_before].contains(name)
                && !before_this.contains(name)
                && !early.contains(name)
            {
                early.push(name.clone());
            }
        }
        hide_secrets(&mut o.expect, &cx.secret_env);
        out.captures += o.capture.len();
        out.expectations += o.expect.count();
        rn.captures += o.capture.len();
        rn.expectations = o.expect.count();
        notes.requests.push(rn);
        n_requests += 1;
        reqs.push(o);
        let source = format!("'{}'", req.name);
        for c in &after {
            let keys = Pre::call(c, &source, true, cx, &mut reqs);
            n_calls += 1;
            out.captures += keys.len();
            captures.extend(keys);
        }
    }
    cx.place.clone_from(&shown);
    pre.rewrite(&mut reqs, &mut authed);
    let pre_vars = pre.entries(cx);
    let auth_label = inh.auth.as_ref().map_or("", |(_, l)| l.as_str());
    let default_auth = defaults::settle(&mut reqs, authed, auth_label, cx);
    if inh.pre.iter().map(|(p, _)| p.calls.len()).sum::<usize>() + n_calls > 0 {
        super::apply::default_auth_note(default_auth.as_ref(), cx);
    }
    let defaults = defaults::entry(default_auth, follow, auth_label);
    let mut vars = file_vars(inh, &path_vars, cx);
    for e in pre_vars {
        vars.retain(|v| v.key != e.key);
        vars.push(e);
    }
    let mut header = vec![format!(
        "Imported by `baton import postman` from '{}' ({version}).",
        inh.label
    )];
    header.extend(f.description.iter().cloned());
    header.extend(inh.comments.iter().cloned());
    header.extend(skipped);
    let name = f.name.trim();
    let mut defines: Vec<String> = vars.iter().map(|e| e.key.clone()).collect();
    defines.extend(tokens.list.iter().map(|(_, id)| id.clone()));
    // A token variable is set as the request runs, as a capture is.
    captures.extend(pre.fetched.iter().map(|f| f.0.clone()));
    // Requests that read it use the oauth2 request instead: not a read before a capture.
    early.retain(|n| !pre.fetched.iter().any(|f| f.0 == *n));
    notes.token_requests = tokens.list.iter().map(|(_, id)| id.clone()).collect();
    cx.notes.files.push(notes);
    uses.push(FileUse {
        path: shown,
        file: path.to_path_buf(),
        reads: cx.seen.clone(),
        early,
        defines,
        captures,
        // Written once every file is known: `needs:` and `export:` depend on the others.
        doc: Doc {
            header,
            name: if name.is_empty() { "requests" } else { name }.to_string(),
            vars,
            defaults,
            requests: reqs,
            top: Vec::new(),
        },
        sets: pre.vars.iter().map(|(k, _, _)| k.clone()).collect(),
    });
    out.requests += n_requests;
    out.token_requests += tokens.list.len();
    out.per_file.push((path.to_path_buf(), n_requests));
}

/// The variables a file reads (and those they read), in the order they are defined; inner
/// folders override outer ones. Path variables last.
fn file_vars(inh: &Inherit, path_vars: &[(String, String)], cx: &mut Ctx) -> Vec<Entry> {
    let mut defs: Vec<(String, &Variable)> = Vec::new();
    for v in &inh.vars {
        let key = cx.names.key(&v.key);
        defs.retain(|(k, _)| *k != key);
        defs.push((key, v));
    }
    let mut chosen: Vec<(usize, Entry)> = Vec::new();
    let mut i = 0;
    while i < cx.seen.len() {
        let name = cx.seen[i].clone();
        i += 1;
        if let Some(pos) = defs.iter().position(|(k, _)| *k == name)
            && !chosen.iter().any(|(p, _)| *p == pos)
        {
            let (key, v) = (defs[pos].0.clone(), defs[pos].1);
            let value = cx.variable_value(&v.key, &v.value, v.secret);
            chosen.push((
                pos,
                Entry {
                    comments: v.description.iter().cloned().collect(),
                    key,
                    value: Y::Str(value),
                },
            ));
        }
    }
    chosen.sort_by_key(|(p, _)| *p);
    let mut out: Vec<Entry> = chosen.into_iter().map(|(_, e)| e).collect();
    for (k, v) in path_vars {
        out.push(Entry {
            comments: Vec::new(),
            key: k.clone(),
            value: Y::Str(v.clone()),
        });
    }
    out
}

/// A secret written as `<<env.NAME>>` must not come back as an expected value of a test
/// script: such literals become the same reference.
fn hide_secrets(expect: &mut Expect, secrets: &[(String, String)]) {
    fn walk(y: &mut Y, secrets: &[(String, String)]) {
        match y {
            Y::Str(s) => {
                for (name, value) in secrets.iter().filter(|(_, v)| v.len() >= 4) {
                    if s.contains(value.as_str()) {
                        *s = s.replace(value.as_str(), &format!("<<env.{name}>>"));
                    }
                }
            }
            Y::Seq(items) => items.iter_mut().for_each(|i| walk(&mut i.value, secrets)),
            Y::Map(entries) => entries.iter_mut().for_each(|e| walk(&mut e.value, secrets)),
            _ => {}
        }
    }
    for (_, preds) in expect.headers.iter_mut().chain(expect.body.iter_mut()) {
        for (_, v) in preds {
            walk(v, secrets);
        }
    }
}
