//! Shell completion through clap_complete's dynamic engine: the script `baton completions
//! SHELL` prints registers `baton` with the shell, and each <TAB> runs
//! `COMPLETE=SHELL baton -- WORDS…`, which answers from the clap definitions plus what only
//! the working directory knows: the environment names `-e` takes (environments/*.yaml).

use super::Cli;
use clap::CommandFactory;
use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};
use clap_complete::env::{CompleteEnv, EnvCompleter, Shells};
use std::ffi::OsStr;

/// Answers a completion request and exits when the shell asked for one (`COMPLETE` set);
/// otherwise returns at once.
pub(crate) fn answer_if_asked() {
    CompleteEnv::with_factory(Cli::command).complete();
}

/// `baton completions SHELL`: the registration script of the dynamic engine, as
/// `COMPLETE=SHELL baton` prints it, calling `baton` on the PATH.
pub(crate) fn script(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let completer: &dyn EnvCompleter = shells
        .completer(&name)
        .ok_or_else(|| std::io::Error::other(format!("no completion engine for {name}")))?;
    completer.write_registration("COMPLETE", "baton", "baton", "baton", out)
}

/// `-e <TAB>`: the names of environments/*.yaml (and .yml) in the working directory, as
/// `-e NAME` finds them; a value with a `/`, or that starts no name, completes as a path
/// (`-e envs/dev.yaml`).
#[derive(Clone, Copy)]
pub(super) struct EnvNames;

impl ValueCompleter for EnvNames {
    fn complete(&self, current: &OsStr) -> Vec<CompletionCandidate> {
        let typed = current.to_string_lossy();
        if typed.contains('/') || typed.starts_with('.') || typed.starts_with('~') {
            return PathCompleter::any().complete(current);
        }
        let names: Vec<CompletionCandidate> =
            crate::collection::environment::available_environments(&[std::path::PathBuf::from(
                ".",
            )])
            .into_iter()
            .filter(|name| name.starts_with(typed.as_ref()))
            .map(CompletionCandidate::new)
            .collect();
        if names.is_empty() {
            // No name starts so: perhaps the start of a path (`-e env` → environments/).
            return PathCompleter::any().complete(current);
        }
        names
    }
}
