//! Why a request stopped before it passed, and the one table from that to its outcome and
//! to an exit code. Every stage of a request returns `Result<_, Stop>`; `baton run` turns a
//! stop into the request's outcome (`outcome`), `baton token` into its exit code
//! (`exit_code`), so that the two cannot grade the same failure differently.

use crate::collection::model::Request;
use crate::diag::{Diagnostic, SourceFile};
use crate::event::{Counts, ErrorKind, Outcome};
use crate::http::{HttpError, TimeoutCause};
use crate::oauth::flow::FlowError;
use crate::secret::Redactor;
use crate::template::RenderFail;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug)]
pub(super) enum Stop {
    /// Not made: `skip: true`, or `--only`/`--skip`.
    Skipped(String),
    /// The collection is wrong (exit 2).
    Input(Diagnostic),
    /// The network, the server or the machine failed (exit 3).
    Network(Diagnostic),
    /// The request got an answer that is not what it needs (exit 4).
    Failed(Diagnostic),
    /// A template of the request could not be rendered.
    Render(Box<RenderFail>),
    /// The request could not be sent, or got no response.
    Http(HttpError),
    /// An oauth2 flow stopped (its hops stay in the exchange).
    Flow(FlowError),
    /// The token of `auth: { oauth2: id }` expired and the provider refused to renew it;
    /// `hint` is the refusal (status and error), as the provider said it.
    NotRenewed { id: String, hint: String },
}

impl From<RenderFail> for Stop {
    fn from(f: RenderFail) -> Stop {
        Stop::Render(Box::new(f))
    }
}

impl From<HttpError> for Stop {
    fn from(e: HttpError) -> Stop {
        Stop::Http(e)
    }
}

/// A flow's render and HTTP failures are graded as a plain request's, but stay a flow's:
/// its report shows the hops the flow made before it stopped.
impl From<FlowError> for Stop {
    fn from(e: FlowError) -> Stop {
        Stop::Flow(e)
    }
}

/// What a stop is judged against: the request, its file, and what the file knows of its
/// variables (a variable missing because an earlier request failed to capture it skips
/// the request rather than blame the collection).
pub(super) struct Judge<'a> {
    pub file: &'a Arc<SourceFile>,
    pub req: &'a Request,
    pub redactor: &'a Redactor,
    pub failed_captures: &'a HashMap<String, (String, Option<String>)>,
    pub unresolved: &'a HashMap<String, Diagnostic>,
}

impl Stop {
    /// Whether the report shows the hops made before the stop: a flow's or a renewal's are
    /// how it went wrong; a request never sent has none of its own to show.
    pub(super) fn shows_hops(&self, verbose: bool) -> bool {
        match self {
            Stop::Flow(_) | Stop::NotRenewed { .. } => true,
            Stop::Input(_) => verbose,
            _ => false,
        }
    }

    /// The exit code of a stop on its own (`baton token`): the code its outcome gives a run.
    pub(super) fn exit_code(&self) -> i32 {
        let mut counts = Counts::default();
        counts.add(&self.classify(Diagnostic::error("")));
        counts.exit_code()
    }

    /// The stop in a sentence, as `baton token` says it.
    pub(super) fn message(&self) -> String {
        match self {
            Stop::Skipped(why) => why.clone(),
            Stop::Input(d) | Stop::Network(d) | Stop::Failed(d) => d.message.clone(),
            Stop::Render(f) => f.diagnostic.message.clone(),
            Stop::Http(e) => e.to_string(),
            Stop::Flow(e) => e.to_string(),
            Stop::NotRenewed { id, hint } => {
                format!("the token of `{id}` expired and could not be renewed: {hint}")
            }
        }
    }

    /// The outcome of a request of `baton run` that stopped.
    pub(super) fn outcome(self, j: &Judge) -> Outcome {
        let loc = j.req.oauth2.as_ref().map_or(j.req.loc, |o| o.loc);
        let diagnostic = match &self {
            Stop::Skipped(why) => return Outcome::Skipped(why.clone()),
            Stop::Input(d) | Stop::Network(d) | Stop::Failed(d) => d.clone(),
            Stop::Render(fail) | Stop::Flow(FlowError::Render(fail)) => {
                match missing_variable(j, fail) {
                    Some(outcome) => return outcome,
                    None => fail.diagnostic.clone(),
                }
            }
            Stop::Http(e) | Stop::Flow(FlowError::Http(e)) => http_failure(j.req, e, j.redactor),
            Stop::Flow(e) => Diagnostic::error(j.redactor.redact(&e.to_string()).into_owned())
                .at(j.file, loc)
                .label("this oauth2 request"),
            Stop::NotRenewed { id, hint } => Diagnostic::error(format!(
                "the token of `{id}` expired and could not be renewed: {}",
                j.redactor.redact(hint)
            ))
            .at(j.file, j.req.loc)
            .label("this request needs it"),
        };
        self.classify(diagnostic)
    }

    /// The table: which outcome a stop is, its diagnostic given.
    fn classify(&self, diagnostic: Diagnostic) -> Outcome {
        match self {
            Stop::Skipped(why) => Outcome::Skipped(why.clone()),
            Stop::Input(_)
            | Stop::Render(_)
            | Stop::Flow(FlowError::Render(_) | FlowError::Input(_)) => input(diagnostic),
            Stop::Http(e) | Stop::Flow(FlowError::Http(e)) if e.is_input() => input(diagnostic),
            Stop::Network(_)
            | Stop::Http(_)
            | Stop::Flow(FlowError::Http(_) | FlowError::Timeout(_)) => network(diagnostic),
            Stop::Failed(_) | Stop::NotRenewed { .. } | Stop::Flow(FlowError::Protocol(_)) => {
                Outcome::Failed(vec![diagnostic])
            }
        }
    }
}

