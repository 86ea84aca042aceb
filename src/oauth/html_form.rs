//! Finding the login or consent form in a provider's HTML page and the fields a browser would
//! submit from it, so that a headless client can get through the authorize step. Tokenizing
//! is html5gum's (WHATWG tokenizer: entities, comments, any quoting); which tags make a form
//! and what each control submits is decided here.

use html5gum::{State, Token, Tokenizer};
use std::collections::BTreeMap;

/// One form of the page: what a browser would submit from it, but for the button pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    /// Absolute URL, resolved against the page URL and `<base href>`; the page URL when the
    /// form has no action. A GET form's fields replace the action's query when submitted.
    pub action: String,
    /// `GET` or `POST`.
    pub method: String,
    /// `name`=`value` pairs in document order: text-like inputs (hidden, text, password,
    /// email, …), checked checkboxes and radios, the selected options of each `<select>`,
    /// `<textarea>` contents. Disabled controls and controls without a name are left out, as
    /// a browser does; so are the submit buttons, of which the one pressed is added by
    /// [`Form::submission`].
    pub fields: Vec<(String, String)>,
    /// The names of the password inputs among `fields`.
    pub password_fields: Vec<String>,
    /// The names of the visible text-like inputs (text, email, tel...) among `fields`: where
    /// a person types a login.
    pub text_fields: Vec<String>,
    /// The submit controls, in document order (disabled ones left out).
    pub submits: Vec<Submit>,
    /// The form's `id` attribute, to say which form was chosen.
    pub id: Option<String>,
}

impl Form {
    /// Sets each named field to its value, or adds the field when the form has none by that
    /// name. Only the first field of a name is set.
    pub(crate) fn fill(&mut self, values: &[(String, String)]) {
        for (name, value) in values {
            match self.fields.iter_mut().find(|(n, _)| n == name) {
                Some(field) => field.1.clone_from(value),
                None => self.fields.push((name.clone(), value.clone())),
            }
        }
    }

    /// True when the form has a password input.
    pub(crate) fn has_password(&self) -> bool {
        !self.password_fields.is_empty()
    }
}

/// Every form of `html`, a page fetched from `page_url`, in document order.
pub(crate) fn forms(html: &str, page_url: &str) -> Vec<Form> {
    let mut page = Page::default();
    let mut tokenizer = Tokenizer::new(html);
    while let Some(Ok(token)) = tokenizer.next() {
        match token {
            Token::StartTag(tag) => {
                let attrs: Attrs = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| (text(k), text(&v.value)))
                    .collect();
                let name = text(&tag.name);
                // Switch as a tree builder would; `noscript` stays markup: no script runs here.
                match name.as_str() {
                    "script" => tokenizer.set_state(State::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        tokenizer.set_state(State::RawText);
                    }
                    "textarea" | "title" => tokenizer.set_state(State::RcData),
                    "plaintext" => tokenizer.set_state(State::PlainText),
                    _ => {}
                }
                page.start(&name, attrs);
            }
            Token::EndTag(tag) => page.end(&text(&tag.name)),
            Token::String(s) => page.text(&text(&s.value)),
            _ => {}
        }
    }
    page.finish(page_url)
}

type Attrs = BTreeMap<String, String>;

/// Where a `<button>`'s text is kept among its attributes (a name no attribute can have).
const LABEL: &str = " label";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A control met while reading: what it submits is known once its end tag is read.
#[derive(Debug)]
struct Control {
    form: Option<usize>,
    form_attr: Option<String>,
    name: String,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Value(String),
    /// A visible text-like input (text, email, tel, ...).
    Text(String),
    Password(String),
    Submit(Attrs),
    /// A `<select>`: its options as (value, selected), and whether several may be chosen.
    Select(Vec<(String, bool)>, bool),
}

