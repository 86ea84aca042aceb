//! Directory walks meet links: a link to `.` made a collection run 41 times (until the
//! kernel's limit of 40 links) and two such links hung the run. Each directory is walked
//! once and each file runs once however it is reached: given twice, under a directory
//! also given, or through a link.

use crate::support::{Baton, Output, TestServer};
use std::os::unix::fs::symlink;
use std::time::Duration;

/// Links to make, `(link, target)`.
type Links<'a> = &'a [(&'a str, &'a str)];

const ONE: &str = "requests:\n  - name: one\n    GET: <<base>>/echo\n";

/// `baton ARGS --var base=URL` in a tempdir holding `c/a.yaml`, after `links` (link, target)
/// are made; the server counts the requests.
fn run(server: &TestServer, links: &[(&str, &str)], args: &[&str]) -> Output {
    let b = Baton::new().file("c/a.yaml", ONE);
    for (link, target) in links {
        symlink(target, b.dir().join(link)).unwrap();
    }
    b.args(args)
        .arg("--var")
        .arg(format!("base={}", server.url()))
        .timeout(Duration::from_secs(30))
        .run()
}

#[test]
fn a_link_to_the_directory_itself_is_walked_once() {
    let server = TestServer::start();
    run(&server, &[("c/self", ".")], &["run", "c"])
        .code(0)
        .stdout_contains("1 file, 1 request")
        .stdout_contains("1 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 1);
}

#[test]
fn two_links_to_the_directory_end_and_run_it_once() {
    let server = TestServer::start();
    let out = run(
        &server,
        &[("c/l1", "."), ("c/l2", "."), ("c/sub", "."), ("c/up", "..")],
        &["run", "c"],
    );
    out.code(0).stdout_contains("1 passed, 0 failed");
    assert!(out.elapsed < Duration::from_secs(20), "{:?}", out.elapsed);
    assert_eq!(server.hits("/echo"), 1);
}

#[test]
fn a_file_given_twice_or_reached_twice_runs_once() {
    let cases: &[(Links, &[&str])] = &[
        (&[], &["run", "c/a.yaml", "c/a.yaml"]),
        (&[], &["run", "c", "c/a.yaml"]),
        (&[], &["run", "c/a.yaml", "c"]),
        (&[], &["run", "c", "c"]),
        (&[], &["run", ".", "c"]),
        (&[("c/b.yaml", "a.yaml")], &["run", "c"]),
        (&[("b.yaml", "c/a.yaml")], &["run", "b.yaml", "c"]),
        (&[("d", "c")], &["run", "c", "d"]),
        (&[("d", "c")], &["run", "d/a.yaml", "c/a.yaml"]),
    ];
    for (links, args) in cases {
        let server = TestServer::start();
        run(&server, links, args)
            .code(0)
            .stdout_contains("1 file, 1 request")
            .output_lacks("no collections");
        assert_eq!(server.hits("/echo"), 1, "{args:?} with {links:?}");
    }
}

#[test]
fn check_and_docs_walk_each_directory_once() {
    let server = TestServer::start();
    run(&server, &[("c/l1", "."), ("c/l2", ".")], &["check", "c"])
        .code(0)
        .stdout_contains("ok: 1 file, 1 request");
    let b = Baton::new().file(
        "docs/guide.md",
        "# Guide\n\n```baton\nGET: <<base>>/echo\n```\n",
    );
    symlink(".", b.dir().join("docs/l1")).unwrap();
    symlink(".", b.dir().join("docs/l2")).unwrap();
    symlink("guide.md", b.dir().join("docs/again.md")).unwrap();
    b.args(["docs", "check", "docs", "docs/guide.md", "--var"])
        .arg(format!("base={}", server.url()))
        .timeout(Duration::from_secs(30))
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 1);
}
