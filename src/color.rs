//! Whether output is coloured: `--color auto|always|never` and the conventions CI services
//! and users set, decided once per process and shared by everything that prints (the
//! console, diagnostics, indicatif through `console`'s switches, and clap's help and errors).
//!
//! Precedence, first that applies wins:
//! 1. `--color always|never`;
//! 2. `NO_COLOR` set and not empty (no-color.org): never;
//! 3. `FORCE_COLOR` (not `0`/`false`) or `CLICOLOR_FORCE` (not `0`), set and not empty:
//!    always, on a pipe too (CI logs render ANSI but are not terminals);
//! 4. `CLICOLOR=0` or `TERM=dumb`: never;
//! 5. the stream is a terminal.
//!
//! This is anstream's order (clap's), with FORCE_COLOR added beside CLICOLOR_FORCE;
//! `console` alone would let CLICOLOR_FORCE beat NO_COLOR, so its switches are set from here.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU8, Ordering};

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    // No doc comments on the variants: clap would list each under `--help` at length,
    // where `[possible values: auto, always, never]` says it.
    #[default]
    Auto,
    Always,
    Never,
}

/// What the environment asks for, before looking at the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asked {
    Always,
    Never,
    Terminal,
}

fn asked(when: ColorWhen, var: &dyn Fn(&str) -> Option<String>) -> Asked {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    match when {
        ColorWhen::Always => return Asked::Always,
        ColorWhen::Never => return Asked::Never,
        ColorWhen::Auto => {}
    }
    if set("NO_COLOR").is_some() {
        return Asked::Never;
    }
    let force = set("FORCE_COLOR").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"))
        || set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
    if force {
        return Asked::Always;
    }
    if set("CLICOLOR").as_deref() == Some("0") || set("TERM").as_deref() == Some("dumb") {
        return Asked::Never;
    }
    Asked::Terminal
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The colour choice clap should use for its own help and errors: the same decision, with
/// the terminal test left to clap (which makes it the same way).
pub(crate) fn clap_choice(when: ColorWhen) -> clap::ColorChoice {
    match asked(when, &env_var) {
        Asked::Always => clap::ColorChoice::Always,
        Asked::Never => clap::ColorChoice::Never,
        Asked::Terminal => clap::ColorChoice::Auto,
    }
}

// 0: not decided yet (tests of the library), 1: no colour, 2: colour.
static STDOUT: AtomicU8 = AtomicU8::new(0);
static STDERR: AtomicU8 = AtomicU8::new(0);

/// Decide for both streams, once at start-up, and tell `console` (and so indicatif).
pub(crate) fn init(when: ColorWhen) {
    let asked = asked(when, &env_var);
    let decide = |terminal: bool| match asked {
        Asked::Always => true,
        Asked::Never => false,
        Asked::Terminal => terminal,
    };
    let out = decide(std::io::stdout().is_terminal());
    let err = decide(std::io::stderr().is_terminal());
    STDOUT.store(1 + u8::from(out), Ordering::Relaxed);
    STDERR.store(1 + u8::from(err), Ordering::Relaxed);
    console::set_colors_enabled(out);
    console::set_colors_enabled_stderr(err);
}

fn read(flag: &AtomicU8, terminal: bool) -> bool {
    match flag.load(Ordering::Relaxed) {
        0 => terminal && asked(ColorWhen::Auto, &env_var) != Asked::Never,
        n => n == 2,
    }
}

/// Colour what goes to stdout.
pub(crate) fn stdout() -> bool {
    read(&STDOUT, std::io::stdout().is_terminal())
}

/// Colour what goes to stderr.
pub(crate) fn stderr() -> bool {
    read(&STDERR, std::io::stderr().is_terminal())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], when: ColorWhen) -> Asked {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        asked(when, &move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn the_flag_beats_the_environment() {
        let force = [("FORCE_COLOR", "1")];
        assert_eq!(with(&force, ColorWhen::Never), Asked::Never);
        let none = [("NO_COLOR", "1")];
        assert_eq!(with(&none, ColorWhen::Always), Asked::Always);
    }

    #[test]
    fn no_color_beats_force_and_force_beats_the_terminal_test() {
        let both = [("NO_COLOR", "1"), ("FORCE_COLOR", "1")];
        assert_eq!(with(&both, ColorWhen::Auto), Asked::Never);
        let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
        assert_eq!(with(&both, ColorWhen::Auto), Asked::Never);
        assert_eq!(
            with(&[("FORCE_COLOR", "1"), ("TERM", "dumb")], ColorWhen::Auto),
            Asked::Always
        );
        assert_eq!(
            with(&[("CLICOLOR_FORCE", "1")], ColorWhen::Auto),
            Asked::Always
        );
    }

    #[test]
    fn empty_and_zero_values_do_not_count() {
        assert_eq!(with(&[("NO_COLOR", "")], ColorWhen::Auto), Asked::Terminal);
        assert_eq!(
            with(&[("FORCE_COLOR", "0")], ColorWhen::Auto),
            Asked::Terminal
        );
        assert_eq!(
            with(&[("FORCE_COLOR", "false")], ColorWhen::Auto),
            Asked::Terminal
        );
        assert_eq!(
            with(&[("CLICOLOR_FORCE", "0")], ColorWhen::Auto),
            Asked::Terminal
        );
        assert_eq!(with(&[("CLICOLOR", "0")], ColorWhen::Auto), Asked::Never);
        assert_eq!(with(&[("TERM", "dumb")], ColorWhen::Auto), Asked::Never);
    }
}
