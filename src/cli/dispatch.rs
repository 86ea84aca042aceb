//! The dispatch of a parsed command line: the async runtime each subcommand needs, then its
//! front end in `cmd`, given the plain options its arguments turn into.

use super::{Cli, Command, DocsCommand, ImportCommand, ReportCommand};
use crate::cmd;
use crate::exit;
use crate::stdio::Quiet;
use std::io::Write as _;

/// Run the subcommand; the process's exit code. Each arm turns its arguments into a front
/// end's options, so that clap's types stop in `cli`.
#[must_use]
pub fn main(cli: Cli) -> i32 {
    crate::color::init(cli.color);
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
        Command::Run(args) | Command::Watch(args) if args.jobs > 1 => {
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
        Command::Run(args) => runtime.block_on(cmd::run::run(args.options())),
        Command::Watch(args) => {
            let mut options = args.options();
            options.watch = true;
            runtime.block_on(cmd::run::run(options))
        }
        Command::Check(args) => runtime.block_on(cmd::run::check(args.options())),
        Command::Sandbox(args) => runtime.block_on(cmd::sandbox(args.options())),
        Command::Token(args) => runtime.block_on(cmd::token::main(args.options())),
        Command::Report(ReportCommand::Merge(args)) => cmd::report::merge(&args.options()),
        Command::Import(ImportCommand::Postman(args)) => cmd::import::postman(&args.options()),
        Command::Import(ImportCommand::Curl(args)) => cmd::import::curl(&args.options()),
        Command::Export(args) => cmd::export::main(&args.options()),
        Command::Probe(args) => runtime.block_on(cmd::probe::main(args.command())),
        Command::Schema(args) => match crate::schema::text(&args.kind) {
            Some(text) => {
                crate::out!("{text}");
                exit::OK
            }
            None => exit::INVALID_INPUT,
        },
        Command::Completions(args) => {
            let mut script = Vec::new();
            match super::generated::script(args.shell, &mut script) {
                Ok(()) => {
                    let _ = Quiet::stdout().write_all(&script);
                    exit::OK
                }
                Err(e) => {
                    crate::errln!("error: {e}");
                    exit::INVALID_INPUT
                }
            }
        }
        Command::Man(args) => man(args.dir.as_deref()),
        Command::Docs(DocsCommand::Check(args)) => {
            runtime.block_on(cmd::docs::check(args.options()))
        }
        Command::Docs(DocsCommand::Sync(args)) => cmd::docs::sync(&args.options()),
    };
    crate::stdio::finish(code)
}

/// `baton man`: the main page on stdout, or every page into `dir`.
fn man(dir: Option<&std::path::Path>) -> i32 {
    match dir {
        None => match super::generated::main_page() {
            Ok(page) => {
                let _ = Quiet::stdout().write_all(&page);
                exit::OK
            }
            Err(e) => {
                crate::errln!("error: cannot render the man page: {e}");
                exit::REQUEST_FAILED
            }
        },
        Some(dir) => match super::generated::write_pages(dir) {
            Ok(paths) => {
                for p in paths {
                    crate::errln!("wrote {}", crate::diag::display_path(&p));
                }
                exit::OK
            }
            Err(e) => {
                crate::errln!("error: {e}");
                exit::INVALID_INPUT
            }
        },
    }
}
