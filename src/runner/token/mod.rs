//! The one owner of a token's life, for `baton run` and `baton token` alike: the tokens a
//! file holds (`state.rs`), renewing them when they expire, `--save` and rotation
//! (`cache.rs`), and running an `oauth2` request's flow. The authenticate stage of a request
//! (`request.rs`) calls in here; so does `baton token` (`obtain_token`), through the same
//! cache look-up, so that the two cannot take tokens differently.

mod cache;
mod state;

pub(crate) use cache::CacheSlot;
pub(crate) use state::{TokenState, Tokens};

use super::request::{Exchange, Notify};
use super::stop::Stop;
use super::{FileRun, Runner, capture, vars};
use crate::collection::model::{Auth, Collection, Request};
use crate::diag::Diagnostic;
use crate::http::Jar;
use crate::oauth::flow::{self, Ctx};
use crate::oauth::spec::OAuth2;
use crate::secret::Redactor;
use cache::Cached;
use std::path::Path;
use std::sync::Arc;

impl Runner<'_> {
    /// The token of `auth: { oauth2: id }`, renewed first when it has expired: the refresh
    /// grant when there is a refresh token, else the original grant again. A provider that
    /// refuses stops the request rather than let it send a stale token.
    pub(super) async fn renew_token(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        ex: &mut Exchange,
        notify: &mut Notify<'_>,
    ) -> Result<(), Stop> {
        let Some(Auth::OAuth2 { id, .. }) = req.auth.as_deref() else {
            return Ok(());
        };
        let Some(state) = st.tokens.expired(id) else {
            return Ok(());
        };
        let (spec, refresh_token) = (state.spec.clone(), state.refresh_token.clone());
        let cert = state.client_cert.clone();
        let refresh_token = refresh_token.as_ref().map(crate::secret::Secret::expose);
        let browser = st.tokens.browser(&spec, &self.inputs.templates, &st.scope);
        let base_dir = st.base_dir();
        let renewal = {
            let mut cx = flow_ctx(self, st, &browser, &base_dir, req, notify);
            cx.client_cert = cert;
            cache::renew(&spec, refresh_token, &mut cx).await
        };
        match renewal {
            Ok((hops, Some(value))) => {
                ex.hops.extend(hops);
                st.tokens.remember(&spec, id, &value, &mut st.scope);
                Ok(())
            }
            Ok((hops, None)) => {
                let hint = hops
                    .last()
                    .map(|h| format!("{}{}", h.response.status, h.response.error_hint()));
                ex.hops.extend(hops);
                let (id, hint) = (id.clone(), hint.unwrap_or_default());
                Err(Stop::NotRenewed { id, hint })
            }
            Err(failure) => {
                ex.hops.extend(failure.hops);
                Err(failure.error.into())
            }
        }
    }

    /// With `--save`, a cached token (or one renewed from the cache) stands in for the
    /// oauth2 request: it is kept under the request's id and its captures apply to it.
    /// `false`: the cache has none, the flow must run.
    pub(super) async fn saved_token(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        spec: &Arc<OAuth2>,
        ex: &mut Exchange,
        notify: &mut Notify<'_>,
    ) -> Result<bool, Stop> {
        let Some(path) = &self.options.save else {
            return Ok(false);
        };
        let cert = self.flow_cert(st, req)?;
        let browser = st.tokens.browser(spec, &self.inputs.templates, &st.scope);
        let base_dir = st.base_dir();
        let (slot, cached) = {
            let mut cx = flow_ctx(self, st, &browser, &base_dir, req, notify);
            cx.client_cert.clone_from(&cert);
            from_save(path, spec, &mut cx).await?
        };
        ex.slot = slot;
        let (note, value) = match cached {
            Cached::Fresh(v) => ("token from the cache (--save): not requested again", v),
            Cached::Refreshed(hops, v) => {
                ex.status = hops.last().map(|h| h.response.status);
                ex.hops.extend(hops);
                ("cached token renewed with its refresh token (--save)", v)
            }
            Cached::Miss => return Ok(false),
        };
        if let Some(id) = &req.id {
            st.tokens.remember(spec, id, &value, &mut st.scope);
            st.tokens.bind(id, cert);
        }
        capture::from_cached(req, &mut st.scope, &value);
        ex.note = Some(format!("{note}; expectations not checked"));
        Ok(true)
    }

    /// An oauth2 request's flow: render, discover, authenticate, exchange.
    pub(super) async fn flow(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        spec: &OAuth2,
        ex: &mut Exchange,
        notify: &mut Notify<'_>,
    ) -> Result<(), Stop> {
        let cert = self.flow_cert(st, req)?;
        ex.client_cert.clone_from(&cert);
        let browser = st.tokens.browser(spec, &self.inputs.templates, &st.scope);
        let base_dir = st.base_dir();
        let result = {
            let mut cx = flow_ctx(self, st, &browser, &base_dir, req, notify);
            cx.client_cert = cert;
            flow::execute(spec, &mut cx).await
        };
        let outcome = result.map_err(|failure| {
            ex.hops.extend(failure.hops);
            Stop::from(failure.error)
        })?;
        ex.judged = Some(ex.hops.len() + outcome.judged);
        ex.hops.extend(outcome.hops);
        ex.url = ex.judged().map(|h| h.request.url.clone());
        ex.problems = outcome.problems;
        ex.id_claims = outcome.id_claims;
        ex.used_code = outcome.code;
        Ok(())
    }

    /// The judged response as the value of the request's `id`. An oauth2 request's token
    /// response is kept as tokens (renewable, and saved with `--save`); a sign-in stopped at
    /// its redirect (`exchange: false`) has its code as its value.
    pub(super) fn keep_token(
        &self,
        st: &mut FileRun<'_>,
        req: &Request,
        ex: &mut Exchange,
        judged: usize,
    ) {
        let last = &ex.hops[judged].response;
        if let Some(id) = &req.id
            && let Ok(json) = last.json()
        {
            vars::add_secret_fields(&mut st.redactor, json);
            match &req.oauth2 {
                Some(spec) if last.status == 200 => {
                    let value = state::token_value(json, ex.id_claims.as_ref());
                    let value = crate::oauth::dpop::with_jkt(spec.dpop.as_ref(), value);
                    if let (Some(path), Some(s)) = (&self.options.save, &ex.slot)
                        && let Err(e) = cache::store(path, s, &value)
                    {
                        ex.findings
                            .push(super::report::Finding::Store(e.to_string()));
                    }
                    // The code and verifier are the run's, not the cache's: a spent code is
                    // kept only so that a collection can show it is refused a second time.
                    let value = state::with_code(value, ex.used_code.as_ref());
                    st.tokens.remember(spec, id, &value, &mut st.scope);
                    st.tokens.bind(id, ex.client_cert.clone());
                }
                _ => st.scope.set_json(id, json),
            }
        }
        if let (Some(id), Some(used)) = (&req.id, &ex.used_code)
            && req.oauth2.as_ref().is_some_and(|o| !o.exchange)
        {
            let value = state::with_code(serde_json::json!({}), Some(used));
            st.scope.set_json(id, &value);
        }
    }
}

