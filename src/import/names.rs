//! Names across formats: Postman's `{{var}}` rewritten as baton's `<<var>>` (names that
//! are not identifiers as `<<vars['base-url']>>`, renamed ones consistently, Postman's
//! dynamic variables as functions), literal `<<` escaped so it stays text, and the spellings
//! derived from a name: file slugs, `UPPER_SNAKE` environment variables, `<your-kebab>`
//! placeholders.

use crate::yaml::read::is_identifier;
use std::collections::BTreeMap;

/// Words minijinja reads as keywords or that baton's scope reserves (`env`, `vars`).
const RESERVED: &[&str] = &[
    "env",
    "vars",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "elif",
    "endif",
    "for",
    "endfor",
    "loop",
    "self",
    "set",
    "raw",
    "uuid",
    "now",
    "timestamp",
    "random",
];

/// How each Postman variable name is written in baton.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names {
    /// Postman name → baton identifier, for names that cannot be kept.
    renamed: BTreeMap<String, String>,
    /// Captured names (their values may be numbers: see [`Names::is_captured`]).
    captured: Vec<String>,
}

impl Names {
    /// Decide the names once every variable of the import is known: `captured` are set by
    /// scripts (a capture needs an identifier), `all` every other name seen.
    pub(crate) fn new<'a>(
        captured: impl IntoIterator<Item = &'a str>,
        all: impl IntoIterator<Item = &'a str>,
    ) -> Names {
        let captured: Vec<String> = captured.into_iter().map(str::to_string).collect();
        let mut names = Names::default();
        let mut taken: Vec<String> = Vec::new();
        let mut owned: Vec<String> = captured.clone();
        owned.extend(all.into_iter().map(str::to_string));
        let everything: Vec<&str> = owned.iter().map(String::as_str).collect();
        for n in &everything {
            if is_identifier(n) && !RESERVED.contains(n) {
                taken.push(n.to_string());
            }
        }
        for n in everything {
            if names.renamed.contains_key(n) {
                continue;
            }
            let keep = is_identifier(n) && !RESERVED.contains(&n);
            let bracketed = !captured.iter().any(|c| c == n)
                && !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
                && n.contains(['-', '.'])
                && !RESERVED.contains(&n);
            if keep || bracketed {
                continue;
            }
            let mut base = identifier(n);
            if RESERVED.contains(&base.as_str()) {
                base.push_str("_var");
            }
            let mut candidate = base.clone();
            let mut i = 2;
            while taken.contains(&candidate) {
                candidate = format!("{base}_{i}");
                i += 1;
            }
            taken.push(candidate.clone());
            names.renamed.insert(n.to_string(), candidate);
        }
        names.captured = captured.iter().map(|c| names.key(c)).collect();
        names
    }

    /// The name as a key of `vars` (and of captures).
    pub(crate) fn key(&self, name: &str) -> String {
        self.renamed
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    /// The expression that reads the variable inside `<< >>`.
    pub(crate) fn reference(&self, name: &str) -> String {
        let key = self.key(name);
        if is_identifier(&key) {
            key
        } else {
            format!("vars['{key}']")
        }
    }

    /// True when a script captures this (baton) name, so its value may be a number.
    pub(crate) fn is_captured(&self, key: &str) -> bool {
        self.captured.iter().any(|c| c == key)
    }

    /// `(postman, baton)` for every renamed variable, for the report.
    pub(crate) fn renames(&self) -> impl Iterator<Item = (&String, &String)> {
        self.renamed.iter()
    }
}

/// Text from Postman with `{{var}}` rewritten; `seen` collects the baton keys read, and
/// `warn` hears about what could not be rewritten.
pub(crate) fn convert(
    text: &str,
    names: &Names,
    seen: &mut Vec<String>,
    warn: &mut dyn FnMut(String),
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let inner = &rest[start + 2..start + 2 + len];
        if inner.contains(['{', '}', '\n']) || inner.trim().is_empty() {
            push_literal(&mut out, &rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        push_literal(&mut out, &rest[..start]);
        let name = inner.trim();
        if let Some(dynamic) = name.strip_prefix('$') {
            if let Some(expr) = dynamic_variable(dynamic) {
                close_literal(&mut out);
                out.push_str(&format!("<<{expr}>>"));
            } else {
                warn(format!(
                    "Postman's dynamic variable `{{{{{name}}}}}` has no baton equivalent; it is sent as the literal text"
                ));
                push_literal(&mut out, &format!("{{{{{name}}}}}"));
            }
        } else {
            let key = names.key(name);
            if !seen.contains(&key) {
                seen.push(key);
            }
            close_literal(&mut out);
            out.push_str(&format!("<<{}>>", names.reference(name)));
        }
        rest = &rest[start + 2 + len + 2..];
    }
    push_literal(&mut out, rest);
    out
}

/// The whole text is one `{{var}}`: its Postman name.
pub(crate) fn sole_variable(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains(['{', '}']) && !inner.trim().starts_with('$') && !inner.trim().is_empty())
        .then(|| inner.trim())
}

