//! From what clap parsed to the plain options each front end (`cmd`) takes, so that no
//! type of clap's goes further; and [`said`], the value parser whose errors read as
//! baton's own input errors rather than as clap's "invalid value" line.

use super::{
    CheckArgs, DocsCheckArgs, DocsSyncArgs, ExportArgs, ImportCurlArgs, ImportPostmanArgs,
    MergeArgs, ProbeArgs, ProxyArgs, ReportFileArgs, RunArgs, SandboxArgs, TokenArgs, VarArgs,
};
use crate::cmd::docs::{DocsCheckCommand, DocsSyncCommand};
use crate::cmd::export::ExportOptions;
use crate::cmd::import::{CurlOptions, PostmanOptions};
use crate::cmd::probe::ProbeCommand;
use crate::cmd::report::MergeCommand;
use crate::cmd::run::{CheckCommand, RunCommand};
use crate::cmd::token::TokenCommand;
use crate::cmd::{SandboxCommand, problems_text};
use crate::diag::Diagnostic;
use crate::inputs::VarSources;
use crate::report::outputs::ReportFiles;
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use std::ffi::OsStr;

/// A value parser from a function that words its own error (`--shard `3/2`: expected K/N
/// ...`, with its help line): the error is printed as `run` prints problems, and clap
/// exits 2, baton's code for invalid input, as for its own usage errors. `--var`,
/// `--max-body` and `--shard` were checked after parsing before, in these words, which
/// scripts and the tests rely on; clap's "invalid value" line would have reworded them.
pub(super) fn said<T>(parse: fn(&str) -> Result<T, Diagnostic>) -> Said<T> {
    Said(parse)
}

#[derive(Clone)]
pub(super) struct Said<T>(fn(&str) -> Result<T, Diagnostic>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Said<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        (self.0)(&value.to_string_lossy()).map_err(|d| {
            // clap writes (and colours) the leading `error: ` itself.
            let text = problems_text(&[d], false);
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            clap::Error::raw(ErrorKind::ValueValidation, text).with_cmd(cmd)
        })
    }
}

impl VarArgs {
    fn sources(&self) -> VarSources {
        VarSources {
            env: self.env.clone(),
            vars: self.vars.clone(),
            sandbox: self.sandbox,
        }
    }
}

impl ProxyArgs {
    fn choice(&self) -> crate::http::Proxy {
        match (&self.proxy, self.no_proxy) {
            (Some(url), _) => crate::http::Proxy::Via(url.clone()),
            (None, true) => crate::http::Proxy::Direct,
            (None, false) => crate::http::Proxy::System,
        }
    }
}

impl ReportFileArgs {
    pub fn files(&self) -> ReportFiles {
        ReportFiles {
            junit: self.junit.clone(),
            json: self.json.clone(),
            html: self.html.clone(),
        }
    }
}

impl RunArgs {
    pub fn options(&self) -> RunCommand {
        RunCommand {
            paths: self.paths.clone(),
            vars: self.vars.sources(),
            bail: self.bail,
            verbose: self.verbose,
            watch: self.watch,
            output: self.output.clone(),
            cookies: self.cookies.clone(),
            show_secrets: self.show_secrets,
            timeout: self.timeout,
            max_time: self.max_time,
            max_body: self.max_body,
            tls: self.tls.choice(),
            proxy: self.proxy.choice(),
            no_progress: self.no_progress,
            iterations: self.iterations,
            data: self.data.clone(),
            jobs: self.jobs,
            shard: self.shard,
            only: self.only.clone(),
            skip: self.skip_requests.clone(),
            save: self.save,
            fresh: self.fresh,
            reports: self.reports.files(),
        }
    }
}

impl CheckArgs {
    pub fn options(&self) -> CheckCommand {
        CheckCommand {
            paths: self.paths.clone(),
            vars: self.vars.sources(),
        }
    }
}

impl TokenArgs {
    pub fn options(&self) -> TokenCommand {
        TokenCommand {
            file: self.file.clone(),
            vars: self.vars.sources(),
            request: self.request.clone(),
            clear: self.clear,
            tls: self.tls.choice(),
            proxy: self.proxy.choice(),
        }
    }
}

