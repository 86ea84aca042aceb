//! Request bodies as the server receives them, checked through `/echo`: form, JSON (a
//! lone `<<count>>` keeps its number type), raw text with a content type, multipart with a
//! file, and a file as the whole body.

use crate::support::{Baton, TestServer};

const BODIES: &str = r#"name: bodies
vars: { count: 3, flag: true, who: alice, ratio: 0.5 }
requests:
  - name: form
    POST: <<base>>/echo
    form: { grant_type: password, username: <<who>>, scope: [api, offline access] }
    expect:
      body:
        $.headers['content-type']: application/x-www-form-urlencoded
        $.body: grant_type=password&username=alice&scope=api&scope=offline+access
        $.form.scope: [api, offline access]

  - name: json
    POST: <<base>>/echo
    json:
      count: <<count>>
      spaced: << count >>
      flag: <<flag>>
      ratio: <<ratio>>
      text: n=<<count>>
      nested: { list: [<<count>>, "<<who>>", literal] }
      none: null
    expect:
      body:
        $.headers['content-type']: application/json
        $.json.count: { eq: 3, type: integer }
        $.json.spaced: { type: integer }
        $.json.flag: { eq: true, type: boolean }
        $.json.ratio: { eq: 0.5, type: number }
        $.json.text: { eq: n=3, type: string }
        $.json.nested.list: { eq: [3, alice, literal] }
        $.json.none: { type: "null" }
        contains: '"count":3,'

  - name: raw with a content type
    PUT: <<base>>/echo
    body: { text: "<user><name><<who>></name></user>", content_type: application/xml }
    expect:
      body:
        $.method: PUT
        $.headers['content-type']: application/xml
        $.body: <user><name>alice</name></user>

  - name: raw text
    POST: <<base>>/echo
    body: plain <<who>>
    expect:
      body:
        $.headers['content-type']: { contains: text/plain }
        $.body: plain alice

  - name: a raw body's content type comes from the headers when given
    POST: <<base>>/echo
    headers: { Content-Type: application/vnd.test+json }
    body: '{"a": 1}'
    expect:
      body:
        $.headers['content-type']: application/vnd.test+json
        $.json.a: 1

  - name: multipart with a file
    POST: <<base>>/echo
    multipart:
      note: hello <<who>>
      upload: { file: files/data.txt }
    expect:
      body:
        $.headers['content-type']: { matches: "^multipart/form-data; boundary=" }
        $.body: { contains: "name=\"note\"\r\n\r\nhello alice\r\n" }
        $['body']: { contains: "name=\"upload\"; filename=\"data.txt\"\r\ncontent-type: text/plain\r\n\r\nline one\nline two\n\r\n" }

  - name: multipart part headers
    POST: <<base>>/echo
    multipart:
      renamed: { file: files/data.txt, filename: other.csv, content_type: text/csv }
    expect:
      body:
        $.body: { contains: "name=\"renamed\"; filename=\"other.csv\"\r\ncontent-type: text/csv" }

  - name: a list repeats a part under one name (curl -F f=@a -F f=@b)
    POST: <<base>>/echo
    multipart:
      tag: [one, two]
      upload: [{ file: files/data.txt }, { file: files/payload.json }]
    expect:
      body:
        $.body: { matches: "name=\"tag\"\r\n\r\none\r\n[\\s\\S]*name=\"tag\"\r\n\r\ntwo\r\n[\\s\\S]*filename=\"data.txt\"[\\s\\S]*filename=\"payload.json\"" }

  - name: a file as the body
    POST: <<base>>/echo
    file: files/payload.json
    expect:
      body:
        $.headers['content-type']: application/json
        $.json: { eq: { k: v, n: [1, 2] } }

  - name: a file with its own content type
    POST: <<base>>/echo
    file: { path: files/data.txt, content_type: application/x-lines }
    expect:
      body:
        $.headers['content-type']: application/x-lines
        $.body: "line one\nline two\n"
