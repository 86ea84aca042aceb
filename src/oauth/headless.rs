//! The headless sign-in of the authorization code grant: the authorize endpoint followed as a
//! browser would, in the user agent's own cookie jar: redirects, the login form filled from
//! `login:`, other forms (consent, account choice) from `consent:`, each submitted with its
//! approving button (or the one named by `button:`), until the provider redirects to the
//! `redirect_uri` with a code.

use super::authorize::{Landing, Submitted, is_redirect_uri};
use super::flow::{Ctx, FlowError};
use super::html_form::{Form, forms, page_message};
use super::spec::OAuth2;
use crate::http::{Hop, Prepared};

/// Authorize hops a headless run follows before giving up (login, consent, MFA pages...).
const MAX_HOPS: usize = 20;
/// Forms a headless run submits before deciding the provider goes round in circles.
const MAX_FORMS: usize = 5;

/// What to fill in one kind of form, and the button to press there.
struct Fill {
    fields: Vec<(String, String)>,
    button: Option<String>,
}

impl Fill {
    fn of(pairs: Vec<(String, String)>) -> Fill {
        let (button, fields): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(k, _)| k == "button");
        Fill {
            fields,
            button: button.into_iter().next().map(|(_, v)| v),
        }
    }

    fn names(&self, form: &Form) -> bool {
        self.fields
            .iter()
            .any(|(k, _)| form.fields.iter().any(|(n, _)| n == k))
    }
}

/// Where the sign-in landed: the redirect to `redirect_uri`, or, with `exchange: false`, a
/// page without a form to submit (an error page), which is then what the request is judged on.
pub(crate) async fn run(
    spec: &OAuth2,
    cx: &mut Ctx<'_>,
    start: &str,
    redirect_uri: &str,
    hops: &mut Vec<Hop>,
) -> Result<Landing, FlowError> {
    let login = cx.render_pairs(&spec.login)?;
    let consent = cx.render_pairs(&spec.consent)?;
    for (k, v) in login.iter().chain(&consent) {
        if crate::secret::looks_secret(k) {
            cx.redactor.add(v);
        }
    }
    let (login, consent) = (Fill::of(login), Fill::of(consent));
    let mut next = get(start, "text/html,application/xhtml+xml,*/*");
    let mut submitted: Option<(Submitted, bool)> = None;
    let mut forms_sent = 0;
    for _ in 0..MAX_HOPS {
        let here = next.url.clone();
        let i = cx.send_browser(next, hops).await?;
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
                return Ok(Landing::Callback(
                    target.to_string(),
                    submitted.map(|(s, _)| s),
                ));
            }
            next = get(target.as_str(), "text/html,*/*");
            continue;
        }
        let html = resp.text().into_owned();
        let status = resp.status;
        let shown = || {
            let m = page_message(&html);
            if m.is_empty() { resp.excerpt() } else { m }
        };
        let found = forms(&html, &here);
        let login_form = found
            .iter()
            .find(|f| f.has_password())
            .or_else(|| found.iter().find(|f| login.names(f)));
        let (form, is_login) = match login_form {
            Some(f) => (f, true),
            None => match other_form(&found, &consent) {
                Some(f) => (f, false),
                None if !spec.exchange => return Ok(Landing::Page),
                None => {
                    let what = if status >= 400 {
                        format!("an error ({status})")
                    } else {
                        format!("a page ({status}) with no form to submit")
                    };
                    return Err(FlowError::Protocol(format!(
                        "the authorize flow stopped at {here}: the provider showed {what}: {}",
                        shown()
                    )));
                }
            },
        };
        if form.has_password() && login.fields.is_empty() {
            let user = form.text_fields.first().map_or("username", String::as_str);
            let pass = &form.password_fields[0];
            return Err(FlowError::Input(format!(
                "the provider shows a login form at {here}; give the fields to fill in `login:`, e.g. login: {{ {user}: <<username>>, {pass}: <<password>> }}"
            )));
        }
        // A login form with a password field shown again right after one was submitted: the
        // provider did not take the credentials.
        if let Some((before, true)) = &submitted
            && is_login
            && form.has_password()
        {
            return Err(FlowError::Protocol(format!(
                "the provider showed its login form again after baton submitted it ({}{}): {} (are the credentials in `login:` right?)",
                before.action,
                before
                    .button
                    .as_ref()
                    .map(|b| format!(", button `{b}`"))
                    .unwrap_or_default(),
                shown()
            )));
        }
        forms_sent += 1;
        if forms_sent > MAX_FORMS {
            let last = submitted
                .as_ref()
                .map(|(s, _)| {
                    let button = s
                        .button
                        .as_ref()
                        .map(|b| format!(" with the button `{b}`"))
                        .unwrap_or_default();
                    format!(", the last to {}{button}", s.action)
                })
                .unwrap_or_default();
            return Err(FlowError::Protocol(format!(
                "the provider keeps showing forms at {here} ({MAX_FORMS} submitted{last}): {}",
                shown()
            )));
        }
        let fill = if is_login { &login } else { &consent };
        let mut form = form.clone();
        let fields = if is_login {
            aliased(&form, &fill.fields)
        } else {
            fill.fields.clone()
        };
        form.fill(&fields);
        // What goes into a password input is a secret, whatever `login:` calls it (`pass`).
        for (name, value) in &form.fields {
            if form.password_fields.contains(name) && !value.is_empty() {
                cx.redactor.add(value);
            }
        }
        let sent = form
            .submission(fill.button.as_deref())
            .map_err(FlowError::Protocol)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(sent.fields.iter())
            .finish();
        next = if sent.method == "GET" {
            let mut u = url::Url::parse(&sent.action).map_err(|e| {
                FlowError::Protocol(format!("invalid form action `{}`: {e}", sent.action))
            })?;
            u.set_query(Some(&body));
            get(u.as_str(), "text/html,*/*")
        } else {
            Prepared {
                method: "POST".into(),
                url: sent.action.clone(),
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
                oauth1: None,
                dpop: None,
                client_cert: None,
            }
        };
        submitted = Some((
            Submitted {
                action: sent.action,
                button: sent.button,
            },
            is_login && form.has_password(),
        ));
    }
    Err(FlowError::Protocol(format!(
        "the authorize flow did not reach {redirect_uri} within {MAX_HOPS} hops"
    )))
}

