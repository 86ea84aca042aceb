//! The authorization code grant (RFC 6749 4.1, with PKCE, RFC 7636): get a code from the
//! authorize endpoint, headless (follow redirects with the cookie jar, submitting login and
//! consent forms), interactive (a browser and a loopback listener, RFC 8252) or given, then
//! exchange it at the token endpoint.

use super::flow::{Ctx, FlowError, Rendered, pkce, random_token, token_request};
use super::spec::{Mode, OAuth2};
use crate::http::{Hop, Prepared};
use std::time::{Duration, Instant};

/// Authorize hops a headless run follows before giving up (login, consent, MFA pages...).
const MAX_HOPS: usize = 20;

/// Run the grant; the index of the token response among `hops`, and the nonce sent.
pub(crate) async fn run(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    r: &Rendered,
    hops: &mut Vec<Hop>,
) -> Result<(usize, Option<String>), FlowError> {
    let mut redirect_uri = cx.render_opt(&spec.redirect_uri)?.unwrap_or_default();
    let pkce = pkce(spec.pkce);
    if let Some((verifier, _, _)) = &pkce {
        cx.redactor.add(verifier);
    }
    let (code, nonce) = match spec.mode {
        Mode::Code => (cx.render_opt(&spec.code)?.unwrap_or_default(), None),
        Mode::Headless | Mode::Interactive => {
            let state = random_token();
            let nonce = random_token();
            let mut listener = None;
            if spec.mode == Mode::Interactive {
                let l = super::loopback::Listener::bind(&redirect_uri)
                    .await
                    .map_err(FlowError::Input)?;
                redirect_uri = l.redirect_uri.clone();
                listener = Some(l);
            }
            let url = authorize_url(
                spec,
                cx,
                r,
                &redirect_uri,
                &state,
                &nonce,
                pkce.as_ref().map(|(_, c, m)| (c.as_str(), *m)),
            )?;
            let callback = match listener {
                Some(l) => interactive(spec, cx, l, &url).await?,
                None => headless(spec, cx, &url, &redirect_uri, hops).await?,
            };
            (read_callback(&callback, &state)?, Some(nonce))
        }
    };
    cx.redactor.add(&code);
    let mut form = vec![
        ("grant_type".to_string(), "authorization_code".to_string()),
        ("code".to_string(), code),
        ("redirect_uri".to_string(), redirect_uri),
    ];
    if let Some((verifier, _, _)) = pkce {
        form.push(("code_verifier".into(), verifier));
    }
    let index = token_request(spec, cx, r, form, hops).await?;
    Ok((index, nonce))
}

