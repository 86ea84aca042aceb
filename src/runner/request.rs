//! The order of one request, in one function (`stages`): authenticate (a token renewed, taken
//! from `--save`, or obtained by the oauth2 flow), render, send, capture, expect; then
//! `report.rs` turns what was exchanged into the redacted report. Each stage returns
//! `Result<_, Stop>`: the first that cannot go on ends the request, and `stop.rs` grades it.

use super::report::Finding;
use super::stop::Stop;
use super::{FileRun, Runner, capture, render, tell};
use crate::collection::model::{Auth, Request};
use crate::event::{Event, Reporter, RequestReport};
use crate::http::{Hop, Prepared, default_headers};
use crate::oauth::flow::UsedCode;
use serde_json::Value;

/// What one request exchanged, as it went: what the report is built from. Nothing in it is
/// redacted; `report.rs` is where that happens.
#[derive(Default)]
pub(super) struct Exchange {
    /// Every hop in order: a renewal's, a flow's, the request's own.
    pub hops: Vec<Hop>,
    /// The hop whose response the request is judged on, once it has one (the last, but for
    /// an oauth2 request whose id_token verification fetched the JWKS after it).
    pub judged: Option<usize>,
    /// The URL as sent.
    pub url: Option<String>,
    /// The status shown when no response is judged (a cached token renewed).
    pub status: Option<u16>,
    pub note: Option<String>,
    pub captures: Vec<capture::Taken>,
    /// What did not hold, in the order found.
    pub findings: Vec<Finding>,
    /// What an oauth2 flow found wrong after its exchange (an id_token that does not verify).
    pub problems: Vec<String>,
    pub id_claims: Option<Value>,
    /// The authorization code a sign-in exchanged, and its PKCE verifier.
    pub used_code: Option<UsedCode>,
    /// Where `--save` keeps the token of this oauth2 request.
    pub slot: Option<super::token::CacheSlot>,
    /// The client certificate an oauth2 request's flow presented: its token is bound to it.
    pub client_cert: Option<std::sync::Arc<crate::http::client_cert::ClientCert>>,
}

impl Exchange {
    pub(super) fn judged(&self) -> Option<&Hop> {
        self.judged.and_then(|i| self.hops.get(i))
    }
}

/// Hands a message to whoever watches the run (a device code to enter, a URL to open).
pub(super) type Notify<'n> = dyn FnMut(String) + Send + 'n;

impl Runner<'_> {
    pub(super) async fn run_request(
        &self,
        st: &mut FileRun<'_>,
        index: usize,
        req: &Request,
        reporter: &mut dyn Reporter,
    ) -> RequestReport {
        let file = st.collection.file.display();
        let mut notify = |message: String| {
            let file = file.clone();
            tell(reporter, &Event::Notice { file, message });
        };
        let mut ex = Exchange::default();
        let end = self.stages(st, index, req, &mut ex, &mut notify).await;
        self.report(st, index, req, ex, end)
    }

    /// The order of one request. Every stage records what it exchanged in `ex`, which the
    /// report is built from whether the request passed or stopped.
    async fn stages(
        &self,
        st: &mut FileRun<'_>,
        index: usize,
        req: &Request,
        ex: &mut Exchange,
        notify: &mut Notify<'_>,
    ) -> Result<(), Stop> {
        // 1. Authenticate: the token of `auth: { oauth2: id }` renewed if it expired.
        self.renew_token(st, req, ex, notify).await?;
        if let Some(spec) = &req.oauth2 {
            // An oauth2 request's token: from --save (which stands in for the whole request,
            // its expectations unchecked), else by its flow (render, discover, exchange).
            if self.saved_token(st, req, spec, ex, notify).await? {
                return Ok(());
            }
            self.flow(st, req, spec, ex, notify).await?;
        } else {
            // 2. Render. 3. Send.
            let prepared = self.render(st, req, ex)?;
            self.send(st, req, prepared, ex).await?;
        }
        let Some(judged) = ex.judged.filter(|&i| i < ex.hops.len()) else {
            let d = crate::diag::Diagnostic::error("no response");
            return Err(Stop::Network(d.at(st.source_of(req), req.loc)));
        };
        // The body saved first: a request whose expectations fail is the one to look at.
        self.save_bodies(st, index, req, ex);
        // 4. Capture, before expectations so that they may use what was captured; then the
        //    response as the value of the request's `id` (the tokens of an oauth2 request).
        let replaced = capture::take(st, req, ex, judged);
        self.keep_token(st, req, ex, judged);
        // 5. Expect, with the variables as the request was sent with them.
        let sent = capture::sent_scope(&st.scope, replaced);
        self.expect(st, req, ex, judged, sent.as_ref()).await
        // 6. Report: `run_request` builds it from `ex` and this result.
    }

    fn render(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        ex: &mut Exchange,
    ) -> Result<Prepared, Stop> {
        let templates = &self.inputs.templates;
        let base_dir = st.base_dir_of(req);
        let mut prepared = render::prepare(req, templates, &st.scope, &mut st.redactor, &base_dir)?;
        prepared.client_cert = self.request_cert(st, req)?;
        if req.clear_cookies {
            st.jar.clear();
        }
        default_headers(&mut prepared, self.jar_of(st, req));
        // A DPoP-bound token goes with a proof of its key (`oauth/dpop.rs`).
        if let Some(Auth::OAuth2 { id, .. }) = req.auth.as_deref()
            && let Some(spec) = st.tokens.state(id).map(|s| s.spec.clone())
            && let Some(dpop) = &spec.dpop
        {
            let key = dpop
                .key(templates, &st.scope, &base_dir)
                .map_err(Stop::Input)?;
            let token = st
                .scope
                .get(id)
                .and_then(|v| v.get_attr("access_token").ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            crate::oauth::dpop::bind(&mut prepared, key, &token)
                .map_err(|m| Stop::Input(crate::diag::Diagnostic::error(m)))?;
        }
        ex.url = Some(prepared.url.clone());
        Ok(prepared)
    }

    /// The jar a request sends from and keeps into: the file's, or with `cookies: false` one
    /// that never holds a cookie (so that redirect hops carry none either).
    fn jar_of<'j>(&self, st: &'j FileRun<'_>, req: &Request) -> &'j crate::http::Jar {
        static OFF: std::sync::LazyLock<crate::http::Jar> =
            std::sync::LazyLock::new(crate::http::Jar::off);
        if req.cookies == Some(false) {
            &OFF
        } else {
            &st.jar
        }
    }

    /// Within the request's time limit and what is left of the run's: `Http` sees to both.
    async fn send(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        prepared: Prepared,
        ex: &mut Exchange,
    ) -> Result<(), Stop> {
        let retry = prepared.dpop.clone().map(|b| (b, prepared.clone()));
        let mut hops = self.http.exchange(prepared, self.jar_of(st, req)).await?;
        // RFC 9449 9: a resource server that wants a nonce gives it; once more with it.
        if let Some((binding, mut again)) = retry
            && hops
                .last()
                .is_some_and(|h| crate::oauth::dpop::resource_wants_nonce(&h.response))
        {
            binding
                .apply(&mut again)
                .map_err(|m| Stop::Input(crate::diag::Diagnostic::error(m)))?;
            hops.extend(self.http.exchange(again, self.jar_of(st, req)).await?);
        }
        if !hops.is_empty() {
            ex.hops.extend(hops);
            ex.judged = Some(ex.hops.len() - 1);
        }
        Ok(())
    }
}