/// What `--save` holds for an oauth2 request: its slot (none for a grant whose result is
/// not a token of its own), and a token still fresh or renewed with its refresh token. A
/// renewed token is written back at once: the refresh token it replaced may be dead.
async fn from_save(
    path: &Path,
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
) -> Result<(Option<CacheSlot>, Cached), Stop> {
    let Some(slot) = cache::cache_slot(spec, cx) else {
        return Ok((None, Cached::Miss));
    };
    let cached = cache::from_cache(path, &slot, spec, cx).await;
    if let Cached::Refreshed(_, value) = &cached {
        cache::store(path, &slot, value)
            .map_err(|e| Stop::Network(Diagnostic::error(e.to_string())))?;
    }
    Ok((Some(slot), cached))
}

fn flow_ctx<'a>(
    runner: &'a Runner,
    st: &'a mut FileRun,
    browser: &'a Jar,
    base_dir: &'a Path,
    req: &Request,
    notify: &'a mut Notify<'_>,
) -> Ctx<'a> {
    Ctx {
        http: runner.http,
        browser,
        templates: &runner.inputs.templates,
        scope: &st.scope,
        redactor: &mut st.redactor,
        base_dir,
        cache: &runner.oauth_cache,
        headers: req
            .headers
            .iter()
            .filter(|(_, v)| v.is_literal())
            .map(|(k, v)| (k.clone(), v.text.to_string()))
            .collect(),
        timeout: super::render::timeout_of(req, &runner.inputs.templates, &st.scope),
        notify,
        client_cert: None,
    }
}

