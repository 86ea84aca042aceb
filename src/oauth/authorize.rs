//! The authorization code grant (RFC 6749 4.1, with PKCE, RFC 7636): get a code from the
//! authorize endpoint, headless (follow redirects with the cookie jar, submitting login and
//! consent forms), interactive (a browser and a loopback listener, RFC 8252) or given, then
//! exchange it at the token endpoint.

use super::flow::{Ctx, FlowError, Rendered, UsedCode, pkce, random_token, token_request};
use super::form::Exchange;
use super::par::Pushed;
use super::spec::{Mode, OAuth2};
use crate::http::Hop;
use std::time::Instant;

/// Run the grant: the index of the token response among `hops`, the nonce sent, and the
/// code exchanged with its verifier. With `exchange: false`, the response judged is where
/// the sign-in landed (the redirect, with a code or an error, or a page that stopped it),
/// and there is a code only when the redirect brought one.
pub(crate) async fn run(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    hops: &mut Vec<Hop>,
) -> Result<(usize, Option<String>, Option<UsedCode>), FlowError> {
    let mut redirect_uri = cx.render_opt(&spec.redirect_uri)?.unwrap_or_default();
    let given_verifier = cx.render_opt(&spec.code_verifier)?;
    // A code obtained elsewhere goes with the verifier of the challenge it was obtained with,
    // which only the collection knows: a fresh random one could never match.
    let pkce = match (spec.mode, given_verifier) {
        (Mode::Code, None) => None,
        (Mode::Code, Some(v)) => Some((v, String::new(), "")),
        (_, Some(v)) => super::flow::pkce_of(v, spec.pkce),
        (_, None) => pkce(spec.pkce),
    };
    if let Some((verifier, _, _)) = &pkce {
        cx.redactor.add(verifier);
    }
    let (code, nonce, request_uri) = match spec.mode {
        Mode::Code => (cx.render_opt(&spec.code)?.unwrap_or_default(), None, None),
        Mode::Headless | Mode::Interactive => {
            let state = random_token();
            let mut request_uri = None;
            // OIDC Core 3.1.2.1: optional in the code flow; `nonce: false` sends none.
            let nonce = spec.nonce.then(random_token);
            let mut listener = None;
            if spec.mode == Mode::Interactive {
                let l = super::loopback::Listener::bind(&redirect_uri)
                    .await
                    .map_err(FlowError::Input)?;
                redirect_uri.clone_from(&l.redirect_uri);
                listener = Some(l);
            }
            let params = authorize_params(
                spec,
                cx,
                r,
                &redirect_uri,
                &state,
                nonce.as_deref(),
                pkce.as_ref().map(|(_, c, m)| (c.as_str(), *m)),
            )?;
            let params = if spec.request_object {
                super::request_object::by_value(spec, cx, r, params)?
            } else {
                params
            };
            let url = if super::par::wanted(spec, r) {
                match super::par::push(spec, cx, r, params, hops).await? {
                    Pushed::Uri(uri) => {
                        // RFC 9126 4: only the client and the reference go to the browser.
                        let only = [
                            ("client_id".to_string(), r.client_id.clone()),
                            ("request_uri".to_string(), uri.clone()),
                        ];
                        request_uri = Some(uri);
                        authorize_url(r, &only)?
                    }
                    Pushed::Refused(index) => return Ok((index, nonce, None)),
                }
            } else {
                authorize_url(r, &params)?
            };
            let landing = match listener {
                Some(l) => Landing::Callback(
                    interactive(spec, cx, l, &url, &redirect_uri, &state).await?,
                    None,
                ),
                None => super::headless::run(spec, cx, &url, &redirect_uri, hops).await?,
            };
            let verifier = pkce.as_ref().map(|(v, _, _)| v.clone());
            if !spec.exchange {
                // Judged where the browser landed; a code only from a redirect that answers
                // this sign-in.
                let index = hops.len().checked_sub(1).ok_or_else(|| {
                    FlowError::Protocol("the sign-in made no request to judge".into())
                })?;
                let code = match &landing {
                    Landing::Callback(url, _) => read_callback(url, &state, None).ok(),
                    Landing::Page => None,
                };
                if let Some(code) = &code {
                    cx.redactor.add(code);
                }
                let used = code.map(|code| UsedCode {
                    code,
                    verifier,
                    request_uri,
                });
                return Ok((index, nonce, used));
            }
            let code = match landing {
                Landing::Callback(url, submitted) => {
                    read_callback(&url, &state, submitted.as_ref())?
                }
                Landing::Page => unreachable_page()?,
            };
            (code, nonce, request_uri)
        }
    };
    cx.redactor.add(&code);
    let verifier = pkce.map(|(v, _, _)| v);
    let exchange = Exchange::Code {
        code: code.clone(),
        redirect_uri,
        verifier: verifier.clone(),
    };
    let index = token_request(spec, cx, r, exchange, hops).await?;
    Ok((
        index,
        nonce,
        Some(UsedCode {
            code,
            verifier,
            request_uri,
        }),
    ))
}

