//! `baton import curl` and `baton export`: the ProcessMaker guide's command round trips
//! (same method, URL, headers and body), the flags that change a request are converted,
//! and exports write placeholders, values and secrets as asked.

use crate::support::{Baton, TestServer};

const PROCESSMAKER: &str = "curl -X POST https://<your-instance>.processmaker.net/oauth/token \\
  -H 'Content-Type: application/x-www-form-urlencoded' \\
  -d 'grant_type=refresh_token&client_id=<your-client-id>&client_secret=<your-client-secret>&refresh_token=<your-refresh-token>'";

type Pairs = Vec<(String, String)>;

/// Method, URL, headers and decoded form fields of a curl command (only the flags used here).
fn parse_curl(text: &str) -> (String, String, Pairs, Pairs) {
    let words = shell_words::split(&text.replace("\\\n", " ")).expect("a shell command");
    let (mut method, mut url, mut headers, mut form) =
        ("GET".to_string(), String::new(), Vec::new(), Vec::new());
    let mut it = words.into_iter().skip(1);
    while let Some(w) = it.next() {
        match w.as_str() {
            "-X" => method = it.next().unwrap(),
            "-H" => {
                let h = it.next().unwrap();
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
            "-d" => {
                form.extend(
                    url::form_urlencoded::parse(it.next().unwrap().as_bytes()).into_owned(),
                );
            }
            other => url = other.to_string(),
        }
    }
    (method, url, headers, form)
}

#[test]
fn the_processmaker_command_round_trips_through_import_and_export() {
    let imported = Baton::new().args(["import", "curl", PROCESSMAKER]).run();
    imported.code(0);
    let yaml = &imported.stdout;
    for line in [
        "# Define before running (--var NAME=..., an environment, or `vars:`): instance, client_id, client_secret, refresh_token\n",
        "    POST: https://<<instance>>.processmaker.net/oauth/token\n",
        "    headers: { Content-Type: application/x-www-form-urlencoded }\n",
        "      grant_type: refresh_token\n      client_id: <<client_id>>\n      client_secret: <<client_secret>>\n      refresh_token: <<refresh_token>>\n",
    ] {
        assert!(yaml.contains(line), "{line:?} not in\n{yaml}");
    }
    let exported = Baton::new()
        .file("pm.yaml", yaml)
        .args([
            "export",
            "pm.yaml",
            "--request",
            "POST /oauth/token",
            "--as",
            "curl",
        ])
        .run();
    exported.code(0);
    assert_eq!(
        parse_curl(&exported.stdout),
        parse_curl(PROCESSMAKER),
        "{}",
        exported.stdout
    );
    assert!(exported.stdout.contains("-d 'grant_type=refresh_token&client_id=<your-client-id>&client_secret=<your-client-secret>&refresh_token=<your-refresh-token>'"), "{}", exported.stdout);
    // The imported request checks once its variables are given.
    Baton::new()
        .file("pm.yaml", yaml)
        .args([
            "check",
            "pm.yaml",
            "--var",
            "instance=x",
            "--var",
            "client_id=a",
            "--var",
            "client_secret=b",
            "--var",
            "refresh_token=c",
        ])
        .run()
        .code(0);
}

#[test]
fn exports_in_each_language_show_placeholders_values_and_secrets_as_asked() {
    let yaml = Baton::new()
        .args(["import", "curl", PROCESSMAKER])
        .run()
        .stdout;
    let export = |lang: &str, extra: &[&str]| {
        let out = Baton::new()
            .file("pm.yaml", &yaml)
            .args([
                "export",
                "pm.yaml",
                "--request",
                "POST /oauth/token",
                "--as",
                lang,
            ])
            .args(extra)
            .run();
        out.code(0);
        out.stdout
    };
    let py = export("python", &[]);
    assert!(py.starts_with("import requests\n") && py.contains("response = requests.post(\n    \"https://<your-instance>.processmaker.net/oauth/token\",\n    data={\n        \"grant_type\": \"refresh_token\",") && py.ends_with("print(response.json())\n"), "{py}");
    let node = export("node", &[]);
    assert!(node.contains("const data = new URLSearchParams({\n  grant_type: \"refresh_token\",\n  client_id: \"<your-client-id>\",") && node.contains("method: \"post\""), "{node}");
    let http = export(
        "http",
        &["--var", "instance=acme", "--var", "client_id=abc"],
    );
    assert!(
        http.starts_with("POST /oauth/token HTTP/1.1\nHost: acme.processmaker.net\n")
            && http.contains("client_id=abc&client_secret=<your-client-secret>"),
        "{http}"
    );
    // A secret given a value stays a placeholder unless --show-secrets.
    let hidden = export("curl", &["--var", "client_secret=s3cr3t-value"]);
    assert!(
        hidden.contains("client_secret=<your-client-secret>") && !hidden.contains("s3cr3t-value"),
        "{hidden}"
    );
    assert!(
        export(
            "curl",
            &["--var", "client_secret=s3cr3t value", "--show-secrets"]
        )
        .contains("client_secret=s3cr3t+value")
    );
}

#[test]
fn an_oauth2_request_exports_as_its_token_request() {
    let yaml = "requests:\n  - name: sign in\n    id: login\n    oauth2:\n      grant: password\n      token_url: <<baseAuthURL>>/connect/token\n      client_id: <<ClientId>>\n      client_secret: <<ClientSecret>>\n      client_auth: basic\n      username: <<username>>\n      password: <<password>>\n      scope: api\n  - name: me\n    GET: <<baseAuthURL>>/me\n    auth: { oauth2: login }\n";
    let run = |request: &str, lang: &str| {
        let out = Baton::new()
            .file("c.yaml", yaml)
            .args([
                "export",
                "c.yaml",
                "--request",
                request,
                "--as",
                lang,
                "--var",
                "baseAuthURL=https://id.example",
            ])
            .run();
        out.code(0);
        out.stdout
    };
    let curl = run("login", "curl");
    assert_eq!(
        curl,
        "curl -X POST https://id.example/connect/token \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -u '<your-client-id>:<your-client-secret>' \\\n  -d 'grant_type=password&username=<your-username>&password=<your-password>&scope=api'\n"
    );
    assert!(run("me", "curl").contains("-H 'Authorization: Bearer <your-access-token>'"));
    assert!(
        run("login", "python").contains("auth=(\"<your-client-id>\", \"<your-client-secret>\"),")
    );
}

#[test]
fn curl_flags_become_request_keys_and_unknown_ones_warnings() {
    let cmd = "curl -sSL -k --compressed -u 'alice:wonder land' -G --url https://api.example/search -d q=rust -d 'page=2' --max-time 5 --frobnicate -H 'Accept: application/json'";
    let out = Baton::new().args(["import", "curl", cmd]).run();
    out.code(0)
        .stderr_contains("`-k`: baton checks certificates; run with `baton run --insecure`")
        .stderr_contains("`--frobnicate` is not known to the importer")
        .stderr_contains("the -u password holds a literal secret: written as <<env.PASSWORD>>")
        .output_lacks("wonder land");
    for line in [
        "    GET: https://api.example/search\n",
        "    query: { q: rust, page: \"2\" }\n",
        "    auth: { basic: [alice, <<env.PASSWORD>>] }\n",
        "    follow_redirects: true\n",
        "    timeout: 5s\n",
    ] {
        assert!(out.stdout.contains(line), "{line:?} not in\n{}", out.stdout);
    }
    assert!(
        !out.stderr.contains("compressed"),
        "--compressed is the default: no warning"
    );
    let json = Baton::new()
        .args([
            "import",
            "curl",
            "curl https://api.example/items --json '{\"name\": \"<your-item-name>\", \"n\": 2}'",
        ])
        .run();
    json.code(0);
    assert!(
        json.stdout
            .contains("    POST: https://api.example/items\n")
            && json.stdout.contains("name: <<item_name>>")
            && json.stdout.contains("Accept: application/json"),
        "{}",
        json.stdout
    );
    let form = Baton::new()
        .args([
            "import",
            "curl",
            "curl -F 'title=Hello' -F 'file=@photo.png;type=image/png' https://api.example/upload",
        ])
        .run();
    form.code(0);
    assert!(
        form.stdout
            .contains("file: { file: photo.png, content_type: image/png }")
            && form.stdout.contains("title: Hello"),
        "{}",
        form.stdout
    );
    Baton::new()
        .args(["import", "curl", "curl -H 'unclosed"])
        .run()
        .code(2)
        .stderr_contains("unclosed quote");
    Baton::new()
        .args(["import", "curl", "wget https://x"])
        .run()
        .code(2)
        .stderr_contains("not a curl command");
}

#[test]
fn an_imported_command_runs_and_sends_what_curl_sends() {
    let server = TestServer::start();
    let cmd = format!(
        "curl -X PUT '{}/echo?x=1' \\\n  -H 'X-Trace: 7' \\\n  -d 'a=1&b=two%20words' --data-urlencode 'c=x&y'",
        server.url()
    );
    let out = Baton::new()
        .stdin(&cmd)
        .args(["import", "curl", "-", "-o", "c.yaml"])
        .run();
    out.code(0);
    let file = out.file("c.yaml");
    let body = format!(
        "{file}    expect:\n      body:\n        $.method: PUT\n        $.form: {{ a: \"1\", b: two words, c: \"x&y\" }}\n        $.headers['x-trace']: \"7\"\n        $.query.x: \"1\"\n"
    );
    Baton::new()
        .file("c.yaml", body)
        .args(["run", "c.yaml", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("1 passed");
    // -o refuses to replace a file.
    Baton::new()
        .file("c.yaml", "x")
        .args(["import", "curl", "curl https://x", "-o", "c.yaml"])
        .run()
        .code(2)
        .stderr_contains("already exists");
}

/// Found by fuzzing (`fuzz/fuzz_targets/import_curl.rs`): `-F` twice with one name wrote
/// the name twice in a mapping, a file baton then refused as a duplicate key. The parts of
/// one name are sent together, at the name's first place.
#[test]
fn a_form_field_given_twice_becomes_a_list_that_sends_both_parts() {
    let server = TestServer::start();
    let cmd = format!(
        "curl -F 'doc=@a.txt' -F note=hi -F 'doc=@b.txt' {}/echo",
        server.url()
    );
    let out = Baton::new()
        .stdin(&cmd)
        .args(["import", "curl", "-", "-o", "c.yaml"])
        .run();
    out.code(0);
    let file = out.file("c.yaml");
    assert!(
        file.contains("doc: [{ file: a.txt }, { file: b.txt }]") || file.contains("doc:\n"),
        "{file}"
    );
    let body = format!(
        "{file}    expect:\n      body:\n        $.body: {{ matches: 'name=\"doc\"; filename=\"a.txt\"[\\s\\S]*name=\"doc\"; filename=\"b.txt\"[\\s\\S]*name=\"note\"' }}\n"
    );
    Baton::new()
        .file("c.yaml", body)
        .file("a.txt", "A")
        .file("b.txt", "B")
        .args(["run", "c.yaml", "--no-progress"])
        .run()
        .code(0)
        .stdout_contains("1 passed");
}
