//! Tests of loading: streamed and whole-tree reading agree, files past the budget are
//! read again as checked, problems keep their places.

use super::super::reread::reread;
use super::*;
use crate::collection::model::Request;

fn load(text: &str) -> (Option<Collection>, Vec<String>) {
    let file = SourceFile::new("c.yaml", text);
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_source(&file, &mut templates, &mut problems);
    let shown = problems.iter().map(|d| d.message.clone()).collect();
    (c, shown)
}

fn names(c: &Collection) -> Vec<&str> {
    c.requests.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn streamed_requests_are_all_read_in_order() {
    let text = "name: c\nrequests:\n  - GET: http://a/1\n  - name: two\n    POST: http://a/2\n";
    let (c, problems) = load(text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(names(&c.unwrap()), ["GET http://a/1", "two"]);
    // A bare list is streamed too.
    let (c, _) = load("- GET: http://a/1\n- GET: http://a/2\n- GET: http://a/3\n");
    assert_eq!(c.unwrap().requests.len(), 3);
}

#[test]
fn problems_keep_document_order_and_a_syntax_error_stands_alone() {
    // `name` is checked after the requests were streamed, yet its problem comes first,
    // as the file has it; unknown keys of the collection come last.
    let text = "name: [x]\nrequests:\n  - GET: http://a/1\n    methd: 1\nextra: 1\n";
    let (c, problems) = load(text);
    assert!(c.is_none());
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("`name`"), "{problems:?}");
    assert!(problems[1].contains("methd"), "{problems:?}");
    assert!(problems[2].contains("extra"), "{problems:?}");
    // A syntax error after a bad request: only the syntax error, as before streaming.
    let (c, problems) = load("requests:\n  - GET: http://a/1\n    methd: 1\n  - GET: [\n");
    assert!(c.is_none());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("invalid YAML"), "{problems:?}");
}

