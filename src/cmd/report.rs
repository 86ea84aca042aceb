//! `baton report merge`, and writing report files (atomically), which `run` does too: a
//! report that cannot be written is named with why, and the exit code says so.

use super::print_problems;
use crate::diag::display_path;
use crate::exit;
use crate::report::doc::RunDoc;
use crate::report::outputs::ReportFiles;
use crate::stdio::Quiet;
use std::io::Write as _;
use std::path::PathBuf;

/// `baton report merge`: its options.
#[derive(Debug, Clone)]
pub struct MergeCommand {
    /// JSON reports written by `baton run --json FILE`.
    pub inputs: Vec<PathBuf>,
    pub reports: ReportFiles,
}

/// Writes the reports of `doc`, each that can be; one that cannot is named with why, and
/// the exit code becomes that of an output not written (`stdio::output_failed`): 2, which
/// wins over 3 and 1 as any invalid input does.
pub(crate) fn write_reports(files: &ReportFiles, doc: &RunDoc, code: i32) -> i32 {
    let mut failed = false;
    for (path, made) in files.render(doc) {
        let written = made.and_then(|bytes| {
            crate::fsutil::write_atomic(&path, &bytes, false)
                .map_err(|e| crate::fsutil::io_reason(&e))
        });
        if let Err(why) = written {
            crate::errln!(
                "error: cannot write the report {} ({}): {why}",
                display_path(&path),
                files.flag_of(&path)
            );
            failed = true;
        }
    }
    if failed {
        crate::stdio::output_failed(code)
    } else {
        code
    }
}

/// Join the shards' reports into one run; exits with the merged run's code.
pub(crate) fn merge(cmd: &MergeCommand) -> i32 {
    let files = &cmd.reports;
    if print_problems(&files.check()) {
        return exit::INVALID_INPUT;
    }
    let mut shards = Vec::new();
    let mut bad = false;
    for path in &cmd.inputs {
        match crate::report::merge::read(path, &display_path(path)) {
            Ok(doc) => shards.push(doc),
            Err(e) => {
                crate::errln!("error: {e}");
                bad = true;
            }
        }
    }
    if bad {
        return exit::INVALID_INPUT;
    }
    let n = shards.len();
    let doc = crate::report::merge::merge(shards);
    if files.is_empty() || files.json_to_stdout() {
        let _ = Quiet::stdout().write_all(&crate::report::json::document(&doc));
    }
    let c = doc.counts;
    let requests = c.passed + c.failed + c.errors + c.skipped;
    crate::errln!(
        "merged {n} report{}: {} files, {requests} requests, exit code {}",
        if n == 1 { "" } else { "s" },
        doc.files.len(),
        doc.exit_code
    );
    crate::errln!(
        "{} passed, {} failed, {} skipped",
        c.passed,
        c.failed + c.errors,
        c.skipped
    );
    write_reports(files, &doc, doc.exit_code)
}