impl SandboxArgs {
    pub fn options(&self) -> SandboxCommand {
        SandboxCommand {
            port: self.port,
            config: self.config.clone(),
        }
    }
}

impl MergeArgs {
    pub fn options(&self) -> MergeCommand {
        MergeCommand {
            inputs: self.inputs.clone(),
            reports: self.reports.files(),
        }
    }
}

impl DocsCheckArgs {
    pub fn options(&self) -> DocsCheckCommand {
        DocsCheckCommand {
            paths: self.paths.clone(),
            vars: self.vars.sources(),
            bail: self.bail,
            verbose: self.verbose,
            timeout: self.timeout,
            tls: self.tls.choice(),
            proxy: self.proxy.choice(),
        }
    }
}

impl DocsSyncArgs {
    pub fn options(&self) -> DocsSyncCommand {
        DocsSyncCommand {
            paths: self.paths.clone(),
            check: self.check,
        }
    }
}

impl ExportArgs {
    pub fn options(&self) -> ExportOptions {
        ExportOptions {
            file: self.file.clone(),
            request: self.request.clone(),
            lang: self.lang.clone(),
            env: self.env.clone(),
            vars: self.vars.clone(),
            show_secrets: self.show_secrets,
        }
    }
}

impl ImportPostmanArgs {
    pub fn options(&self) -> PostmanOptions {
        PostmanOptions {
            collection: self.collection.clone(),
            env: self.env.clone(),
            out: self.out.clone(),
            keep_secrets: self.keep_secrets,
            force: self.force,
        }
    }
}

impl ImportCurlArgs {
    pub fn options(&self) -> CurlOptions {
        CurlOptions {
            command: self.command.clone(),
            out: self.out.clone(),
            keep_secrets: self.keep_secrets,
            force: self.force,
        }
    }
}

impl ProbeArgs {
    pub fn command(&self) -> ProbeCommand {
        ProbeCommand {
            issuer: self.issuer.clone(),
            sandbox: self.sandbox,
            sandbox_config: self.sandbox_config.clone(),
            client_id: self.client_id.clone(),
            client_secret_env: self.client_secret_env.clone(),
            client_auth: self.client_auth.clone(),
            private_key: self.private_key.clone(),
            user: self.user.clone(),
            password_env: self.password_env.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scope: self.scope.clone(),
            only: self.only.clone(),
            print: self.print.clone(),
            verbose: self.verbose,
            timeout: self.timeout,
            tls: self.tls.choice(),
            proxy: self.proxy.choice(),
            reports: self.reports.files(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use crate::inputs::Shard;
    use clap::Parser;
    use std::time::Duration;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("baton").chain(args.iter().copied()))
    }

    #[test]
    fn option_values_arrive_parsed() {
        let cli = parse(&["run", "x.yaml", "--shard", "2/4", "--var", "a=b=c"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        let run = args.options();
        assert_eq!(run.shard, Some(Shard { k: 2, n: 4 }));
        assert_eq!(
            run.max_body,
            64 << 20,
            "the default goes through the parser too"
        );
        assert_eq!(run.vars.vars, vec![("a".to_string(), "b=c".to_string())]);
        assert_eq!(run.timeout, Duration::from_secs(30));
    }

    /// A bad value exits 2 (invalid input) in the words `run` used when it checked them.
    #[test]
    fn bad_values_are_worded_as_baton_words_them() {
        for (args, said) in [
            (
                &["run", "x.yaml", "--shard", "3/2"][..],
                "--shard `3/2`: expected K/N",
            ),
            (
                &["run", "x.yaml", "--max-body", "lots"],
                "--max-body `lots`: expected a size",
            ),
            (
                &["check", "x.yaml", "--var", "novalue"],
                "--var `novalue`: expected NAME=VALUE",
            ),
            (
                &[
                    "export",
                    "x.yaml",
                    "--request",
                    "r",
                    "--as",
                    "curl",
                    "--var",
                    "=v",
                ],
                "--var `=v`",
            ),
        ] {
            let e = parse(args).err().unwrap();
            assert_eq!(e.exit_code(), crate::exit::INVALID_INPUT);
            let text = e.to_string();
            assert!(text.starts_with(&format!("error: {said}")), "{text}");
            assert!(!text.contains("error: error"), "{text}");
        }
    }
}
