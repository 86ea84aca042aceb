//! One function per subcommand: the only place that prints or writes files.

use crate::cli::{
    CheckArgs, Cli, Command, MergeArgs, ReportCommand, RunArgs, SandboxArgs, TokenArgs, VarArgs,
};
use crate::collection::Layer;
use crate::collection::{environment, load};
use crate::diag::{Diagnostic, display_path};
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::report::console::Console;
use crate::report::doc::RunDoc;
use crate::report::outputs::{self, ReportFiles};
use crate::runner::{Inputs, RunOptions, Runner};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::stdio::Quiet;
use crate::template::Templates;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

pub fn main(cli: Cli) -> i32 {
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
        Command::Run(args) if args.jobs > 1 => {
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
        Command::Run(args) => runtime.block_on(run(args)),
        Command::Check(args) => runtime.block_on(check(args)),
        Command::Sandbox(args) => runtime.block_on(sandbox(args)),
        Command::Token(args) => runtime.block_on(token(args)),
        Command::Report(ReportCommand::Merge(args)) => report_merge(args),
        Command::Import(crate::cli::ImportCommand::Postman(args)) => {
            crate::import::cmd::postman(&args.options())
        }
        Command::Import(crate::cli::ImportCommand::Curl(args)) => {
            crate::import::cmd::curl(&args.options())
        }
        Command::Export(args) => crate::export::cmd::main(&args.options()),
        Command::Probe(args) => runtime.block_on(crate::probe::cmd::main(args.command())),
        Command::Schema(args) => match crate::schema::text(&args.kind) {
            Some(text) => {
                crate::out!("{text}");
                exit::OK
            }
            None => exit::INVALID_INPUT,
        },
        Command::Completions(args) => {
            // clap_complete panics when it cannot write: it writes to memory.
            let mut script = Vec::new();
            crate::cli::completions(args.shell, &mut script);
            let _ = Quiet::stdout().write_all(&script);
            exit::OK
        }
        Command::Docs(crate::cli::DocsCommand::Check(args)) => runtime.block_on(docs_check(args)),
        Command::Docs(crate::cli::DocsCommand::Sync(args)) => docs_sync(args),
    };
    crate::stdio::finish(code)
}

fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && console::colors_enabled_stderr()
}

fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && console::colors_enabled()
}

/// Print diagnostics to stderr; true when any is an error.
fn print_problems(problems: &[Diagnostic]) -> bool {
    let color = color_stderr();
    for d in problems {
        crate::errln!("{}", d.render(color));
    }
    let errors = problems.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let files: std::collections::BTreeSet<String> = problems
            .iter()
            .filter_map(|d| d.source.as_ref().map(|s| s.display()))
            .collect();
        let plural = if errors == 1 { "" } else { "s" };
        if files.is_empty() {
            crate::errln!("{errors} error{plural}");
        } else {
            crate::errln!(
                "{errors} error{plural} in {}",
                files.into_iter().collect::<Vec<_>>().join(", ")
            );
        }
    }
    errors > 0
}

/// Collection files under `paths`: files as given, directories walked in sorted order
/// (skipping `environments/`, hidden directories, `node_modules` and `target`). A file
/// runs once however it is reached: given twice, under two directories given, or through
/// a link; a directory is walked once however many links lead to it.
pub fn discover(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let filter = crate::fsutil::Filter {
        enter: &|name| {
            !(name.starts_with('.')
                || name == "environments"
                || name == "node_modules"
                || name == "target")
        },
        take: &|p, name| {
            matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                && !name.starts_with('.')
        },
    };
    let mut walker = crate::fsutil::Walker::default();
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            // `baton run . .`: the second is the first again, not an empty directory.
            if !walker.first_dir(p) {
                continue;
            }
            let found = walker.walk(p, &filter, &mut |dir, e| {
                problems.push(Diagnostic::error(format!(
                    "{}: cannot read the directory: {}",
                    display_path(dir),
                    crate::fsutil::io_reason(&e)
                )));
            });
            if found.files.is_empty() && found.again == 0 {
                problems.push(Diagnostic::error(format!(
                    "{}: no collections (.yaml or .yml files) in this directory",
                    display_path(p)
                )));
            }
            out.extend(found.files);
        } else if p.exists() {
            if walker.first_file(p) {
                out.push(p.clone());
            }
        } else {
            problems.push(Diagnostic::error(format!(
                "{}: no such file or directory",
                display_path(p)
            )));
        }
    }
    out
}

