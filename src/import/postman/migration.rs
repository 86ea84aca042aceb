//! `MIGRATION.md`, written beside the imported files: what each file and request became,
//! and what still needs a person (the script lines left, the variables nobody defines, the
//! secrets to export, the captures read in another file), with the tally of script lines
//! that the import summary prints too (`bench/postman-corpus.sh` reads it).

use super::Ctx;
use super::script::Converted;
use std::fmt::Write;

/// Code lines of one kind of script and what became of them.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    pub lines: usize,
    pub converted: usize,
    pub warned: usize,
    pub logging: usize,
    pub dropped: usize,
}

impl Counts {
    fn text(&self) -> String {
        format!(
            "{} lines: {} converted, {} warned, {} logging, {} dropped",
            self.lines, self.converted, self.warned, self.logging, self.dropped
        )
    }
}

/// Script lines of the whole import: test and pre-request scripts.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    pub test: Counts,
    pub prerequest: Counts,
}

impl Tally {
    /// One script, counted once where it is written (a folder's script once, not per request).
    pub(super) fn add(&mut self, listen: &str, code: usize, dropped: usize, c: &Converted) {
        let counts = match listen {
            "test" => &mut self.test,
            "prerequest" => &mut self.prerequest,
            // Postman has no other kind today; what a newer export adds is warned, not counted.
            _ => return,
        };
        counts.lines += code;
        counts.converted += c.converted;
        counts.warned += c.unconverted.len();
        counts.logging += c.logging.len();
        counts.dropped += dropped;
    }

    /// The fixed-format line of the summary and of MIGRATION.md.
    pub(super) fn line(&self) -> String {
        format!(
            "scripts: test {}; pre-request {}",
            self.test.text(),
            self.prerequest.text()
        )
    }
}

