//! `baton docs check|sync`: Markdown guides whose ```baton blocks are requests, run in
//! order as one collection, with generated `baton:snippet` blocks kept in step.

use crate::support::{Baton, TestServer, place};

fn docs_dir() -> String {
    format!("{}/docs", env!("CARGO_MANIFEST_DIR"))
}

fn guide() -> String {
    std::fs::read_to_string(format!("{}/guide.md", docs_dir())).expect("read docs/guide.md")
}

#[test]
fn the_guide_passes_against_the_sandbox() {
    Baton::new()
        .args(["docs", "check", &docs_dir(), "--sandbox"])
        .run()
        .code(0)
        .stdout_contains("✓ get a token with the password grant 200")
        .stdout_contains("✓ refresh the token 200")
        .stdout_contains("✓ call userinfo 200")
        .stdout_contains("3 passed, 0 failed")
        .output_lacks("sandbox-secret")
        .output_lacks("wonderland");
}

const BROKEN: &str = "# A broken guide

Some prose.

```baton
name: teapot
GET: <<base>>/status/418
expect:
  status: 200
```
";

#[test]
fn a_broken_request_fails_with_the_markdown_place() {
    let server = TestServer::start();
    Baton::new()
        .file("guide.md", BROKEN)
        .args(["docs", "check", "guide.md", "--var"])
        .arg(format!("base={}", server.url()))
        .run()
        .code(1)
        .stdout_contains("✗ teapot 418")
        .stdout_contains(&place("guide.md", BROKEN, "status: ^200"))
        .stdout_contains("0 passed, 1 failed");
}

#[test]
fn a_yaml_mistake_names_the_markdown_line() {
    let md = "# Guide\n\n```baton\nGET: http://127.0.0.1:1/x\nexpct: { status: 200 }\n```\n";
    Baton::new()
        .file("guide.md", md)
        .args(["docs", "check", "guide.md"])
        .run()
        .code(2)
        .stderr_contains(&place("guide.md", md, "expct"));
}

const FLOW: &str = r#"# Captures flow between blocks

First, a word:

```baton
- name: say hello
  GET: <<base>>/echo?word=hello
  capture:
    word: $.query.word
```

Then the word goes back, in a header:

```baton
name: send it back
GET: <<base>>/echo
headers:
  x-word: <<word>>
expect:
  status: 200
  body:
    "$.headers['x-word']": hello
```

And a curl command is a request too:

```curl baton
curl '<<base>>/echo?again=<<word>>'
```
"#;

#[test]
fn captures_flow_from_one_block_to_the_next() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("guide.md", FLOW)
        .args(["docs", "check", "guide.md", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0)
        .stdout_contains("✓ say hello")
        .stdout_contains("✓ send it back")
        .stdout_contains("✓ guide.md:27 200")
        .stdout_contains("3 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 3);
}

#[test]
fn the_guide_snippets_are_in_step() {
    Baton::new()
        .args([
            "docs",
            "sync",
            "--check",
            &format!("{}/guide.md", docs_dir()),
        ])
        .run()
        .code(0)
        .stdout_contains("every snippet in step");
}

#[test]
fn sync_check_catches_a_hand_edited_snippet_and_sync_puts_it_back() {
    let original = guide();
    let edited = original.replacen(
        "\"grant_type\": \"password\",",
        "\"grant_type\": \"passwd\",",
        1,
    );
    assert_ne!(
        edited, original,
        "the guide has a python password-grant snippet"
    );
    // The fence line of the python snippet that holds the edit.
    let at = edited.find("\"passwd\"").unwrap();
    let fence = edited[..at].rfind("```python baton:snippet").unwrap();
    let line = edited[..fence].matches('\n').count() + 1;

    let out = Baton::new()
        .file("guide.md", &edited)
        .args(["docs", "sync", "--check", "guide.md"])
        .run();
    out.code(1)
        .stdout_contains(&format!("guide.md:{line}:"))
        .stdout_contains("out of step");
    assert_eq!(out.file("guide.md"), edited, "--check writes nothing");

    // Prose edits are kept byte for byte; the snippet is rewritten.
    let with_prose = edited.replacen("This guide walks", "This  guide  walks", 1);
    let out = Baton::new()
        .file("guide.md", &with_prose)
        .args(["docs", "sync", "guide.md"])
        .run();
    out.code(0).stdout_contains("1 snippet rewritten");
    assert_eq!(
        out.file("guide.md"),
        original.replacen("This guide walks", "This  guide  walks", 1)
    );
}

#[test]
fn sync_leaves_unmarked_blocks_and_blocks_after_a_heading_alone() {
    let md = "# G\n\n```baton\nGET: https://example.com/a\n```\n\n```python\nkeep me\n```\n\n```curl baton:snippet\nstale\n```\n\n## Other\n\n```curl baton:snippet\nnot mine\n```\n";
    let out = Baton::new()
        .file("g.md", md)
        .args(["docs", "sync", "g.md"])
        .run();
    out.code(0);
    let text = out.file("g.md");
    assert!(text.contains("```python\nkeep me\n```"), "{text}");
    assert!(
        text.contains("```curl baton:snippet\nnot mine\n```"),
        "{text}"
    );
    assert!(
        text.contains("```curl baton:snippet\ncurl https://example.com/a\n```"),
        "{text}"
    );
}

const OAUTH: &str = r"# An oauth2 request, and its token used in a later block

```baton
name: sign in
id: login
oauth2:
  grant: password
  issuer: <<baseAuthURL>>
  client_id: <<ClientId>>
  client_secret: <<ClientSecret>>
  username: <<username>>
  password: <<password>>
  scope: openid <<Scope>>
```

```baton
name: who am I
GET: <<baseAuthURL>>/connect/userinfo
auth: { oauth2: login }
expect:
  body:
    $.sub: <<login.claims.sub>>
```
";

#[test]
fn a_later_block_uses_the_token_of_an_earlier_oauth2_block() {
    Baton::new()
        .file("guides/oauth.md", OAUTH)
        .file("guides/README.md", "# No requests here\n\n```sh\nls\n```\n")
        .args(["docs", "check", "guides", "--sandbox"])
        .run()
        .code(0)
        .stdout_contains("An oauth2 request, and its token used in a later block")
        .stdout_contains("✓ who am I 200")
        .stdout_contains("2 passed, 0 failed");
}

#[test]
fn a_guide_without_baton_blocks_is_an_error_when_named() {
    Baton::new()
        .file("README.md", "# Nothing\n")
        .args(["docs", "check", "README.md"])
        .run()
        .code(2)
        .stderr_contains("README.md: no ```baton blocks");
}

/// Under `--sandbox`, `docs check` trusts the sandbox's CA as `run` does: a guide's block
/// reaches its mTLS port with the client certificate the sandbox made.
#[test]
fn a_guide_reaches_the_sandbox_s_mtls_port() {
    let guide = "# mTLS

```baton
name: a service token for the certificate
oauth2:
  grant: client_credentials
  issuer: <<baseAuthURL>>
  client_id: <<MtlsClientId>>
  client_auth: tls_client_auth
  client_cert: { cert: <<SandboxClientCert>>, key: <<SandboxClientKey>> }
expect:
  jwt: { $.access_token: { claims: { cnf: { exists: true } } } }
```
";
    Baton::new()
        .file("mtls.md", guide)
        .args(["docs", "check", "mtls.md", "--sandbox"])
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
}
