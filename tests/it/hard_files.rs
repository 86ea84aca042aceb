//! Files baton reads. Those that are not regular files: `/dev/zero` (endless, its size
//! reads 0), a FIFO (whose `open` blocks until a writer comes) and a directory, given
//! wherever baton reads a file: each is refused at once with a message naming it (exit 2);
//! a file over the cap is refused with the cap in the message. A data file whose columns
//! collide is refused too. A huge line is read within a few times its size.

use crate::support::{Baton, Output};
use std::time::Duration;

const GET: &str = "requests:\n  - GET: http://127.0.0.1:9/\n";

/// What each special file is called in the message.
const ZERO: (&str, &str) = ("/dev/zero", "it is a character device, not a regular file");
const FIFO: (&str, &str) = ("fifo", "it is a FIFO (named pipe), not a regular file");
const DIR: (&str, &str) = ("dir", "it is a directory, not a file");

/// A tempdir with `fifo` (a named pipe nobody writes) and `dir` (a directory) beside the
/// given files.
fn with_specials(files: &[(&str, &str)]) -> Baton {
    let mut b = Baton::new().file("dir/keep", "");
    for (path, text) in files {
        b = b.file(path, text);
    }
    let made = std::process::Command::new("mkfifo")
        .arg(b.dir().join("fifo"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Before the fix a FIFO blocked forever: fail fast instead.
    b.timeout(Duration::from_secs(20))
}

/// Runs `args` once per special file (`{}` in them is replaced by its path) and checks
/// the refusal names the file and says what it is.
#[track_caller]
fn refused(files: &[(&str, &str)], args: &[&str], shown: impl Fn(&str) -> String) {
    refused_of(&[ZERO, FIFO, DIR], files, args, shown);
}

#[track_caller]
fn refused_of(
    specials: &[(&str, &str)],
    files: &[(&str, &str)],
    args: &[&str],
    shown: impl Fn(&str) -> String,
) {
    for &(path, why) in specials {
        let args: Vec<String> = args.iter().map(|a| a.replace("{}", path)).collect();
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.replace("{}", path)))
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (&**p, &**t)).collect();
        let out: Output = with_specials(&files).args(&args).run();
        out.code(2)
            .output_contains(&shown(path))
            .output_contains(why)
            .output_lacks("panicked");
    }
}

#[test]
fn a_collection_that_is_not_a_regular_file_is_refused() {
    for (path, why) in [ZERO, FIFO] {
        with_specials(&[])
            .args(["run", path])
            .run()
            .code(2)
            .stderr_contains(&format!("{path}: cannot read the file: {why}"));
        with_specials(&[])
            .args(["check", path])
            .run()
            .code(2)
            .stderr_contains(why);
    }
    // A FIFO named like a collection in a directory that is run.
    let out = with_specials(&[("c/a.yaml", GET)]);
    std::fs::rename(out.dir().join("fifo"), out.dir().join("c/b.yaml")).unwrap();
    out.args(["run", "c"])
        .run()
        .code(2)
        .stderr_contains("c/b.yaml: cannot read the file: it is a FIFO");
}

#[test]
fn a_data_file_that_is_not_a_regular_file_is_refused() {
    refused(
        &[("x.yaml", GET)],
        &["run", "x.yaml", "--data", "{}"],
        |p| format!("{p}: cannot read the data file: "),
    );
}

#[test]
fn an_environment_that_is_not_a_regular_file_is_refused() {
    // `-e dir` names an environment (environments/dir.yaml), not the directory `dir`.
    refused_of(
        &[ZERO, FIFO],
        &[("x.yaml", GET)],
        &["run", "x.yaml", "-e", "{}"],
        |p| format!("{p}: cannot read the file: "),
    );
    // Found by name, too.
    with_specials(&[("x.yaml", GET), ("environments/dev.yaml/keep", "")])
        .args(["run", "x.yaml", "-e", "dev"])
        .run()
        .code(2)
        .stderr_contains("environments/dev.yaml: cannot read the file: it is a directory");
}

#[test]
fn a_dotenv_that_is_not_a_regular_file_is_refused_and_a_dotenv_directory_ignored() {
    for (target, why) in [ZERO, FIFO] {
        let b = with_specials(&[("x.yaml", GET)]);
        let target = if target.starts_with('/') {
            target.into()
        } else {
            b.dir().join(target)
        };
        std::os::unix::fs::symlink(target, b.dir().join(".env")).unwrap();
        b.args(["run", "x.yaml"])
            .run()
            .code(2)
            .stderr_contains(&format!(".env: cannot read the file: {why}"));
    }
    // A Python virtualenv is often called `.env`: it is not a dotenv file.
    with_specials(&[("x.yaml", GET), (".env/bin/python", "")])
        .args(["run", "x.yaml", "--timeout", "2s"])
        .run()
        .code(3)
        .output_lacks(".env");
}

#[test]
fn report_merge_inputs_that_are_not_regular_files_are_refused() {
    refused(&[], &["report", "merge", "{}"], |p| {
        format!("{p}: cannot read: ")
    });
}

#[test]
fn postman_inputs_that_are_not_regular_files_are_refused() {
    refused(&[], &["import", "postman", "{}", "-o", "out"], |p| {
        format!("cannot read the collection {p}: ")
    });
    let collection = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/postman/auth-code.postman_collection.json"),
    )
    .unwrap();
    refused(
        &[("c.json", &collection)],
        &["import", "postman", "c.json", "--env", "{}", "-o", "out"],
        |p| format!("{p}: "),
    );
}

