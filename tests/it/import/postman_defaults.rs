//! What goes to a file's `defaults:` on import: the collection's and a folder's auth once per
//! file instead of on each request, Postman's redirect default (it follows them; baton does
//! not unless told), a request that turns redirects off, and a `noauth` request, which
//! `defaults:` cannot leave out, so its file keeps the auth on each request that sends it.

use super::import_with;
use crate::support::TestServer;
use serde_json::{Value, json};

/// A request item of `method url` whose Postman test script is `tests`.
fn item(name: &str, url: &str, tests: &[&str], more: &Value) -> Value {
    let mut request = json!({ "method": "GET", "url": format!("{{{{baseUrl}}}}{url}") });
    let mut item = json!({
        "name": name,
        "event": [{ "listen": "test", "script": { "exec": tests } }],
    });
    for (k, v) in more.as_object().unwrap() {
        match k.as_str() {
            "auth" => request["auth"] = v.clone(),
            _ => item[k] = v.clone(),
        }
    }
    item["request"] = request;
    item
}

fn bearer(token: &str) -> Value {
    json!({ "type": "bearer", "bearer": [{ "key": "token", "value": token }] })
}

const AUTHORIZATION: &str = "pm.expect(pm.response.json().headers.authorization)";

fn collection() -> String {
    let none = json!({});
    let expect_auth = |v: &str| format!("{AUTHORIZATION}.to.eql('{v}');");
    json!({
        "info": {
            "name": "Defaults",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "auth": bearer("{{tok}}"),
        "variable": [
            { "key": "tok", "value": "collection-token" },
            { "key": "other", "value": "own-token" },
            { "key": "word", "value": "open-sesame" }
        ],
        "item": [
            item("follows", "/redirect?to=/echo", &[
                "pm.test('followed', function () { pm.response.to.have.status(200); });",
                "pm.expect(pm.response.json().path).to.eql('/echo');",
            ], &none),
            item("stays", "/redirect?to=/echo", &[
                "pm.test('not followed', function () { pm.response.to.have.status(302); });",
            ], &json!({ "protocolProfileBehavior": { "followRedirects": false } })),
            item("collection auth", "/echo", &[&expect_auth("Bearer collection-token")], &none),
            {
                "name": "Admin",
                "auth": {
                    "type": "basic",
                    "basic": [
                        { "key": "username", "value": "admin" },
                        { "key": "password", "value": "{{word}}" }
                    ]
                },
                "item": [
                    item("as admin", "/echo", &[&expect_auth("Basic YWRtaW46b3Blbi1zZXNhbWU=")], &none),
                    item("own bearer", "/echo", &[&expect_auth("Bearer own-token")],
                        &json!({ "auth": bearer("{{other}}") })),
                ]
            },
            {
                "name": "Public",
                "item": [
                    item("inherits", "/echo", &[&expect_auth("Bearer collection-token")], &none),
                    item("anonymous", "/echo", &[&format!("{AUTHORIZATION}.to.not.exist;")],
                        &json!({ "auth": { "type": "noauth" } })),
                ]
            }
        ]
    })
    .to_string()
}

#[test]
fn collection_and_folder_auth_and_the_redirect_default_go_to_defaults() {
    let text = collection();
    let i = import_with("defaults.json", &[], &[("defaults.json", &text)]);
    i.out.stderr_contains(
        "3-public.yaml: the auth of 'Defaults' is written on each request that uses it, not once in `defaults:`: request 'anonymous' sends no auth",
    );

    // The collection's auth and the redirect default once; the request that turns
    // redirects off says so.
    let root = i.file("1-defaults.yaml");
    for line in [
        "defaults:\n  auth: { bearer: <<tok>> }\n  follow_redirects: true\nrequests:\n",
        "  - name: stays\n    GET: <<baseUrl>>/redirect\n    query: { to: /echo }\n    follow_redirects: false\n",
    ] {
        assert!(root.contains(line), "{line:?} not in\n{root}");
    }
    assert_eq!(root.matches("auth:").count(), 1, "{root}");

    // The folder's own auth is its file's default; a request with another keeps its own.
    let admin = i.file("2-admin.yaml");
    for line in [
        "defaults:\n  auth: { basic: [admin, <<word>>] }\n  follow_redirects: true\n",
        "  - name: own bearer\n    GET: <<baseUrl>>/echo\n    auth: { bearer: <<other>> }\n",
    ] {
        assert!(admin.contains(line), "{line:?} not in\n{admin}");
    }
    assert_eq!(admin.matches("auth:").count(), 2, "{admin}");

    // `noauth` cannot be said against a default auth: the auth stays on the request.
    let public = i.file("3-public.yaml");
    for line in [
        "defaults: { follow_redirects: true }\n",
        "  - name: inherits\n    GET: <<baseUrl>>/echo\n    auth: { bearer: <<tok>> }\n",
    ] {
        assert!(public.contains(line), "{line:?} not in\n{public}");
    }
    assert_eq!(public.matches("auth:").count(), 1, "{public}");

    i.baton(&["check", "--var", "baseUrl=http://x"])
        .run()
        .code(0);
    // The echo server answers with the headers it got: each request's converted test says
    // which Authorization it must have sent, and the redirect ones which status they saw.
    let server = TestServer::start();
    i.baton(&["run", "--no-progress", "--var"])
        .arg(format!("baseUrl={}", server.url()))
        .run()
        .code(0)
        .stdout_contains("7 passed, 0 failed");
}

#[test]
fn a_collection_that_turns_redirects_off_writes_that_default() {
    let mut c: Value = serde_json::from_str(&collection()).unwrap();
    c["protocolProfileBehavior"] = json!({ "followRedirects": false });
    // The request that turned them off says nothing now; one that turns them on does.
    c["item"][1]["protocolProfileBehavior"] = json!({ "followRedirects": true });
    let text = c.to_string();
    let i = import_with("defaults.json", &[], &[("defaults.json", &text)]);
    let root = i.file("1-defaults.yaml");
    assert!(
        root.contains("  follow_redirects: false\nrequests:\n"),
        "{root}"
    );
    assert!(
        root.contains("    query: { to: /echo }\n    follow_redirects: true\n"),
        "{root}"
    );
    // Folders inherit the collection's setting.
    assert!(
        i.file("3-public.yaml")
            .contains("defaults: { follow_redirects: false }\n"),
        "{}",
        i.file("3-public.yaml")
    );
}

#[test]
fn an_api_key_header_is_a_default_header_and_one_in_the_query_stays_on_each_request() {
    let api_key = |place: &str| {
        json!({ "type": "apikey", "apikey": [
            { "key": "key", "value": "X-Api-Key" },
            { "key": "value", "value": "{{key}}" },
            { "key": "in", "value": place }
        ] })
    };
    let c = json!({
        "info": { "name": "Keys", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        "auth": api_key("header"),
        "variable": [{ "key": "key", "value": "k-1" }],
        "item": [
            item("header", "/echo", &["pm.expect(pm.response.json().headers['x-api-key']).to.eql('k-1');"], &json!({})),
            { "name": "Query", "auth": api_key("query"), "item": [
                item("query", "/echo", &["pm.expect(pm.response.json().query['X-Api-Key']).to.eql('k-1');"], &json!({})),
            ] }
        ]
    })
    .to_string();
    let i = import_with("keys.json", &[], &[("keys.json", &c)]);
    let root = i.file("1-keys.yaml");
    assert!(
        root.contains("defaults:\n  headers: { X-Api-Key: <<key>> }\n  follow_redirects: true\n"),
        "{root}"
    );
    let query = i.file("2-query.yaml");
    assert!(
        query.contains("defaults: { follow_redirects: true }\n")
            && query.contains("    query: { X-Api-Key: <<key>> }\n"),
        "{query}"
    );
    let server = TestServer::start();
    i.baton(&["run", "--no-progress", "--var"])
        .arg(format!("baseUrl={}", server.url()))
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
}
