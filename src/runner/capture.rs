//! Captures: the values a response gives the variables of the requests after it. A value
//! captured under a secret's name, or with secret fields, is learned by the redactor here,
//! before anything shows it; the report masks it.

use super::report::Finding;
use super::request::Exchange;
use super::{FileRun, vars};
use crate::collection::model::Request;
use crate::event::{Outcome, RequestReport};
use crate::secret::looks_secret;
use crate::template::Scope;
use serde_json::Value;

/// A value captured, for the report.
pub(super) struct Taken {
    pub name: String,
    pub value: Value,
    /// Captured under a secret's name: shown masked whatever its text.
    pub secret: bool,
}

/// A variable's value before a capture of this request replaced it.
pub(super) type Replaced = Vec<(String, minijinja::Value)>;

/// Runs the request's captures on its judged response. Returns the values they replaced,
/// for its expectations (see `sent_scope`).
pub(super) fn take(st: &mut FileRun, req: &Request, ex: &mut Exchange, judged: usize) -> Replaced {
    let last = &ex.hops[judged].response;
    vars::add_cookie_secrets(&mut st.redactor, &ex.hops);
    let mut replaced: Replaced = Vec::new();
    for cap in &req.capture {
        match cap.eval(last) {
            Ok(value) => {
                if let Some(old) = st.scope.get(&cap.name)
                    && !replaced.iter().any(|(n, _)| *n == cap.name)
                {
                    replaced.push((cap.name.clone(), old.clone()));
                }
                // A value kept across runs is a secret wherever it shows, from the start.
                let secret = looks_secret(&cap.name) || st.collection.persist.contains(&cap.name);
                st.captured.insert(cap.name.clone());
                if secret {
                    match value.as_str() {
                        Some(text) => st.redactor.add(text),
                        None => st.redactor.add(&value.to_string()),
                    }
                }
                vars::add_secret_fields(&mut st.redactor, &value);
                st.scope.set_json(&cap.name, &value);
                st.failed_captures.remove(&cap.name);
                ex.captures.push(Taken {
                    name: cap.name.clone(),
                    value,
                    secret,
                });
            }
            // Nothing to take, and nothing lost: the variable keeps what it had.
            Err(_) if cap.optional => {}
            Err(missing) => {
                st.failed_captures
                    .insert(cap.name.clone(), (req.name.clone(), None));
                ex.findings.push(Finding::Capture {
                    name: cap.name.clone(),
                    loc: cap.loc,
                    why: missing.message,
                });
            }
        }
    }
    replaced
}

/// Expectations read a variable as the request was sent with it: in
/// `ne: <<refresh_token>>` beside `capture: { refresh_token: ... }`, the token sent, not the
/// one just captured. Names this request captures for the first time are visible. `None`:
/// the file's scope as it is (nothing was replaced).
pub(super) fn sent_scope(scope: &Scope, replaced: Replaced) -> Option<Scope> {
    if replaced.is_empty() {
        return None;
    }
    let mut sent = scope.clone();
    for (name, value) in replaced {
        sent.set(name, value);
    }
    Some(sent)
}

/// An oauth2 request whose token came from `--save` was not sent, but its captures still
/// apply: to the cached token response, as the provider's JSON answer would carry it.
pub(super) fn from_cached(req: &Request, scope: &mut Scope, value: &Value) {
    let cached = crate::http::Response::new(
        200,
        vec![("content-type".into(), "application/json".into())],
        serde_json::to_vec(value).unwrap_or_default(),
    );
    for cap in &req.capture {
        if let Ok(v) = cap.eval(&cached) {
            scope.set_json(&cap.name, &v);
        }
    }
}

/// After a request that did not pass, the variables it should have given the requests after
/// it and did not.
pub(super) fn note_missing(st: &mut FileRun, req: &Request, report: &RequestReport) {
    // A request that failed before its captures ran (not sent, refused, a flow that
    // stopped), or an oauth2 request that got no tokens: the requests that use what it
    // should have captured are skipped, with it and its failure named as the reason,
    // rather than failing on an undefined variable.
    let why = match &report.outcome {
        Outcome::Error { diagnostic, .. } => Some(diagnostic.message.clone()),
        Outcome::Failed(d) if report.status.is_none() => d.first().map(|d| d.message.clone()),
        // Its own capture or expectation failure says why, above it.
        _ => None,
    };
    if !matches!(report.outcome, Outcome::Passed | Outcome::Skipped(_)) {
        let names = req.capture.iter().map(|c| &c.name).chain(&req.id);
        for name in names {
            let captured = report.captures.iter().any(|(n, _)| n == name);
            let is_token = req.oauth2.is_some() && Some(name) == req.id.as_ref();
            let missing = if is_token {
                !st.tokens.holds(name) && !st.scope.contains(name)
            } else {
                !captured && !st.scope.contains(name)
            };
            if missing && (why.is_some() || !st.failed_captures.contains_key(name)) {
                st.failed_captures
                    .insert(name.clone(), (req.name.clone(), why.clone()));
            }
        }
    }
}
