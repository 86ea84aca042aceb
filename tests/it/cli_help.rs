//! What a user reaches for around the commands: EXAMPLES in `--help` (and the examples
//! themselves run, so none rots), `baton man`, shell completion (`-e <TAB>` lists the
//! environments, driven as bash drives it), and `--jobs 0` refused.

use crate::support::{Baton, redact, repo_copy};
use std::path::Path;

#[test]
fn run_help_snapshot() {
    let out = Baton::new().args(["run", "--help"]).run();
    out.code(0);
    insta::assert_snapshot!(redact(&out.stdout));
}

const SUBCOMMANDS: &[&[&str]] = &[
    &["run"],
    &["check"],
    &["sandbox"],
    &["token"],
    &["report", "merge"],
    &["import", "postman"],
    &["import", "curl"],
    &["export"],
    &["probe"],
    &["schema"],
    &["completions"],
    &["man"],
    &["docs", "check"],
    &["docs", "sync"],
];

/// The `baton …` lines of a help's EXAMPLES section.
fn example_lines(help: &str) -> Vec<String> {
    let section = help
        .split_once("\nExamples:\n")
        .map_or_else(|| panic!("no Examples section in:\n{help}"), |(_, s)| s);
    // A command continued with `\` ends on a later line.
    let mut lines: Vec<String> = Vec::new();
    let mut open = false;
    for line in section.lines() {
        if open && let Some(last) = lines.last_mut() {
            last.push_str(line.trim());
        } else if let Some(command) = line.strip_prefix("  baton ") {
            lines.push(command.to_string());
        } else {
            continue;
        }
        open = lines.last().is_some_and(|l| l.ends_with('\\'));
        if open && let Some(last) = lines.last_mut() {
            last.pop();
        }
    }
    lines
}

/// Every leaf command's `--help` (and `-h`) ends with examples of that command.
#[test]
fn every_subcommand_has_examples() {
    for path in SUBCOMMANDS {
        for flag in ["--help", "-h"] {
            let out = Baton::new().args(*path).arg(flag).run();
            out.code(0);
            let lines = example_lines(&out.stdout);
            assert!(!lines.is_empty(), "{path:?} {flag}");
            let name = path.join(" ");
            assert!(
                lines.iter().any(|l| l.starts_with(&name)),
                "{path:?}: no example of `baton {name}`: {lines:?}"
            );
        }
    }
}