/// Where a sign-in in a browser ended.
pub(crate) enum Landing {
    /// The redirect to `redirect_uri` (its URL), and the form submitted last, if any.
    Callback(String, Option<Submitted>),
    /// A page the browser stopped at (an error page); only with `exchange: false`, which
    /// judges it, as headless runs otherwise report the page as the flow's failure.
    Page,
}

fn unreachable_page() -> Result<String, FlowError> {
    Err(FlowError::Protocol(
        "the sign-in stopped at a page without a redirect".into(),
    ))
}

/// The parameters of the authorize request, in the order sent (RFC 6749 4.1.1, OIDC Core
/// 3.1.2.1, RFC 7636 4.3, RFC 9449 10, RFC 9396 2), pushed as they are with PAR.
#[allow(clippy::too_many_arguments)]
fn authorize_params(
    spec: &OAuth2,
    cx: &mut Ctx,
    r: &Rendered,
    redirect_uri: &str,
    state: &str,
    nonce: Option<&str>,
    challenge: Option<(&str, &str)>,
) -> Result<Vec<(String, String)>, FlowError> {
    let mut q: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| q.push((k.to_string(), v.to_string()));
    push("response_type", "code");
    push("client_id", &r.client_id);
    push("redirect_uri", redirect_uri);
    if let Some(scope) = cx.render_opt(&spec.scope)? {
        push("scope", &scope);
    }
    push("state", state);
    if let Some(nonce) = nonce {
        push("nonce", nonce);
    }
    if let Some((challenge, method)) = challenge {
        push("code_challenge", challenge);
        push("code_challenge_method", method);
    }
    if let Some(jkt) = super::dpop::authorize_jkt(spec, cx)? {
        push("dpop_jkt", &jkt);
    }
    if let Some(res) = cx.render_opt(&spec.resource)? {
        push("resource", &res);
    }
    if let Some(aud) = cx.render_opt(&spec.audience)? {
        push("audience", &aud);
    }
    if let Some(details) = super::form::authorization_details(spec, cx)? {
        push("authorization_details", &details);
    }
    q.extend(cx.render_pairs(&spec.extra)?);
    Ok(q)
}

/// The authorize endpoint's URL with `params` in its query.
fn authorize_url(r: &Rendered, params: &[(String, String)]) -> Result<String, FlowError> {
    let base = r.endpoint(super::flow::Endpoint::Authorize)?;
    let mut url = url::Url::parse(&base)
        .map_err(|e| FlowError::Input(format!("invalid authorize URL `{base}`: {e}")))?;
    url.query_pairs_mut().extend_pairs(params.iter());
    Ok(url.to_string())
}

