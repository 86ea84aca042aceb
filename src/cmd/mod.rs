//! The front ends of the subcommands, one file each (`run.rs` holds `run` and its
//! pre-flight `check`), and what they share: printing problems, colours, the in-process
//! sandbox of `--sandbox`, Ctrl-C. Front ends are the only code that prints or writes files;
//! each takes plain options (the command line turns its arguments into them in `cli`) and
//! returns an exit code. They all live here, not beside their capability, so that the
//! library folders (`runner/`, `report/`, `oauth/`, ...) hold no process concerns, and the
//! front ends share these helpers without reaching into one another's folders.
//! `sandbox`, `schema` and `completions` are a few lines each and stay in this file.

pub(crate) mod docs;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod probe;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod token;

use crate::cli::{Cli, Command, DocsCommand, ImportCommand, ReportCommand};
use crate::diag::Diagnostic;
use crate::exit;
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::stdio::Quiet;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;

/// Run the subcommand; the process's exit code. This dispatch is the one place past `cli`
/// that names clap's types: each arm turns its arguments into a front end's options.
#[must_use]
pub fn main(cli: Cli) -> i32 {
    // A run is one task that waits on one connection at a time: on a single thread it
    // needs no hand-off between threads per request (`--jobs N` starts its own threads).
    // The long-running sandbox server takes requests from anywhere: it gets workers.
    let mut builder = match &cli.command {
        Command::Sandbox(_) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
        // `--jobs N` blocks this thread while its workers run: the sandbox (`--sandbox`)
        // and the Ctrl-C handler need a worker of their own meanwhile.
        Command::Run(args) if args.jobs > 1 => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(1);
            b
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            crate::errln!("error: cannot start the async runtime: {e}");
            return exit::REQUEST_FAILED;
        }
    };
    let code = match cli.command {
        Command::Run(args) => runtime.block_on(run::run(args.options())),
        Command::Check(args) => runtime.block_on(run::check(args.options())),
        Command::Sandbox(args) => runtime.block_on(sandbox(args.options())),
        Command::Token(args) => runtime.block_on(token::main(args.options())),
        Command::Report(ReportCommand::Merge(args)) => report::merge(&args.options()),
        Command::Import(ImportCommand::Postman(args)) => import::postman(&args.options()),
        Command::Import(ImportCommand::Curl(args)) => import::curl(&args.options()),
        Command::Export(args) => export::main(&args.options()),
        Command::Probe(args) => runtime.block_on(probe::main(args.command())),
        Command::Schema(args) => match crate::schema::text(&args.kind) {
            Some(text) => {
                crate::out!("{text}");
                exit::OK
            }
            None => exit::INVALID_INPUT,
        },
        Command::Completions(args) => {
            // clap_complete panics when it cannot write: it writes to memory.
            let mut script = Vec::new();
            crate::cli::completions(args.shell, &mut script);
            let _ = Quiet::stdout().write_all(&script);
            exit::OK
        }
        Command::Docs(DocsCommand::Check(args)) => runtime.block_on(docs::check(args.options())),
        Command::Docs(DocsCommand::Sync(args)) => docs::sync(&args.options()),
    };
    crate::stdio::finish(code)
}

pub(crate) fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && console::colors_enabled_stderr()
}

pub(crate) fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && console::colors_enabled()
}

/// Diagnostics as printed: each rendered, then a count of the errors and the files they
/// are in. Also how `cli` words a bad option value, so that one reads like the rest.
pub(crate) fn problems_text(problems: &[Diagnostic], color: bool) -> String {
    let mut text = String::new();
    for d in problems {
        text.push_str(&d.render(color));
        text.push('\n');
    }
    let errors = problems.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let files: std::collections::BTreeSet<String> = problems
            .iter()
            .filter_map(|d| d.source.as_ref().map(|s| s.display()))
            .collect();
        let plural = if errors == 1 { "" } else { "s" };
        if files.is_empty() {
            text.push_str(&format!("{errors} error{plural}\n"));
        } else {
            text.push_str(&format!(
                "{errors} error{plural} in {}\n",
                files.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    text
}

/// Print diagnostics to stderr; true when any is an error.
pub(crate) fn print_problems(problems: &[Diagnostic]) -> bool {
    if !problems.is_empty() {
        crate::stdio::err(format_args!("{}", problems_text(problems, color_stderr())));
    }
    problems.iter().any(Diagnostic::is_error)
}

/// `baton sandbox`: its options.
#[derive(Debug, Clone)]
pub struct SandboxCommand {
    pub port: u16,
    pub config: Option<PathBuf>,
}

/// `baton sandbox`: serve the provider until stopped.
async fn sandbox(cmd: SandboxCommand) -> i32 {
    let mut config = match &cmd.config {
        Some(path) => match SandboxConfig::from_yaml_file(path) {
            Ok(c) => c,
            Err(e) => {
                crate::errln!("error: {e}");
                return exit::INVALID_INPUT;
            }
        },
        None => SandboxConfig::default(),
    };
    config.port = cmd.port;
    match crate::sandbox::serve(config).await {
        Ok(()) => exit::OK,
        Err(e) => {
            crate::errln!("error: {e}");
            exit::REQUEST_FAILED
        }
    }
}

/// Start the in-process sandbox for `--sandbox`, on a free port.
pub(crate) async fn start_sandbox(wanted: bool) -> Result<Option<Sandbox>, i32> {
    if !wanted {
        return Ok(None);
    }
    match Sandbox::start(SandboxConfig::default()).await {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            crate::errln!("error: cannot start the sandbox: {e}");
            Err(exit::REQUEST_FAILED)
        }
    }
}

/// Ctrl-C or SIGTERM.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