#[test]
fn request_body_files_that_are_not_regular_files_are_refused_where_they_are_named() {
    let file = "requests:\n  - POST: http://127.0.0.1:9/\n    file: {}\n";
    refused(&[("x.yaml", file)], &["run", "x.yaml"], |p| {
        format!("cannot read `{p}`: ")
    });
    let multipart =
        "requests:\n  - POST: http://127.0.0.1:9/\n    multipart:\n      f: { file: {} }\n";
    refused(&[("x.yaml", multipart)], &["run", "x.yaml"], |p| {
        format!("cannot read `{p}`: ")
    });
}

#[test]
fn certificates_and_the_sandbox_configuration_are_read_the_same_way() {
    refused(
        &[("x.yaml", GET)],
        &["run", "x.yaml", "--cacert", "{}"],
        |p| format!("cannot read --cacert {p}: "),
    );
    refused(&[], &["sandbox", "--config", "{}"], |p| {
        format!("cannot read sandbox config {p}: ")
    });
}

/// A guide directory holding a FIFO named like a guide: the walk does not block on it.
#[test]
fn docs_discovery_skips_what_it_cannot_read() {
    let b = with_specials(&[(
        "docs/b.md",
        "# G\n\n```baton\nGET: http://127.0.0.1:9/\n```\n",
    )]);
    std::fs::rename(b.dir().join("fifo"), b.dir().join("docs/a.md")).unwrap();
    b.args(["docs", "check", "docs", "--timeout", "2s"])
        .run()
        .code(3)
        .stdout_contains("docs/b.md");
}

/// A regular file larger than the cap (sparse: it takes no room) is refused before a
/// byte of it is read, and the message states the cap.
#[test]
fn a_file_over_the_cap_is_refused_with_the_cap_in_the_message() {
    let b = with_specials(&[("x.yaml", GET)]);
    let big = std::fs::File::create(b.dir().join("big.csv")).unwrap();
    big.set_len(65 << 20).unwrap();
    b.args(["run", "x.yaml", "--data", "big.csv"])
        .run()
        .code(2)
        .stderr_contains(
            "big.csv: cannot read the data file: it is larger than 64 MiB, the most baton reads from it",
        );
    let b = with_specials(&[]);
    let big = std::fs::File::create(b.dir().join("big.yaml")).unwrap();
    big.set_len(257 << 20).unwrap();
    b.args(["run", "big.yaml"])
        .run()
        .code(2)
        .stderr_contains("big.yaml: cannot read the file: it is larger than 256 MiB");
}

/// A data file whose header names a column twice: the second column silently won (the
/// request went out with it); it is refused, naming the column and the file.
#[test]
fn a_csv_with_a_column_named_twice_is_refused_before_sending() {
    let server = crate::support::TestServer::start();
    Baton::new()
        .file("x.yaml", "requests:\n  - GET: <<base>>/echo?u=<<user>>\n")
        .file("rows.csv", "user,password, user\nalice,a,bob\n")
        .args(["run", "x.yaml", "--data", "rows.csv", "--var"])
        .arg(format!("base={}", server.url()))
        .run()
        .code(2)
        .stderr_contains("rows.csv:1: the column `user` appears twice (columns 1 and 3)");
    assert_eq!(server.total_hits(), 0);
}

// --- A huge line under a memory cap: a 24 MB YAML key (one line) is loaded, checked and
// reported with its error in a few times its size. The cap is the process's address space
// (`ulimit -v`), not a timing: before, the error alone took 26 times the key's size
// (annotate-snippets rendering it whole) and the process aborted under this cap.

/// The address space baton may use: its code, the runtime, and a few times the file.
const CAP_KB: u64 = 400 * 1024;
const KEY_BYTES: usize = 24 << 20;

/// `baton ARGS` in `b`'s tempdir, with its address space capped at `CAP_KB`.
fn capped(b: Baton, args: &str) -> Output {
    b.program("bash")
        .args([
            "-c",
            &format!("ulimit -v {CAP_KB} && exec \"$0\" {args}"),
            env!("CARGO_BIN_EXE_baton"),
        ])
        .run()
}

#[test]
fn an_unknown_key_of_24_mb_is_reported_within_the_cap() {
    let key = "k".repeat(KEY_BYTES);
    let yaml = format!("? {key}\n: 1\nrequests:\n  - GET: http://127.0.0.1:9/\n");
    for command in ["check", "run"] {
        let out = capped(
            Baton::new().file("big.yaml", &yaml),
            &format!("{command} big.yaml"),
        );
        out.code(2)
            .stderr_contains("big.yaml:1:3")
            .stderr_contains("unknown key 'kkkk")
            .stderr_contains("characters]…kkkk")
            .output_lacks("memory allocation");
        // What is printed is bounded too.
        assert!(out.stderr.len() < 4096, "{} bytes", out.stderr.len());
    }
}

#[test]
fn a_valid_24_mb_key_and_value_load_within_the_cap() {
    let big = "v".repeat(KEY_BYTES);
    let yaml = format!(
        "vars:\n  ? {big}\n  : 1\n  value: {big}\nrequests:\n  - GET: http://127.0.0.1:9/\n"
    );
    capped(Baton::new().file("big.yaml", &yaml), "check big.yaml")
        .code(0)
        .stdout_contains("ok: 1 file, 1 request");
}