fn input(diagnostic: Diagnostic) -> Outcome {
    Outcome::Error {
        diagnostic,
        kind: ErrorKind::Input,
    }
}

fn network(diagnostic: Diagnostic) -> Outcome {
    Outcome::Error {
        diagnostic,
        kind: ErrorKind::Network,
    }
}

/// A template that could not be rendered is the collection's mistake, unless the variable
/// is one an earlier request should have captured (that request's failure says why), or one
/// the run's start could not resolve (its diagnostic says where).
fn missing_variable(j: &Judge, fail: &RenderFail) -> Option<Outcome> {
    let var = fail.missing.as_ref()?;
    if let Some((by, why)) = j.failed_captures.get(var) {
        let why = why
            .as_ref()
            .map(|w| format!(": {}", w.lines().next().unwrap_or_default()))
            .unwrap_or_default();
        return Some(Outcome::Skipped(format!(
            "needs `{var}`, which request '{by}' did not capture{why}"
        )));
    }
    j.unresolved.get(var).map(|d| input(d.clone()))
}

/// An HTTP failure, with what to try for each kind.
fn http_failure(req: &Request, e: &HttpError, redactor: &Redactor) -> Diagnostic {
    let message = redactor.redact(&e.to_string()).into_owned();
    let d = Diagnostic::error(message)
        .at(&req.url.file, req.loc)
        .label("this request");
    match e {
        HttpError::Refused { .. } => d.help("is the server running, and is the URL's port right?"),
        HttpError::ProxyRefused { .. } => d.help(
            "is the proxy running? --proxy URL names another, --no-proxy sends straight to the server",
        ),
        HttpError::Timeout {
            cause: TimeoutCause::RunLimit,
            ..
        } => d.help("raise --max-time if the run is just long"),
        HttpError::Timeout { .. } => {
            d.help("raise the request's `timeout:` or --timeout if the server is just slow")
        }
        HttpError::BadRedirect { .. } => d.help(
            "the server sent this redirect; with `follow_redirects: false` the response is kept as it is",
        ),
        HttpError::TooLarge { .. } => {
            d.help("raise --max-body if the response is meant to be this large")
        }
        HttpError::Tls { cacert: None, .. } => {
            d.help("for a self-signed certificate, pass --cacert FILE (or --insecure)")
        }
        HttpError::Tls {
            cacert: Some(file), ..
        } => d.help(format!(
            "with --cacert {file}, the server's certificate must be one of that file or be \
             issued by one (or by a system root), name this host and be in date; `openssl \
             s_client -connect HOST:PORT -showcerts` shows what the server sends"
        )),
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{EXPECTATION_FAILED, INVALID_INPUT, REQUEST_FAILED};

    fn http(input: bool) -> HttpError {
        let url = "http://h/".to_string();
        if input {
            HttpError::InvalidUrl {
                url,
                reason: "bad".into(),
            }
        } else {
            HttpError::Refused { url }
        }
    }

    /// The table `baton token` kept of its own before (a flow's error to an exit code),
    /// now read off the run's outcomes: the two must not drift apart.
    #[test]
    fn a_flow_error_exits_as_its_outcome_counts() {
        let render = || {
            Box::new(RenderFail {
                diagnostic: Diagnostic::error("undefined"),
                missing: None,
            })
        };
        let cases = [
            (Stop::Flow(FlowError::Render(render())), INVALID_INPUT),
            (Stop::Flow(FlowError::Input("x".into())), INVALID_INPUT),
            (Stop::Flow(FlowError::Http(http(true))), INVALID_INPUT),
            (Stop::Flow(FlowError::Http(http(false))), REQUEST_FAILED),
            (Stop::Flow(FlowError::Timeout("x".into())), REQUEST_FAILED),
            (
                Stop::Flow(FlowError::Protocol("x".into())),
                EXPECTATION_FAILED,
            ),
            (Stop::Render(render()), INVALID_INPUT),
            (Stop::Http(http(true)), INVALID_INPUT),
            (Stop::Http(http(false)), REQUEST_FAILED),
            (Stop::Network(Diagnostic::error("x")), REQUEST_FAILED),
            (Stop::Failed(Diagnostic::error("x")), EXPECTATION_FAILED),
            (Stop::Input(Diagnostic::error("x")), INVALID_INPUT),
        ];
        for (stop, exit) in cases {
            assert_eq!(stop.exit_code(), exit, "{stop:?}");
        }
    }

    #[test]
    fn only_a_flow_or_a_refused_renewal_shows_the_hops_before_it() {
        let not_renewed = Stop::NotRenewed {
            id: "login".into(),
            hint: "400".into(),
        };
        assert!(not_renewed.shows_hops(false));
        assert!(Stop::Flow(FlowError::Http(http(false))).shows_hops(false));
        assert!(!Stop::Http(http(false)).shows_hops(true));
        assert!(!Stop::Input(Diagnostic::error("x")).shows_hops(false));
        assert!(Stop::Input(Diagnostic::error("x")).shows_hops(true));
    }
}
