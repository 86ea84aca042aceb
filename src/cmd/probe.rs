//! `baton probe`, the front end: the issuer and the client from the command line and the
//! environment (or the embedded sandbox), the probe run, the card on the console and in the
//! report files, and the exit code (0 every MUST holds, 1 one fails, 2 invalid options, 3
//! the provider cannot be reached).

use crate::diag::display_path;
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::probe::{ProbeError, ProbeOptions, groups, probe};
use crate::report::console::Console;
use crate::report::outputs::ReportFiles;
use crate::sandbox::{Sandbox, SandboxConfig};
use std::path::PathBuf;

/// The command line of `baton probe`, as plain values.
#[derive(Debug, Clone)]
pub struct ProbeCommand {
    pub issuer: Option<String>,
    pub sandbox: bool,
    pub sandbox_config: Option<PathBuf>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_auth: String,
    pub private_key: Option<PathBuf>,
    pub user: Option<String>,
    pub password_env: Option<String>,
    pub redirect_uri: String,
    pub scope: Option<String>,
    pub only: Vec<String>,
    pub print: Option<String>,
    pub verbose: bool,
    pub timeout: std::time::Duration,
    /// `--insecure`, `--cacert`, `--cert`.
    pub tls: crate::http::Tls,
    pub proxy: crate::http::Proxy,
    pub reports: ReportFiles,
}

pub(crate) async fn main(cmd: ProbeCommand) -> i32 {
    if let Some(group) = &cmd.print {
        return match groups::text(group) {
            Some(text) => {
                crate::out!("{text}");
                exit::OK
            }
            None => usage(&format!(
                "--print `{group}`: no such group; the groups are {}",
                groups::names()
            )),
        };
    }
    let timeout = cmd.timeout;
    let secret = |flag: &str, var: &Option<String>| -> Result<Option<String>, String> {
        match var {
            None => Ok(None),
            Some(name) => std::env::var(name)
                .map(Some)
                .map_err(|_| format!("{flag} {name}: the environment variable {name} is not set")),
        }
    };
    let (client_secret, password) = match (
        secret("--client-secret-env", &cmd.client_secret_env),
        secret("--password-env", &cmd.password_env),
    ) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(e), _) | (_, Err(e)) => return usage(&e),
    };
    if !["basic", "body", "client_secret_jwt"].contains(&cmd.client_auth.as_str()) {
        return usage(&format!(
            "--client-auth `{}`: one of basic, body, client_secret_jwt (private_key_jwt is checked with --private-key)",
            cmd.client_auth
        ));
    }
    let private_key = match &cmd.private_key {
        None => None,
        Some(path) => match std::fs::canonicalize(path) {
            Ok(full) => Some(full.display().to_string()),
            Err(e) => {
                return usage(&format!("--private-key {}: {e}", display_path(path)));
            }
        },
    };
    let sandbox = if cmd.sandbox {
        match start_sandbox(cmd.sandbox_config.as_ref()).await {
            Ok(s) => Some(s),
            Err(code) => return code,
        }
    } else {
        None
    };
    let mut options = ProbeOptions {
        issuer: cmd.issuer.clone().unwrap_or_default(),
        client_id: cmd.client_id.clone(),
        client_secret,
        client_auth: cmd.client_auth.clone(),
        private_key,
        username: cmd.user.clone(),
        password,
        redirect_uri: cmd.redirect_uri.clone(),
        scope: cmd.scope.clone(),
        only: cmd.only.clone(),
        verbose: cmd.verbose,
        show_secrets: false,
    };
    if let Some(s) = &sandbox {
        with_sandbox(&mut options, s);
    }
    let http = match Http::new(HttpOptions {
        timeout,
        max_body: 16 << 20,
        tls: super::sandbox_tls(&cmd.tls, sandbox.as_ref()),
        proxy: cmd.proxy.clone(),
    }) {
        Ok(h) => h,
        Err(e) => return usage(&e),
    };
    // `--json -`: the card's JSON on stdout, for a pipe; the table and `-v` go to stderr.
    let json_to_stdout = cmd.reports.json_to_stdout();
    let mut console = if json_to_stdout {
        Console::new(
            Box::new(crate::stdio::Quiet::stderr()),
            super::color_stderr(),
            true,
            false,
        )
    } else {
        Console::new(
            Box::new(crate::stdio::Quiet::stdout()),
            super::color_stdout(),
            true,
            false,
        )
    };
    let result = probe(
        &options,
        &http,
        cmd.verbose
            .then_some(&mut console as &mut dyn crate::event::Reporter),
    )
    .await;
    if let Some(s) = sandbox {
        let _ = s.shutdown().await;
    }
    let card = match result {
        Ok(card) => card,
        Err(e @ ProbeError::Unreachable(_)) => {
            crate::errln!("error: {e}");
            return exit::REQUEST_FAILED;
        }
        Err(ProbeError::Input(why)) => return usage(&why),
    };
    if json_to_stdout {
        crate::errln!("{}", card.table());
        crate::out!("{}", card.json());
    } else {
        crate::out!("{}", card.table());
    }
    let code = card.exit_code();
    let json_file = cmd.reports.json.clone().filter(|_| !json_to_stdout);
    let outputs = [
        (&json_file, card.json()),
        (&cmd.reports.junit, card.junit()),
        (&cmd.reports.html, card.html()),
    ];
    for (path, text) in outputs {
        if let Some(path) = path
            && let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), false)
        {
            crate::errln!("error: cannot write the report {}: {e}", display_path(path));
            return exit::INVALID_INPUT;
        }
    }
    code
}

fn usage(message: &str) -> i32 {
    crate::errln!("error: {message}");
    exit::INVALID_INPUT
}

async fn start_sandbox(config: Option<&PathBuf>) -> Result<Sandbox, i32> {
    let mut config = match config {
        Some(path) => SandboxConfig::from_yaml_file(path).map_err(|e| usage(&e.to_string()))?,
        None => SandboxConfig::default(),
    };
    config.port = 0;
    Sandbox::start(config).await.map_err(|e| {
        crate::errln!("error: cannot start the sandbox: {e}");
        exit::REQUEST_FAILED
    })
}

/// The sandbox's issuer, and its first user and, unless given, its client with a login form
/// and a consent page (its other clients sign the user in at once, as if a session always
/// existed, which `prompt=none` could not tell from none).
fn with_sandbox(options: &mut ProbeOptions, sandbox: &Sandbox) {
    options.issuer = sandbox.issuer().to_string();
    let vars = sandbox.vars();
    let var = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if options.client_id.is_none() {
        options.client_id = var("FormClientId").or_else(|| var("ClientId"));
        options.client_secret = var("FormClientSecret").or_else(|| var("ClientSecret"));
    }
    if options.username.is_none() {
        options.username = var("username");
        options.password = var("password");
    }
    if let Some(uri) = var("redirect_URI") {
        options.redirect_uri = uri;
    }
}
