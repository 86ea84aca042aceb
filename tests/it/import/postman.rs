//! Postman bodies, variables, scripts, folders and odd or hostile files: each import is
//! checked, and run where it can (the test server's `/echo` answers with what it received,
//! so the collection's own converted tests say whether the request went out as in Postman).

use super::{fixture, import};
use crate::support::{Baton, TestServer};

/// `baton run OUT --var baseUrl=… --no-progress` against a fresh test server.
fn run_on_echo(i: &super::Imported, env: &[(&str, &str)]) -> crate::support::Output {
    let server = TestServer::start();
    let mut b = i
        .baton(&["run", "--no-progress", "--var"])
        .arg(format!("baseUrl={}", server.url()))
        .arg("--var")
        .arg(format!("port={}", server.addr().port()));
    for (k, v) in env {
        b = b.env(k, v);
    }
    b.run()
}

#[test]
fn every_body_mode_is_sent_as_postman_sends_it() {
    let i = import("bodies.postman_collection.json", &[]);
    std::fs::copy(fixture("upload.txt"), i.path().join("upload.txt")).unwrap();
    std::fs::copy(fixture("payload.json"), i.path().join("payload.json")).unwrap();
    let f = i.file("bodies.yaml");
    for line in [
        "    form: { grant_type: password, scope: [a, b c] }\n",
        "    POST: <<baseUrl>>/echo?q=a%20b\n",
        "      count: <<count>>\n",
        "      text: \"{\\\"count\\\": <<count>>, \\\"name\\\": \\\"<<name>>\\\"}\"\n",
        "      content_type: application/xml\n",
        "      cat << '<<' >>EOF\n",
        "      attachment: { file: upload.txt }\n",
        "      variables: { id: <<count>> }\n",
        "    file: payload.json\n",
        "    GET: <<baseUrl>>/<<resource>>\n",
        "    GET: <<baseUrl>>/<<echoPath>>\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    assert!(
        !f.contains("X-Debug:") && !f.contains("debug=1") && !f.contains("multipart/form-data"),
        "{f}"
    );
    i.baton(&["check", "--var", "baseUrl=http://x"])
        .run()
        .code(0);
    run_on_echo(&i, &[])
        .code(0)
        .stdout_contains("10 passed, 0 failed");
}