/// `login:` values under the names a login form actually uses: `username` (or `user`,
/// `login`, `email`) fills the form's only visible text field and `password` its only
/// password field when the form has no field of that name, so one `login:` fits the usual
/// pages (`login` and `password` at oidc-provider, `Input.Username` elsewhere).
fn aliased(form: &Form, fields: &[(String, String)]) -> Vec<(String, String)> {
    let has = |name: &str| form.fields.iter().any(|(n, _)| n == name);
    fields
        .iter()
        .map(|(k, v)| {
            let target = match k.as_str() {
                _ if has(k) => None,
                "username" | "user" | "login" | "email" => match form.text_fields.as_slice() {
                    [only] => Some(only),
                    _ => None,
                },
                "password" | "pass" => match form.password_fields.as_slice() {
                    [only] => Some(only),
                    _ => None,
                },
                _ => None,
            };
            (target.unwrap_or(k).clone(), v.clone())
        })
        .collect()
}

/// The form to answer on a page without a login form: the one with a field `consent:`
/// names, else the only one, else the first POST form with a button that approves.
fn other_form<'f>(found: &'f [Form], consent: &Fill) -> Option<&'f Form> {
    found
        .iter()
        .find(|f| consent.names(f))
        .or(match found {
            [only] => Some(only),
            _ => None,
        })
        .or_else(|| {
            found
                .iter()
                .filter(|f| f.method == "POST")
                .find(|f| f.submission(None).is_ok_and(|s| s.button.is_some()))
        })
}

fn get(url: &str, accept: &str) -> Prepared {
    Prepared {
        method: "GET".into(),
        url: url.to_string(),
        headers: vec![("accept".into(), accept.into())],
        body: None,
        timeout: None,
        follow_redirects: false,
        oauth1: None,
        dpop: None,
        client_cert: None,
    }
}