/// JavaScript's `Date.prototype.toISOString()` (and Postman's `{{$isoTimestamp}}`): UTC with
/// milliseconds.
pub(crate) const ISO_TIMESTAMP: &str = "now('%Y-%m-%dT%H:%M:%S%.3fZ')";

/// Postman's `{{$guid}}` family, where baton has a function for it: the one table, for
/// text (`{{$guid}}` in a URL) and for pre-request scripts alike.
pub(crate) fn dynamic_variable(name: &str) -> Option<&'static str> {
    Some(match name {
        "guid" | "randomUUID" => "uuid()",
        "timestamp" => "timestamp()",
        "isoTimestamp" => ISO_TIMESTAMP,
        "randomAlphaNumeric" => "random(1)",
        _ => return None,
    })
}

/// Literal text as a baton string: what baton would read as template syntax (`<<`, `<%`,
/// `<#`) is written as an expression that prints it.
pub(crate) fn literal(text: &str) -> String {
    let mut out = String::new();
    push_literal(&mut out, text);
    out
}

fn push_literal(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(c @ ('<' | '%' | '#')) = after.chars().next() {
            out.push_str(&format!("<< '<{c}' >>"));
            rest = &after[1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
}

/// A literal `<` right before a template would join it (`<<<x>>`): write it as an expression.
fn close_literal(out: &mut String) {
    if out.ends_with('<') && !out.ends_with(">>") {
        out.pop();
        out.push_str("<< '<' >>");
    }
}

/// Letters, digits and `_`, not starting with a digit: `base-url` → `base_url`.
pub(crate) fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let trimmed = out.trim_matches('_');
    let mut out = if trimmed.is_empty() {
        "var".to_string()
    } else {
        trimmed.to_string()
    };
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Words of a name: `ClientSecret`, `client_secret`, `client-secret`, `APIKey` → client,
/// secret / api, key.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `ClientSecret` → `CLIENT_SECRET`: the process environment variable holding a secret.
pub(crate) fn env_var(name: &str) -> String {
    let w = words(name).join("_").to_ascii_uppercase();
    match w.chars().next() {
        None => "SECRET".into(),
        Some(c) if c.is_ascii_digit() => format!("V_{w}"),
        Some(_) => w,
    }
}

/// `ClientId` → `client-id`: the word of a `<your-client-id>` placeholder.
pub(crate) fn kebab(name: &str) -> String {
    let w = words(name).join("-");
    if w.is_empty() { "value".into() } else { w }
}

/// `client-id` → `client_id`: the variable of a `<your-client-id>` placeholder.
pub(crate) fn snake(word: &str) -> String {
    identifier(&word.replace('-', "_").to_ascii_lowercase())
}

/// A file or directory name: `Users & Roles` → `users-roles`.
pub(crate) fn slug(name: &str) -> String {
    let s = words(name).join("-");
    let s: String = s.chars().take(60).collect();
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "unnamed".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str, names: &Names) -> String {
        convert(text, names, &mut Vec::new(), &mut |_| {})
    }

    #[test]
    fn variables_become_references_and_literal_syntax_stays_text() {
        let names = Names::new(["access-token"], ["baseUrl", "base-url", "api.key", "in"]);
        assert_eq!(conv("{{baseUrl}}/x", &names), "<<baseUrl>>/x");
        assert_eq!(
            conv("{{base-url}}/{{api.key}}", &names),
            "<<vars['base-url']>>/<<vars['api.key']>>"
        );
        assert_eq!(
            conv("Bearer {{access-token}}", &names),
            "Bearer <<access_token>>"
        );
        assert_eq!(conv("{{in}}", &names), "<<in_var>>");
        assert_eq!(
            conv("{{$guid}}-{{$timestamp}}", &names),
            "<<uuid()>>-<<timestamp()>>"
        );
        assert_eq!(conv("{{$randomInt}}", &names), "{{$randomInt}}");
        assert_eq!(
            conv("cat <<EOF <% x %> <# c", &names),
            "cat << '<<' >>EOF << '<%' >> x %> << '<#' >> c"
        );
        assert_eq!(conv("a<{{baseUrl}}", &names), "a<< '<' >><<baseUrl>>");
        assert_eq!(conv("{{ }} {{x", &names), "{{ }} {{x");
        let mut seen = Vec::new();
        convert("{{a}}{{a}}{{b-c}}", &names, &mut seen, &mut |_| {});
        assert_eq!(seen, ["a", "b-c"]);
    }

    #[test]
    fn name_spellings() {
        assert_eq!(env_var("ClientSecret"), "CLIENT_SECRET");
        assert_eq!(env_var("APIKey"), "API_KEY");
        assert_eq!(env_var("api-key.v2"), "API_KEY_V2");
        assert_eq!(env_var("redirect_URI"), "REDIRECT_URI");
        assert_eq!(kebab("ClientId"), "client-id");
        assert_eq!(kebab("baseAuthURL"), "base-auth-url");
        assert_eq!(kebab("client_id"), "client-id");
        assert_eq!(snake("client-id"), "client_id");
        assert_eq!(slug("Users & Roles (v2)"), "users-roles-v2");
        assert_eq!(slug("???"), "unnamed");
        assert_eq!(identifier("9 lives!"), "_9_lives");
    }
}
