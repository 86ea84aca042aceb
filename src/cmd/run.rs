//! `baton run` and its pre-flight `baton check`: assemble the inputs (`inputs`), then run
//! them with the reporters the options ask for, or check them without sending anything.

use super::{color_stderr, color_stdout, print_problems, run_stoppable, start_sandbox};
use crate::collection::habits::Habits;
use crate::collection::load;
use crate::diag::Diagnostic;
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::inputs::{Plan, Shard, VarSources};
use crate::report::console::Console;
use crate::report::outputs::{self, ReportFiles};
use crate::runner::{Inputs, RunOptions, Runner};
use crate::sandbox::Sandbox;
use crate::stdio::Quiet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// `baton run`: its options, parsed.
#[derive(Debug, Clone)]
pub struct RunCommand {
    pub paths: Vec<PathBuf>,
    pub vars: VarSources,
    pub bail: bool,
    /// `-v` (1) shows every exchange, `-vv` (2) its timings too.
    pub verbose: u8,
    /// `--watch`: run again what each change affects, until Ctrl-C (`watch.rs`).
    pub watch: bool,
    /// `--output DIR`: every response body saved there.
    pub output: Option<PathBuf>,
    /// `--cookies FILE`: a Netscape cookie file each collection run's jar starts with.
    pub cookies: Option<PathBuf>,
    pub show_secrets: bool,
    pub timeout: Duration,
    pub max_time: Option<Duration>,
    pub max_body: u64,
    /// `--insecure`, `--cacert`, `--cert`.
    pub tls: crate::http::Tls,
    pub proxy: crate::http::Proxy,
    pub no_progress: bool,
    pub iterations: Option<usize>,
    pub data: Option<PathBuf>,
    pub jobs: usize,
    pub shard: Option<Shard>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub save: bool,
    /// `--fresh`: leave `.baton/state.json` unread.
    pub fresh: bool,
    pub reports: ReportFiles,
}

/// `baton check`: its options.
#[derive(Debug, Clone)]
pub struct CheckCommand {
    pub paths: Vec<PathBuf>,
    pub vars: VarSources,
}

pub(crate) async fn run(cmd: RunCommand) -> i32 {
    if cmd.watch {
        return super::watch::main(cmd).await;
    }
    once(&cmd, &cmd.paths).await.code
}

/// How one run ended: its exit code, whether Ctrl-C cut it, its counts in a line (`--watch`).
pub(crate) struct Ran {
    pub code: i32,
    pub interrupted: bool,
    pub summary: String,
}