#[derive(Debug, Default)]
struct Page {
    base: Option<String>,
    forms: Vec<Attrs>,
    open: Option<usize>,
    controls: Vec<Control>,
    select: Option<usize>,
    /// The open `<option>`: its value attribute, `selected`, and its text so far.
    option: Option<(Option<String>, bool, String)>,
    textarea: Option<(usize, String)>,
    /// The open `<button>`: its control's index and its text so far.
    button: Option<(usize, String)>,
}

impl Page {
    fn start(&mut self, tag: &str, attrs: Attrs) {
        if matches!(tag, "option" | "optgroup") {
            self.close_option();
        }
        let disabled = attrs.contains_key("disabled");
        let name = attrs.get("name").cloned().unwrap_or_default();
        let kind = match tag {
            "base" if self.base.is_none() => {
                self.base = attrs.get("href").cloned();
                return;
            }
            "form" => {
                // A form inside a form is ignored by browsers; so are its attributes.
                if self.open.is_none() {
                    self.open = Some(self.forms.len());
                    self.forms.push(attrs);
                }
                return;
            }
            "option" if self.select.is_some() => {
                let value = attrs.get("value").cloned();
                self.option = Some((value, attrs.contains_key("selected"), String::new()));
                return;
            }
            "input" => {
                let kind = attrs.get("type").map(|t| t.trim().to_ascii_lowercase());
                let value = attrs.get("value").cloned();
                match kind.as_deref().unwrap_or("text") {
                    "submit" | "image" => Kind::Submit(attrs.clone()),
                    "checkbox" | "radio" if attrs.contains_key("checked") => {
                        Kind::Value(value.unwrap_or_else(|| "on".into()))
                    }
                    "checkbox" | "radio" | "button" | "reset" | "file" => return,
                    "password" => Kind::Password(value.unwrap_or_default()),
                    "text" | "email" | "tel" | "search" | "url" | "number" => {
                        Kind::Text(value.unwrap_or_default())
                    }
                    _ => Kind::Value(value.unwrap_or_default()),
                }
            }
            "button" => match attrs.get("type").map(|t| t.trim().to_ascii_lowercase()) {
                None => Kind::Submit(attrs.clone()),
                Some(t) if t == "submit" => Kind::Submit(attrs.clone()),
                Some(_) => return,
            },
            "select" => {
                self.select = Some(self.controls.len());
                Kind::Select(Vec::new(), attrs.contains_key("multiple"))
            }
            "textarea" => {
                self.textarea = Some((self.controls.len(), String::new()));
                Kind::Value(String::new())
            }
            _ => return,
        };
        let submit = matches!(kind, Kind::Submit(_));
        if tag == "button" && !disabled {
            self.button = Some((self.controls.len(), String::new()));
        }
        if disabled || (name.is_empty() && !submit) {
            // A dropped select's options and textarea's text are not collected either.
            if matches!(tag, "select" | "textarea") {
                self.select = None;
                self.textarea = None;
            }
            return;
        }
        self.controls.push(Control {
            form: self.open,
            form_attr: attrs.get("form").cloned(),
            name,
            kind,
        });
    }

