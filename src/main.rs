use clap::Parser;

fn main() {
    let cli = baton::cli::Cli::parse();
    std::process::exit(baton::cmd::main(cli));
}