/// One run of `paths` with the options of `cmd`.
pub(crate) async fn once(cmd: &RunCommand, paths: &[PathBuf]) -> Ran {
    let failed = |code: i32, summary: &str| Ran {
        code,
        interrupted: false,
        summary: summary.to_string(),
    };
    let plan = Plan {
        keep: load::RUN_KEEPS,
        shard: cmd.shard,
        data: cmd.data.clone(),
        iterations: cmd.iterations,
        fresh: cmd.fresh,
    };
    let reports = cmd.reports.clone();
    if print_problems(&reports.check()) {
        return failed(exit::INVALID_INPUT, "invalid report options");
    }
    let cookies = match &cmd.cookies {
        Some(path) => match crate::http::CookieSeed::load(path) {
            Ok(seed) => Some(seed),
            Err(d) => {
                print_problems(&[d]);
                return failed(exit::INVALID_INPUT, "invalid --cookies file");
            }
        },
        None => None,
    };
    let sandbox = match start_sandbox(cmd.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return failed(code, "the sandbox did not start"),
    };
    let sandbox_vars = sandbox.as_ref().map(Sandbox::vars);
    let (inputs, problems) = crate::inputs::assemble(paths, &cmd.vars, sandbox_vars, &plan);
    if print_problems(&problems) {
        return failed(exit::INVALID_INPUT, "invalid input: nothing was sent");
    }
    print_problems(&postman_habits(&inputs));
    let http = match Http::new(HttpOptions {
        timeout: cmd.timeout,
        max_body: cmd.max_body,
        tls: super::sandbox_tls(&cmd.tls, sandbox.as_ref()),
        proxy: cmd.proxy.clone(),
    }) {
        Ok(h) => h,
        Err(e) => {
            crate::errln!("error: {e}");
            return failed(exit::INVALID_INPUT, "invalid HTTP options");
        }
    };
    let progress =
        !cmd.no_progress && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let options = RunOptions {
        bail: cmd.bail,
        verbose: cmd.verbose > 0,
        timings: cmd.verbose > 1,
        show_secrets: cmd.show_secrets,
        max_time: cmd.max_time,
        save: cmd.save.then(crate::oauth::cache::default_path),
        jobs: cmd.jobs,
        only: cmd.only.clone(),
        skip: cmd.skip.clone(),
        live: progress,
        cookies,
        output: cmd.output.clone(),
    };
    // Under `--json -` stdout carries NDJSON, so the console goes to stderr.
    let console = if reports.json_to_stdout() {
        Console::new(
            Box::new(Quiet::stderr()),
            color_stderr(),
            cmd.verbose > 0,
            progress,
        )
    } else {
        Console::new(
            Box::new(Quiet::stdout()),
            color_stdout(),
            cmd.verbose > 0,
            progress,
        )
    };
    let (mut reporter, document) = outputs::reporters(
        &reports,
        Box::new(console),
        crate::report::github::enabled(),
    );
    let runner = Runner::new(&inputs, &options, &http);
    let (counts, interrupted) = run_stoppable(&runner, &mut reporter).await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    let mut code = if interrupted {
        exit::INTERRUPTED
    } else {
        counts.exit_code()
    };
    // After the summary, as a report file that cannot be written is.
    if let Err(e) =
        crate::inputs::state::save(&crate::inputs::state::default_path(), &runner.kept())
    {
        crate::errln!("error: persist: {e}");
        code = crate::exit::worst(code, exit::INVALID_INPUT);
    }
    let code = match document {
        Some(doc) => super::report::write_reports(&reports, &doc.finish(code), code),
        None => code,
    };
    let failed_count = counts.failed + counts.errors + counts.input_errors;
    let mut summary = format!("{} passed, {failed_count} failed", counts.passed);
    if counts.skipped > 0 {
        summary.push_str(&format!(", {} skipped", counts.skipped));
    }
    drop(runner);
    if !cmd.watch {
        // The process ends with this run: freeing the model of every request one by one
        // is work for nothing (it showed in the profile: BENCHMARKS.md).
        std::mem::forget(inputs);
    }
    Ran {
        code,
        interrupted,
        summary,
    }
}

pub(crate) async fn check(cmd: CheckCommand) -> i32 {
    // The sandbox is started only to learn its variables; nothing is sent to it.
    let sandbox = match start_sandbox(cmd.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let sandbox_vars = sandbox.as_ref().map(Sandbox::vars);
    let (inputs, problems) =
        crate::inputs::assemble(&cmd.paths, &cmd.vars, sandbox_vars, &Plan::default());
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let habits = postman_habits(&inputs);
    print_problems(&habits);
    let warnings = problems.len() + habits.len();
    let problems = crate::check::check(&inputs);
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let requests: usize = inputs
        .collections
        .iter()
        .map(super::super::collection::model::Collection::request_count)
        .sum();
    let files = inputs.collections.len();
    let warned = match warnings {
        0 => String::new(),
        1 => "; 1 warning".to_string(),
        n => format!("; {n} warnings"),
    };
    crate::outln!(
        "ok: {files} file{}, {requests} request{}, every variable defined{warned}",
        if files == 1 { "" } else { "s" },
        if requests == 1 { "" } else { "s" }
    );
    exit::OK
}

/// Postman's `{{name}}` in the files of a run (`collection::habits`), where a name the run
/// defines (an environment, `--var`, a data row, what a needed file exports) is known; each
/// place once, though an included file is read once per include.
fn postman_habits(inputs: &Inputs) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, c) in inputs.collections.iter().enumerate() {
        let needs = inputs.needs.get(i).map_or(&[][..], Vec::as_slice);
        let layers = || {
            inputs
                .layers
                .iter()
                .chain(&inputs.persisted)
                .chain(inputs.rows.first())
        };
        let outside = |name: &str| {
            layers().any(|l| l.vars.iter().any(|v| v.name == name))
                || needs
                    .iter()
                    .any(|&j| inputs.collections[j].export.iter().any(|e| e == name))
        };
        for d in Habits::warnings(c, &outside) {
            if seen.insert(d.short()) {
                out.push(d);
            }
        }
    }
    out
}
