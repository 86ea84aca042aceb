//! Tests of what issue 19 adds to the loader: `defaults:` applied to streamed and re-read
//! requests, `include:` with `with:`, `needs:`/`export:`, templated scalars.

use super::super::load::{load_file, load_on_disk};
use super::super::model::*;
use crate::diag::Diagnostic;
use crate::expect::Expectation;
use crate::template::Templates;
use std::path::Path;

/// The collection at `dir/name` (files written first), and its problems' messages.
fn load(dir: &Path, files: &[(&str, &str)], name: &str) -> (Option<Collection>, Vec<String>) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_file(&dir.join(name), &mut templates, &mut problems);
    (c, problems.iter().map(messages).collect())
}

fn messages(d: &Diagnostic) -> String {
    std::iter::once(d.message.clone())
        .chain(d.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join(" / ")
}

fn header<'r>(req: &'r Request, name: &str) -> Vec<&'r str> {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| &*v.text)
        .collect()
}

#[test]
fn defaults_written_after_the_requests_apply_to_each() {
    let dir = tempfile::tempdir().unwrap();
    let text = "requests:\n  - GET: http://a/1\n  - GET: http://a/2\n    headers: { x-team: red }\n    follow_redirects: false\n    timeout: 2s\n    tags: [own]\n    expect: { status: 404, body: { $.a: 1 } }\ndefaults:\n  headers: { X-Team: blue, Accept: json }\n  follow_redirects: true\n  timeout: 9s\n  tags: [smoke]\n  expect: { status: 200, body: { $.a: 2, $.b: 3 } }\n";
    let (c, problems) = load(dir.path(), &[("c.yaml", text)], "c.yaml");
    assert!(problems.is_empty(), "{problems:?}");
    let c = c.unwrap();
    let (first, second) = (&c.requests[0], &c.requests[1]);
    assert_eq!(header(first, "x-team"), ["blue"]);
    assert!(first.follow_redirects);
    assert_eq!(first.timeout, Some(std::time::Duration::from_secs(9)));
    assert_eq!(first.tags, ["smoke"]);
    assert_eq!(first.expect.items.len(), 3);
    // The request's own values win, a header name in any case included.
    assert_eq!(header(second, "x-team"), ["red"]);
    assert_eq!(header(second, "accept"), ["json"]);
    assert!(!second.follow_redirects);
    assert_eq!(second.timeout, Some(std::time::Duration::from_secs(2)));
    assert_eq!(second.tags, ["own"]);
    // Its status and `$.a` replace the default ones; the default `$.b` stays.
    let kinds: Vec<String> = second
        .expect
        .items
        .iter()
        .map(|e| match e {
            Expectation::Status(s) => format!("status {:?}", s.allowed),
            Expectation::JsonPath(j) => j.path.text.to_string(),
            _ => "other".into(),
        })
        .collect();
    assert_eq!(kinds, ["$.b", "status [Code(404)]", "$.a"]);
}

#[test]
fn defaults_apply_to_requests_read_again_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    std::fs::write(
        &path,
        "defaults: { headers: { X-A: b } }\nrequests:\n  - GET: http://a/1\n  - include: s.yaml\n    with: { v: w }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "requests:\n  - GET: http://a/<<v>>\n",
    )
    .unwrap();
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_on_disk(&path, &mut templates, &mut problems).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let reqs: Vec<_> = c.requests(&templates).map(Result::unwrap).collect();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| header(r, "x-a") == ["b"]));
    assert!(reqs[1].included.is_some());
}

#[test]
fn an_include_inlines_requests_with_with_above_the_included_vars() {
    let dir = tempfile::tempdir().unwrap();
    let main = "vars: { x: main }\nrequests:\n  - GET: http://a/0\n  - include: steps/s.yaml\n    with: { sku: A-1 }\n  - GET: http://a/9\n";
    let step = "vars: { sku: none, qty: '1' }\ndefaults: { timeout: 3s }\nrequests:\n  - name: one\n    GET: http://a/<<sku>>\n  - include: inner.yaml\n";
    let inner = "vars: { deep: d }\nrequests:\n  - name: two\n    GET: http://a/<<deep>>/<<sku>>\n";
    let files = [
        ("main.yaml", main),
        ("steps/s.yaml", step),
        ("steps/inner.yaml", inner),
    ];
    let (c, problems) = load(dir.path(), &files, "main.yaml");
    assert!(problems.is_empty(), "{problems:?}");
    let c = c.unwrap();
    let names: Vec<&str> = c.requests.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["GET http://a/0", "one", "two", "GET http://a/9"]);
    let one = c.requests[1].included.as_ref().unwrap();
    assert!(one.file.path.ends_with("steps/s.yaml"));
    assert!(one.from.path.ends_with("main.yaml"));
    assert_eq!(one.loc.line, 4);
    let layer =
        |i: &Included| -> Vec<String> { i.with.iter().map(|v| v.name.clone()).collect::<Vec<_>>() };
    assert_eq!(layer(one), ["sku", "qty"]);
    assert_eq!(
        c.requests[1].timeout,
        Some(std::time::Duration::from_secs(3))
    );
    // An include inside the included file: its own layer on top, places in its own file.
    let two = c.requests[2].included.as_ref().unwrap();
    assert!(two.file.path.ends_with("steps/inner.yaml"));
    assert_eq!(layer(two), ["deep", "sku", "qty"]);
    assert!(c.requests[3].included.is_none());
}

