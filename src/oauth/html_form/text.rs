//! What a person reads on a provider's page when a headless sign-in stops there: the page's
//! error message (`<p class="error">Invalid login or password.</p>`, `role="alert"`), else
//! its visible text, never its `<head>`, scripts or styles.

use html5gum::{State, Token, Tokenizer};

/// Most characters of a page's text a message quotes.
const MAX_CHARS: usize = 300;

/// The page's error messages when it marks some (by class, id or role), else the start of
/// its visible text; whitespace collapsed, at most `MAX_CHARS` characters. Empty when the
/// page shows no text.
pub(crate) fn page_message(html: &str) -> String {
    let read = read(html);
    let text = if read.errors.is_empty() {
        read.visible
    } else {
        read.errors.join(" ")
    };
    shorten(&collapse(&text))
}

#[derive(Default)]
struct Read {
    visible: String,
    errors: Vec<String>,
}

/// Elements that hold no text a person sees.
const HIDDEN: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "textarea", "select", "option",
];
/// Elements that never have an end tag: they cannot open an error message.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn marks_error(attrs: &[(String, String)]) -> bool {
    attrs.iter().any(|(k, v)| {
        let v = v.to_ascii_lowercase();
        match k.as_str() {
            "role" => v == "alert",
            "class" | "id" => [
                "error",
                "alert",
                "danger",
                "invalid",
                "errorlist",
                "kc-feedback",
            ]
            .iter()
            .any(|w| v.contains(w)),
            _ => false,
        }
    })
}

fn read(html: &str) -> Read {
    let mut out = Read::default();
    let mut hidden: Vec<String> = Vec::new();
    // The open error elements: tag name, how deep the same tag nests, and the text so far.
    let mut error: Option<(String, usize, String)> = None;
    let mut tokenizer = Tokenizer::new(html);
    while let Some(Ok(token)) = tokenizer.next() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                match name.as_str() {
                    "script" => tokenizer.set_state(State::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        tokenizer.set_state(State::RawText);
                    }
                    "textarea" | "title" => tokenizer.set_state(State::RcData),
                    _ => {}
                }
                if HIDDEN.contains(&name.as_str()) && !tag.self_closing {
                    hidden.push(name);
                    continue;
                }
                if VOID.contains(&name.as_str()) || tag.self_closing {
                    if name == "br" {
                        out.visible.push(' ');
                    }
                    continue;
                }
                match &mut error {
                    Some((open, depth, _)) if *open == name => *depth += 1,
                    Some(_) => {}
                    None => {
                        let attrs: Vec<(String, String)> = tag
                            .attributes
                            .iter()
                            .map(|(k, v)| {
                                (
                                    String::from_utf8_lossy(k).to_ascii_lowercase(),
                                    String::from_utf8_lossy(&v.value).into_owned(),
                                )
                            })
                            .collect();
                        if marks_error(&attrs) && hidden.is_empty() {
                            error = Some((name, 0, String::new()));
                        }
                    }
                }
                // Block elements separate words.
                out.visible.push(' ');
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if hidden.last() == Some(&name) {
                    hidden.pop();
                    continue;
                }
                if let Some((open, depth, text)) = &mut error
                    && *open == name
                {
                    if *depth == 0 {
                        let text = collapse(text);
                        if !text.is_empty() && !out.errors.contains(&text) {
                            out.errors.push(text);
                        }
                        error = None;
                    } else {
                        *depth -= 1;
                    }
                }
                out.visible.push(' ');
            }
            Token::String(s) if hidden.is_empty() => {
                let s = String::from_utf8_lossy(&s.value);
                out.visible.push_str(&s);
                if let Some((_, _, text)) = &mut error {
                    text.push_str(&s);
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    out
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::page_message;

    #[test]
    fn the_error_message_not_the_head() {
        let html = r#"<!doctype html><html><head><title>Log in | Site</title><style>p{}</style>
<script>var x = "<p class=error>decoy</p>";</script></head>
<body><h1>Site administration</h1><form><p class="errornote">Please enter a correct username and password.</p>
<input name=u><ul class="errorlist"><li>This field is required.</li></ul></form></body></html>"#;
        assert_eq!(
            page_message(html),
            "Please enter a correct username and password. This field is required."
        );
        let html = r#"<html><head><title>T</title></head><body><div role="alert"><div>Invalid <b>login</b></div>
</div><p class="error">Invalid login or password.</p></body></html>"#;
        assert_eq!(
            page_message(html),
            "Invalid login Invalid login or password."
        );
    }

    #[test]
    fn visible_text_when_no_error_is_marked() {
        let html = "<html><head><title>Secret title</title></head><body><h1>Sign in</h1><p>Use your\n  account.<br>Thanks</p><noscript>Enable JS</noscript></body></html>";
        assert_eq!(page_message(html), "Sign in Use your account. Thanks");
        assert_eq!(page_message(""), "");
        let long = format!("<p>{}</p>", "word ".repeat(200));
        assert!(page_message(&long).ends_with('…'));
        assert!(page_message(&long).chars().count() <= 301);
    }
}
