use clap::Parser;

fn main() {
    let cli = baton::Cli::parse();
    std::process::exit(baton::main(cli));
}