/// The examples that need nothing but this repository and the sandbox run, as written,
/// in a copy of it: each command's lines in order in one directory, by bash (so that
/// `report merge` finds the shards its example wrote first). The rest (a real provider, a
/// pager, a proxy, a server that keeps running) are left out by what they contain.
#[test]
fn the_examples_work_as_written() {
    let skip = ["|", ">", "$(", "example.com", "-e ", "--proxy", "--port"];
    let bin = Path::new(env!("CARGO_BIN_EXE_baton"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for sub in SUBCOMMANDS {
        if sub == &["sandbox"] {
            continue;
        }
        let help = Baton::new().args(*sub).arg("--help").run().stdout;
        let lines: Vec<String> = example_lines(&help)
            .into_iter()
            .filter(|l| !skip.iter().any(|s| l.contains(s)))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let script: String = std::iter::once("set -ex\n".to_string())
            .chain(lines.iter().map(|l| format!("baton {l}\n")))
            .collect();
        let out = repo_copy(&[
            "collections",
            "environments",
            "docs",
            "tests/fixtures/postman",
        ])
        .file("examples.sh", script)
        .program("bash")
        .arg("examples.sh")
        .env("PATH", &path)
        .run();
        assert_eq!(out.code, 0, "{sub:?}\n{}\n{}", out.stdout, out.stderr);
        ran += lines.len();
    }
    assert!(ran >= 16, "only {ran} examples ran");
}

#[test]
fn the_man_page_holds_every_command() {
    let out = Baton::new().arg("man").run();
    out.code(0);
    let page = &out.stdout;
    assert!(page.contains(".TH baton 1"), "{page}");
    for sub in [
        "run",
        "check",
        "sandbox",
        "token",
        "report",
        "import",
        "export",
        "probe",
        "schema",
        "completions",
        "man",
        "docs",
    ] {
        assert!(page.contains(&format!("baton\\-{sub}(1)")), "{sub}");
    }
    assert!(page.contains("\\-\\-color"), "the global option is listed");
}

/// `--dir` writes a page per command, each with its options and its EXAMPLES section.
#[test]
fn man_dir_writes_a_page_per_command() {
    let out = Baton::new().args(["man", "--dir", "man/man1"]).run();
    out.code(0).stderr_contains("man/man1/baton-run.1");
    let mut names: Vec<String> = std::fs::read_dir(out.path("man/man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "baton-check.1",
            "baton-completions.1",
            "baton-docs-check.1",
            "baton-docs-sync.1",
            "baton-docs.1",
            "baton-export.1",
            "baton-import-curl.1",
            "baton-import-postman.1",
            "baton-import.1",
            "baton-man.1",
            "baton-probe.1",
            "baton-report-merge.1",
            "baton-report.1",
            "baton-run.1",
            "baton-sandbox.1",
            "baton-schema.1",
            "baton-token.1",
            "baton-watch.1",
            "baton.1",
        ]
    );
    let run = out.file("man/man1/baton-run.1");
    assert!(run.contains(".TH baton-run 1"), "{run}");
    assert!(run.contains("\\-\\-proxy"));
    assert!(run.contains(".SH EXAMPLES\n.nf\n  baton run collections/ \\-\\-sandbox\n"));
    // The EXAMPLES come before VERSION, and the page names no temporary file left behind.
    let examples = run.find(".SH EXAMPLES").unwrap();
    assert!(run.find(".SH VERSION").is_none_or(|v| examples < v));
    let main = out.file("man/man1/baton.1");
    assert!(main.contains(".SH VERSION"), "{main}");
}

#[test]
fn man_dir_over_a_file_is_an_error() {
    let out = Baton::new()
        .file("taken", "a file")
        .args(["man", "--dir", "taken"])
        .run();
    out.code(2).stderr_contains("taken");
}

/// `BATON_COMPLETE=bash baton -- WORDS…`, as the registered bash function calls it for <TAB>.
fn complete(baton: Baton, index: usize, words: &[&str]) -> Vec<String> {
    let out = baton
        .env("BATON_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", index.to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .run();
    out.code(0);
    out.stdout.lines().map(str::to_string).collect()
}

fn with_envs() -> Baton {
    Baton::new()
        .file("environments/dev.yaml", "vars: {}\n")
        .file("environments/demo.yml", "vars: {}\n")
        .file("environments/prod.yaml", "vars: {}\n")
        .file("environments/notes.txt", "not an environment")
}

#[test]
fn env_names_complete() {
    assert_eq!(
        complete(with_envs(), 3, &["baton", "run", "-e", "d"]),
        ["demo", "dev"]
    );
    assert_eq!(
        complete(with_envs(), 3, &["baton", "run", "-e", ""]),
        ["demo", "dev", "prod"]
    );
    assert_eq!(
        complete(with_envs(), 4, &["baton", "check", "x.yaml", "--env", "p"]),
        ["prod"]
    );
    assert_eq!(
        complete(with_envs(), 3, &["baton", "token", "-e", "pr"]),
        ["prod"]
    );
    // A path completes as a path.
    let paths = complete(with_envs(), 3, &["baton", "run", "-e", "environments/d"]);
    assert!(
        paths.contains(&"environments/dev.yaml".to_string()),
        "{paths:?}"
    );
    // Everything else still completes from the clap definitions.
    let mut flags = complete(with_envs(), 2, &["baton", "run", "--no-p"]);
    flags.sort();
    assert_eq!(flags, ["--no-progress", "--no-proxy"]);
    assert!(complete(with_envs(), 1, &["baton", "com"]).contains(&"completions".to_string()));
}

/// The script bash sources, used as bash would: `complete -F` registered, and a TAB
/// (COMP_WORDS/COMP_CWORD, then the function) answered with the environments' names.
#[test]
fn the_bash_script_completes_env_names_in_bash() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no bash here: skipped");
        return;
    }
    let script = Baton::new().args(["completions", "bash"]).run();
    script.code(0).stdout_contains("complete ");
    let bin = Path::new(env!("CARGO_BIN_EXE_baton"));
    let driver = "source ./baton.bash\n\
         COMP_WORDS=(baton run -e d); COMP_CWORD=3; COMP_TYPE=9\n\
         _clap_complete_baton baton d run\n\
         printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    let out = with_envs()
        .file("baton.bash", &script.stdout)
        .file("drive.sh", driver)
        .program("bash")
        .arg("drive.sh")
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .run();
    out.code(0);
    let mut names: Vec<&str> = out.stdout.lines().collect();
    names.sort_unstable();
    assert_eq!(names, ["demo", "dev"], "{}", out.stderr);
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("bash", "complete -o nospace"),
        ("zsh", "compdef"),
        ("fish", "complete --keep-order --exclusive --command baton"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[baton]"),
    ] {
        let out = Baton::new().args(["completions", shell]).run();
        out.code(0);
        assert!(out.stdout.contains(marker), "{shell}:\n{}", out.stdout);
        assert!(
            out.stdout.contains("BATON_COMPLETE"),
            "{shell} calls back into baton"
        );
    }
}

#[test]
fn jobs_zero_is_refused() {
    let out = Baton::new()
        .file("c.yaml", "requests:\n  - GET: http://127.0.0.1:9/\n")
        .args(["run", "c.yaml", "--jobs", "0"])
        .run();
    out.code(2);
    insta::assert_snapshot!(redact(&out.stderr));
}
