//! What a new user (often one coming from Postman) writes for what baton writes otherwise:
//! each an error at its place that shows the form baton reads, filled in with what was
//! written, rather than a bare "expected a mapping".

use super::habits;
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;

/// A literal URL that cannot be sent (`problem`): when it holds Postman's `{{name}}`, that
/// is the mistake to name.
pub(super) fn url_error(r: &mut Reader, url: &Tpl, problem: String) {
    let Some(first) = habits::find(&url.text).first().map(|s| (*s).to_string()) else {
        r.error(url.loc, problem);
        return;
    };
    let loc = habits::narrow(r.file, url.loc, &first);
    let d = r.error(loc, habits::message(&first));
    d.label = Some("not a variable in baton".into());
    d.notes.push(problem);
}

/// Postman's list of `- key: Accept` / `value: …` items where baton reads a mapping
/// (`headers`, `query`, `form`): an error showing the mapping with the keys written, or
/// `false` when `node` is not such a list.
pub(super) fn key_value_list(r: &mut Reader, node: &Node, what: &str) -> bool {
    let Kind::Seq(items) = &node.kind else {
        return false;
    };
    // An item Postman exported `disabled: true` was not sent there: not shown here.
    let pairs: Option<Vec<Option<(String, String)>>> = items
        .iter()
        .map(|item| {
            let entries = item.as_map()?;
            let get = |k: &str| entries.iter().find(|(key, _)| key.name == k).map(|e| &e.1);
            let key = get("key")?.scalar_text()?;
            let value = get("value").and_then(Node::scalar_text).unwrap_or_default();
            let disabled = get("disabled").is_some_and(|d| d.kind == Kind::Bool(true));
            Some((!disabled).then_some((key, value)))
        })
        .collect();
    let pairs: Option<Vec<(String, String)>> = pairs.map(|p| p.into_iter().flatten().collect());
    let Some(pairs) = pairs.filter(|p| !p.is_empty()) else {
        return false;
    };
    let shown: Vec<String> = pairs
        .iter()
        .take(3)
        .map(|(k, v)| format!("{}: {}", flow_text(k), flow_text(v)))
        .collect();
    let more = if pairs.len() > 3 { ", ..." } else { "" };
    let d = r.error(
        node.loc,
        format!("`{what}` is a mapping of names to values, not a list of `key:`/`value:` items"),
    );
    d.label = Some("Postman's form".into());
    d.help = Some(format!("write `{what}: {{ {}{more} }}`", shown.join(", ")));
    true
}

/// `body:` given a mapping without `text:` (a JSON object or form fields meant as the body).
pub(super) fn body_mapping(r: &mut Reader, node: &Node) -> bool {
    let Kind::Map(entries) = &node.kind else {
        return false;
    };
    if entries
        .iter()
        .any(|(k, _)| k.name == "text" || k.name == "content_type")
    {
        return false;
    }
    let d = r.error(
        node.loc,
        "`body` is raw text (or `{ text, content_type }`); a mapping is sent with `json:` or `form:`",
    );
    d.label = Some("a mapping".into());
    let fields: Option<Vec<String>> = entries
        .iter()
        .take(3)
        .map(|(k, v)| {
            Some(format!(
                "{}: {}",
                flow_text(&k.name),
                flow_text(&v.scalar_text()?)
            ))
        })
        .collect();
    let shown = match fields {
        Some(f) if entries.len() > 3 => format!("{{ {}, ... }}", f.join(", ")),
        Some(f) => format!("{{ {} }}", f.join(", ")),
        None => "{ ... }".to_string(),
    };
    d.help = Some(format!(
        "write `json: {shown}` for a JSON body, or `form: {shown}` for urlencoded fields"
    ));
    true
}

/// `auth: bearer abc` / `auth: basic user pass`, a string where baton reads a mapping.
pub(super) fn auth_string(r: &mut Reader, node: &Node) -> bool {
    let Some(text) = node.as_str() else {
        return false;
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let fix = match words.as_slice() {
        [scheme, token] if scheme.eq_ignore_ascii_case("bearer") => {
            format!("auth: {{ bearer: {} }}", flow_text(token))
        }
        [scheme, user, password] if scheme.eq_ignore_ascii_case("basic") => format!(
            "auth: {{ basic: [{}, {}] }}",
            flow_text(user),
            flow_text(password)
        ),
        _ => "auth: { bearer: <<access_token>> }` or `auth: { basic: [<<user>>, <<password>>] }"
            .to_string(),
    };
    let d = r.error(node.loc, "`auth` must be a mapping, found a string");
    d.label = Some("expected a mapping".into());
    d.help = Some(format!("write `{fix}`"));
    true
}

/// `text` as a value inside a YAML flow mapping: quoted when it would not read back as
/// itself there.
fn flow_text(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with([
            '!', '&', '*', '\'', '"', '{', '[', '-', '?', '|', '>', '%', '@', '`', '#',
        ])
        && !text.contains([',', '{', '}', '[', ']', '#'])
        && !text.contains(": ")
        && !text.ends_with(':')
        && text.trim() == text;
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::flow_text;

    #[test]
    fn values_are_quoted_only_when_they_must_be() {
        assert_eq!(flow_text("application/json"), "application/json");
        assert_eq!(flow_text("a, b"), "'a, b'");
        assert_eq!(flow_text("<<token>>"), "<<token>>");
        assert_eq!(flow_text("{{token}}"), "'{{token}}'");
        assert_eq!(flow_text("it's"), "it's");
        assert_eq!(flow_text(""), "''");
    }
}
