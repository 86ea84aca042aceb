//! Reading a Postman collection (format v2.0 or v2.1) into plain structs, tolerant of both
//! spellings: auth parameters as an object (v2.0) or a list of `{key, value, type}` (v2.1),
//! `url` as a string or an object, `host`/`path` as strings or lists, descriptions as text
//! or `{content}`. A Postman file is user input: every field is optional and of any type
//! here, and nothing panics on a shape it does not expect.

use serde_json::{Map, Value};

/// A folder, or the collection itself (the root folder).
#[derive(Debug, Default)]
pub(super) struct Folder {
    pub name: String,
    pub description: Option<String>,
    pub items: Vec<Node>,
    pub auth: Option<AuthDef>,
    pub events: Vec<Event>,
    pub variables: Vec<Variable>,
    /// `protocolProfileBehavior.followRedirects`, when set: what is inside inherits it.
    pub follow_redirects: Option<bool>,
}

#[derive(Debug)]
pub(super) enum Node {
    Folder(Folder),
    Request(Box<PmRequest>),
}

#[derive(Debug, Default, Clone)]
pub(super) struct PmRequest {
    pub name: String,
    pub description: Option<String>,
    pub method: String,
    pub url: Url,
    pub headers: Vec<Param>,
    pub body: Option<Value>,
    pub auth: Option<AuthDef>,
    pub events: Vec<Event>,
    /// `protocolProfileBehavior.followRedirects` of the item, when set.
    pub follow_redirects: Option<bool>,
}

/// A `key: value` row (header, query parameter, form field, variable).
#[derive(Debug, Default, Clone)]
pub(super) struct Param {
    pub key: String,
    pub value: String,
    pub disabled: bool,
    pub description: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct Variable {
    pub key: String,
    pub value: String,
    pub secret: bool,
    pub disabled: bool,
    pub description: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct Url {
    /// The URL without query and fragment, as written (`{{baseUrl}}/users/:id`).
    pub base: String,
    pub query: Vec<Param>,
    /// Path variables (`:id`) and their values.
    pub path_variables: Vec<Param>,
}

/// `auth` as written: its type, and its parameters as `(key, value)`, values kept as JSON
/// (the OAuth 2.0 helper has lists of parameters among them).
#[derive(Debug, Clone, Default)]
pub(super) struct AuthDef {
    pub kind: String,
    pub params: Vec<(String, Value)>,
}

impl AuthDef {
    /// A parameter as text (`""` when absent; numbers and booleans as written).
    pub(super) fn get(&self, key: &str) -> String {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| text(v))
            .unwrap_or_default()
    }

    pub(super) fn value(&self, key: &str) -> Option<&Value> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A script: `listen` is `test` or `prerequest`.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub listen: String,
    pub lines: Vec<String>,
    pub disabled: bool,
}

/// JSON scalar as text.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn str_field(m: &Map<String, Value>, key: &str) -> String {
    m.get(key).map(text).unwrap_or_default()
}

/// `description` as text or `{ content }`.
pub(super) fn description(v: Option<&Value>) -> Option<String> {
    let d = match v? {
        Value::String(s) => s.clone(),
        Value::Object(m) => str_field(m, "content"),
        _ => return None,
    };
    let d = d.trim().to_string();
    (!d.is_empty()).then_some(d)
}

/// Read the folder tree; `depth` bounds nesting so a hostile file cannot exhaust the stack.
pub(super) fn folder(v: &Map<String, Value>, name: String, depth: usize) -> Folder {
    let items = match v.get("item") {
        Some(Value::Array(items)) if depth < 64 => items
            .iter()
            .filter_map(Value::as_object)
            .map(|item| node(item, depth + 1))
            .collect(),
        _ => Vec::new(),
    };
    Folder {
        name,
        description: description(v.get("description")),
        items,
        auth: v.get("auth").and_then(auth),
        events: events(v.get("event")),
        variables: variables(v.get("variable")),
        follow_redirects: follow_redirects(v),
    }
}

fn node(item: &Map<String, Value>, depth: usize) -> Node {
    let name = str_field(item, "name");
    if item.contains_key("item") || !item.contains_key("request") {
        return Node::Folder(folder(item, name, depth));
    }
    let mut req = PmRequest {
        name,
        events: events(item.get("event")),
        description: description(item.get("description")),
        method: "GET".into(),
        follow_redirects: follow_redirects(item),
        ..PmRequest::default()
    };
    match item.get("request") {
        Some(Value::String(url)) => req.url = parse_url(&Value::String(url.clone())),
        Some(Value::Object(r)) => {
            let method = str_field(r, "method").trim().to_ascii_uppercase();
            if !method.is_empty() {
                req.method = method;
            }
            req.url = r.get("url").map(parse_url).unwrap_or_default();
            req.headers = params(r.get("header"));
            req.body = r.get("body").filter(|b| b.is_object()).cloned();
            req.auth = r.get("auth").and_then(auth);
            if req.description.is_none() {
                req.description = description(r.get("description"));
            }
        }
        _ => {}
    }
    Node::Request(Box::new(req))
}