#[test]
fn anchored_lists_and_ids_across_streamed_items() {
    // An anchored list is kept whole, so that its alias finds the items.
    let text = "requests: &all\n  - GET: http://a/1\nother: *all\n";
    let (_, problems) = load(text);
    assert!(problems.iter().any(|p| p.contains("other")), "{problems:?}");
    let (c, problems) = load("requests: &all\n  - GET: http://a/1\n");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(c.unwrap().requests.len(), 1);
    // Checks between requests still see the earlier ones.
    let text = "requests:\n  - id: a\n    GET: http://a/1\n  - id: a\n    GET: http://a/2\n  - GET: http://a/3\n    auth: { oauth2: nope }\n";
    let (_, problems) = load(text);
    assert!(
        problems.iter().any(|p| p.contains("used by two")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no earlier request has the id `nope`")),
        "{problems:?}"
    );
    // An empty list is still named as such.
    let (_, problems) = load("requests: []\n");
    assert!(
        problems.iter().any(|p| p.contains("is empty")),
        "{problems:?}"
    );
}

/// Every example collection and every bad input reads the same whether each request is
/// read as the parser ends it or after the whole tree is built: the same requests, the
/// same problems in the same order.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn streaming_reads_what_the_whole_tree_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("collections"), &mut files);
    yaml_files(&root.join("tests/bad_inputs"), &mut files);
    assert!(files.len() > 50, "{} files", files.len());
    let mut with_problems = 0;
    let shown = |ps: &[Diagnostic]| {
        ps.iter()
            .map(crate::diag::Diagnostic::short)
            .collect::<Vec<_>>()
    };
    for path in files {
        // Read from disk as it is parsed (a file too big to keep): the same too.
        let (mut p3, mut t3) = (Vec::new(), Templates::new());
        let on_disk = load_on_disk(&path, &mut t3, &mut p3);
        let mut p0 = Vec::new();
        let Some(file) = read_source(&path, &mut p0) else {
            assert_eq!(shown(&p3), shown(&p0), "{}", path.display());
            continue;
        };
        let (mut p1, mut t1) = (Vec::new(), Templates::new());
        let streamed = load_source(&file, &mut t1, &mut p1);
        let (mut p2, mut t2) = (Vec::new(), Templates::new());
        let whole = parse_tree(&file, &mut p2).and_then(|t| build(&file, t, &mut t2, &mut p2));
        assert_eq!(shown(&p1), shown(&p2), "{}", path.display());
        // A file that is empty or only comments is named as such in memory only.
        if !file
            .text()
            .lines()
            .all(|l| l.trim().is_empty() || l.trim().starts_with('#'))
        {
            assert_eq!(shown(&p3), shown(&p1), "{}", path.display());
            assert_eq!(
                on_disk.as_ref().map(Collection::request_count),
                streamed.as_ref().map(Collection::request_count),
                "{}",
                path.display()
            );
        }
        let names = |c: &Option<Collection>| {
            c.as_ref().map(|c| {
                c.requests
                    .iter()
                    .map(|r| r.name.clone())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(names(&streamed), names(&whole), "{}", path.display());
        with_problems += usize::from(!p1.is_empty());
    }
    assert!(
        with_problems > 20,
        "only {with_problems} files had problems"
    );
}

/// A collection whose requests were checked and dropped reads them again, at run
/// time, exactly as they were: every example, request by request.
#[test]
fn requests_not_kept_are_read_again_as_they_were() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut files = Vec::new();
    yaml_files(&root.join("collections"), &mut files);
    for path in files {
        let file = read_source(&path, &mut Vec::new()).unwrap();
        let (mut p1, mut t1) = (Vec::new(), Templates::new());
        let Some(kept) = load_source(&file, &mut t1, &mut p1) else {
            continue;
        };
        let (mut p3, mut t3) = (Vec::new(), Templates::new());
        let on_disk = load_on_disk(&path, &mut t3, &mut p3).unwrap();
        assert!(on_disk.requests.is_empty() && on_disk.file.is_on_disk());
        assert_eq!(
            on_disk.deferred.len(),
            kept.requests.len(),
            "{}",
            path.display()
        );
        assert_eq!(on_disk.request_count(), kept.request_count());
        let from_disk: Vec<Request> = reread(&on_disk, &t3).map(Result::unwrap).collect();
        let seen = |r: &Request| {
            let texts: Vec<String> = r.templates().iter().map(|t| t.text.to_string()).collect();
            (
                r.name.clone(),
                r.method.clone(),
                // Byte offsets are known only when the text is in memory.
                (r.loc.line, r.loc.col),
                texts,
                r.expect.items.len(),
                r.capture.len(),
            )
        };
        let a: Vec<_> = kept.requests.iter().map(seen).collect();
        let b: Vec<_> = from_disk.iter().map(seen).collect();
        assert_eq!(a, b, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples");
}

/// Files loaded on several threads, each compiling with templates of its own: every
/// template renders with the templates the run ends up with, and problems come file
/// by file in the order given.
/// What runs from a file read again from disk is what was checked: a file edited
/// after the check stops at the first request that differs, before sending it.
#[test]
fn a_file_edited_after_its_check_runs_nothing_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    let request = |i: usize, url: &str| format!("  - name: r{i}\n    GET: {url}\n");
    let three: String = (1..=3)
        .map(|i| request(i, &format!("http://a/{i}")))
        .collect();
    std::fs::write(&path, format!("requests:\n{three}")).unwrap();
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_on_disk(&path, &mut templates, &mut problems).unwrap();
    assert_eq!(c.deferred.len(), 3);
    let run = |text: String| -> Vec<Result<String, String>> {
        std::fs::write(&path, text).unwrap();
        reread(&c, &templates)
            .map(|r| r.map(|r| r.name).map_err(|d| d.short()))
            .collect()
    };
    let ok = |n: &str| Ok::<String, String>(n.to_string());
    assert_eq!(
        run(format!("requests:\n{three}")),
        [ok("r1"), ok("r2"), ok("r3")]
    );
    // A changed URL, a comment (nothing the request reads: runs), a moved request.
    let edited = three.replace("http://a/2", "http://evil/2");
    let got = run(format!("requests:\n{edited}"));
    assert_eq!(got[..1], [ok("r1")]);
    assert_eq!(got.len(), 2, "{got:?}");
    let err = got[1].as_ref().unwrap_err();
    assert!(
        err.contains("c.yaml:4:") && err.contains("changed after it was checked"),
        "{err}"
    );
    assert_eq!(run(format!("requests:\n{three}# done\n")).len(), 3);
    assert!(run(format!("\nrequests:\n{three}"))[0].is_err());
    // Fewer requests, more requests, a file gone.
    let two: String = (1..=2)
        .map(|i| request(i, &format!("http://a/{i}")))
        .collect();
    let got = run(format!("requests:\n{two}"));
    assert_eq!(got.len(), 3);
    assert!(
        got[2].as_ref().is_err_and(|e| e.contains("changed")),
        "{got:?}"
    );
    let four = format!("{three}{}", request(4, "http://a/4"));
    let got = run(format!("requests:\n{four}"));
    assert_eq!(got.len(), 4);
    assert!(
        got[3].as_ref().is_err_and(|e| e.contains("changed")),
        "{got:?}"
    );
    std::fs::remove_file(&path).unwrap();
    let got: Vec<_> = reread(&c, &templates).map(|r| r.map(|_| ())).collect();
    assert_eq!(got.len(), 1);
    let err = got[0].as_ref().unwrap_err().short();
    assert!(err.contains("cannot read the file"), "{err}");
}

/// A file read from disk as it is parsed has no text in memory; a problem in it is
/// still shown with its line, read when it is shown.
#[test]
fn problems_in_a_file_on_disk_quote_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    std::fs::write(&path, "requests:\n  - GET: http://a/1\n    methd: 1\n").unwrap();
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
    let shown = problems[0].render(false);
    assert!(
        shown.contains("methd: 1") && shown.contains(":3:5"),
        "{shown}"
    );
    assert!(shown.contains("did you mean 'method'"), "{shown}");
    // Not UTF-8: the byte and line, as for a file read whole.
    std::fs::write(&path, b"requests:\n  - GET: http://a/\xff\n").unwrap();
    let mut problems = Vec::new();
    assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
    assert!(
        problems[0]
            .message
            .ends_with(":2: the file is not valid UTF-8 (byte 28)"),
        "{:?}",
        problems[0].message
    );
    // After a syntax error too (found by fuzzing): a file read whole is refused for
    // its bytes first.
    let text = format!("a: 1\n%YAML 1.2\n---\nb: 2\n# {}", "x".repeat(100));
    std::fs::write(&path, [text.as_bytes(), b"\xff\n"].concat()).unwrap();
    let mut problems = Vec::new();
    assert!(load_on_disk(&path, &mut templates, &mut problems).is_none());
    let mut whole = Vec::new();
    assert!(read_source(&path, &mut whole).is_none());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].short(), whole[0].short());
}

