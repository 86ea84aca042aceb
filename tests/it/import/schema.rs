//! The JSON Schemas in schema/ are what `baton schema` prints, and every collection and
//! environment of the repository (and every import) validates against them; the examples
//! carry the editor modeline; `baton completions` answers for each shell.

use crate::support::Baton;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// The compiled schema of `schema/NAME.schema.json`.
fn compile(name: &str) -> (boon::Schemas, boon::SchemaIndex) {
    let path = root().join(format!("schema/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let loc = format!("file:///{name}.schema.json");
    compiler.add_resource(&loc, value).unwrap();
    let index = compiler
        .compile(&loc, &mut schemas)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (schemas, index)
}

/// Every error of `file` against the schema (empty when it is valid).
fn violations(schema: &(boon::Schemas, boon::SchemaIndex), text: &str) -> String {
    let node = baton::parse_yaml(text).unwrap_or_else(|e| panic!("{}", e.message));
    let json = node.to_json();
    match schema.0.validate(&json, schema.1) {
        Ok(()) => String::new(),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn checked_in_schemas_are_what_baton_schema_prints() {
    for kind in ["collection", "environment"] {
        let printed = Baton::new().args(["schema", kind]).run();
        printed.code(0);
        let file =
            std::fs::read_to_string(root().join(format!("schema/{kind}.schema.json"))).unwrap();
        assert!(
            printed.stdout == file,
            "schema/{kind}.schema.json is out of date with the loader's keys: regenerate it with\n  cargo run -- schema {kind} > schema/{kind}.schema.json"
        );
    }
}

#[test]
fn every_example_validates_and_carries_the_modeline() {
    let collection = compile("collection");
    let mut files = Vec::new();
    yaml_files(&root().join("collections"), &mut files);
    assert!(files.len() >= 5);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let problems = violations(&collection, &text);
        assert!(problems.is_empty(), "{}: {problems}", f.display());
        let first = text.lines().next().unwrap_or_default();
        let rel = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: no modeline", f.display()));
        assert!(
            f.parent().unwrap().join(rel).is_file(),
            "{}: {rel} does not exist",
            f.display()
        );
    }
    let environment = compile("environment");
    let mut envs = Vec::new();
    yaml_files(&root().join("environments"), &mut envs);
    for f in &envs {
        let problems = violations(&environment, &std::fs::read_to_string(f).unwrap());
        assert!(problems.is_empty(), "{}: {problems}", f.display());
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let collection = compile("collection");
    for bad in [
        "requests:\n  - methd: POST\n    url: http://x\n",
        "requests:\n  - POST: http://x\n    form: { a: b }\n    json: { a: 1 }\n",
        "requests:\n  - name: t\n    oauth2: { grant: implicit, client_id: x }\n",
        "requests:\n  - GET: http://x\n    expect: { status: 200, bodyy: {} }\n",
        "requests:\n  - GET: http://x\n    capture: { bad-name: $.x }\n",
    ] {
        assert!(!violations(&collection, bad).is_empty(), "{bad}");
    }
    assert!(
        violations(
            &collection,
            "- GET: http://x\n  expect: { body: { $.a: { gt: 1 } } }\n"
        )
        .is_empty()
    );
}

#[test]
fn every_import_validates_against_the_schemas() {
    let collection = compile("collection");
    let environment = compile("environment");
    let env = super::fixture("sandbox.postman_environment.json");
    for fixture in [
        "mediavalet",
        "auth-code-pkce",
        "auth-code",
        "client-credentials-v20",
        "implicit",
        "scripts",
        "bodies",
        "variables",
        "nested",
        "auth-types",
        "odd",
    ] {
        let i = super::import(
            &format!("{fixture}.postman_collection.json"),
            &["--env", env.to_str().unwrap()],
        );
        for (name, text) in i.files().into_iter().filter(|(n, _)| n != "MIGRATION.md") {
            let schema = if name.starts_with("environments/") {
                &environment
            } else {
                &collection
            };
            let problems = violations(schema, &text);
            assert!(problems.is_empty(), "{fixture}: {name}: {problems}\n{text}");
        }
    }
}

/// Each shell's script registers baton; the commands themselves come from the binary as
/// the shell asks (`BATON_COMPLETE=SHELL baton -- WORDS…`), so they cannot fall behind it.
#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        (
            "bash",
            "complete -o nospace -o bashdefault -o nosort -F _clap_complete_baton baton",
        ),
        ("zsh", "#compdef baton"),
        ("fish", "complete --keep-order --exclusive --command baton"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName baton",
        ),
    ] {
        let out = Baton::new().args(["completions", shell]).run();
        out.code(0).stdout_contains(marker);
        let answer = Baton::new()
            .env("BATON_COMPLETE", shell)
            .env("_CLAP_COMPLETE_INDEX", "1")
            .args(["--", "baton", "imp"])
            .run();
        answer.code(0).stdout_contains("import");
    }
    Baton::new().args(["completions", "tcsh"]).run().code(2);
}
