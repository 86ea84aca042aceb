//! The command line (clap). Types from clap stop here: each subcommand becomes a plain
//! options struct that a front end (`cmd`) takes (`cli/plain.rs`). Option values are
//! parsed where clap reads them (`inputs::values`): a bad one exits 2 before anything loads.

use crate::color::ColorWhen;
use crate::inputs::{Shard, values};
use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCompleter;
use generated::EnvNames;
use plain::said;
use std::path::PathBuf;
use std::time::Duration;

mod dispatch;
mod examples;
mod generated;
mod plain;
mod tls;

pub use dispatch::main;
use tls::TlsArgs;

#[derive(Parser, Debug)]
#[command(name = "baton", version, about = "Run declarative YAML request collections: Postman collections in git, with OAuth 2.0 / OpenID Connect first-class", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour the output: auto (a terminal, unless NO_COLOR; FORCE_COLOR or CLICOLOR_FORCE
    /// colour a pipe too), always, or never.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto, display_order = 900)]
    pub color: ColorWhen,
}

impl Cli {
    /// The command line of this process. A shell asking for completions (`BATON_COMPLETE=bash
    /// baton -- …`) is answered here and the process exits. clap's own help and errors are
    /// coloured as `--color` and the environment say (`crate::color`), so `--color` is
    /// read before clap parses the rest.
    #[must_use]
    pub fn from_env() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        generated::answer_if_asked();
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let choice = crate::color::clap_choice(color_flag(&args));
        let matches = Cli::command().color(choice).get_matches_from(args);
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// `--color WHEN` or `--color=WHEN` before a `--`; the last one given wins, as clap reads it.
/// A value clap will refuse counts as `auto` here.
fn color_flag(args: &[std::ffi::OsString]) -> ColorWhen {
    use clap::ValueEnum;
    let mut when = ColorWhen::Auto;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        let value = if arg == "--" {
            break;
        } else if arg == "--color" {
            iter.next().map(std::borrow::Cow::into_owned)
        } else {
            arg.strip_prefix("--color=").map(str::to_string)
        };
        if let Some(v) = value {
            when = ColorWhen::from_str(&v, false).unwrap_or_default();
        }
    }
    when
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run collections: files, or directories of .yaml files in sorted order.
    #[command(after_help = examples::RUN)]
    Run(RunArgs),
    /// `run --watch`: run, then run again what each change to the files read affects.
    Watch(RunArgs),
    /// Load and validate collections and environments, and report every variable that is
    /// neither defined nor captured by an earlier request. Sends nothing.
    #[command(after_help = examples::CHECK)]
    Check(CheckArgs),
    /// Serve the embedded OpenID Connect sandbox provider on 127.0.0.1.
    #[command(after_help = examples::SANDBOX)]
    Sandbox(SandboxArgs),
    /// Print a valid access token from an `oauth2` request: cached, refreshed, or newly
    /// requested (and cached in .baton/). For `curl -H "Authorization: Bearer $(baton token …)"`.
    #[command(after_help = examples::TOKEN)]
    Token(TokenArgs),
    /// Work with reports written by `run --json FILE`.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Import a Postman collection (and environment) or a curl command as baton YAML.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print a request as a cURL, Python (requests), Node (axios) or raw HTTP snippet
    /// (variables without a value, and secrets, as <your-name> placeholders), or without
    /// --request the whole collection as one runnable program (secrets read from the
    /// environment).
    #[command(after_help = examples::EXPORT)]
    Export(ExportArgs),
    /// Probe an OAuth 2.0 / OpenID Connect provider against the specifications (discovery,
    /// JWKS, token endpoint errors, userinfo; with a client and a user, the grants): a report
    /// card of MUSTs and SHOULDs, each citing its rule.
    #[command(after_help = examples::PROBE)]
    Probe(ProbeArgs),
    /// Print the JSON Schema (2020-12) of collection or environment files.
    #[command(after_help = examples::SCHEMA)]
    Schema(SchemaArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish. It calls
    /// baton as you type, so `-e <TAB>` lists the environments of the working directory.
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print baton's man page (roff), or with --dir write one page per command (baton.1,
    /// baton-run.1...).
    #[command(after_help = examples::MAN)]
    Man(ManArgs),
    /// Markdown guides whose ```baton blocks are requests: run them, or regenerate their
    /// `baton:snippet` blocks.
    #[command(subcommand)]
    Docs(DocsCommand),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The collection holding the request.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The request, by id or name: its snippet. Without it, the whole collection as one
    /// runnable program (captures as variables, statuses checked).
    #[arg(long, value_name = "NAME")]
    pub request: Option<String>,
    /// The snippet's or the program's language.
    #[arg(long = "as", value_name = "LANG", value_parser = ["curl", "python", "node", "http"])]
    pub lang: String,
    /// An environment whose values are written into the snippet. Repeatable.
    #[arg(short = 'e', long = "env", value_name = "ENV", add = ArgValueCompleter::new(EnvNames))]
    pub env: Vec<String>,
    /// A value written into the snippet: --var ClientId=abc. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = said(values::var))]
    pub vars: Vec<(String, String)>,
    /// Write secret values instead of placeholders.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The provider's issuer URL, e.g. https://login.example.com.
    #[arg(value_name = "ISSUER", required_unless_present_any = ["sandbox", "print"], conflicts_with = "sandbox")]
    pub issuer: Option<String>,
    /// Probe the embedded sandbox provider (its client and user unless given).
    #[arg(long)]
    pub sandbox: bool,
    /// The sandbox's configuration (as `baton sandbox --config`), e.g. to switch on a fault.
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub sandbox_config: Option<PathBuf>,
    /// A client of the provider, for the checks that need one.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The environment variable that holds the client's secret.
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// How the client authenticates in the flows: basic, body or client_secret_jwt.
    #[arg(long, value_name = "METHOD", default_value = "basic")]
    pub client_auth: String,
    /// The client's private key (PEM), to check private_key_jwt.
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// A user to sign in (authorization code + PKCE, headless).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The environment variable that holds the user's password.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The redirect URI registered for the client.
    #[arg(
        long,
        value_name = "URI",
        default_value = "http://127.0.0.1:8765/callback"
    )]
    pub redirect_uri: String,
    /// The scope the user signs in with (default: openid, and offline_access when listed).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Run only this group of checks (repeatable): discovery, jwks, errors, userinfo,
    /// revocation, client, sign-in.
    #[arg(long, value_name = "GROUP")]
    pub only: Vec<String>,
    /// Print the collection of a group's checks (to copy into a suite) and exit.
    #[arg(long, value_name = "GROUP")]
    pub print: Option<String>,
    /// Show each request and response of the checks (secrets redacted).
    #[arg(short, long)]
    pub verbose: bool,
    /// Time limit of one request (e.g. 30s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = values::limit)]
    pub timeout: Duration,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
    #[command(flatten)]
    pub reports: ReportFileArgs,
}

