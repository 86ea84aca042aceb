//! Shapes of real exports the importer once got wrong: the Postman API's `{"collection": …}`
//! envelope, an OAuth 2.0 helper that only holds a token, a `resource` kept as an object, a
//! variable whose name says `token` but whose value is a path, and script line numbers
//! counted past blank lines. Each collection is written here, in the shape of the real one.

use super::import_with;
use crate::support::{Baton, TestServer};
use serde_json::{Value, json};

fn oauth2(params: &[(&str, Value)]) -> Value {
    let rows: Vec<Value> = params
        .iter()
        .map(|(k, v)| json!({ "key": k, "value": v, "type": "string" }))
        .collect();
    json!({ "type": "oauth2", "oauth2": rows })
}

fn item(name: &str, auth: Value, tests: &[&str]) -> Value {
    json!({
        "name": name,
        "event": [{ "listen": "test", "script": { "exec": tests } }],
        "request": {
            "method": "GET",
            "url": "{{baseUrl}}/echo",
            "header": [{ "key": "X-Api-Token", "value": "{{apiToken}}" }],
            "auth": auth,
        },
    })
}

const AUTHORIZATION: &str = "pm.expect(pm.response.json().headers.authorization)";

/// What the Postman API returns for `GET /collections/{id}`: the export inside an envelope.
fn enveloped() -> String {
    let collection = json!({
        "info": {
            "name": "Shapes",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "variable": [
            { "key": "authToken", "value": "tok-123" },
            { "key": "tokenPath", "value": "/connect/token" },
            { "key": "tokenHost", "value": "https://id.example.com" },
            { "key": "apiToken", "value": "9f8e7d6c5b4a39281706" }
        ],
        "item": [
            item("token only", oauth2(&[
                ("accessToken", json!("{{authToken}}")),
                ("addTokenTo", json!("header")),
            ]), &[&format!("{AUTHORIZATION}.to.eql('Bearer tok-123');")]),
            item("token with prefix", oauth2(&[
                ("accessToken", json!("{{authToken}}")),
                ("headerPrefix", json!("Token")),
            ]), &[&format!("{AUTHORIZATION}.to.eql('Token tok-123');")]),
            item("token in the query", oauth2(&[
                ("accessToken", json!("{{authToken}}")),
                ("addTokenTo", json!("queryParams")),
            ]), &["pm.expect(pm.response.json().query.access_token).to.eql('tok-123');"]),
            item("resource rows", oauth2(&[
                ("grant_type", json!("client_credentials")),
                ("accessTokenUrl", json!("{{tokenHost}}{{tokenPath}}")),
                ("clientId", json!("shapes")),
                ("resource", json!({ "9a7f6c14": "https://api.example.com", "0b1c2d3e": "https://other.example.com" })),
            ]), &[
                "pm.test(\"status\", function () {",
                "",
                "    pm.response.to.have.status(200);",
                "",
                "    var unknown = someHelper();",
                "});",
            ]),
        ],
    });
    json!({ "collection": collection }).to_string()
}

#[test]
fn the_postman_api_envelope_and_token_only_helpers_import_and_run() {
    let i = import_with("shapes.json", &[], &[("shapes.json", &enveloped())]);
    i.out.stdout_contains("imported 'Shapes' (Postman v2.1)");
    let file = i.file("shapes.yaml");
    for line in [
        // A helper with no token URL sends the token it holds, as Postman does.
        "  - name: token only\n    GET: <<baseUrl>>/echo\n    headers: { X-Api-Token: <<apiToken>> }\n    auth: { bearer: <<authToken>> }\n",
        "    headers: { X-Api-Token: <<apiToken>>, Authorization: Token <<authToken>> }\n",
        "    query: { access_token: <<authToken>> }\n",
        // The first of the helper's `resource` rows, not its JSON text.
        "      resource: https://api.example.com\n",
        // A path and a URL are not secrets, whatever their names say.
        "tokenPath: /connect/token",
        "tokenHost: https://id.example.com",
        "apiToken: <<env.API_TOKEN>>",
    ] {
        assert!(file.contains(line), "{line:?} not in\n{file}");
    }
    assert!(!file.contains("9a7f6c14"), "{file}");
    i.out
        .stderr_contains("the OAuth 2.0 helper has 2 `resource` values: baton sends the first, `https://api.example.com`")
        // Blank lines count: the line is the fifth of the script.
        .stderr_contains("test script, line 5: not converted: `var unknown = someHelper();`")
        .stdout_contains("  API_TOKEN   variable `apiToken` (its name says secret)");
    assert!(!i.out.stdout.contains("TOKEN_PATH"), "{}", i.out.stdout);

    let server = TestServer::start();
    i.baton(&["run", "--no-progress", "--var"])
        .arg(format!("baseUrl={}", server.url()))
        .args(["--skip", "resource rows", "--skip", "OAuth 2.0 token"])
        .env("API_TOKEN", "x")
        .env("AUTH_TOKEN", "tok-123")
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

/// `token` captured in the Login folder and read by Users (as Postman's one environment
/// allows), `late` read before the file that captures it.
fn across_files() -> String {
    let capture = |name: &str, query: &str| {
        json!({
            "name": name,
            "event": [{ "listen": "test", "script": { "exec": [
                format!("pm.environment.set('{query}', pm.response.json().query.v);")
            ] } }],
            "request": { "method": "GET", "url": "{{baseUrl}}/echo?v=abc-123" },
        })
    };
    json!({
        "info": {
            "name": "Across",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [
            { "name": "Login", "item": [capture("login", "token")] },
            { "name": "Users", "item": [{
                "name": "me",
                "event": [{ "listen": "test", "script": { "exec": [
                    "pm.expect(pm.response.json().headers.authorization).to.eql('Bearer abc-123');"
                ] } }],
                "request": {
                    "method": "GET",
                    "url": "{{baseUrl}}/echo",
                    "header": [
                        { "key": "Authorization", "value": "Bearer {{token}}" },
                        { "key": "X-Late", "value": "{{late}}" }
                    ]
                },
            }] },
            { "name": "Later", "item": [capture("later", "late")] }
        ]
    })
    .to_string()
}

/// `import_with` of a collection and an environment export (`--env` takes a path of its own).
fn import_with_env(collection: &str, env: &str) -> super::Imported {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("e.json");
    std::fs::write(&env_file, env).unwrap();
    import_with(
        "c.json",
        &["--env", env_file.to_str().unwrap()],
        &[("c.json", collection)],
    )
}

#[test]
fn a_capture_read_by_a_later_file_becomes_needs_and_export() {
    let env = json!({ "name": "local", "values": [
        { "key": "user", "value": "{{nobody}}", "enabled": true }
    ] })
    .to_string();
    let i = import_with_env(&across_files(), &env);
    let login = i.file("1-login.yaml");
    assert!(login.contains("name: Login\nexport: [token]\n"), "{login}");
    let users = i.file("2-users.yaml");
    assert!(
        users.contains(
            "name: Users\n# Captured by files Postman runs earlier: token from 1-login.yaml.\nneeds: [1-login.yaml]\n"
        ),
        "{users}"
    );
    assert!(!i.file("3-later.yaml").contains("export"));
    i.out
        .stderr_contains(
            "2-users.yaml: `late` is captured in 3-later.yaml, which runs after this file",
        )
        // What the environment reads counts too.
        .stderr_contains(
            "read but not defined by the collection or the environment: nobody, baseUrl, late;",
        );

    // The dependent file alone still signs in first: `needs:` brings the capture.
    let server = TestServer::start();
    Baton::new()
        .arg("run")
        .arg(i.path().join("2-users.yaml"))
        .args(["--no-progress", "--var", "late=x", "--var"])
        .arg(format!("baseUrl={}", server.url()))
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
}

#[test]
fn url_placeholders_and_empty_bases_are_named_with_the_undefined() {
    let collection = json!({
        "info": {
            "name": "Guide",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "variable": [{ "key": "BASE_URL", "value": "https://api.example.com" }],
        "item": [
            { "name": "patient", "request": {
                "method": "GET", "url": "https://<app-name>.example.net/Patient/<Id>?x=<<kept>>" } },
            { "name": "me", "request": { "method": "GET", "url": "{{BASE_URL}}/me" } },
            { "name": "blank", "request": { "method": "GET", "url": "about:blank" },
              "event": [{ "listen": "prerequest", "script": { "exec": [
                  "var consent = pm.variables.get('authServer') + '/consent';",
                  "console.log(consent);"
              ] } }] }
        ]
    })
    .to_string();
    // The environment's empty value wins over the collection's, as in Postman.
    let env = json!({ "name": "template", "values": [
        { "key": "BASE_URL", "value": "", "enabled": true }
    ] })
    .to_string();
    let i = import_with_env(&collection, &env);
    let file = i.file("guide.yaml");
    assert!(
        file.contains("GET: https://<<app_name>>.example.net/Patient/<<Id>>"),
        "{file}"
    );
    assert!(!file.contains("about:blank"), "{file}");
    // Its script is the user's still: a comment atop the file, counted as warned.
    assert!(
        file.contains(
            "# Postman pre-request script of 'blank', not converted:\n#   1: var consent"
        ),
        "{file}"
    );
    i.out
        .stdout_contains("pre-request 2 lines: 0 converted, 2 warned, 0 logging, 0 dropped");
    i.out
        .stderr_contains(
            "the URL holds the placeholder `<app-name>`: written as the variable <<app_name>>",
        )
        .stderr_contains(
            "a request to `about:blank` only runs its scripts in Postman: not imported",
        )
        .stderr_contains(
            "read but not defined by the collection or the environment: app_name, Id, BASE_URL;",
        );
    i.baton(&["check", "-e", "template"]).run().code(2);
    i.baton(&["check", "-e", "template"])
        .args([
            "--var",
            "app_name=a",
            "--var",
            "Id=1",
            "--var",
            "BASE_URL=http://x",
        ])
        .run()
        .code(0);
}
