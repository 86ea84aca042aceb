//! Postman pre-request scripts: a token fetched with `pm.sendRequest` (on the collection and
//! on a request, password and refresh grants) imported as `oauth2` requests, and another call
//! as a request that captures, run against the sandbox; variables set from literals, dates and dynamic variables as file `vars`; and
//! the tally and MIGRATION.md that say what was left.

use super::import;

#[test]
fn a_token_fetch_becomes_an_oauth2_request_that_gets_a_token_and_sends_it() {
    let i = import(
        "prerequest-token.postman_collection.json",
        &[
            "--env",
            super::fixture("sandbox.postman_environment.json")
                .to_str()
                .unwrap(),
        ],
    );
    i.out
        .stdout_contains(
            "3 files, 5 requests (and 3 oauth2 requests from OAuth 2.0 helpers and token fetches), 1 capture",
        )
        .stdout_contains("pre-request 45 lines: 44 converted, 0 warned, 1 logging, 0 dropped");
    let root = i.file("1-token-fetched-by-a-pre-request-script.yaml");
    for line in [
        // The collection's fetch, once for the file, before its requests.
        "  - name: pre-request token\n    id: pre_request_token\n    oauth2:\n      grant: password\n",
        "      token_url: <<baseAuthURL>>/connect/token\n",
        "      client_auth: body\n",
        "      scope: openid profile email offline_access\n",
        // `Authorization: Bearer {{access_token}}` and a bearer auth alike.
        "  - name: Who am I\n    GET: <<baseAuthURL>>/connect/userinfo\n    auth: { oauth2: pre_request_token }\n",
        // The request's own refresh fetch reads the refresh token the first fetch kept.
        "      grant: refresh_token\n",
        "      refresh_token: <<pre_request_token.refresh_token>>\n",
        "    headers: { X-Trace: <<trace_id>> }\n    auth: { oauth2: pre_request_token_2 }\n",
        "  trace_id: <<uuid()>>\n",
        // Any other call: a request of its own before, capturing what the callback kept.
        "  - name: GET <<baseAuthURL>>/.well-known/openid-configuration\n    GET: <<baseAuthURL>>/.well-known/openid-configuration\n    expect: { status: 200 }\n    capture: { issuer: $.issuer }\n",
        "    headers: { X-Issuer: <<issuer>> }\n",
    ] {
        assert!(root.contains(line), "{line:?} not in\n{root}");
    }
    assert!(root.find("id: pre_request_token_2") < root.find("name: Who am I, refreshed"));
    assert!(!root.contains("access_token>>") || !root.contains("<<access_token>>"));
    // A collection-level fetch: one oauth2 request in each file.
    let admin = i.file("2-admin.yaml");
    assert!(admin.contains("id: pre_request_token\n"), "{admin}");
    assert_eq!(
        admin.matches("auth: { oauth2: pre_request_token }").count(),
        2,
        "{admin}"
    );
    let migration = i.file("MIGRATION.md");
    assert!(
        migration.contains("oauth2 requests made: `pre_request_token`, `pre_request_token_2`"),
        "{migration}"
    );
    i.baton(&["check", "--sandbox"]).run().code(0);
    let run = i.baton(&["run", "--sandbox", "--no-progress", "-v"]).run();
    run.code(0).stdout_contains("9 passed, 0 failed");
    // The token requests were made, and their tokens sent.
    let v = &run.stdout;
    assert!(v.contains("grant_type=password&username=alice"), "{v}");
    assert!(
        v.contains("grant_type=refresh_token&refresh_token=•••"),
        "{v}"
    );
    assert_eq!(v.matches("> authorization: Bearer •••").count(), 5, "{v}");
}

#[test]
fn variables_set_before_a_request_become_file_vars_and_the_rest_is_reported() {
    let i = import("prerequest-vars.postman_collection.json", &[]);
    i.out
        .stdout_contains("pre-request 18 lines: 10 converted, 6 warned, 2 logging, 0 dropped")
        // A date changed by a statement the import cannot read is not taken as `now()`.
        .stderr_contains("pre-request script, lines 10-13: not converted")
        .stderr_contains("`sku` is set to `B-2` here and to `A-1` by 'Create an order'");
    let f = i.file("variables-set-by-pre-request-scripts.yaml");
    for line in [
        "  client: baton-import\n",
        "  order_id: <<uuid()>>\n",
        "  created: <<now('%Y-%m-%dT%H:%M:%S%.3fZ')>>\n",
        "  day: <<now('%Y-%m-%d')>>\n",
        "  stamp: <<timestamp()>>\n",
        "  label: order of <<username>>\n",
        "  at: <<now('%Y-%m-%dT%H:%M:%S%.3fZ')>>\n",
        "  #   13: pm.variables.set(\"noon\", d.toISOString());\n",
    ] {
        assert!(f.contains(line), "{line:?} not in\n{f}");
    }
    assert!(!f.contains("noon:") && !f.contains("nickname:"), "{f}");
    let migration = i.file("MIGRATION.md");
    for text in [
        "| pre-request | 18 | 10 (56%) | 6 (33%) | 2 | 0 |",
        "- **Create an order**: 0 captures, 0 expectations; sets `order_id`, `sku`, `created`, `day`, `stamp`, `label`, `at` (now the file's `vars`)",
        "    15  if (!pm.environment.get(\"tenant\")) { pm.environment.set(\"tenant\", \"acme\"); }",
        "- Read but defined nowhere in the collection (give them with `-e` or `--var NAME=...`): `baseAuthURL`, `username`",
    ] {
        assert!(migration.contains(text), "{text:?} not in\n{migration}");
    }
    i.baton(&[
        "check",
        "--var",
        "baseAuthURL=http://127.0.0.1:9",
        "--var",
        "username=u",
    ])
    .run()
    .code(0);
}
