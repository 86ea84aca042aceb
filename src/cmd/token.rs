//! `baton token`: a valid access token from an `oauth2` request of a collection, on stdout
//! alone (for `$(baton token …)`): cached, refreshed or newly obtained, and cached in
//! `.baton/`; how it was had goes to stderr. `--clear` forgets every cached token.

use super::{color_stderr, start_sandbox};
use crate::diag::display_path;
use crate::exit;
use crate::http::{Http, HttpOptions};
use crate::inputs::{Plan, VarSources};
use crate::runner::{RunOptions, Runner};
use crate::sandbox::Sandbox;
use std::path::{Path, PathBuf};

/// `baton token`: its options.
#[derive(Debug, Clone)]
pub struct TokenCommand {
    /// The collection; `None` only with `clear` (clap requires it otherwise).
    pub file: Option<PathBuf>,
    pub vars: VarSources,
    /// The request's id or name; `None`: the first oauth2 request that obtains tokens.
    pub request: Option<String>,
    pub clear: bool,
    /// `--insecure`, `--cacert`, `--cert`: as `run` takes them, so that a token `run` can
    /// obtain (from a provider behind a private CA, or bound to a certificate) `token` can too.
    pub tls: crate::http::Tls,
    pub proxy: crate::http::Proxy,
}

pub(crate) async fn main(cmd: TokenCommand) -> i32 {
    let cache_path = crate::oauth::cache::default_path();
    if cmd.clear {
        return clear(&cache_path);
    }
    let Some(file) = cmd.file.clone() else {
        crate::errln!("error: give the collection file");
        return exit::INVALID_INPUT;
    };
    let sandbox = match start_sandbox(cmd.vars.sandbox).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (inputs, problems) = crate::inputs::assemble(
        std::slice::from_ref(&file),
        &cmd.vars,
        sandbox.as_ref().map(Sandbox::vars),
        &Plan::default(),
    );
    if super::print_problems(&problems) {
        return exit::INVALID_INPUT;
    }
    // The file given, not what it needs (loaded too, and put first).
    let given = (0..inputs.collections.len())
        .rev()
        .find(|&i| !inputs.needed.get(i).copied().unwrap_or(false));
    let Some(collection) = given.map(|i| &inputs.collections[i]) else {
        return exit::INVALID_INPUT;
    };
    let wanted = collection.requests.iter().find(|r| match &cmd.request {
        Some(name) => r.id.as_deref() == Some(name.as_str()) || r.name == *name,
        None => r.oauth2.as_ref().is_some_and(|o| {
            o.grant.issues_tokens() && o.grant != crate::oauth::spec::Grant::RefreshToken
        }),
    });
    let Some(req) = wanted else {
        match &cmd.request {
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
    let http = match Http::new(HttpOptions {
        proxy: cmd.proxy.clone(),
        tls: super::sandbox_tls(&cmd.tls, sandbox.as_ref()),
        ..HttpOptions::default()
    }) {
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

/// `--clear`: remove the cache file; none there is not an error.
fn clear(cache_path: &Path) -> i32 {
    match std::fs::remove_file(cache_path) {
        Ok(()) => {
            crate::errln!("removed {}", display_path(cache_path));
            exit::OK
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => exit::OK,
        Err(e) => {
            crate::errln!("error: cannot remove {}: {e}", display_path(cache_path));
            exit::REQUEST_FAILED
        }
    }
}