    fn end(&mut self, tag: &str) {
        match tag {
            "form" => self.open = None,
            "option" | "optgroup" => self.close_option(),
            "button" => {
                if let Some((index, label)) = self.button.take()
                    && let Some(Control {
                        kind: Kind::Submit(attrs),
                        ..
                    }) = self.controls.get_mut(index)
                {
                    attrs.insert(LABEL.into(), label);
                }
            }
            "select" => {
                self.close_option();
                self.select = None;
            }
            "textarea" => {
                if let Some((index, mut value)) = self.textarea.take() {
                    // The newline right after `<textarea>` is not part of the value.
                    if value.starts_with('\n') {
                        value.remove(0);
                    }
                    if let Some(control) = self.controls.get_mut(index) {
                        control.kind = Kind::Value(value);
                    }
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if let Some((_, label)) = &mut self.button {
            label.push_str(s);
        }
        if let Some((_, value)) = &mut self.textarea {
            value.push_str(s);
        } else if let Some((_, _, label)) = &mut self.option {
            label.push_str(s);
        }
    }

    fn close_option(&mut self) {
        let (Some((value, selected, label)), Some(index)) = (self.option.take(), self.select)
        else {
            return;
        };
        let value =
            value.unwrap_or_else(|| label.split_ascii_whitespace().collect::<Vec<_>>().join(" "));
        if let Some(Control {
            kind: Kind::Select(options, _),
            ..
        }) = self.controls.get_mut(index)
        {
            options.push((value, selected));
        }
    }

    fn finish(mut self, page_url: &str) -> Vec<Form> {
        self.close_option();
        let page = url::Url::parse(page_url).ok();
        let base = match (&self.base, &page) {
            (Some(href), Some(page)) => page.join(href).ok(),
            (Some(href), None) => url::Url::parse(href).ok(),
            (None, page) => page.clone(),
        };
        let resolve = |action: Option<&String>| match action.map(|a| a.trim()) {
            None | Some("") => page
                .as_ref()
                .map_or(page_url.to_string(), std::string::ToString::to_string),
            Some(action) => base
                .as_ref()
                .and_then(|b| b.join(action).ok())
                .map_or_else(|| action.to_string(), |u| u.to_string()),
        };
        let ids: Vec<Option<&String>> = self.forms.iter().map(|f| f.get("id")).collect();
        let mut forms: Vec<Form> = self
            .forms
            .iter()
            .map(|attrs| Form {
                action: resolve(attrs.get("action")),
                method: method(attrs.get("method")),
                fields: Vec::new(),
                password_fields: Vec::new(),
                text_fields: Vec::new(),
                submits: Vec::new(),
                id: attrs.get("id").cloned(),
            })
            .collect();
        for control in self.controls {
            // `form="id"` ties a control to that form wherever it stands (and to none if absent).
            let owner = match &control.form_attr {
                Some(id) => ids.iter().position(|f| *f == Some(id)),
                None => control.form,
            };
            let Some(form) = owner.and_then(|i| forms.get_mut(i)) else {
                continue;
            };
            let name = control.name;
            match control.kind {
                Kind::Value(value) => form.fields.push((name, value)),
                Kind::Text(value) => {
                    form.text_fields.push(name.clone());
                    form.fields.push((name, value));
                }
                Kind::Password(value) => {
                    form.password_fields.push(name.clone());
                    form.fields.push((name, value));
                }
                Kind::Select(options, multiple) => {
                    let chosen: Vec<String> = if multiple {
                        options.into_iter().filter(|o| o.1).map(|o| o.0).collect()
                    } else {
                        // The last `selected` wins; with none, the first option is chosen.
                        let last = options.iter().rposition(|o| o.1).unwrap_or(0);
                        options
                            .into_iter()
                            .nth(last)
                            .map(|o| o.0)
                            .into_iter()
                            .collect()
                    };
                    form.fields
                        .extend(chosen.into_iter().map(|v| (name.clone(), v)));
                }
                Kind::Submit(attrs) => {
                    let image = attrs
                        .get("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("image"));
                    let value = attrs.get("value").cloned();
                    // A button's text is its label; an input's label is its value (or, for an
                    // image, its alt text).
                    let label = attrs
                        .get(LABEL)
                        .or(if image {
                            attrs.get("alt")
                        } else {
                            value.as_ref()
                        })
                        .map(|l| l.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
                        .unwrap_or_default();
                    form.submits.push(Submit {
                        name,
                        value: value.unwrap_or_default(),
                        label,
                        image,
                        action: attrs.get("formaction").map(|a| resolve(Some(a))),
                        method: attrs.get("formmethod").map(|m| method(Some(m))),
                        at: form.fields.len(),
                    });
                }
            }
        }
        forms
    }
}

fn method(attr: Option<&String>) -> String {
    match attr {
        Some(m) if m.trim().eq_ignore_ascii_case("post") => "POST".into(),
        _ => "GET".into(),
    }
}

mod press;
mod text;
pub(crate) use press::Submit;
pub(crate) use text::page_message;

#[cfg(test)]
mod tests;
