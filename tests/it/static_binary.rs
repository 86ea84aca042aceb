//! The static binary of `scripts/build-static.sh` (glibc linked in, debug profile; `.ci/run`
//! builds it before the tests) runs in an empty root: a chroot holding only the binary,
//! `/etc/hosts` and `/etc/resolv.conf`. Names resolve without NSS modules (reqwest's hickory
//! resolver reads both files), and randomness needs no `/dev/urandom`.

use crate::support::{Baton, TestServer};
use std::path::PathBuf;
use std::process::Command;

/// Where `scripts/build-static.sh` (no `--release`) leaves the binary.
fn static_baton() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let path = target.join("x86_64-unknown-linux-gnu/debug/baton");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing under CI: .ci/run builds it with scripts/build-static.sh before the tests",
        path.display()
    );
    eprintln!(
        "skipped: {} is missing: build it with `scripts/build-static.sh`",
        path.display()
    );
    None
}

/// chroot needs root (CI runs as root); elsewhere the test says why it skips.
fn root_user() -> bool {
    let id = Command::new("id").arg("-u").output().expect("run id -u");
    if String::from_utf8_lossy(&id.stdout).trim() == "0" {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the empty-root test needs root (chroot) under CI"
    );
    eprintln!("skipped: chroot needs root");
    false
}

#[test]
fn ldd_finds_no_dynamic_loader_in_the_static_binary() {
    let Some(binary) = static_baton() else { return };
    let out = Command::new("ldd").arg(&binary).output().expect("run ldd");
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not a dynamic executable"),
        "ldd {}: {said}",
        binary.display()
    );
    // The test would prove nothing if ldd said so of every file: the test binary is dynamic.
    let this = Command::new("ldd")
        .arg(std::env::current_exe().unwrap())
        .output()
        .expect("run ldd");
    assert!(String::from_utf8_lossy(&this.stdout).contains("libc.so"));
}

#[test]
fn the_static_binary_runs_in_an_empty_root_and_resolves_names_from_its_files() {
    let Some(binary) = static_baton() else { return };
    if !root_user() {
        return;
    }
    let server = TestServer::start();
    let port = server.addr().port();
    let collection = format!(
        "name: empty root\nrequests:\n  - name: by hosts file\n    GET: http://api.baton.test:{port}/text\n    expect:\n      body: {{ contains: hello world }}\n  - name: localhost\n    GET: http://localhost:{port}/status/204\n  - name: random state\n    GET: http://127.0.0.1:{port}/echo\n    query: {{ id: <<uuid()>> }}\n"
    );
    // The tempdir is the root: nothing but these files (and the HOME the runner makes).
    let root = Baton::new()
        .file(
            "etc/hosts",
            "127.0.0.1 localhost\n127.0.0.1 api.baton.test\n",
        )
        // A name server that does not exist: only /etc/hosts answers.
        .file(
            "etc/resolv.conf",
            "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
        )
        .file("coll.yaml", collection)
        .file(
            "unknown.yaml",
            format!("name: unknown\nrequests:\n  - GET: http://nowhere.baton.test:{port}/\n"),
        );
    std::fs::copy(&binary, root.dir().join("baton")).expect("copy the static binary");
    let dir = root.dir().to_owned();
    let run = |file: &str| {
        Baton::new()
            .program("chroot")
            .arg(&dir)
            .args(["/baton", "run", file])
            .env("HOME", "/")
            .run()
    };
    let out = run("/coll.yaml");
    out.code(0).stdout_contains("3 passed, 0 failed");
    assert_eq!(server.hits("/text"), 1);
    assert_eq!(server.hits("/status/204"), 1);
    assert_eq!(server.hits("/echo"), 1);
    // A name in neither file is a request that could not be made (3), said so, not a crash.
    let unknown = run("/unknown.yaml");
    unknown
        .code(3)
        .stdout_contains("cannot resolve host of http://nowhere.baton.test:");
}