#[test]
fn files_loaded_in_parallel_render_with_the_run_s_templates() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..40 {
        let path = dir.path().join(format!("f{i:02}.yaml"));
        let extra = if i % 10 == 3 { "    methd: 1\n" } else { "" };
        std::fs::write(
            &path,
            format!("requests:\n  - GET: <<base>>/{i}/<<x | upper>>\n{extra}    headers: {{ n: '<<n + {i}>>' }}\n"),
        )
        .unwrap();
        paths.push(path);
    }
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_files(&paths, &mut templates, &mut problems, Keep::All);
    assert_eq!(c.len(), 36);
    let places: Vec<String> = problems
        .iter()
        .map(crate::diag::Diagnostic::short)
        .collect();
    assert_eq!(places.len(), 4, "{places:?}");
    for (k, i) in [3, 13, 23, 33].iter().enumerate() {
        assert!(places[k].contains(&format!("f{i:02}.yaml")), "{places:?}");
    }
    let mut scope = crate::template::Scope::default();
    scope.set("base", "http://h".into());
    scope.set("x", "ab".into());
    scope.set("n", 1.into());
    for (c, i) in c.iter().zip((0..40).filter(|i| i % 10 != 3)) {
        let r = &c.requests[0];
        assert_eq!(
            templates.render(&r.url, &scope).unwrap(),
            format!("http://h/{i}/AB")
        );
        assert_eq!(
            templates.render(&r.headers[0].1, &scope).unwrap(),
            (1 + i).to_string()
        );
    }
}

#[test]
fn a_run_keeps_the_requests_of_files_within_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.yaml");
    std::fs::write(
        &small,
        "requests:\n  - GET: http://a/1\n  - GET: http://a/2\n",
    )
    .unwrap();
    let big = dir.path().join("big.yaml");
    let padding = "x".repeat(1 << 20);
    std::fs::write(
        &big,
        format!("description: {padding}\nrequests:\n  - GET: http://a/1\n  - GET: http://a/2\n"),
    )
    .unwrap();
    let load = |path: &PathBuf, keep: Keep| {
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let c = load_files(
            std::slice::from_ref(path),
            &mut templates,
            &mut problems,
            keep,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let c = c.into_iter().next().unwrap();
        (c.requests.len(), c.deferred.len())
    };
    assert_eq!(load(&small, RUN_KEEPS), (2, 0));
    assert_eq!(load(&big, RUN_KEEPS), (0, 2));
    assert_eq!(load(&big, Keep::All), (2, 0));
    // Many files (loaded on every core): the budget goes to them in the order given.
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let paths = [small.clone(), big.clone(), small.clone()];
    let c = load_files(&paths, &mut templates, &mut problems, Keep::Within(1 << 20));
    let shape: Vec<(usize, usize)> = c
        .iter()
        .map(|c| (c.requests.len(), c.deferred.len()))
        .collect();
    assert_eq!(shape, [(2, 0), (0, 2), (2, 0)]);
    let c = load_files(&paths, &mut templates, &mut problems, Keep::Within(60));
    let shape: Vec<(usize, usize)> = c
        .iter()
        .map(|c| (c.requests.len(), c.deferred.len()))
        .collect();
    assert_eq!(shape, [(2, 0), (0, 2), (0, 2)]);
    // A file that does not load is reported the same either way.
    std::fs::write(
        &big,
        format!("description: {padding}\nrequests:\n  - GET: http://a/1\n    methd: 1\n"),
    )
    .unwrap();
    let (mut problems, mut templates) = (Vec::new(), Templates::new());
    let c = load_files(
        std::slice::from_ref(&big),
        &mut templates,
        &mut problems,
        RUN_KEEPS,
    );
    assert!(c.is_empty());
    assert!(problems[0].message.contains("methd"), "{problems:?}");
}