#[test]
fn test_scripts_become_captures_and_expectations_and_the_rest_is_reported() {
    let i = import("scripts.postman_collection.json", &[]);
    i.out
        .stdout_contains("5 captures, 19 expectations")
        .stdout_contains("renamed variable `access-token` → `access_token`")
        .stderr_contains("request 'Discovery': test script, lines 24-29: not converted: `if (jsonData.issuer) {` …")
        .stderr_contains("request 'Sign in': pre-request script, line 1: not converted")
        .stderr_contains("request 'Sign in': test script, lines 12-13: not converted");
    let f = i.file("test-scripts.yaml");
    for line in [
        "        content-type: { exists: true, contains: json }\n",
        "        $.grant_types_supported:\n          type: array\n          length: { gt: 1 }\n          contains: password\n",
        "        $.token_endpoint: { matches: \\/connect\\/token$ }\n",
        "        $.not_there: { exists: false }\n",
        "        $.issuer: { ne: https://evil.example }\n",
        "      duration_ms: { lt: 5000 }\n",
        "      first_grant: $.grant_types_supported[0]\n",
        "      content_type: { header: content-type }\n",
        "        $.expires_in: { type: number, ge: 60 }\n",
        "    capture: { access_token: $.access_token, refresh_token: $.refresh_token }\n",
        "    auth: { bearer: <<access_token>> }\n",
        "  #   25: pm.environment.set(\"conditional\", jsonData.issuer);\n",
        "  #   13: var decoded = JSON.parse(atob(body.id_token.split('.')[1]));\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    assert!(
        !f.contains("conditional:"),
        "a capture inside `if` is conditional: not converted\n{f}"
    );
    // The script's `pm.sendRequest` to the token endpoint (a GET it refuses) is sent after
    // Discovery, and fails nothing, as in Postman, where its callback only logs.
    i.baton(&["run", "--sandbox", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("/connect/token 405")
        .stdout_contains("4 passed, 0 failed");
}

#[test]
fn variable_names_that_are_not_identifiers_are_reached_or_renamed() {
    let i = import("variables.postman_collection.json", &[]);
    i.out
        .stderr_contains("`{{$randomInt}}` has no baton equivalent");
    let f = i.file("variable-names.yaml");
    for line in [
        "  base-url: <<baseUrl>>/echo\n",
        "  # Where the API lives.\n",
        "  user_name: alice smith\n",
        "  in_var: reserved-word\n",
        "  client_secret: <<env.CLIENT_SECRET>>\n",
        "    POST: <<vars['base-url']>>\n",
        "      X-Id: <<uuid()>>\n",
        "      text: user=<<user_name>> at <<timestamp()>>\n",
        "    capture: { echoed_path: $.path }\n",
        "    headers: { X-Prev: <<echoed_path>> }\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    assert!(
        !f.contains("unused") && !f.contains("collection-literal-s3cr3t:"),
        "{f}"
    );
    assert!(
        !f.contains("client_secret: collection-literal-s3cr3t"),
        "{f}"
    );
    run_on_echo(&i, &[("CLIENT_SECRET", "collection-literal-s3cr3t")])
        .code(0)
        .stdout_contains("2 passed, 0 failed");
}

#[test]
fn nested_folders_inherit_auth_variables_and_folder_tests() {
    let i = import("nested.postman_collection.json", &[]);
    i.out
        .stdout_contains("2-a/2-b/2-c.yaml")
        .stderr_contains("folder 'Nested folders / A': this test script captures `m`: not applied to each request")
        .stderr_contains("folder 'Nested folders / A': requests before and after a subfolder are written together");
    let b = i.file("2-a/2-b/1-b.yaml");
    assert!(
        b.contains("vars: { tok: folder-b-token }") && b.contains("auth: { bearer: <<tok>> }"),
        "{b}"
    );
    assert!(
        b.contains("status: 200") && b.contains("$.method: { type: string }"),
        "collection and folder tests apply:\n{b}"
    );
    assert!(!i.file("2-a/2-b/2-c.yaml").contains("auth:"), "noauth on C");
    assert!(
        i.file("2-a/1-a.yaml")
            .contains("# Folder A inherits the collection's Basic auth.")
    );
    run_on_echo(&i, &[("USER_PASSWORD", "p")])
        .code(0)
        .stdout_contains("6 passed, 0 failed");
}

#[test]
fn auth_types_and_literal_secrets() {
    let i = import("auth-types.postman_collection.json", &[]);
    let f = i.file("auth-types.yaml");
    for line in [
        "X-API-Key: <<apiKey>>",
        "query: { api_key: <<env.API_KEY>> }",
        "auth: { bearer: <<env.TOKEN>> }",
        "auth: { basic: [bob, <<env.PASSWORD>>] }",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    for secret in [
        "literal-query-key-77",
        "literal-bearer-token-88",
        "literal-password-99",
    ] {
        assert!(!f.contains(secret), "{secret} written:\n{f}");
    }
    let env = [
        ("API_KEY", "literal-query-key-77"),
        ("TOKEN", "literal-bearer-token-88"),
        ("PASSWORD", "literal-password-99"),
    ];
    let server = TestServer::start();
    let mut b = i
        .baton(&["run", "--no-progress", "--var", "apiKey=var-key", "--var"])
        .arg(format!("baseUrl={}", server.url()));
    for (k, v) in env {
        b = b.env(k, v);
    }
    b.run().code(0).stdout_contains("5 passed, 0 failed");
    let kept = import("auth-types.postman_collection.json", &["--keep-secrets"]);
    assert!(
        kept.file("auth-types.yaml")
            .contains("auth: { bearer: literal-bearer-token-88 }")
    );
}

#[test]
fn odd_shapes_import_with_warnings_and_check() {
    let i = import("odd.postman_collection.json", &[]);
    i.out
        .stderr_contains("the URL has no scheme: http:// is assumed")
        .stderr_contains("body mode `carrier-pigeon` is not known")
        .stderr_contains("the raw JSON body does not parse")
        .stderr_contains("the multipart field `f` has 2 files")
        .stderr_contains("the multipart file `g` has no file chosen");
    let f = i.file("odd-shapes.yaml");
    assert!(
        f.contains("  - name: GET http://127.0.0.1:<<port>>/echo\n")
            && f.contains("GET: http://localhost:<<port>>/echo"),
        "{f}"
    );
    assert!(
        !f.contains("201"),
        "a disabled script is not converted:\n{f}"
    );
    // Postman keeps the path a file was chosen from on its author's machine: the import
    // keeps it too, and check finds that a run could not read it (and nothing else).
    let out = i
        .baton(&["check", "--var", "baseUrl=http://x", "--var", "port=1"])
        .run();
    if std::path::Path::new("/tmp/a.txt").is_file() {
        out.code(0);
    } else {
        out.code(2)
            .stderr_contains("error: cannot read `/tmp/a.txt`: no such file or directory")
            .stderr_contains("1 error in");
    }
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let i = import("auth-code.postman_collection.json", &[]);
    let again = Baton::new()
        .args(["import", "postman"])
        .arg(fixture("auth-code.postman_collection.json"))
        .arg("-o")
        .arg(i.path())
        .run();
    again
        .code(2)
        .stderr_contains("already exist")
        .stderr_contains("--force");
    std::fs::write(i.path().join("authorization-code-no-pkce.yaml"), "mine").unwrap();
    let forced = Baton::new()
        .args(["import", "postman"])
        .arg(fixture("auth-code.postman_collection.json"))
        .arg("-o")
        .arg(i.path())
        .arg("--force")
        .run();
    forced.code(0);
    assert_ne!(i.file("authorization-code-no-pkce.yaml"), "mine");
}

#[test]
fn unusable_inputs_are_clear_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "{\"info\": {\"name\": 1,",
            "the collection is not valid JSON",
        ),
        (
            r#"{"id":"x","name":"v1","order":[],"requests":[]}"#,
            "format v1",
        ),
        (r#"{"values": []}"#, "the collection has no `info`"),
        ("[1, 2]", "not a JSON object"),
    ];
    for (text, message) in cases {
        Baton::new()
            .file("c.json", text)
            .args(["import", "postman", "c.json", "-o", "out"])
            .run()
            .code(2)
            .stderr_contains(message);
    }
    Baton::new()
        .file("c.json", r#"{"info":{"name":"x"},"item":[]}"#)
        .file("e.json", r#"{"info":{},"item":[]}"#)
        .args([
            "import", "postman", "c.json", "--env", "e.json", "-o", "out",
        ])
        .run()
        .code(2)
        .stderr_contains("--env was given a collection");
}

#[test]
fn hostile_shapes_never_panic() {
    let odd = [
        r#"{"info":{"name":["x"],"schema":7},"item":{"a":1}}"#,
        r#"{"info":{},"item":[null,1,"x",[],{"item":null},{"request":null},{"request":{"url":{"host":7,"path":{"x":1},"query":"q","variable":[1]},"header":{"a":1},"body":{"mode":"raw","raw":{"x":1}},"auth":{"type":"oauth2","oauth2":"x"}}}]}"#,
        r#"{"info":{},"item":[{"request":{"url":"{{","body":{"mode":"formdata","formdata":[{"key":"k","type":"file","src":{"a":1}}]},"auth":{"type":"oauth2","oauth2":[{"key":"grant_type","value":["x"]},{"key":"accessTokenUrl","value":null}]}},"event":[{"listen":"test","script":{"exec":["pm.test(\"x\", function () {","}}}}}}","pm.expect(pm.response.json()[\"\\u12\"]).to.eql(","pm.expect(jsonData.a).to.eql([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]);","{{{{<<<%#>>"]}}]}]}"#,
        r#"{"info":{},"item":[{"name":"🎉\u0000","request":{"method":"PO ST","url":":::","header":[{"key":"\n","value":"\r"}]}}]}"#,
    ];
    for text in odd {
        let out = Baton::new()
            .file("c.json", text)
            .args(["import", "postman", "c.json", "-o", "out"])
            .run();
        assert!(out.code == 0 || out.code == 2, "{text}\n{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let deep = format!(
        "{{\"info\":{{}},\"item\":[{}{}]}}",
        "{\"item\":[".repeat(200),
        "]}".repeat(200)
    );
    let out = Baton::new()
        .file("c.json", deep)
        .args(["import", "postman", "c.json", "-o", "out"])
        .run();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
