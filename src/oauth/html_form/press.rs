//! Which submit control of a form a headless client presses: the one a collection names, or
//! else the approving one (Sign in, Allow, Authorize...), never a declining one (Cancel,
//! Deny...). A consent page that lists Cancel before Authorize (Django OAuth Toolkit's) is
//! declined by a client that presses the first button.

use super::Form;

/// A submit control of a form: `<input type=submit|image>` or `<button>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Submit {
    /// Empty when the control has no name: pressing it then adds no field.
    pub name: String,
    pub value: String,
    /// What a person reads on it: a button's text, an input's value, an image's alt text.
    pub label: String,
    pub image: bool,
    /// `formaction` and `formmethod`, which replace the form's own when this one is pressed.
    pub action: Option<String>,
    pub method: Option<String>,
    /// Where its field stands among the form's fields (document order, as browsers send it).
    pub at: usize,
}

impl Submit {
    /// How the control is named in messages: its label, else its value, else its name.
    pub(crate) fn describe(&self) -> String {
        [&self.label, &self.value, &self.name]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .map_or_else(
                || "(an unnamed button)".to_string(),
                |s| s.trim().to_string(),
            )
    }

    /// The words a person or a program reads on it, lower case.
    fn words(&self) -> Vec<String> {
        [&self.label, &self.value, &self.name]
            .iter()
            .flat_map(|s| {
                s.split(|c: char| !c.is_alphanumeric() && c != '\'')
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn declines(&self) -> bool {
        let words = self.words();
        words.iter().any(|w| DECLINE.contains(&w.as_str()))
            || words.windows(2).any(|p| p[0] == "do" && p[1] == "not")
    }

    fn approves(&self) -> bool {
        let words = self.words();
        words.iter().any(|w| APPROVE.contains(&w.as_str()))
            || words.windows(2).any(|p| {
                matches!(
                    (p[0].as_str(), p[1].as_str()),
                    ("sign" | "log", "in" | "on") | ("go", "on")
                )
            })
    }
}

const DECLINE: &[&str] = &[
    "cancel", "deny", "decline", "reject", "refuse", "no", "back", "abort", "don't", "dont",
    "disallow", "logout", "signout",
];
const APPROVE: &[&str] = &[
    "allow",
    "accept",
    "approve",
    "authorize",
    "authorise",
    "consent",
    "confirm",
    "continue",
    "yes",
    "grant",
    "login",
    "signin",
    "logon",
    "submit",
    "ok",
    "next",
    "proceed",
    "agree",
    "verify",
];

/// What pressing a button of a form sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Submission {
    pub action: String,
    pub method: String,
    /// The form's fields with the pressed button's own `name=value` at its place.
    pub fields: Vec<(String, String)>,
    /// The button pressed, as [`Submit::describe`] names it; `None` when the form has none
    /// (submitted as pressing Enter does).
    pub button: Option<String>,
}

impl Form {
    /// The form as submitted with the button named `wanted` (its label, value or name,
    /// ignoring case; exactly, else as a part), or else with the approving button. `Err`
    /// says why no button fits, naming the buttons there are.
    pub(crate) fn submission(&self, wanted: Option<&str>) -> Result<Submission, String> {
        let listed = || {
            self.submits
                .iter()
                .map(|s| format!("`{}`", s.describe()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let chosen = if let Some(want) = wanted.map(str::trim) {
            let want = want.to_lowercase();
            let texts = |s: &Submit| {
                [
                    s.label.to_lowercase(),
                    s.value.to_lowercase(),
                    s.name.to_lowercase(),
                ]
            };
            let exact = self
                .submits
                .iter()
                .find(|s| texts(s).iter().any(|t| t.trim() == want));
            let part = || {
                self.submits.iter().find(|s| {
                    texts(s)
                        .iter()
                        .any(|t| !want.is_empty() && t.contains(&want))
                })
            };
            match exact.or_else(part) {
                Some(s) => Some(s),
                None if self.submits.is_empty() => {
                    return Err(format!(
                        "the form at {} has no button to press (asked for `{want}`)",
                        self.action
                    ));
                }
                None => {
                    return Err(format!(
                        "the form at {} has no button `{want}`; its buttons: {}",
                        self.action,
                        listed()
                    ));
                }
            }
        } else {
            let open = || self.submits.iter().filter(|s| !s.declines());
            match open().find(|s| s.approves()).or_else(|| open().next()) {
                Some(s) => Some(s),
                None if self.submits.is_empty() => None,
                None => {
                    return Err(format!(
                        "every button of the form at {} declines ({}); name the one to press, e.g. consent: {{ button: ... }}",
                        self.action,
                        listed()
                    ));
                }
            }
        };
        let mut fields = self.fields.clone();
        let mut action = self.action.clone();
        let mut method = self.method.clone();
        if let Some(s) = chosen {
            if let Some(a) = &s.action {
                action.clone_from(a);
            }
            if let Some(m) = &s.method {
                method.clone_from(m);
            }
            let at = s.at.min(fields.len());
            match (s.name.is_empty(), s.image) {
                (true, _) => {}
                (false, true) => {
                    fields.insert(at, (format!("{}.x", s.name), "0".into()));
                    fields.insert(at + 1, (format!("{}.y", s.name), "0".into()));
                }
                (false, false) => fields.insert(at, (s.name.clone(), s.value.clone())),
            }
        }
        Ok(Submission {
            action,
            method,
            fields,
            button: chosen.map(Submit::describe),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::forms;

    type Pressed = (Vec<(String, String)>, Option<String>);

    fn press(html: &str, wanted: Option<&str>) -> Result<Pressed, String> {
        let found = forms(html, "https://id.test/consent");
        found[0].submission(wanted).map(|s| (s.fields, s.button))
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Django OAuth Toolkit's stock consent page: Cancel (no name) first, then Authorize.
    const DOT: &str = r#"<form id="authorizationForm" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">
<input type="hidden" name="client_id" value="c"><input type="submit" class="btn btn-large" value="Cancel"/>
<input type="submit" class="btn btn-large btn-primary" name="allow" value="Authorize"/></form>"#;

    #[test]
    fn the_approving_button_is_pressed_not_the_first() {
        let (fields, button) = press(DOT, None).unwrap();
        assert_eq!(
            fields,
            pairs(&[
                ("csrfmiddlewaretoken", "t"),
                ("client_id", "c"),
                ("allow", "Authorize")
            ])
        );
        assert_eq!(button.as_deref(), Some("Authorize"));
        // Named by the collection: Cancel sends no field, as a browser does.
        let (fields, button) = press(DOT, Some("cancel")).unwrap();
        assert_eq!(
            fields,
            pairs(&[("csrfmiddlewaretoken", "t"), ("client_id", "c")])
        );
        assert_eq!(button.as_deref(), Some("Cancel"));
        let err = press(DOT, Some("Maybe")).unwrap_err();
        assert!(
            err.contains("no button `maybe`; its buttons: `Cancel`, `Authorize`"),
            "{err}"
        );
    }

    #[test]
    fn buttons_are_read_by_text_value_and_name() {
        // <button> text, with markup inside; `No, do not allow` first.
        let html = r"<form method=post><button name=button value=no>No, <b>do not</b> allow</button>
<button name=button value=yes>Yes, allow</button></form>";
        let (fields, button) = press(html, None).unwrap();
        assert_eq!(fields, pairs(&[("button", "yes")]));
        assert_eq!(button.as_deref(), Some("Yes, allow"));
        // IdentityServer: same name, the value decides; the field keeps its place.
        let html = r"<form method=post><input name=u><button name=button value=cancel>Cancel</button><input name=t type=hidden value=1>
<button name=button value=login>Login</button></form>";
        let (fields, _) = press(html, None).unwrap();
        assert_eq!(fields, pairs(&[("u", ""), ("t", "1"), ("button", "login")]));
        // A decision field: deny and approve as values of one name.
        let html = r#"<form method=post><input type=submit name=decision value=deny><input type=image name=go alt="Sign in"></form>"#;
        let (fields, button) = press(html, None).unwrap();
        assert_eq!(fields, pairs(&[("go.x", "0"), ("go.y", "0")]));
        assert_eq!(button.as_deref(), Some("Sign in"));
        // Neither approving nor declining: the first that does not decline.
        let html =
            r"<form><input type=submit name=back value=Back><input type=submit value=Go></form>";
        assert_eq!(press(html, None).unwrap().1.as_deref(), Some("Go"));
    }

    #[test]
    fn a_form_of_declining_buttons_is_not_pressed() {
        let html = r"<form><input type=submit value=Cancel><button>Deny</button></form>";
        let err = press(html, None).unwrap_err();
        assert!(
            err.contains(
                "every button of the form at https://id.test/consent declines (`Cancel`, `Deny`)"
            ),
            "{err}"
        );
        // No button at all: submitted as Enter does, no field added.
        let (fields, button) = press("<form><input name=q value=1></form>", None).unwrap();
        assert_eq!((fields, button), (pairs(&[("q", "1")]), None));
    }

    #[test]
    fn formaction_and_formmethod_follow_the_button() {
        let html = r"<form action=/a><input type=submit value=Cancel formaction=/cancel><button formaction=/ok formmethod=post>Continue</button></form>";
        let found = forms(html, "https://id.test/p");
        let s = found[0].submission(None).unwrap();
        assert_eq!(
            (s.action.as_str(), s.method.as_str()),
            ("https://id.test/ok", "POST")
        );
        let s = found[0].submission(Some("Cancel")).unwrap();
        assert_eq!(
            (s.action.as_str(), s.method.as_str()),
            ("https://id.test/cancel", "GET")
        );
    }
}
