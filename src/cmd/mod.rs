//! The front ends of the subcommands, one file each (`run.rs` holds `run` and its
//! pre-flight `check`), and what they share: printing problems, colours, the in-process
//! sandbox of `--sandbox`, Ctrl-C. Front ends are the only code that prints or writes files;
//! each takes plain options (the command line turns its arguments into them in `cli`, which
//! also dispatches: nothing here names a clap type) and returns an exit code. They all live here, not beside their capability, so that the
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
mod watch;

use crate::diag::Diagnostic;
use crate::exit;
use crate::sandbox::{Sandbox, SandboxConfig};
use std::path::PathBuf;

/// Colour stderr (`--color`, NO_COLOR, FORCE_COLOR...: `crate::color`).
pub(crate) fn color_stderr() -> bool {
    crate::color::stderr()
}

/// Colour stdout.
pub(crate) fn color_stdout() -> bool {
    crate::color::stdout()
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
pub(crate) async fn sandbox(cmd: SandboxCommand) -> i32 {
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

/// The command's TLS set-up, trusting the sandbox's CA too when `--sandbox` started one
/// (its mTLS port has a certificate of that CA).
pub(crate) fn sandbox_tls(tls: &crate::http::Tls, sandbox: Option<&Sandbox>) -> crate::http::Tls {
    let mut tls = tls.clone();
    if let Some(s) = sandbox {
        tls.extra_roots
            .push(rustls::pki_types::CertificateDer::from(s.mtls_ca()));
        tls.extra_roots_file = Some(s.mtls_ca_file().to_path_buf());
    }
    tls
}

/// A run with Ctrl-C (and SIGTERM) wired to its cancel: the counts of what ran, and whether
/// it was interrupted.
pub(crate) async fn run_stoppable(
    runner: &crate::runner::Runner<'_>,
    reporter: &mut dyn crate::event::Reporter,
) -> (crate::event::Counts, bool) {
    let cancel = runner.cancel.clone();
    tokio::spawn(async move {
        stop_signal().await;
        cancel.cancel();
    });
    let counts = runner.run(reporter).await;
    (counts, runner.cancel.is_cancelled())
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
