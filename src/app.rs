//! One function per subcommand: the only place that prints or writes files.

use crate::cli::{
    CheckArgs, Cli, Command, MergeArgs, ReportCommand, RunArgs, SandboxArgs, VarArgs,
};
use crate::collection::{environment, load};
use crate::diag::{Diagnostic, display_path};
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::report::console::Console;
use crate::report::doc::RunDoc;
use crate::report::outputs::{self, ReportFiles};
use crate::runner::{Inputs, Layer, RunOptions, Runner};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::template::Templates;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub fn main(cli: Cli) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::REQUEST_FAILED;
        }
    };
    match cli.command {
        Command::Run(args) => runtime.block_on(run(args)),
        Command::Check(args) => runtime.block_on(check(args)),
        Command::Sandbox(args) => runtime.block_on(sandbox(args)),
        Command::Report(ReportCommand::Merge(args)) => report_merge(args),
    }
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
        eprintln!("{}", d.render(color));
    }
    let errors = problems.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let files: std::collections::BTreeSet<String> = problems
            .iter()
            .filter_map(|d| d.source.as_ref().map(|s| s.display()))
            .collect();
        let plural = if errors == 1 { "" } else { "s" };
        if files.is_empty() {
            eprintln!("{errors} error{plural}");
        } else {
            eprintln!(
                "{errors} error{plural} in {}",
                files.into_iter().collect::<Vec<_>>().join(", ")
            );
        }
    }
    errors > 0
}

/// Collection files under `paths`: files as given, directories walked in sorted order
/// (skipping `environments/`, hidden directories and `node_modules`).
pub fn discover(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out, problems);
            if out.len() == before {
                problems.push(Diagnostic::error(format!(
                    "{}: no collections (.yaml or .yml files) in this directory",
                    display_path(p)
                )));
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            problems.push(Diagnostic::error(format!(
                "{}: no such file or directory",
                display_path(p)
            )));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Diagnostic::error(format!(
                "{}: cannot read the directory: {}",
                display_path(dir),
                load::io_reason(&e)
            )));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if !(name.starts_with('.')
                || name == "environments"
                || name == "node_modules"
                || name == "target")
            {
                walk(&p, out, problems);
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            && !name.starts_with('.')
        {
            out.push(p);
        }
    }
}

/// Load everything a run or a check needs; `None` after printing the problems.
async fn load_inputs(
    paths: &[PathBuf],
    vars: &VarArgs,
    sandbox_vars: Option<Vec<(String, String)>>,
) -> Result<Inputs, i32> {
    let mut problems = Vec::new();
    let files = discover(paths, &mut problems);
    let mut templates = Templates::new();
    let mut collections = Vec::new();
    for f in &files {
        if let Some(c) = load::load_file(f, &mut templates, &mut problems) {
            collections.push(c);
        }
    }
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
    if print_problems(&problems) {
        return Err(exit::INVALID_INPUT);
    }
    Ok(Inputs {
        collections,
        layers,
        env,
        templates,
    })
}

async fn run(args: RunArgs) -> i32 {
    let mut usage = Vec::new();
    let timeout = parse_duration_arg("--timeout", &args.timeout, &mut usage);
    let max_time = args
        .max_time
        .as_deref()
        .and_then(|m| parse_duration_arg("--max-time", m, &mut usage));
    let max_body = parse_size(&args.max_body).unwrap_or_else(|| {
        usage.push(Diagnostic::error(format!(
            "--max-body `{}`: expected a size such as 64M, 512K or 1048576",
            args.max_body
        )));
        0
    });
    let reports = args.reports.files();
    usage.extend(reports.check());
    if print_problems(&usage) {
        return exit::INVALID_INPUT;
    }
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs =
        match load_inputs(&args.paths, &args.vars, sandbox.as_ref().map(Sandbox::vars)).await {
            Ok(i) => i,
            Err(code) => return code,
        };
    let http = match Http::new(HttpOptions {
        timeout: timeout.unwrap_or_default(),
        max_body,
        insecure: args.insecure,
        cacert: args.cacert.clone(),
    }) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let options = RunOptions {
        bail: args.bail,
        verbose: args.verbose,
        show_secrets: args.show_secrets,
        max_time,
    };
    let progress =
        !args.no_progress && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    // Under `--json -` stdout carries NDJSON, so the console goes to stderr.
    let console = if reports.json_to_stdout() {
        Console::new(
            Box::new(std::io::stderr()),
            color_stderr(),
            args.verbose,
            progress,
        )
    } else {
        Console::new(
            Box::new(std::io::stdout()),
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
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let counts = runner.run(&mut reporter).await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    let code = if runner.cancel.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("interrupted");
        exit::INTERRUPTED
    } else {
        counts.exit_code()
    };
    match document {
        Some(doc) => write_reports(&reports, &doc.finish(code), code),
        None => code,
    }
}

async fn check(args: CheckArgs) -> i32 {
    // The sandbox is started only to learn its variables; nothing is sent to it.
    let sandbox = match start_sandbox(args.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs =
        match load_inputs(&args.paths, &args.vars, sandbox.as_ref().map(Sandbox::vars)).await {
            Ok(i) => i,
            Err(code) => return code,
        };
    let problems = crate::check::check(&inputs);
    if print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    let requests: usize = inputs.collections.iter().map(|c| c.requests.len()).sum();
    let files = inputs.collections.len();
    println!(
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
                eprintln!("error: {e}");
                return exit::INVALID_INPUT;
            }
        },
        None => SandboxConfig::default(),
    };
    config.port = args.port;
    match crate::sandbox::serve(config).await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
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
            eprintln!("error: cannot start the sandbox: {e}");
            Err(exit::REQUEST_FAILED)
        }
    }
}

fn parse_duration_arg(
    flag: &str,
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<std::time::Duration> {
    let d = crate::collection::read::parse_duration(text);
    if d.is_none() {
        problems.push(Diagnostic::error(format!(
            "{flag} `{text}`: expected a duration such as 30s, 500ms or 2m"
        )));
    }
    d
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

// --- reports: writing them (atomically), and `report merge` ---

/// Writes the reports of `doc`; a report that cannot be written makes a passing or failing
/// run exit 2 (worse codes stay).
fn write_reports(files: &ReportFiles, doc: &RunDoc, code: i32) -> i32 {
    let written = files.render(doc).and_then(|outputs| {
        outputs.iter().try_for_each(|(path, bytes)| {
            write_atomic(path, bytes)
                .map_err(|e| format!("cannot write the report {}: {e}", display_path(path)))
        })
    });
    match written {
        Ok(()) => code,
        Err(e) => {
            eprintln!("error: {e}");
            if code == exit::OK || code == exit::EXPECTATION_FAILED {
                exit::INVALID_INPUT
            } else {
                code
            }
        }
    }
}

/// A temporary file in the same directory, flushed to disk, then renamed over `path`: a
/// reader sees the old report or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is synced (not possible on Windows).
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
                eprintln!("error: {e}");
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
        use std::io::Write;
        let _ = std::io::stdout().write_all(&crate::report::json::document(&doc));
    }
    let c = doc.counts;
    let requests = c.passed + c.failed + c.errors + c.skipped;
    eprintln!(
        "merged {n} report{}: {} files, {requests} requests, exit code {}",
        if n == 1 { "" } else { "s" },
        doc.files.len(),
        doc.exit_code
    );
    eprintln!(
        "{} passed, {} failed, {} skipped",
        c.passed,
        c.failed + c.errors,
        c.skipped
    );
    write_reports(&files, &doc, doc.exit_code)
}
