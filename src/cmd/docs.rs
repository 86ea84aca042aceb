//! `baton docs check` (run each guide's ```baton blocks as one collection, like `run`) and
//! `baton docs sync` (regenerate, or with `--check` compare, the snippet blocks).

use super::{color_stdout, print_problems, run_stoppable, start_sandbox};
use crate::diag::display_path;
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::inputs::{Plan, VarSources};
use crate::report::console::Console;
use crate::report::outputs::{self, ReportFiles};
use crate::runner::{RunOptions, Runner};
use crate::sandbox::Sandbox;
use crate::stdio::Quiet;
use crate::template::Templates;
use std::path::PathBuf;
use std::time::Duration;

/// `baton docs check`: its options.
#[derive(Debug, Clone)]
pub struct DocsCheckCommand {
    /// Markdown guides or directories of them.
    pub paths: Vec<PathBuf>,
    pub vars: VarSources,
    pub bail: bool,
    pub verbose: bool,
    pub timeout: Duration,
    /// `--insecure`, `--cacert`, `--cert`: a guide's provider behind a private CA, or asking
    /// for a client certificate, is checked as `run` would reach it.
    pub tls: crate::http::Tls,
    pub proxy: crate::http::Proxy,
}

/// `baton docs sync`: its options.
#[derive(Debug, Clone)]
pub struct DocsSyncCommand {
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit 1 naming each snippet out of step.
    pub check: bool,
}

/// Run each guide's blocks as one collection, like `run`.
pub(crate) async fn check(cmd: DocsCheckCommand) -> i32 {
    let sandbox = match start_sandbox(cmd.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let code = check_with(&cmd, sandbox.as_ref()).await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    code
}

async fn check_with(cmd: &DocsCheckCommand, sandbox: Option<&Sandbox>) -> i32 {
    // No collection files: the environments, `--var` and the sandbox's variables only.
    let (mut inputs, problems) =
        crate::inputs::assemble(&[], &cmd.vars, sandbox.map(Sandbox::vars), &Plan::default());
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let mut problems = Vec::new();
    for guide in crate::docs::discover(&cmd.paths, &mut problems) {
        if let Some(g) =
            crate::docs::check::load_guide(&guide, &mut inputs.templates, &mut problems)
        {
            inputs.collections.push(g.collection);
        }
    }
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let http = match Http::new(HttpOptions {
        timeout: cmd.timeout,
        tls: super::sandbox_tls(&cmd.tls, sandbox),
        proxy: cmd.proxy.clone(),
        ..HttpOptions::default()
    }) {
        Ok(h) => h,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let options = RunOptions {
        bail: cmd.bail,
        verbose: cmd.verbose,
        jobs: 1,
        ..RunOptions::default()
    };
    let console = Console::new(
        Box::new(Quiet::stdout()),
        color_stdout(),
        cmd.verbose,
        false,
    );
    let (mut reporter, _) = outputs::reporters(
        &ReportFiles::default(),
        Box::new(console),
        crate::report::github::enabled(),
    );
    let runner = Runner::new(&inputs, &options, &http);
    let (counts, interrupted) = run_stoppable(&runner, &mut reporter).await;
    if interrupted {
        exit::INTERRUPTED
    } else {
        counts.exit_code()
    }
}

/// Regenerate (or with `--check`, compare) the snippet blocks of guides.
pub(crate) fn sync(cmd: &DocsSyncCommand) -> i32 {
    let mut problems = Vec::new();
    let guides = crate::docs::discover(&cmd.paths, &mut problems);
    let mut loaded = Vec::new();
    for path in &guides {
        let mut templates = Templates::new();
        if let Some(g) = crate::docs::check::load_guide(path, &mut templates, &mut problems) {
            loaded.push((path, g, templates));
        }
    }
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let mut stale_total = 0;
    let mut written = 0;
    for (path, guide, templates) in &loaded {
        let shown = display_path(path);
        let (text, stale) = match crate::docs::sync::sync(guide, templates) {
            Ok(r) => r,
            Err(e) => {
                crate::errln!("error: {shown}:{e}");
                return exit::INVALID_INPUT;
            }
        };
        stale_total += stale.len();
        if cmd.check {
            for s in &stale {
                crate::outln!(
                    "{shown}:{}: the {} snippet is out of step with its request",
                    s.line,
                    format!("{:?}", s.lang).to_lowercase()
                );
            }
        } else if !stale.is_empty() {
            if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), false) {
                crate::errln!("error: cannot write {shown}: {e}");
                return exit::INVALID_INPUT;
            }
            written += 1;
            crate::outln!(
                "{shown}: {} snippet{} rewritten",
                stale.len(),
                if stale.len() == 1 { "" } else { "s" }
            );
        }
    }
    if cmd.check && stale_total > 0 {
        crate::outln!("run `baton docs sync` to regenerate them");
        return exit::EXPECTATION_FAILED;
    }
    if cmd.check || written == 0 {
        crate::outln!("every snippet in step");
    }
    exit::OK
}
