//! `baton probe ISSUER`: a conformance smoke test of an OAuth 2.0 / OpenID Connect provider.
//! The checks are baton collections compiled into the binary (`groups`), run by the same
//! runner as `baton run` with the provider's endpoints as variables; their results become a
//! report card (`card`). What the provider's metadata and the options offer decides which
//! checks apply (`facts`).

pub(crate) mod card;
pub(crate) mod facts;
pub(crate) mod groups;

use crate::collection::Layer;
use crate::collection::load::load_source;
use crate::diag::SourceFile;
use crate::event::{Event, Reporter, RequestReport};
use crate::http::Http;
use crate::runner::{Inputs, RunOptions, Runner};
use crate::template::Templates;
use card::{Card, Row};
use facts::Facts;
use groups::Meta;

/// What the probe is given.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProbeOptions {
    pub issuer: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// How a client with a secret authenticates in the flows: basic, body or
    /// client_secret_jwt.
    pub client_auth: String,
    /// A PEM private key of the client, for the private_key_jwt check.
    pub private_key: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub redirect_uri: String,
    /// The scope a user signs in with (default: `openid`, with `offline_access` when listed).
    pub scope: Option<String>,
    /// Run only these groups (empty: all).
    pub only: Vec<String>,
    pub verbose: bool,
    pub show_secrets: bool,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ProbeError {
    /// Nothing answered at the issuer (exit 3).
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    /// `--only` names no group (exit 2).
    #[error("{0}")]
    Input(String),
}

/// Probe the provider; `console` sees the run's events (for `-v`).
pub(crate) async fn probe(
    options: &ProbeOptions,
    http: &Http,
    console: Option<&mut dyn Reporter>,
) -> Result<Card, ProbeError> {
    if let Some(unknown) = options.only.iter().find(|g| groups::text(g).is_none()) {
        return Err(ProbeError::Input(format!(
            "--only `{unknown}`: no such group; the groups are {}",
            groups::names()
        )));
    }
    let issuer = options.issuer.trim_end_matches('/').to_string();
    let discovery_url = format!("{issuer}/.well-known/openid-configuration");
    let metadata_url = crate::oauth::discovery::metadata_url(&issuer).unwrap_or_default();
    let unreachable = |e: crate::http::HttpError| ProbeError::Unreachable(e.to_string());
    let oidc = facts::fetch(http, &discovery_url)
        .await
        .map_err(unreachable)?;
    let rfc8414 = facts::fetch(http, &metadata_url)
        .await
        .map_err(unreachable)?;
    let has_secret = options.client_id.is_some() && options.client_secret.is_some();
    let facts = Facts {
        issuer: issuer.clone(),
        discovery_url,
        metadata_url,
        oidc,
        rfc8414,
        client_id: options.client_id.clone(),
        has_secret,
        client_auth: options.client_auth.clone(),
        has_private_key: options.client_id.is_some() && options.private_key.is_some(),
        has_user: options.client_id.is_some()
            && options.username.is_some()
            && options.password.is_some(),
    };
    let mut templates = Templates::new();
    let mut collections = Vec::new();
    // Per group: each check's name, tags, why it does not apply, and its requests' indexes.
    let mut plans: Vec<(String, Vec<Planned>)> = Vec::new();
    for (group, text) in groups::GROUPS {
        if !options.only.is_empty() && !options.only.iter().any(|g| g == group) {
            continue;
        }
        let file = SourceFile::new(
            format!("probe/{group}.yaml"),
            groups::for_client(text, has_secret, &options.client_auth),
        );
        let mut problems = Vec::new();
        let Some(mut collection) = load_source(&file, &mut templates, &mut problems) else {
            // The groups are tested to load; a failure here is baton's own bug.
            let shown: Vec<String> = problems.iter().map(|d| d.render(false)).collect();
            return Err(ProbeError::Input(format!(
                "the probe's group {group} does not load:\n{}",
                shown.join("\n")
            )));
        };
        let planned = plan(&mut collection.requests, &facts);
        plans.push((group.to_string(), planned));
        collections.push(collection);
    }
    let inputs = Inputs {
        needs: vec![Vec::new(); collections.len()],
        needed: vec![false; collections.len()],
        persisted: None,
        collections,
        layers: vec![variables(options, &facts)],
        env: crate::collection::environment::env_vars(&[], &mut Vec::new()),
        templates,
        rows: Vec::new(),
        iterations: 0,
        iteration_position: 0,
    };
    let run_options = RunOptions {
        verbose: options.verbose,
        show_secrets: options.show_secrets,
        jobs: 1,
        ..RunOptions::default()
    };
    let mut collector = Collector {
        reports: Vec::new(),
        console,
    };
    Runner::new(&inputs, &run_options, http)
        .run(&mut collector)
        .await;
    let mut rows: Vec<Row> = Vec::new();
    for ((group, planned), collection) in plans.iter().zip(&inputs.collections) {
        let file = collection.file.display();
        for check in planned {
            let reports: Vec<&RequestReport> = check
                .requests
                .iter()
                .filter_map(|i| {
                    collector
                        .reports
                        .iter()
                        .find(|r| r.file == file && r.index == *i)
                })
                .collect();
            rows.push(card::row(
                group,
                &check.name,
                &check.meta,
                check.not_applicable.as_deref(),
                &reports,
            ));
        }
    }
    defer_to_json_errors(&mut rows);
    Ok(Card { issuer, rows })
}