/// True when `location` is the redirect URI (same scheme, host, port and path; a loopback
/// redirect URI matches any port, as RFC 8252 7.3 lets providers do).
pub(crate) fn is_redirect_uri(location: &url::Url, redirect_uri: &str) -> bool {
    let Ok(want) = url::Url::parse(redirect_uri) else {
        return false;
    };
    let loopback = matches!(want.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    location.scheme() == want.scheme()
        && location.host_str() == want.host_str()
        && (loopback || location.port_or_known_default() == want.port_or_known_default())
        && location.path() == want.path()
}

/// Open the browser on the authorize URL and wait for the provider to redirect it back.
async fn interactive(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    listener: super::loopback::Listener,
    url: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<String, FlowError> {
    (cx.notify)(format!("Sign in in your browser: {url}"));
    if spec.open_browser
        && let Err(e) = webbrowser::open(url)
    {
        (cx.notify)(format!(
            "could not open a browser ({e}); open the URL above by hand"
        ));
    }
    let deadline = Instant::now() + spec.wait;
    listener.wait(deadline, state).await.ok_or_else(|| {
        FlowError::Timeout(format!(
            "no redirect reached {redirect_uri} within {:?}: was the sign-in finished in the browser?",
            spec.wait
        ))
    })
}

/// The last form a headless sign-in submitted: the provider's answer to it explains an error.
pub(crate) struct Submitted {
    pub action: String,
    pub button: Option<String>,
}

/// The code from the redirect, after checking `state` and reading any error.
pub(crate) fn read_callback(
    url: &str,
    state: &str,
    submitted: Option<&Submitted>,
) -> Result<String, FlowError> {
    let param = |k: &str| crate::query::query_param(url, k);
    if let Some(error) = param("error") {
        let description = param("error_description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let after = match submitted {
            Some(Submitted {
                action,
                button: Some(button),
            }) => format!(
                " (the answer to the form at {action}, submitted with the button `{button}`)"
            ),
            Some(Submitted {
                action,
                button: None,
            }) => {
                format!(" (the answer to the form at {action}, submitted without a button)")
            }
            None => String::new(),
        };
        return Err(FlowError::Protocol(format!(
            "the authorization failed: {error}{description}{after}"
        )));
    }
    match param("state") {
        Some(s) if s == state => {}
        Some(s) => {
            return Err(FlowError::Protocol(format!(
                "the redirect's state `{s}` is not the one sent: a forged or crossed callback"
            )));
        }
        None => {
            return Err(FlowError::Protocol(
                "the redirect carries no `state`".into(),
            ));
        }
    }
    param("code").ok_or_else(|| FlowError::Protocol("the redirect carries no `code`".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_redirect_uri() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(is_redirect_uri(
            &u("http://127.0.0.1:8765/callback?code=a"),
            "http://127.0.0.1:8765/callback"
        ));
        assert!(is_redirect_uri(
            &u("http://127.0.0.1:5555/callback?code=a"),
            "http://127.0.0.1:8765/callback"
        ));
        assert!(!is_redirect_uri(
            &u("http://127.0.0.1:8765/login"),
            "http://127.0.0.1:8765/callback"
        ));
        assert!(!is_redirect_uri(
            &u("https://app.example/cb"),
            "https://app.example:8443/cb"
        ));
    }

    #[test]
    fn callbacks_are_checked() {
        assert_eq!(
            read_callback("http://x/cb?code=c1&state=s", "s", None).unwrap(),
            "c1"
        );
        assert!(
            read_callback("http://x/cb?code=c1&state=t", "s", None)
                .unwrap_err()
                .to_string()
                .contains("forged")
        );
        assert!(
            read_callback(
                "http://x/cb?error=access_denied&error_description=no&state=s",
                "s",
                None
            )
            .unwrap_err()
            .to_string()
            .contains("access_denied: no")
        );
        assert!(read_callback("http://x/cb?state=s", "s", None).is_err());
        let submitted = Submitted {
            action: "http://id/o/authorize/".into(),
            button: Some("Cancel".into()),
        };
        let err = read_callback(
            "http://x/cb?error=access_denied&state=s",
            "s",
            Some(&submitted),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "the authorization failed: access_denied (the answer to the form at http://id/o/authorize/, submitted with the button `Cancel`)"
        );
    }
}