/// `--proxy` and `--no-proxy`, on every command that sends requests.
#[derive(Args, Debug, Clone, Default)]
pub struct ProxyArgs {
    /// Send every request through this HTTP proxy (http://HOST:PORT, https://…; hosts in
    /// NO_PROXY still go direct). Without it, HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY
    /// are honoured.
    #[arg(long, value_name = "URL", value_parser = said(crate::http::parse_proxy))]
    pub proxy: Option<reqwest::Url>,
    /// Send requests straight to the server, whatever the proxy variables say.
    #[arg(long, conflicts_with = "proxy")]
    pub no_proxy: bool,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write baton.1 and a page per command into this directory (made if missing) instead
    /// of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_name = "KIND", default_value = "collection", value_parser = ["collection", "environment"])]
    pub kind: String,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `baton import postman|curl`.
#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// A Postman collection export (format v2.0 or v2.1): each folder becomes a directory,
    /// the requests of each folder one collection file, OAuth 2.0 helpers `oauth2` requests,
    /// and common test-script shapes `capture` and `expect`.
    #[command(after_help = examples::IMPORT_POSTMAN)]
    Postman(ImportPostmanArgs),
    /// One curl command line ('curl -X POST …', or `-` to read it from stdin) as a request.
    #[command(after_help = examples::IMPORT_CURL)]
    Curl(ImportCurlArgs),
}