#[test]
fn include_problems_are_at_the_include_or_in_the_included_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, problems) = load(
        dir.path(),
        &[("a.yaml", "requests:\n  - include: a.yaml\n")],
        "a.yaml",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("include cycle:"), "{problems:?}");
    let (_, problems) = load(
        dir.path(),
        &[
            ("m.yaml", "requests:\n  - include: s.yaml\n    whith: {}\n"),
            ("s.yaml", "requests:\n  - GET: http://a/\n    methd: 1\n"),
        ],
        "m.yaml",
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    let has = |a: &str, b: &str| problems.iter().any(|p| p.contains(a) && p.contains(b));
    assert!(has("methd", "included from"), "{problems:?}");
    assert!(has("'whith'", "an include"), "{problems:?}");
}

#[test]
fn needs_export_and_persist_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "needs: [../login.yaml, other.yaml]\nexport: [token, token]\npersist: refresh\nrequests:\n  - GET: http://a/\n";
    let (c, problems) = load(dir.path(), &[("api/c.yaml", text)], "api/c.yaml");
    assert!(problems.is_empty(), "{problems:?}");
    let c = c.unwrap();
    let needs: Vec<_> = c
        .needs
        .iter()
        .map(|n| (n.path.clone(), n.loc.line))
        .collect();
    let api = dir.path().join("api");
    assert_eq!(
        needs,
        [(api.join("../login.yaml"), 1), (api.join("other.yaml"), 1)]
    );
    assert_eq!(c.export, ["token"]);
    assert_eq!(c.persist, ["refresh"]);
    let (_, problems) = load(
        dir.path(),
        &[("e.yaml", "export: [a-b]\nrequests:\n  - GET: http://a/\n")],
        "e.yaml",
    );
    assert_eq!(problems, ["`a-b` in `export` is not a variable name"]);
}

#[test]
fn templated_scalars_render_or_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let text = "requests:\n  - GET: http://a/\n    follow_redirects: <<f>>\n    timeout: <<t>>\n    expect: { status: <<s>> }\n";
    let (c, problems) = load(dir.path(), &[("c.yaml", text)], "c.yaml");
    assert!(problems.is_empty(), "{problems:?}");
    let req = &c.unwrap().requests[0];
    let with = |value: &'static str| move |_: &crate::template::Tpl| Ok(value.to_string());
    assert_eq!(req.render_follow_redirects(&mut with("true")), Ok(true));
    assert!(
        req.render_follow_redirects(&mut with("maybe"))
            .unwrap_err()
            .contains("`maybe`")
    );
    assert_eq!(
        req.render_timeout(&mut with("500ms")),
        Ok(Some(std::time::Duration::from_millis(500)))
    );
    assert!(req.render_timeout(&mut with("0")).is_err());
    assert!(req.render_timeout(&mut with("soon")).is_err());
    // Every template the request renders is known to `baton check`.
    let texts: Vec<&str> = req.templates().iter().map(|t| &*t.text).collect();
    assert!(texts.contains(&"<<f>>") && texts.contains(&"<<t>>") && texts.contains(&"<<s>>"));
}

#[test]
fn an_oauth2_id_of_a_needed_file_is_left_to_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let uses = "requests:\n  - GET: http://a/\n    auth: { oauth2: login }\n";
    let (_, problems) = load(dir.path(), &[("a.yaml", uses)], "a.yaml");
    assert_eq!(problems, ["no earlier request has the id `login`"]);
    let text = format!("{uses}needs: [login.yaml]\n");
    let (c, problems) = load(dir.path(), &[("b.yaml", &text)], "b.yaml");
    assert!(problems.is_empty() && c.is_some(), "{problems:?}");
}
