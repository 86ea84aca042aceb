//! The `baton` binary: parses the command line and hands it to the library's front ends.

fn main() {
    let cli = baton::Cli::from_env();
    std::process::exit(baton::main(cli));
}