/// Which files run, and how many times.
#[derive(Default)]
struct Plan {
    /// What stays in memory of the requests loaded (`baton run`: `load::RUN_KEEPS`).
    keep: load::Keep,
    /// `(k, n)`: run the k-th (1-based) of n parts.
    shard: Option<(u64, u64)>,
    data: Option<PathBuf>,
    iterations: Option<usize>,
}

/// `K/N` with 1 <= K <= N.
fn parse_shard(text: &str) -> Option<(u64, u64)> {
    let (k, n) = text.split_once('/')?;
    let (k, n) = (k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?);
    (n >= 1 && (1..=n).contains(&k)).then_some((k, n))
}

/// The shard a file belongs to: a hash of its path below the directory it was found in, so
/// a file keeps its shard when others are added or removed (and whatever the working
/// directory), and every file is in exactly one shard.
pub fn shard_of(path: &Path, roots: &[PathBuf], n: u64) -> u64 {
    use sha2::Digest as _;
    let below = roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| path.strip_prefix(r).ok())
        .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()));
    let key = below.to_string_lossy().replace('\\', "/");
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % n + 1
}

/// Load everything a run or a check needs; `None` after printing the problems.
async fn load_inputs(
    paths: &[PathBuf],
    vars: &VarArgs,
    sandbox_vars: Option<Vec<(String, String)>>,
    plan: &Plan,
) -> Result<Inputs, i32> {
    let mut problems = Vec::new();
    let mut files = discover(paths, &mut problems);
    if let Some((k, n)) = plan.shard {
        files.retain(|f| shard_of(f, paths, n) == k);
    }
    let mut templates = Templates::new();
    let collections = load::load_files(&files, &mut templates, &mut problems, plan.keep);
    let mut layers = Vec::new();
    for name in &vars.env {
        match environment::resolve(name, paths) {
            Ok(path) => {
                if let Some(env) = environment::load(&path, &mut templates, &mut problems) {
                    layers.push(Layer {
                        name: env.file.display(),
                        vars: env.vars,
                        secrets: env.secrets,
                    });
                }
            }
            Err(d) => problems.push(d),
        }
    }
    let iteration_position = layers.len() + usize::from(sandbox_vars.is_some());
    if let Some(pairs) = sandbox_vars {
        layers.push(Layer::literal(
            "sandbox",
            &pairs,
            vec!["ClientSecret".into(), "password".into()],
        ));
    }
    let mut cli_pairs = Vec::new();
    for v in &vars.vars {
        match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => {
                cli_pairs.push((k.trim().to_string(), val.to_string()))
            }
            _ => problems.push(
                Diagnostic::error(format!("--var `{v}`: expected NAME=VALUE"))
                    .help("e.g. --var Scope=\"api offline_access\""),
            ),
        }
    }
    if !cli_pairs.is_empty() {
        layers.push(Layer::literal("--var", &cli_pairs, Vec::new()));
    }
    let mut env_dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    env_dirs.dedup();
    env_dirs.push(PathBuf::from("."));
    let env = environment::env_vars(&env_dirs, &mut problems);
    let rows = match &plan.data {
        Some(path) => crate::collection::data::load_rows(path).unwrap_or_else(|d| {
            problems.push(d);
            Vec::new()
        }),
        None => Vec::new(),
    };
    // `--iterations N` runs N times (cycling through `--data` rows); `--data` alone once per row.
    let iterations = match plan.iterations {
        Some(0) => {
            problems.push(Diagnostic::error("--iterations must be at least 1"));
            0
        }
        Some(n) => n,
        None => rows.len(),
    };
    if print_problems(&problems) {
        return Err(exit::INVALID_INPUT);
    }
    Ok(Inputs {
        collections,
        layers,
        env,
        templates,
        rows,
        iterations,
        iteration_position,
    })
}