#[allow(clippy::too_many_arguments)]
fn authorize_url(
    spec: &OAuth2,
    cx: &Ctx,
    r: &Rendered,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    challenge: Option<(&str, &str)>,
) -> Result<String, FlowError> {
    let base = r.endpoints.authorize.clone().ok_or_else(|| FlowError::Protocol("the provider's discovery document has no `authorization_endpoint`; give `authorize_url`".into()))?;
    let mut url = url::Url::parse(&base)
        .map_err(|e| FlowError::Input(format!("invalid authorize URL `{base}`: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &r.client_id);
        q.append_pair("redirect_uri", redirect_uri);
        if let Some(scope) = cx.render_opt(&spec.scope)? {
            q.append_pair("scope", &scope);
        }
        q.append_pair("state", state);
        q.append_pair("nonce", nonce);
        if let Some((challenge, method)) = challenge {
            q.append_pair("code_challenge", challenge);
            q.append_pair("code_challenge_method", method);
        }
        if let Some(res) = cx.render_opt(&spec.resource)? {
            q.append_pair("resource", &res);
        }
        if let Some(aud) = cx.render_opt(&spec.audience)? {
            q.append_pair("audience", &aud);
        }
        for (k, v) in cx.render_pairs(&spec.extra)? {
            q.append_pair(&k, &v);
        }
    }
    Ok(url.to_string())
}

/// True when `location` is the redirect URI (same scheme, host, port and path; a loopback
/// redirect URI matches any port, as RFC 8252 7.3 lets providers do).
fn is_redirect_uri(location: &url::Url, redirect_uri: &str) -> bool {
    let Ok(want) = url::Url::parse(redirect_uri) else {
        return false;
    };
    let loopback = matches!(want.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    location.scheme() == want.scheme()
        && location.host_str() == want.host_str()
        && (loopback || location.port_or_known_default() == want.port_or_known_default())
        && location.path() == want.path()
}

/// Follow the authorize endpoint like a browser: redirects with the cookie jar, login and
/// consent forms filled from `login:`, until the redirect to `redirect_uri`.
async fn headless(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    start: &str,
    redirect_uri: &str,
    hops: &mut Vec<Hop>,
) -> Result<String, FlowError> {
    let login = cx.render_pairs(&spec.login)?;
    for (k, v) in &login {
        if crate::secret::looks_secret(k) {
            cx.redactor.add(v);
        }
    }
    let mut next = Prepared {
        method: "GET".into(),
        url: start.to_string(),
        headers: vec![(
            "accept".into(),
            "text/html,application/xhtml+xml,*/*".into(),
        )],
        body: None,
        timeout: None,
        follow_redirects: false,
    };
    let mut submitted = 0;
    for _ in 0..MAX_HOPS {
        let here = next.url.clone();
        let i = cx.send(next, hops).await?;
        let resp = &hops[i].response;
        if (300..400).contains(&resp.status) {
            let Some(location) = resp.header("location") else {
                return Err(FlowError::Protocol(format!(
                    "{here} answered {} without a Location",
                    resp.status
                )));
            };
            let target = url::Url::parse(&here)
                .and_then(|b| b.join(location))
                .map_err(|e| FlowError::Protocol(format!("invalid redirect `{location}`: {e}")))?;
            if is_redirect_uri(&target, redirect_uri) {
                return Ok(target.to_string());
            }
            next = Prepared {
                method: "GET".into(),
                url: target.to_string(),
                headers: vec![("accept".into(), "text/html,*/*".into())],
                body: None,
                timeout: None,
                follow_redirects: false,
            };
            continue;
        }
        let html = resp.text().into_owned();
        let status = resp.status;
        let forms = super::html_form::forms(&html, &here);
        let Some(form) = super::html_form::pick(&forms, &["username", "login", "email", "user"])
        else {
            let what = if status >= 400 {
                format!("an error ({status})")
            } else {
                format!("a page ({status}) with no form to submit")
            };
            return Err(FlowError::Protocol(format!(
                "the authorize flow stopped at {here}: the provider showed {what}: {}",
                resp.excerpt()
            )));
        };
        let mut form = form.clone();
        if form.has_password() && login.is_empty() {
            return Err(FlowError::Input(format!(
                "the provider shows a login form at {here}; give the fields to fill in `login:`, e.g. login: {{ {}: <<username>>, password: <<password>> }}",
                form.fields
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .find(
                        |k| ["username", "login", "email", "Username", "Input.Username"]
                            .contains(k)
                    )
                    .unwrap_or("username")
            )));
        }
        submitted += 1;
        if submitted > 5 {
            return Err(FlowError::Protocol(format!(
                "the provider keeps showing forms at {here} (wrong credentials in `login:`?): {}",
                resp.excerpt()
            )));
        }
        form.fill(&login);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.fields.iter())
            .finish();
        next = if form.method == "GET" {
            let mut u = url::Url::parse(&form.action).map_err(|e| {
                FlowError::Protocol(format!("invalid form action `{}`: {e}", form.action))
            })?;
            u.set_query(Some(&body));
            Prepared {
                method: "GET".into(),
                url: u.to_string(),
                headers: vec![],
                body: None,
                timeout: None,
                follow_redirects: false,
            }
        } else {
            Prepared {
                method: "POST".into(),
                url: form.action.clone(),
                headers: vec![
                    (
                        "content-type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ),
                    ("accept".into(), "text/html,*/*".into()),
                ],
                body: Some(body.into_bytes()),
                timeout: None,
                follow_redirects: false,
            }
        };
    }
    Err(FlowError::Protocol(format!(
        "the authorize flow did not reach {redirect_uri} within {MAX_HOPS} hops"
    )))
}

/// Open the browser on the authorize URL and wait for the provider to redirect it back.
async fn interactive(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    listener: super::loopback::Listener,
    url: &str,
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
    listener.wait(deadline).await.ok_or_else(|| {
        FlowError::Timeout(format!(
            "no redirect reached {} within {:?}: was the sign-in finished in the browser?",
            listener_uri(url),
            spec.wait
        ))
    })
}

fn listener_uri(authorize_url: &str) -> String {
    crate::capture::query_param(authorize_url, "redirect_uri").unwrap_or_default()
}

/// The code from the redirect, after checking `state` and reading any error.
fn read_callback(url: &str, state: &str) -> Result<String, FlowError> {
    let param = |k: &str| crate::capture::query_param(url, k);
    if let Some(error) = param("error") {
        let description = param("error_description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return Err(FlowError::Protocol(format!(
            "the authorization failed: {error}{description}"
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

#[allow(dead_code)]
const _: Duration = Duration::ZERO;

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
            read_callback("http://x/cb?code=c1&state=s", "s").unwrap(),
            "c1"
        );
        assert!(
            read_callback("http://x/cb?code=c1&state=t", "s")
                .unwrap_err()
                .to_string()
                .contains("forged")
        );
        assert!(
            read_callback(
                "http://x/cb?error=access_denied&error_description=no&state=s",
                "s"
            )
            .unwrap_err()
            .to_string()
            .contains("access_denied: no")
        );
        assert!(read_callback("http://x/cb?state=s", "s").is_err());
    }
}
