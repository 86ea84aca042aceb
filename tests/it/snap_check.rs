//! Pins what `baton check` says: the one line of a clean check of the examples, the
//! problems of the examples run against an environment whose secrets are not set, and the
//! problems of a collection with one of each kind `check` finds before sending.

use crate::support::{Baton, examples};

/// The whole output is one line: `stdout_is` keeps it in the test, where it reads best.
#[test]
fn a_clean_check_of_every_example() {
    examples()
        .args(["check", "collections", "--sandbox"])
        .run()
        .code(0)
        .stderr_is("")
        .stdout_is("ok: 8 files, 31 requests, every variable defined\n");
}

/// The README's MediaValet example without its `MEDIAVALET_*` variables exported.
#[test]
fn problems_of_an_example_whose_environment_is_not_set() {
    let out = examples()
        .file(
            "environments/mediavalet.yaml",
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/environments/mediavalet.yaml"
            ))
            .unwrap(),
        )
        .args(["check", "collections/mediavalet", "-e", "mediavalet"])
        .run();
    out.code(2).stdout_is("");
    insta::assert_snapshot!(out.stderr_redacted());
}

/// One problem of each kind, in one file: every one is reported, each at its place.
const PROBLEMS: &str = r#"name: problems check finds
vars:
  a: <<b>>-x
  b: <<a>>-y
requests:
  - name: a cycle of variables
    GET: http://127.0.0.1:9/<<a>>
  - name: an unknown function and filter
    GET: http://127.0.0.1:9/<<nosuch()>>?q=<<ClientId | nosuchfilter>>
  - name: a URL that is no URL
    GET: not a url/<<ClientId>>
  - name: a header that cannot be sent
    GET: http://127.0.0.1:9/
    headers: { "bad header": x, x-ok: "line\nbreak" }
  - name: a body file that is not there
    POST: http://127.0.0.1:9/
    file: missing.bin
  - name: an undefined variable, and a near miss
    GET: http://127.0.0.1:9/<<clientid>>/<<nowhere>>
"#;

#[test]
fn problems_of_a_collection_with_one_of_each_kind() {
    let out = Baton::new()
        .file("c.yaml", PROBLEMS)
        .args(["check", "c.yaml", "--var", "ClientId=app"])
        .run();
    out.code(2).stdout_is("");
    insta::assert_snapshot!(out.stderr_redacted());
}
