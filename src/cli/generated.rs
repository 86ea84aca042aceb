//! What is made from the clap definitions for the system around baton, so that it says
//! what `--help` says: shell completion and man pages.
//!
//! Completion uses clap_complete's dynamic engine: the script `baton completions SHELL`
//! prints registers `baton` with the shell, and each <TAB> runs `BATON_COMPLETE=SHELL baton --
//! WORDS…`, which answers from the clap definitions plus what only the working directory
//! knows: the environment names `-e` takes (environments/*.yaml).
//!
//! `baton man` renders roff pages with clap_mangen; the EXAMPLES of each subcommand's help
//! become an EXAMPLES section (clap_mangen would title it EXTRA). One page per command:
//! `baton.1`, `baton-run.1`, `baton-report-merge.1`...

use super::Cli;
use clap::CommandFactory;
use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};
use clap_complete::env::{CompleteEnv, EnvCompleter, Shells};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Answers a completion request and exits when the shell asked for one (`BATON_COMPLETE` set);
/// otherwise returns at once.
pub(crate) fn answer_if_asked() {
    CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

/// The variable that asks for completions. clap_complete's default, `COMPLETE`, is a name
/// a CI job may well set for its own reasons, and any value but `0` would turn every
/// `baton` command into a completion request.
const VAR: &str = "BATON_COMPLETE";

/// `baton completions SHELL`: the registration script of the dynamic engine, as
/// `BATON_COMPLETE=SHELL baton` prints it, calling `baton` on the PATH.
pub(crate) fn script(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let completer: &dyn EnvCompleter = shells
        .completer(&name)
        .ok_or_else(|| std::io::Error::other(format!("no completion engine for {name}")))?;
    completer.write_registration(VAR, "baton", "baton", "baton", out)
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
        let here = [PathBuf::from(".")];
        let names: Vec<CompletionCandidate> =
            crate::collection::environment::available_environments(&here)
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

// --- man pages ---

/// The whole command tree, built (global options propagated, display names such as
/// `baton-run` set), without clap's `help` subcommand.
fn tree() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The page of `cmd`, in roff: clap_mangen's, with the EXAMPLES before its VERSION.
fn page(cmd: &clap::Command) -> Result<Vec<u8>, std::io::Error> {
    let help = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(ToString::to_string);
    let bare = cmd
        .clone()
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    let mut out = Vec::new();
    clap_mangen::Man::new(bare)
        .source(concat!("baton ", env!("CARGO_PKG_VERSION")))
        .render(&mut out)?;
    let Some(help) = help else {
        return Ok(out);
    };
    let mut section = Vec::new();
    examples(&help, &mut section);
    let at = find(&out, b"\n.SH VERSION\n").map_or(out.len(), |i| i + 1);
    out.splice(at..at, section);
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An EXAMPLES section: the help's lines (without its `Examples:` heading) as they are
/// laid out, commands and their explanations, with roff's control characters escaped.
fn examples(help: &str, out: &mut Vec<u8>) {
    let body = help.strip_prefix("Examples:\n").unwrap_or(help);
    out.extend_from_slice(b".SH EXAMPLES\n.nf\n");
    for line in body.lines() {
        let line = line.replace('\\', "\\e").replace('-', "\\-");
        if line.starts_with('.') || line.starts_with('\'') {
            out.extend_from_slice(b"\\&");
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b".fi\n");
}

/// The main page, `baton.1`.
pub(crate) fn main_page() -> Result<Vec<u8>, std::io::Error> {
    page(&tree())
}

/// Every page, written into `dir` (made if missing), each file atomically; the paths
/// written, in order.
pub(crate) fn write_pages(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    let mut todo = vec![tree()];
    while let Some(cmd) = todo.pop() {
        let name = cmd
            .get_display_name()
            .unwrap_or_else(|| cmd.get_name())
            .to_string();
        let text = page(&cmd).map_err(|e| format!("cannot render the page of {name}: {e}"))?;
        let path = dir.join(format!("{name}.1"));
        crate::fsutil::write_atomic(&path, &text, false)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
        todo.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    }
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_escaped_for_roff() {
        let mut out = Vec::new();
        examples("Examples:\n  baton run a\\b --x\n.danger\n", &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            ".SH EXAMPLES\n.nf\n  baton run a\\eb \\-\\-x\n\\&.danger\n.fi\n"
        );
    }
}
