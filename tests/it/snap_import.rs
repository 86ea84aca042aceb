//! Pins what the importers write: for each Postman fixture of `tests/fixtures/postman/`,
//! the summary, the warnings and every YAML file written; for a set of curl commands, the
//! request each becomes and what is said about it.

use std::path::{Path, PathBuf};

use crate::support::{Baton, Output, redact};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman")
        .join(name)
}

/// Every file under `dir`, relative, in name order.
fn files(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, root, out);
        } else {
            out.push(path.strip_prefix(root).unwrap().to_owned());
        }
    }
}

/// The console of an import, then each file it wrote under `out/`, under its path.
fn transcript(out: &Output) -> String {
    let mut text = format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.code,
        redact(&out.stdout),
        redact(&out.stderr)
    );
    let root = out.path("out");
    let mut written = Vec::new();
    if root.exists() {
        files(&root, &root, &mut written);
    }
    for file in written {
        text.push_str(&format!(
            "=== out/{}\n{}",
            file.display(),
            out.file_redacted(Path::new("out").join(&file))
        ));
    }
    text
}

/// The fixtures that are collections, and the environment imported beside them (if any).
const POSTMAN: &[(&str, Option<&str>)] = &[
    ("auth-code-pkce", Some("sandbox.postman_environment.json")),
    ("auth-code", None),
    ("auth-types", None),
    ("bodies", None),
    ("client-credentials-v20", None),
    ("implicit", None),
    ("mediavalet", None),
    ("nested", None),
    ("oauth1", None),
    ("odd", None),
    ("prerequest-token", Some("sandbox.postman_environment.json")),
    ("prerequest-vars", None),
    ("scripts", None),
    ("variables", Some("sandbox.postman_environment.json")),
];

#[test]
fn yaml_imported_from_each_postman_fixture() {
    for (name, env) in POSTMAN {
        let collection = fixture(&format!("{name}.postman_collection.json"));
        let mut baton = Baton::new()
            .args(["import", "postman"])
            .arg(&collection)
            .args(["-o", "out"]);
        if let Some(env) = env {
            baton = baton.arg("--env").arg(fixture(env));
        }
        let out = baton.run();
        // The fixtures sit in the repository: their paths print as `[REPO]/...`.
        insta::assert_snapshot!(format!("postman_{name}"), transcript(&out));
    }
}

/// Curl commands as guides and browsers' "copy as cURL" write them: methods, headers,
/// bodies of each kind, credentials (moved to `<<env.NAME>>`), and options baton has no
/// equivalent for.
const CURL: &[&str] = &[
    "curl https://api.example.com/users",
    "curl -X POST https://auth.example.com/oauth/token -u my-client:s3cr3t -d grant_type=client_credentials -d scope=api",
    "curl -H 'Authorization: Bearer abc.def.ghi' -H 'Accept: application/json' 'https://api.example.com/me?fields=a,b'",
    "curl --request PUT https://api.example.com/items/1 --header 'Content-Type: application/json' --data-raw '{\"name\":\"x\",\"tags\":[1,2]}'",
    "curl https://api.example.com/upload -F name=report -F file=@report.pdf",
    "curl --json '{\"a\":1}' https://api.example.com/things",
    "curl -L --compressed -k https://api.example.com/redirects",
    "curl -X DELETE 'https://api.example.com/items/1' --cookie 'session=abc123'",
    "curl https://api.example.com/token -d 'grant_type=password&username=alice&password=hunter2&client_id=app'",
    // curl sends one Authorization header, the -H one: -u is left out.
    "curl -u my-client:s3cr3t -H 'Authorization: Bearer abc.def.ghi' https://api.example.com/me",
    // Options not converted are left out with their values: known ones by curl's table,
    // unknown ones by the rule of `curl_flags::unknown_takes`.
    "curl --proxy-user u:p --frobnicate x --retry 3 https://api.example.com/items -U a:b",
    "curl --frobnicate https://api.example.com/items --new-switch",
    "curl --frobnicate api.example.com",
];

#[test]
fn yaml_imported_from_curl_commands() {
    let mut text = String::new();
    for command in CURL {
        let out = Baton::new().args(["import", "curl", command]).run();
        text.push_str(&format!(
            "### {command}\nexit {}\n--- stdout\n{}--- stderr\n{}\n",
            out.code,
            out.stdout_redacted(),
            out.stderr_redacted()
        ));
    }
    insta::assert_snapshot!(text);
}