/// The check that the provider's errors are JSON (errors group).
const JSON_ERRORS: &str = "errors are JSON with an error code";

/// When the provider's errors are not JSON, the checks that read an error code can tell
/// nothing more: they are reported as not run, pointing at the check that failed, rather
/// than as a dozen failures of one cause.
fn defer_to_json_errors(rows: &mut [Row]) {
    let failed = rows
        .iter()
        .any(|r| r.check == JSON_ERRORS && r.verdict == card::Verdict::Failed);
    if !failed {
        return;
    }
    for row in rows.iter_mut().filter(|r| r.check != JSON_ERRORS) {
        if matches!(row.verdict, card::Verdict::Failed | card::Verdict::Warning)
            && row.reason.contains("the response body is not JSON")
        {
            row.verdict = card::Verdict::NotRun;
            row.reason = format!("the provider's errors are not JSON (see '{JSON_ERRORS}')");
        }
    }
}

/// A check as planned: its requests (steps, then itself) and why it does not apply.
struct Planned {
    name: String,
    meta: Meta,
    requests: Vec<usize>,
    not_applicable: Option<String>,
}

/// The checks of a group; those that do not apply are marked `skip` with their steps, so
/// the runner reports them skipped and sends nothing for them.
fn plan(requests: &mut [crate::collection::model::Request], facts: &Facts) -> Vec<Planned> {
    let mut planned = Vec::new();
    let mut steps = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let meta = Meta::of(&req.tags);
        if meta.level.is_none() {
            steps.push(i);
            continue;
        }
        let not_applicable = meta.conditions.iter().find_map(|c| facts.lacks(c));
        let mut indexes = std::mem::take(&mut steps);
        indexes.push(i);
        planned.push(Planned {
            name: req.name.clone(),
            meta,
            requests: indexes,
            not_applicable,
        });
    }
    for check in &planned {
        if check.not_applicable.is_some() {
            for &i in &check.requests {
                requests[i].skip = true;
            }
        }
    }
    planned
}

/// The variables the checks read: the issuer, its documents and endpoints, the client and
/// the user.
fn variables(options: &ProbeOptions, facts: &Facts) -> Layer {
    let oidc = |key: &str| {
        facts
            .oidc
            .as_ref()
            .and_then(|d| d.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut pairs = vec![
        ("issuer".to_string(), facts.issuer.clone()),
        ("discovery_url".into(), facts.discovery_url.clone()),
        ("metadata_url".into(), facts.metadata_url.clone()),
        ("oidc_token_endpoint".into(), oidc("token_endpoint")),
        (
            "oidc_authorization_endpoint".into(),
            oidc("authorization_endpoint"),
        ),
        ("oidc_jwks_uri".into(), oidc("jwks_uri")),
        ("redirect_uri".into(), options.redirect_uri.clone()),
        (
            "user_scope".into(),
            options.scope.clone().unwrap_or_else(|| facts.user_scope()),
        ),
    ];
    for key in [
        "token_endpoint",
        "authorization_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
    ] {
        pairs.push((key.to_string(), facts.endpoint(key).unwrap_or_default()));
    }
    let given = [
        ("client_id", &options.client_id),
        ("client_secret", &options.client_secret),
        ("username", &options.username),
        ("password", &options.password),
        ("private_key", &options.private_key),
    ];
    for (name, value) in given {
        pairs.push((name.to_string(), value.clone().unwrap_or_default()));
    }
    Layer::literal(&pairs, vec!["client_secret".into(), "password".into()])
}

/// Keeps the report of every request, and passes the events on to the console of `-v`.
struct Collector<'c> {
    reports: Vec<RequestReport>,
    console: Option<&'c mut dyn Reporter>,
}

impl Reporter for Collector<'_> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Event::RequestFinished(report) = event {
            self.reports.push((**report).clone());
        }
        match self.console.as_mut() {
            Some(console) => console.event(event),
            None => Ok(()),
        }
    }
}