async fn run(args: RunArgs) -> i32 {
    let mut usage = Vec::new();
    let max_body = parse_size(&args.max_body).unwrap_or_else(|| {
        usage.push(Diagnostic::error(format!(
            "--max-body `{}`: expected a size such as 64M, 512K or 1048576",
            args.max_body
        )));
        0
    });
    let shard = args.shard.as_deref().map(|text| {
        parse_shard(text).unwrap_or_else(|| {
            usage.push(Diagnostic::error(format!(
                "--shard `{text}`: expected K/N with 1 <= K <= N, e.g. 2/4"
            )));
            (1, 1)
        })
    });
    let plan = Plan {
        keep: load::RUN_KEEPS,
        shard,
        data: args.data.clone(),
        iterations: args.iterations,
    };
    let reports = args.reports.files();
    usage.extend(reports.check());
    if print_problems(&usage) {
        return exit::INVALID_INPUT;
    }
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs = match load_inputs(
        &args.paths,
        &args.vars,
        sandbox.as_ref().map(Sandbox::vars),
        &plan,
    )
    .await
    {
        Ok(i) => i,
        Err(code) => return code,
    };
    let http = match Http::new(HttpOptions {
        timeout: args.timeout,
        max_body,
        insecure: args.insecure,
        cacert: args.cacert.clone(),
    }) {
        Ok(h) => h,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let progress =
        !args.no_progress && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let options = RunOptions {
        bail: args.bail,
        verbose: args.verbose,
        show_secrets: args.show_secrets,
        max_time: args.max_time,
        save: args.save.then(crate::oauth::cache::default_path),
        jobs: args.jobs,
        only: args.only.clone(),
        skip: args.skip_requests.clone(),
        live: progress,
    };
    // Under `--json -` stdout carries NDJSON, so the console goes to stderr.
    let console = if reports.json_to_stdout() {
        Console::new(
            Box::new(Quiet::stderr()),
            color_stderr(),
            args.verbose,
            progress,
        )
    } else {
        Console::new(
            Box::new(Quiet::stdout()),
            color_stdout(),
            args.verbose,
            progress,
        )
    };
    let (mut reporter, document) = outputs::reporters(
        &reports,
        Box::new(console),
        crate::report::github::enabled(),
    );
    let runner = Runner::new(&inputs, &options, &http);
    let cancel = runner.cancel.clone();
    tokio::spawn(async move {
        stop_signal().await;
        cancel.cancel();
    });
    let counts = runner.run(&mut reporter).await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    let code = if runner.cancel.is_cancelled() {
        exit::INTERRUPTED
    } else {
        counts.exit_code()
    };
    let code = match document {
        Some(doc) => write_reports(&reports, &doc.finish(code), code),
        None => code,
    };
    // The process ends with this run: freeing the model of every request one by one is
    // work for nothing (3% of a 200-request run's instructions).
    drop(runner);
    std::mem::forget(inputs);
    code
}

async fn check(args: CheckArgs) -> i32 {
    // The sandbox is started only to learn its variables; nothing is sent to it.
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs = match load_inputs(
        &args.paths,
        &args.vars,
        sandbox.as_ref().map(Sandbox::vars),
        &Plan::default(),
    )
    .await
    {
        Ok(i) => i,
        Err(code) => return code,
    };
    let problems = crate::check::check(&inputs);
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let requests: usize = inputs.collections.iter().map(|c| c.request_count()).sum();
    let files = inputs.collections.len();
    crate::outln!(
        "ok: {files} file{}, {requests} request{}, every variable defined",
        if files == 1 { "" } else { "s" },
        if requests == 1 { "" } else { "s" }
    );
    exit::OK
}

async fn sandbox(args: SandboxArgs) -> i32 {
    let mut config = match &args.config {
        Some(path) => match SandboxConfig::from_yaml_file(path) {
            Ok(c) => c,
            Err(e) => {
                crate::errln!("error: {e}");
                return exit::INVALID_INPUT;
            }
        },
        None => SandboxConfig::default(),
    };
    config.port = args.port;
    match crate::sandbox::serve(config).await {
        Ok(()) => exit::OK,
        Err(e) => {
            crate::errln!("error: {e}");
            exit::REQUEST_FAILED
        }
    }
}

/// Start the in-process sandbox for `--sandbox`, on a free port.
async fn start_sandbox(wanted: bool) -> Result<Option<Sandbox>, i32> {
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

/// `64M`, `512K`, `1G`, `1048576`.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

async fn token(args: TokenArgs) -> i32 {
    let cache_path = crate::oauth::cache::default_path();
    if args.clear {
        return match std::fs::remove_file(&cache_path) {
            Ok(()) => {
                crate::errln!("removed {}", display_path(&cache_path));
                exit::OK
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => exit::OK,
            Err(e) => {
                crate::errln!("error: cannot remove {}: {e}", display_path(&cache_path));
                exit::REQUEST_FAILED
            }
        };
    }
    let Some(file) = args.file.clone() else {
        crate::errln!("error: give the collection file");
        return exit::INVALID_INPUT;
    };
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs = match load_inputs(
        std::slice::from_ref(&file),
        &args.vars,
        sandbox.as_ref().map(Sandbox::vars),
        &Plan::default(),
    )
    .await
    {
        Ok(i) => i,
        Err(code) => return code,
    };
    let Some(collection) = inputs.collections.first() else {
        return exit::INVALID_INPUT;
    };
    let wanted = collection.requests.iter().find(|r| match &args.request {
        Some(name) => r.id.as_deref() == Some(name.as_str()) || r.name == *name,
        None => r.oauth2.as_ref().is_some_and(|o| {
            o.grant.issues_tokens() && o.grant != crate::oauth::spec::Grant::RefreshToken
        }),
    });
    let Some(req) = wanted else {
        match &args.request {
            Some(name) => crate::errln!(
                "error: {}: no request with the id or name `{name}`",
                collection.file.display()
            ),
            None => crate::errln!(
                "error: {}: no oauth2 request that obtains a token",
                collection.file.display()
            ),
        }
        return exit::INVALID_INPUT;
    };
    let http = match Http::new(HttpOptions::default()) {
        Ok(h) => h,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let options = RunOptions::default();
    let runner = Runner::new(&inputs, &options, &http);
    let mut notify = |m: String| crate::errln!("{m}");
    let result = runner
        .obtain_token(collection, req, &cache_path, &mut notify)
        .await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    match result {
        Ok((token, how)) => {
            crate::errln!("baton: access token {how} ({})", display_path(&cache_path));
            crate::outln!("{token}");
            exit::OK
        }
        Err(f) => {
            crate::errln!("{}", f.diagnostic.render(color_stderr()));
            f.exit
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
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

// --- reports: writing them (atomically), and `report merge` ---

/// Writes the reports of `doc`, each that can be; one that cannot is named with why, and
/// the exit code becomes that of an output not written (`stdio::output_failed`): 2, which
/// wins over 3 and 1 as any invalid input does.
fn write_reports(files: &ReportFiles, doc: &RunDoc, code: i32) -> i32 {
    let mut failed = false;
    for (path, made) in files.render(doc) {
        let written = made.and_then(|bytes| {
            crate::fsutil::write_atomic(&path, &bytes, false)
                .map_err(|e| crate::fsutil::io_reason(&e))
        });
        if let Err(why) = written {
            crate::errln!(
                "error: cannot write the report {} ({}): {why}",
                display_path(&path),
                files.flag_of(&path)
            );
            failed = true;
        }
    }
    if failed {
        crate::stdio::output_failed(code)
    } else {
        code
    }
}

fn report_merge(args: MergeArgs) -> i32 {
    let files = args.reports.files();
    if print_problems(&files.check()) {
        return exit::INVALID_INPUT;
    }
    let mut shards = Vec::new();
    let mut bad = false;
    for path in &args.inputs {
        match crate::report::merge::read(path, &display_path(path)) {
            Ok(doc) => shards.push(doc),
            Err(e) => {
                crate::errln!("error: {e}");
                bad = true;
            }
        }
    }
    if bad {
        return exit::INVALID_INPUT;
    }
    let n = shards.len();
    let doc = crate::report::merge::merge(shards);
    if files.is_empty() || files.json_to_stdout() {
        let _ = Quiet::stdout().write_all(&crate::report::json::document(&doc));
    }
    let c = doc.counts;
    let requests = c.passed + c.failed + c.errors + c.skipped;
    crate::errln!(
        "merged {n} report{}: {} files, {requests} requests, exit code {}",
        if n == 1 { "" } else { "s" },
        doc.files.len(),
        doc.exit_code
    );
    crate::errln!(
        "{} passed, {} failed, {} skipped",
        c.passed,
        c.failed + c.errors,
        c.skipped
    );
    write_reports(&files, &doc, doc.exit_code)
}

// --- `baton docs check|sync` ---

/// Run each guide's blocks as one collection, like `run`.
async fn docs_check(args: crate::cli::DocsCheckArgs) -> i32 {
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let code = docs_check_with(&args, args.timeout, sandbox.as_ref().map(Sandbox::vars)).await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    code
}

async fn docs_check_with(
    args: &crate::cli::DocsCheckArgs,
    timeout: std::time::Duration,
    sandbox_vars: Option<Vec<(String, String)>>,
) -> i32 {
    let mut inputs = match load_inputs(&[], &args.vars, sandbox_vars, &Plan::default()).await {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut problems = Vec::new();
    for guide in crate::docs::discover(&args.paths, &mut problems) {
        if let Some(g) =
            crate::docs::check::load_guide(&guide, &mut inputs.templates, &mut problems)
        {
            inputs.collections.push(g.collection);
        }
    }
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let http = match Http::new(HttpOptions {
        timeout,
        ..HttpOptions::default()
    }) {
        Ok(h) => h,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let options = RunOptions {
        bail: args.bail,
        verbose: args.verbose,
        jobs: 1,
        ..RunOptions::default()
    };
    let console = Console::new(
        Box::new(Quiet::stdout()),
        color_stdout(),
        args.verbose,
        false,
    );
    let (mut reporter, _) = outputs::reporters(
        &ReportFiles::default(),
        Box::new(console),
        crate::report::github::enabled(),
    );
    let runner = Runner::new(&inputs, &options, &http);
    let cancel = runner.cancel.clone();
    tokio::spawn(async move {
        stop_signal().await;
        cancel.cancel();
    });
    let counts = runner.run(&mut reporter).await;
    if runner.cancel.is_cancelled() {
        exit::INTERRUPTED
    } else {
        counts.exit_code()
    }
}

/// Regenerate (or with `--check`, compare) the snippet blocks of guides.
fn docs_sync(args: crate::cli::DocsSyncArgs) -> i32 {
    let mut problems = Vec::new();
    let guides = crate::docs::discover(&args.paths, &mut problems);
    let mut loaded = Vec::new();
    for path in &guides {
        let mut templates = Templates::new();
        if let Some(g) = crate::docs::check::load_guide(path, &mut templates, &mut problems) {
            loaded.push((path, g, templates));
        }
    }
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let mut stale_total = 0;
    let mut written = 0;
    for (path, guide, templates) in &loaded {
        let shown = display_path(path);
        let (text, stale) = match crate::docs::sync::sync(guide, templates) {
            Ok(r) => r,
            Err(e) => {
                crate::errln!("error: {shown}:{e}");
                return exit::INVALID_INPUT;
            }
        };
        stale_total += stale.len();
        if args.check {
            for s in &stale {
                crate::outln!(
                    "{shown}:{}: the {} snippet is out of step with its request",
                    s.line,
                    format!("{:?}", s.lang).to_lowercase()
                );
            }
        } else if !stale.is_empty() {
            if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), false) {
                crate::errln!("error: cannot write {shown}: {e}");
                return exit::INVALID_INPUT;
            }
            written += 1;
            crate::outln!(
                "{shown}: {} snippet{} rewritten",
                stale.len(),
                if stale.len() == 1 { "" } else { "s" }
            );
        }
    }
    if args.check && stale_total > 0 {
        crate::outln!("run `baton docs sync` to regenerate them");
        return exit::EXPECTATION_FAILED;
    }
    if args.check || written == 0 {
        crate::outln!("every snippet in step");
    }
    exit::OK
}