/// `protocolProfileBehavior.followRedirects` of an item, a folder or the collection (Postman
/// follows redirects unless the nearest one that sets it says `false`).
fn follow_redirects(item: &Map<String, Value>) -> Option<bool> {
    item.get("protocolProfileBehavior")?
        .get("followRedirects")?
        .as_bool()
}

/// Rows of `{key, value, disabled, description}`; v2.0 headers may also be one string of
/// `Name: value` lines.
pub(super) fn params(v: Option<&Value>) -> Vec<Param> {
    match v {
        Some(Value::Array(rows)) => rows
            .iter()
            .filter_map(Value::as_object)
            .map(|m| Param {
                key: str_field(m, "key"),
                value: str_field(m, "value"),
                disabled: m.get("disabled").and_then(Value::as_bool).unwrap_or(false)
                    || m.get("enabled").and_then(Value::as_bool) == Some(false),
                description: description(m.get("description")),
            })
            .filter(|p| !p.key.is_empty())
            .collect(),
        Some(Value::String(lines)) => lines
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| Param {
                key: k.trim().to_string(),
                value: v.trim().to_string(),
                ..Param::default()
            })
            .filter(|p| !p.key.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn variables(v: Option<&Value>) -> Vec<Variable> {
    let Some(Value::Array(rows)) = v else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(Value::as_object)
        .map(|m| Variable {
            key: {
                let k = str_field(m, "key");
                if k.is_empty() { str_field(m, "id") } else { k }
            },
            value: str_field(m, "value"),
            secret: str_field(m, "type") == "secret",
            disabled: m.get("disabled").and_then(Value::as_bool).unwrap_or(false)
                || m.get("enabled").and_then(Value::as_bool) == Some(false),
            description: description(m.get("description")),
        })
        .filter(|v| !v.key.is_empty())
        .collect()
}

fn events(v: Option<&Value>) -> Vec<Event> {
    let Some(Value::Array(list)) = v else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Value::as_object)
        .filter_map(|e| {
            let script = e.get("script")?.as_object()?;
            let lines = match script.get("exec") {
                Some(Value::Array(lines)) => lines
                    .iter()
                    // `"".lines()` is empty: a blank entry is still a line of the script,
                    // and the line numbers users see count it.
                    .flat_map(|l| {
                        let t = text(l);
                        if t.is_empty() {
                            vec![String::new()]
                        } else {
                            t.lines().map(str::to_string).collect::<Vec<_>>()
                        }
                    })
                    .collect(),
                Some(Value::String(s)) => s.lines().map(str::to_string).collect(),
                _ => Vec::new(),
            };
            Some(Event {
                listen: str_field(e, "listen"),
                lines,
                disabled: e.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

/// `auth`: `{type, <type>: [{key, value}] | {key: value}}`. `None` for `null` (inherit).
fn auth(v: &Value) -> Option<AuthDef> {
    let m = v.as_object()?;
    let kind = str_field(m, "type");
    let params = match m.get(&kind) {
        Some(Value::Array(rows)) => rows
            .iter()
            .filter_map(Value::as_object)
            .map(|r| {
                (
                    str_field(r, "key"),
                    r.get("value").cloned().unwrap_or(Value::Null),
                )
            })
            .filter(|(k, _)| !k.is_empty())
            .collect(),
        Some(Value::Object(obj)) => obj.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    };
    Some(AuthDef { kind, params })
}

/// `url` as a string or `{raw, protocol, host, port, path, query, variable}`.
fn parse_url(v: &Value) -> Url {
    let (raw, obj) = match v {
        Value::String(s) => (s.clone(), None),
        Value::Object(m) => (str_field(m, "raw"), Some(m)),
        _ => return Url::default(),
    };
    let (before_hash, _) = raw.split_once('#').unwrap_or((&raw, ""));
    let (raw_base, raw_query) = match before_hash.split_once('?') {
        Some((b, q)) => (b.to_string(), Some(q.to_string())),
        None => (before_hash.to_string(), None),
    };
    let mut url = Url {
        base: raw_base,
        ..Url::default()
    };
    if let Some(m) = obj {
        if url.base.trim().is_empty() {
            url.base = structured_base(m);
        }
        url.path_variables = params(m.get("variable"));
        if m.contains_key("query") {
            url.query = params(m.get("query"));
            return url;
        }
    }
    if let Some(q) = raw_query {
        url.query = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                Param {
                    key: k.to_string(),
                    value: v.to_string(),
                    ..Param::default()
                }
            })
            .collect();
    }
    url
}

fn structured_base(m: &Map<String, Value>) -> String {
    let join = |v: Option<&Value>, sep: &str| match v {
        Some(Value::Array(parts)) => parts.iter().map(text).collect::<Vec<_>>().join(sep),
        Some(other) => text(other),
        None => String::new(),
    };
    let mut out = String::new();
    let protocol = str_field(m, "protocol");
    if !protocol.is_empty() {
        out.push_str(&protocol);
        out.push_str("://");
    }
    out.push_str(&join(m.get("host"), "."));
    let port = str_field(m, "port");
    if !port.is_empty() {
        out.push(':');
        out.push_str(&port);
    }
    let path = join(m.get("path"), "/");
    if !path.is_empty() {
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(&path);
    }
    out
}