/// What the import made, for the header.
pub(super) struct Totals {
    pub files: usize,
    pub requests: usize,
    pub token_requests: usize,
    pub captures: usize,
    pub expectations: usize,
    pub warnings: usize,
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// One script's lines left for a person: `(what, owner, lines)`.
pub(super) type Left = (String, String, Vec<(usize, String)>);

/// What one request became.
#[derive(Debug, Default, Clone)]
pub(super) struct RequestNotes {
    pub name: String,
    pub captures: usize,
    pub expectations: usize,
    /// Variables its pre-request script sets, now the file's `vars`.
    pub vars: Vec<String>,
    /// `oauth2` requests it uses (a helper's, or its pre-request token fetch's).
    pub oauth2: Vec<String>,
    pub left: Vec<Left>,
}

/// What one file holds.
#[derive(Debug, Default, Clone)]
pub(super) struct FileNotes {
    pub path: String,
    pub token_requests: Vec<String>,
    pub requests: Vec<RequestNotes>,
}

/// Everything MIGRATION.md says.
#[derive(Debug, Default, Clone)]
pub(super) struct Notes {
    pub tally: Tally,
    pub files: Vec<FileNotes>,
    /// Scripts of folders and of the collection, left for a person.
    pub folders: Vec<Left>,
    pub undefined: Vec<String>,
    /// `(name, file that captures it, file that reads it)`.
    pub across: Vec<(String, String, String)>,
    /// `(name, file)`: set by a pre-request script, but the environment defines it too.
    pub shadowed: Vec<(String, String)>,
}

fn code_block(out: &mut String, lines: &[(usize, String)]) {
    out.push_str("\n  ```js\n");
    for (n, l) in lines {
        let _ = writeln!(out, "  {n:>4}  {l}");
    }
    out.push_str("  ```\n");
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The text of MIGRATION.md.
pub(super) fn render(
    collection: &str,
    totals: &Totals,
    secret_env: &[(String, String)],
    notes: &Notes,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Migrating '{collection}' from Postman\n");
    o.push_str(
        "Written by `baton import postman`: what was converted, and what needs a person.\n\n",
    );
    let _ = writeln!(
        o,
        "{}, {} (and {} made from OAuth 2.0 helpers and token fetches), {}, {}, {}.\n",
        plural(totals.files, "file"),
        plural(totals.requests, "request"),
        plural(totals.token_requests, "oauth2 request"),
        plural(totals.captures, "capture"),
        plural(totals.expectations, "expectation"),
        plural(totals.warnings, "warning"),
    );
    o.push_str("| scripts | lines | converted | warned (left as comments) | logging | dropped |\n|---|---|---|---|---|---|\n");
    for (what, c) in [
        ("test", notes.tally.test),
        ("pre-request", notes.tally.prerequest),
    ] {
        let _ = writeln!(
            o,
            "| {what} | {} | {} ({}) | {} ({}) | {} | {} |",
            c.lines,
            c.converted,
            percent(c.converted, c.lines),
            c.warned,
            percent(c.warned, c.lines),
            c.logging,
            c.dropped
        );
    }
    let _ = writeln!(o, "\n`{}`", notes.tally.line());
    o.push_str("\n## To do\n\n");
    let mut todo = 0;
    if !secret_env.is_empty() {
        todo += 1;
        let _ = writeln!(
            o,
            "- Secrets were moved out of the files; export them before running:"
        );
        for (name, why) in secret_env {
            let _ = writeln!(o, "  - `{name}`: {why}");
        }
    }
    if !notes.undefined.is_empty() {
        todo += 1;
        let _ = writeln!(
            o,
            "- Read but defined nowhere in the collection (give them with `-e` or `--var NAME=...`): {}",
            notes
                .undefined
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (name, from, to) in &notes.across {
        todo += 1;
        let _ = writeln!(
            o,
            "- `{name}` is captured in `{from}` and read in `{to}`: captures do not cross files; give it with `--var`, or move the requests into one file"
        );
    }
    for (name, file) in &notes.shadowed {
        todo += 1;
        let _ = writeln!(
            o,
            "- `{name}` is set by a pre-request script in `{file}` and defined by the environment, whose value wins in baton: remove it from the environment"
        );
    }
    for (what, owner, lines) in &notes.folders {
        todo += 1;
        let _ = write!(o, "- The {what} of {owner} was not converted:");
        code_block(&mut o, lines);
    }
    if todo == 0 {
        o.push_str("Nothing beyond the scripts below, if any.\n");
    }
    for f in &notes.files {
        let _ = writeln!(o, "\n## `{}`\n", f.path);
        if !f.token_requests.is_empty() {
            let _ = writeln!(
                o,
                "oauth2 requests made: {}\n",
                f.token_requests
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for r in &f.requests {
            let _ = write!(
                o,
                "- **{}**: {} capture{}, {} expectation{}",
                r.name,
                r.captures,
                if r.captures == 1 { "" } else { "s" },
                r.expectations,
                if r.expectations == 1 { "" } else { "s" }
            );
            if !r.oauth2.is_empty() {
                let _ = write!(o, "; token from `{}`", r.oauth2.join("`, `"));
            }
            if !r.vars.is_empty() {
                let _ = write!(
                    o,
                    "; sets `{}` (now the file's `vars`)",
                    r.vars.join("`, `")
                );
            }
            o.push('\n');
            for (what, _, lines) in &r.left {
                let _ = write!(o, "  - {what}, not converted:");
                code_block(&mut o, lines);
            }
        }
    }
    o
}

pub(super) fn script_name(listen: &str) -> String {
    if listen == "test" {
        "test script".into()
    } else {
        format!("{listen} script").replace("prerequest", "pre-request")
    }
}

/// One warning per run of consecutive lines, and every line as a comment.
pub(super) fn report_unconverted(
    lines: &[(usize, String)],
    what: &str,
    cx: &mut Ctx,
    comments: &mut Vec<String>,
    owner: &str,
) {
    if lines.is_empty() {
        return;
    }
    let mut runs: Vec<Vec<&(usize, String)>> = Vec::new();
    for l in lines {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|p| p.0 + 1 == l.0) => run.push(l),
            _ => runs.push(vec![l]),
        }
    }
    for run in runs {
        let (first, last) = (run[0].0, run[run.len() - 1].0);
        let at = if first == last {
            format!("line {first}")
        } else {
            format!("lines {first}-{last}")
        };
        let more = if run.len() > 1 { " …" } else { "" };
        cx.warn(format!("{what}, {at}: not converted: `{}`{more}", run[0].1));
    }
    let mut c = format!("Postman {what} of '{owner}', not converted:");
    for (n, l) in lines {
        c.push_str(&format!("\n  {n}: {l}"));
    }
    comments.push(c);
}