"#;

#[test]
fn each_body_kind_arrives_as_written() {
    let server = TestServer::start();
    server.expect_hits("/echo", 10);
    let out = Baton::new()
        .file("api/bodies.yaml", BODIES)
        .file("api/files/data.txt", "line one\nline two\n")
        .file("api/files/payload.json", r#"{"k": "v", "n": [1, 2]}"#)
        .args(["run", "api/bodies.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("10 passed, 0 failed");
}

/// Variables from the command line are text; in JSON they stay text.
#[test]
fn a_var_from_the_command_line_is_text_in_json() {
    let server = TestServer::start();
    let yaml = "requests:\n  - POST: <<base>>/echo\n    json: { count: <<count>> }\n    expect:\n      body: { $.json.count: { type: string } }\n";
    crate::support::run_yaml(&server.url(), yaml)
        .args(["--var", "count=3"])
        .run()
        .code(0);
}

#[test]
fn a_missing_body_file_is_invalid_input_with_its_place() {
    let server = TestServer::start();
    let yaml = "requests:\n  - POST: <<base>>/echo\n    file: nope.bin\n";
    crate::support::run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("cannot read `nope.bin`: no such file or directory")
        .stdout_contains("c.yaml:3:11");
    assert_eq!(server.total_hits(), 0);
}

/// YAML 1.2: `yes`, `no`, `on`, `off`, `y` and `n` are text, as keys and as values (YAML
/// 1.1 read them as booleans, and `n: 5` became `"false": 5`).
#[test]
fn yaml_1_1_booleans_are_text() {
    let server = TestServer::start();
    let yaml = r#"requests:
  - POST: <<base>>/echo
    headers: { x-echo-country: no }
    json: { n: 5, y: yes, on: off, t: true }
    expect:
      headers: { x-echo-country: "no" }
      body:
        $.json: { eq: { "n": 5, "y": "yes", "on": "off", "t": true } }
"#;
    crate::support::run_yaml(&server.url(), yaml).run().code(0);
}

/// Text fields (headers, query, form) are sent as written, even when they look like numbers.
#[test]
fn numbers_in_text_fields_are_sent_as_written() {
    let server = TestServer::start();
    let yaml = r#"requests:
  - POST: <<base>>/echo
    query: { v: 1.10, zip: 007 }
    headers: { x-echo-n: 1e3 }
    form: { version: 2.50, big: 12345678901234567890 }
    expect:
      headers: { x-echo-n: "1e3" }
      body:
        $.query: { eq: { v: "1.10", zip: "007" } }
        $.form: { eq: { version: "2.50", big: "12345678901234567890" } }
"#;
    crate::support::run_yaml(&server.url(), yaml).run().code(0);
}

/// A collection past the size baton keeps in memory (1 MiB) is read from disk as it is
/// checked and again as it runs: the same requests go out (numbers as written), and a
/// failure still quotes its line, read from the file when shown.
#[test]
fn a_collection_too_big_to_keep_runs_from_disk_the_same() {
    let server = TestServer::start();
    let padding = "x".repeat(1 << 20);
    let yaml = format!(
        r#"description: {padding}
requests:
  - POST: <<base>>/echo
    query: {{ v: 1.10, zip: 007 }}
    form: {{ version: 2.50, n: <<n>> }}
    expect:
      body:
        $.query: {{ eq: {{ v: "1.10", zip: "007" }} }}
        $.form: {{ eq: {{ version: "2.50", n: "3" }} }}
  - name: wrong on purpose
    GET: <<base>>/echo
    expect:
      status: 201
"#
    );
    let out = crate::support::run_yaml(&server.url(), &yaml)
        .args(["--var", "n=3"])
        .run();
    out.code(1)
        .stdout_contains("1 passed, 1 failed")
        .stdout_contains(&crate::support::place("c.yaml", &yaml, "status: ^201"))
        .stdout_contains("status: 201");
}
