//! The `baton` binary: parses the command line and hands it to the library's front ends.
use clap::Parser;

fn main() {
    let cli = baton::Cli::parse();
    std::process::exit(baton::main(cli));
}