#[derive(Args, Debug)]
pub struct ImportPostmanArgs {
    /// The collection export (`*.postman_collection.json`).
    #[arg(value_name = "COLLECTION.json")]
    pub collection: PathBuf,
    /// A Postman environment export: written as environments/NAME.yaml in DIR.
    #[arg(long, value_name = "ENV.json")]
    pub env: Option<PathBuf>,
    /// The directory to write into.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write secret values (environment secrets, literal passwords) instead of
    /// <<env.NAME>> references to the process environment.
    #[arg(long)]
    pub keep_secrets: bool,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ImportCurlArgs {
    /// The command, quoted as one argument; `-` reads it from stdin.
    #[arg(value_name = "COMMAND", allow_hyphen_values = true)]
    pub command: String,
    /// Write the collection to this file instead of printing it.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write literal credentials (a `-u` password, an Authorization header, cookies) as
    /// they are instead of <<env.NAME>> references to the process environment.
    #[arg(long)]
    pub keep_secrets: bool,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The collection holding the `oauth2` request.
    #[arg(value_name = "FILE", required_unless_present = "clear")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// The request to use, by id or name (default: the first oauth2 request that obtains tokens).
    #[arg(long, value_name = "NAME")]
    pub request: Option<String>,
    /// Forget every cached token.
    #[arg(long)]
    pub clear: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
}

#[derive(Args, Debug, Clone)]
pub struct VarArgs {
    /// An environment: a name (environments/NAME.yaml) or a path. Repeatable; later wins.
    #[arg(short = 'e', long = "env", value_name = "ENV", add = ArgValueCompleter::new(EnvNames))]
    pub env: Vec<String>,
    /// Set a variable, above environments: --var Scope="api offline_access". Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = said(values::var))]
    pub vars: Vec<(String, String)>,
    /// Start the embedded sandbox provider and point the examples' variables at it.
    #[arg(long)]
    pub sandbox: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Collection files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// Stop at the first request that fails.
    #[arg(long)]
    pub bail: bool,
    /// Show each request and response and the curl command that reproduces it (secrets
    /// redacted); -vv adds each exchange's timings (DNS, connect, first byte, body).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// After the run, watch the files it read (collections, included and needed files,
    /// environments, --data) and run again what a change affects, until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Save each response body in DIR, as DIR/<file>/<NN>-<request>.<ext> (written as
    /// received: tokens in a body are saved in clear).
    #[arg(long, value_name = "DIR")]
    pub output: Option<std::path::PathBuf>,
    /// A Netscape cookie file (as curl -c writes it) whose cookies each collection run
    /// starts with.
    #[arg(long, value_name = "FILE")]
    pub cookies: Option<std::path::PathBuf>,
    /// Show secrets in the output instead of •••.
    #[arg(long)]
    pub show_secrets: bool,
    /// Time limit of one request, all its redirects included (e.g. 30s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = values::limit)]
    pub timeout: Duration,
    /// Time limit of the whole run: retries, delays, redirects and oauth2 flows included;
    /// the requests it prevents are reported as skipped.
    #[arg(long, value_name = "DURATION", value_parser = values::limit)]
    pub max_time: Option<Duration>,
    /// Largest response body kept, in bytes (suffixes K, M, G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = said(values::max_body))]
    pub max_body: u64,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Run each collection this many times (with --data: cycling through the rows).
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,
    /// A CSV (header line of names) or JSON (array of objects) file: one run per row, the
    /// row's values as variables above the environment.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Run this many collection files at once (at least 1; 0 is refused).
    #[arg(long, short = 'j', value_name = "N", default_value = "1", value_parser = values::jobs)]
    pub jobs: usize,
    /// Run the K-th of N deterministic parts of the files (for a CI matrix), e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = said(values::shard))]
    pub shard: Option<Shard>,
    /// Run only requests with this name, id or tag (repeatable).
    #[arg(long, value_name = "NAME|TAG")]
    pub only: Vec<String>,
    /// Skip requests with this name, id or tag (repeatable).
    #[arg(long = "skip", value_name = "NAME|TAG")]
    pub skip_requests: Vec<String>,
    /// Keep the tokens of oauth2 requests in .baton/tokens.json (mode 0600) and reuse them
    /// in later runs while they are valid.
    #[arg(long)]
    pub save: bool,
    /// Ignore the values `persist:` kept in .baton/state.json (they are still kept after
    /// this run).
    #[arg(long)]
    pub fresh: bool,
    #[command(flatten)]
    pub reports: ReportFileArgs,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
}

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 5001)]
    pub port: u16,
    /// A YAML file with clients, users and lifetimes.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

// --- reports: `run --junit/--json/--html` and `report merge` ---

#[derive(Args, Debug, Clone, Default)]
pub struct ReportFileArgs {
    /// Write a JUnit XML report (Jenkins, GitLab).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the run as one JSON document; `-` streams events as NDJSON to stdout (the
    /// console then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Join the JSON reports of shards into one run (counts and exit code recomputed); exits
    /// with the merged run's code. Without an output option, prints the JSON document.
    #[command(after_help = examples::MERGE)]
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON reports written by `baton run --json FILE`.
    #[arg(required = true, value_name = "REPORT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub reports: ReportFileArgs,
}

// --- `baton docs check|sync` ---

#[derive(Subcommand, Debug)]
pub enum DocsCommand {
    /// Run the ```baton blocks of guides (files or directories of .md files): each guide's
    /// blocks in order as one collection, so captures flow from block to block.
    #[command(after_help = examples::DOCS_CHECK)]
    Check(DocsCheckArgs),
    /// Regenerate the `python|node|curl|http baton:snippet` blocks under each ```baton block.
    #[command(after_help = examples::DOCS_SYNC)]
    Sync(DocsSyncArgs),
}

#[derive(Args, Debug)]
pub struct DocsCheckArgs {
    /// Markdown guides or directories.
    #[arg(required = true, value_name = "GUIDE.md|DIR")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// Stop at the first request that fails.
    #[arg(long)]
    pub bail: bool,
    /// Show each request and response (secrets redacted).
    #[arg(short, long)]
    pub verbose: bool,
    /// Time limit of one request, all its redirects included (e.g. 30s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = values::limit)]
    pub timeout: Duration,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
}

#[derive(Args, Debug)]
pub struct DocsSyncArgs {
    /// Markdown guides or directories.
    #[arg(required = true, value_name = "GUIDE.md|DIR")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit 1 naming each snippet that is out of step.
    #[arg(long)]
    pub check: bool,
}