/// Why `baton token` could not print a token, with the exit code it calls for.
pub(crate) struct TokenFailure {
    pub diagnostic: Diagnostic,
    pub exit: i32,
}

impl<'a> Runner<'a> {
    /// A valid access token from the `oauth2` request `req` of `collection`: from the cache
    /// when still fresh, renewed with a cached refresh token, or by running the grant;
    /// saved to the cache at `cache_path`. Returns the token and how it was obtained.
    pub(crate) async fn obtain_token(
        &self,
        collection: &'a Collection,
        req: &'a Request,
        cache_path: &Path,
        notify: &mut Notify<'_>,
    ) -> Result<(String, &'static str), TokenFailure> {
        // Graded by the same table as a request of `baton run` (see `stop.rs`).
        let fail = |stop: Stop| TokenFailure {
            diagnostic: Diagnostic::error(stop.message()).at(&collection.file, req.loc),
            exit: stop.exit_code(),
        };
        let wrong = |m: String| fail(Stop::Input(Diagnostic::error(m)));
        let refused = |m: &str| fail(Stop::Failed(Diagnostic::error(m)));
        let Some(spec) = req.oauth2.as_deref() else {
            return Err(wrong(format!(
                "request '{}' is not an `oauth2` request",
                req.name
            )));
        };
        // A token bound to a key that dies with this command is of no use to whoever asked.
        if spec
            .dpop
            .as_ref()
            .is_some_and(crate::oauth::dpop::Dpop::per_run)
        {
            return Err(wrong(
                "a DPoP-bound token is useless without its key, and `dpop: true` makes one for a single run: give the block `dpop: { key: dpop.pem }` to print a token others can use with that key".into(),
            ));
        }
        let mut redactor = Redactor::new(false);
        let start = vars::start(
            &collection.vars,
            &self.inputs.layers,
            &self.inputs.env,
            &self.inputs.templates,
            &mut redactor,
        );
        let mut st = FileRun::new(collection, start, redactor, None);
        let base_dir = st.base_dir();
        let cert = self.flow_cert(&st, req).map_err(fail)?;
        let browser = st.tokens.browser(spec, &self.inputs.templates, &st.scope);
        let mut cx = flow_ctx(self, &mut st, &browser, &base_dir, req, notify);
        cx.client_cert = cert;
        let (slot, cached) = from_save(cache_path, spec, &mut cx).await.map_err(fail)?;
        let Some(slot) = slot else {
            return Err(wrong(format!(
                "request '{}' does not obtain a token of its own (grant {})",
                req.name,
                spec.grant.as_str()
            )));
        };
        let token_of = |v: &serde_json::Value| {
            v.get("access_token")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        };
        match cached {
            Cached::Fresh(v) => {
                let token =
                    token_of(&v).ok_or_else(|| refused("the cached entry has no access token"));
                return token.map(|t| (t, "cache"));
            }
            Cached::Refreshed(_, v) => {
                let token =
                    token_of(&v).ok_or_else(|| refused("the refresh response has no access token"));
                return token.map(|t| (t, "refreshed"));
            }
            Cached::Miss => {}
        }
        let outcome = flow::execute(spec, &mut cx)
            .await
            .map_err(|failure| fail(failure.error.into()))?;
        let resp = &outcome.hops[outcome.judged].response;
        if resp.status != 200 {
            let m = format!("the provider refused: {}{}", resp.status, resp.error_hint());
            return Err(refused(&m));
        }
        if let Some(problem) = outcome.problems.first() {
            return Err(refused(problem));
        }
        let json = resp.json().map_err(|e| refused(&e))?;
        let value = state::token_value(json, outcome.id_claims.as_ref());
        cache::store(cache_path, &slot, &value)
            .map_err(|e| fail(Stop::Network(Diagnostic::error(e.to_string()))))?;
        token_of(&value)
            .map(|t| (t, "requested"))
            .ok_or_else(|| refused("the token response has no access_token"))
    }
}
