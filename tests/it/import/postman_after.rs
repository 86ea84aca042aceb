//! Test scripts that send requests after the response (`pm.sendRequest`, chained through
//! callbacks, inside `pm.test` or not) and set variables only when a value is there
//! (`if (typeof x != "undefined")`): imported as requests after the request and optional
//! captures, which run against a local server as Postman would run the script.

use super::import_with;
use crate::support::{TestServer, redact};
use serde_json::json;

fn collection() -> String {
    let script = [
        "var host = pm.variables.get(\"baseUrl\");",
        "var jsonData = pm.response.json();",
        "if (typeof jsonData.query.key != \"undefined\") {",
        "    pm.environment.set(\"key\", jsonData.query.key);",
        "}",
        "if (typeof jsonData.query.missing !== 'undefined') {",
        "    pm.environment.set(\"missing\", jsonData.query.missing);",
        "}",
        "",
        "var limited = { url: host + '/status/200', method: 'GET' };",
        "pm.test(\"the second call is limited\", function () {",
        "    pm.sendRequest(limited, function (err, response) {",
        "        pm.expect(response.code).to.eql(200);",
        "        pm.sendRequest({ url: host + '/status/' + pm.variables.get(\"code\"), method: 'GET' }, function (err, response) {",
        "            pm.expect(response.code).to.eql(429);",
        "        });",
        "    });",
        "});",
        "// Clean up: the key is deleted.",
        "pm.sendRequest({",
        "    url: host + '/echo/keys/' + pm.environment.get(\"key\"),",
        "    method: 'DELETE',",
        "    header: 'x-admin: yes'",
        "}, (error, response) => { pm.expect(response.code).to.eq(200); });",
        "var id = pm.variables.replaceIn('{{$randomUUID}}');",
        "pm.sendRequest({ url: host + '/echo/' + id, method: 'PUT' }, function (err, res) { });",
        "pm.sendRequest({ url: host + '/echo/' + id, method: 'DELETE' }, function (err, res) { });",
    ];
    json!({
        "info": {
            "name": "After",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "variable": [
            { "key": "baseUrl", "value": "http://127.0.0.1:9" },
            { "key": "code", "value": "429" }
        ],
        "item": [
            {
                "name": "create key",
                "event": [{ "listen": "test", "script": { "exec": script } }],
                "request": { "method": "GET", "url": "{{baseUrl}}/echo?key=k1" }
            },
            {
                "name": "use key",
                "request": { "method": "GET", "url": "{{baseUrl}}/echo?used={{key}}" },
                "event": [{ "listen": "test", "script": { "exec": [
                    "pm.test('key', () => pm.expect(pm.response.json().query.used).to.eql('k1'));"
                ] } }]
            }
        ]
    })
    .to_string()
}

#[test]
fn calls_after_the_response_and_optional_captures_import() {
    let i = import_with("after.json", &[], &[("after.json", &collection())]);
    let text = format!(
        "--- stdout\n{}--- stderr\n{}=== after.yaml\n{}",
        redact(&i.out.stdout),
        redact(&i.out.stderr),
        i.file("after.yaml")
    );
    insta::assert_snapshot!("postman_after", text);
}

#[test]
fn calls_after_the_response_run_in_order_and_check_their_statuses() {
    let i = import_with("after.json", &[], &[("after.json", &collection())]);
    i.baton(&["check"]).run().code(0);
    let server = TestServer::start();
    let base = format!("baseUrl={}", server.url());
    // The request, its three calls (the last one's uuid is made once and sent twice in
    // Postman, so that call stays a comment), then the request reading the captured key.
    i.baton(&["run", "--no-progress", "--var", &base])
        .run()
        .code(0)
        .stdout_contains("6 passed, 0 failed");
    assert_eq!(server.hits("/status/200"), 1);
    assert_eq!(server.hits("/status/429"), 1);
    assert_eq!(server.hits("/echo/keys/k1"), 1);
    // The chained call's status is checked.
    i.baton(&["run", "--no-progress", "--var", &base, "--var", "code=500"])
        .run()
        .code(1)
        .stdout_contains("expectation failed: status");
}
