//! Errors in environments and `.env` files quote the line they are about with its value
//! masked (these files hold the secrets), and a `.env` error says its line and column.

use crate::support::Baton;

const GET: &str = "requests:\n  - GET: http://127.0.0.1:9/\n";
const SECRET: &str = "s3cr3t-Hunter2";

#[test]
fn a_broken_environment_quotes_its_line_without_the_value() {
    let cases = [
        // A YAML syntax error on the secret's own line.
        (
            format!(
                "vars:\n  base: http://x\n  ClientSecret: \"{SECRET}\nsecrets: [ClientSecret]\n"
            ),
            "environments/dev.yaml:3:17",
            format!("3 |   ClientSecret: {}", stars(SECRET.len() + 1)),
        ),
        // A template error in a secret value (its label used to quote the template).
        (
            format!("secrets:\n  password: {SECRET}<<oops\n"),
            "environments/dev.yaml:2:13",
            format!("2 |   password: {}", stars(SECRET.len() + 6)),
        ),
        // An unknown key whose value is a secret.
        (
            format!("vars: {{ a: 1 }}\nsecret: {{ password: {SECRET} }}\n"),
            "environments/dev.yaml:2:1",
            format!("2 | secret: * ********* {} *", stars(SECRET.len())),
        ),
    ];
    for (env, place, quoted) in cases {
        Baton::new()
            .file("x.yaml", GET)
            .file("environments/dev.yaml", env)
            .args(["run", "x.yaml", "-e", "dev"])
            .run()
            .code(2)
            .stderr_contains(place)
            .stderr_contains(&quoted)
            .output_lacks(SECRET)
            .output_lacks("Hunter2");
    }
}

fn stars(n: usize) -> String {
    "*".repeat(n)
}

#[test]
fn a_broken_dotenv_says_line_and_column_and_masks_the_value() {
    let cases = [
        (
            format!("A=1\n# note\nTOKEN={SECRET} and more\n"),
            ".env: cannot parse line 3, column 22",
            format!("3 | TOKEN={} *** ****", stars(SECRET.len())),
        ),
        // A quote never closed is pointed at where it opens, not at the end of the file.
        (
            format!("A=1\nPASSWORD=\"{SECRET}\nB=2\n"),
            ".env: cannot parse line 2, column 10",
            "this quote is never closed".to_string(),
        ),
        // A pasted secret with no name.
        (
            format!("A=1\n{SECRET}\n"),
            ".env: cannot parse line 2, column 7",
            format!("2 | {}", stars(SECRET.len())),
        ),
    ];
    for (dotenv, message, quoted) in cases {
        let out = Baton::new()
            .file("x.yaml", GET)
            .file(".env", dotenv)
            .args(["run", "x.yaml"])
            .run();
        out.code(2)
            .stderr_contains(message)
            .stderr_contains(&quoted)
            .output_lacks(SECRET)
            .output_lacks("Hunter2")
            .output_lacks("at character");
    }
}
