//! A request's expectations: the default-status rule (without `expect.status`, 4xx and 5xx
//! fail), the JWKS a `jwt:` expectation verifies against (fetched once per run), and the
//! expected values, rendered with the variables as the request was sent.

use super::report::Finding;
use super::request::Exchange;
use super::stop::Stop;
use super::{FileRun, Runner, vars};
use crate::collection::model::Request;
use crate::diag::Diagnostic;
use crate::expect::{self, Eval, Expectation};
use crate::template::JsonTpl;
use crate::template::{RenderError, Scope};
use std::collections::HashMap;

impl Runner<'_> {
    /// Checks the judged response. What does not hold becomes a finding; an expected value
    /// that cannot be rendered stops the request as the collection's mistake (exit 2),
    /// unless it reads a capture that failed: that failure already says why.
    pub(super) async fn expect(
        &self,
        st: &FileRun<'_>,
        req: &Request,
        ex: &mut Exchange,
        judged: usize,
        sent: Option<&Scope>,
    ) -> Result<(), Stop> {
        // An oauth2 flow's own checks (an id_token that does not verify) come first.
        let problems = std::mem::take(&mut ex.problems);
        ex.findings
            .extend(problems.into_iter().map(Finding::Problem));
        let last = &ex.hops[judged].response;
        if !req.expect.has_status() && last.status >= 400 {
            ex.findings.push(Finding::ErrorStatus {
                status: last.status,
                hint: last.error_hint(),
            });
        }
        let scope = sent.unwrap_or(&st.scope);
        let jwks = self.jwks(req, scope).await;
        let templates = &self.inputs.templates;
        let failed_captures = &st.failed_captures;
        let mut invalid: Option<Diagnostic> = None;
        let mut render = |v: &JsonTpl| {
            vars::render_json_tpl(v, templates, scope).map_err(|(tpl, e)| {
                let after_failed_capture = matches!(&e, RenderError::Undefined { name, .. }
                    if failed_captures.contains_key(name.split('.').next().unwrap_or(name)));
                if invalid.is_none() && !after_failed_capture {
                    invalid = Some(e.diagnostic(&tpl));
                }
                e.to_string()
            })
        };
        let mut ctx = Eval {
            response: last,
            render: &mut render,
            jwks: &jwks,
        };
        let mut failed = Vec::new();
        // An expected value that rendered as no value of its kind (`status: <<code>>`).
        let mut invalid_expected = None;
        for e in &req.expect.items {
            if let Some(mut f) = expect::eval(e, &mut ctx) {
                if let Some(d) = f.invalid.take() {
                    invalid_expected.get_or_insert(*d);
                }
                failed.push(Finding::Expectation(f));
            }
        }
        ex.findings.extend(failed);
        match invalid.or(invalid_expected) {
            Some(d) => Err(Stop::Input(d)),
            None => Ok(()),
        }
    }

    /// The keys of the request's `jwt:` expectations that verify signatures, by URL: fetched
    /// once per run (a failed fetch leaves the expectation to say the key is missing).
    async fn jwks(&self, req: &Request, scope: &Scope) -> HashMap<String, serde_json::Value> {
        let mut jwks = HashMap::new();
        for e in &req.expect.items {
            if let Expectation::Jwt(j) = e
                && let Some(url) = &j.jwks_url
                && let Ok(url) = self.inputs.templates.render(url, scope)
            {
                let mut fetched = Vec::new();
                if let Ok(doc) = self.oauth_cache.jwks(self.http, &url, &mut fetched).await {
                    jwks.insert(url, doc);
                }
            }
        }
        jwks
    }
}
