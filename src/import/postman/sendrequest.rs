//! `pm.sendRequest` in a pre-request script, with a callback that keeps values of the
//! response: a token request (password, client credentials or refresh token grant keeping
//! `access_token`) becomes the OAuth 2.0 helper that would send it, so `auth.rs` builds the
//! `oauth2` request; any other call becomes a request of its own before, with `capture:` for
//! what the callback keeps and `expect: { status }` for `pm.expect(res.code).to.eql(N)`.

use super::jsexpr::{P, Scope, Val};
use super::jslex::{T, Tok, statements};
use super::model::AuthDef;
use super::prerequest::{bind, is_console, set};
use serde_json::{Value, json};

/// A token request the script sends, as the OAuth 2.0 helper that would send it.
#[derive(Clone, Debug)]
pub(super) struct TokenFetch {
    pub def: AuthDef,
    /// `(Postman name, token field)`: the variables set to the response's `access_token`
    /// (at least one), `refresh_token` or `id_token`.
    pub kept: Vec<(String, &'static str)>,
}

/// A call that is not a token request, sent before the request.
#[derive(Clone, Debug)]
pub(super) struct Call {
    pub method: String,
    /// Postman text.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<CallBody>,
    /// `(Postman name, path into the JSON body)`.
    pub captures: Vec<(String, Vec<String>)>,
    pub status: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) enum CallBody {
    Raw(String),
    /// `(multipart, fields)`.
    Form(bool, Vec<(String, String)>),
}

/// What a `pm.sendRequest` became.
pub(super) enum Fetch {
    Token(TokenFetch),
    Call(Call),
}

/// `pm.sendRequest(OPTIONS, (err, res) => { … })` that asks a token endpoint for a token
/// and keeps it.
pub(super) fn send_request(p: &mut P, scope: &Scope) -> Option<Fetch> {
    if !p.eat(&["pm", ".", "sendRequest", "("]) {
        return None;
    }
    let options = match p.expr(scope)? {
        Val::Obj(o) => o,
        Val::Text(url) => vec![("url".to_string(), Val::Text(url))],
        _ => return None,
    };
    if !p.eat(&[","]) {
        return None;
    }
    let response = callback_head(p)?;
    let start = p.i;
    let mut depth = 1;
    while depth > 0 {
        match p.peek()? {
            Tok::P(x) if x == "{" => depth += 1,
            Tok::P(x) if x == "}" => depth -= 1,
            _ => {}
        }
        p.i += 1;
    }
    let body: &[T] = &p.t[start..p.i - 1];
    if !(p.eat(&[")"]) && p.at_end()) {
        return None;
    }
    let kept = callback(body, &response, scope)?;
    let tokens: Option<Vec<(String, &'static str)>> = kept
        .sets
        .iter()
        .map(|(name, path)| {
            let field = ["access_token", "refresh_token", "id_token"]
                .into_iter()
                .find(|f| path.len() == 1 && *f == path[0])?;
            Some((name.clone(), field))
        })
        .collect();
    let is_token = tokens
        .as_ref()
        .is_some_and(|t| t.iter().any(|(_, f)| *f == "access_token"));
    if is_token
        && kept.status.as_deref().is_none_or(|s| s == "200")
        && let Some(mut def) = token_def(&options)
    {
        def.params
            .push(("tokenName".into(), json!("pre-request token")));
        return Some(Fetch::Token(TokenFetch {
            def,
            kept: tokens.unwrap_or_default(),
        }));
    }
    let mut call = call(&options)?;
    call.captures = kept.sets;
    call.status = kept.status;
    (!call.captures.is_empty()).then_some(Fetch::Call(call))
}

/// `(err, res) => {` or `function (err, res) {`: the response's name.
pub(super) fn callback_head(p: &mut P) -> Option<String> {
    let arrow = !p.eat(&["function"]);
    if !p.eat(&["("]) {
        return None;
    }
    let _ = p.ident()?;
    if !p.eat(&[","]) {
        return None;
    }
    let res = p.ident()?;
    if !p.eat(&[")"]) || (arrow && !p.eat(&["=>"])) || !p.eat(&["{"]) {
        return None;
    }
    Some(res)
}

/// What a callback keeps of the response.
struct Kept {
    /// `(Postman name, path into the JSON body)`.
    sets: Vec<(String, Vec<String>)>,
    /// `pm.expect(res.code).to.eql(N)`.
    status: Option<String>,
}

/// The callback keeps values of the JSON body, checks the status, logs; anything else and it
/// is not converted.
fn callback(body: &[T], response: &str, outer: &Scope) -> Option<Kept> {
    let mut scope = Scope::default();
    scope.bound.clone_from(&outer.bound);
    scope
        .bound
        .insert(response.to_string(), (Val::Response, Vec::new()));
    let mut kept = Kept {
        sets: Vec::new(),
        status: None,
    };
    for st in statements(body) {
        if is_console(&mut P::new(st)) || bind(&mut P::new(st), &mut scope).is_some() {
            continue;
        }
        if let Some(code) = status_check(&mut P::new(st), response) {
            kept.status = Some(code);
            continue;
        }
        match set(&mut P::new(st), &scope)? {
            (name, Val::Json(path)) => kept.sets.push((name, path)),
            _ => return None,
        }
    }
    Some(kept)
}

/// `pm.expect(res.code).to.eql(201)` (or `.eq(201)`): the status.
pub(super) fn status_check(p: &mut P, response: &str) -> Option<String> {
    if !p.eat(&["pm", ".", "expect", "(", response, ".", "code", ")", "."]) {
        return None;
    }
    // `.to.eql(200)`, `.to.be.eql(200)` or `.eq(200)`.
    let _ = p.eat(&["to", "."]) && p.eat(&["be", "."]);
    let _ = p
        .ident()
        .filter(|w| matches!(w.as_str(), "eql" | "equal" | "eq" | "equals"))?;
    if !p.eat(&["("]) {
        return None;
    }
    let code = match p.peek()? {
        Tok::Num(n) if n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()) => n.clone(),
        _ => return None,
    };
    p.i += 1;
    (p.eat(&[")"]) && p.at_end()).then_some(code)
}

/// The request options of a call that is not a token request: method, URL, headers, and a
/// raw, urlencoded or text-only form-data body.
pub(super) fn call(options: &[(String, Val)]) -> Option<Call> {
    let url = text_of(field(options, "url")?)?.to_string();
    let method = field(options, "method")
        .and_then(text_of)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let mut headers = Vec::new();
    match field(options, "header") {
        None => {}
        Some(Val::Text(line)) => {
            let (k, v) = line.split_once(':')?;
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        Some(Val::Obj(h)) => {
            for (k, v) in h {
                headers.push((k.clone(), text_of(v)?.to_string()));
            }
        }
        Some(Val::Arr(rows)) => headers = rows_of(rows)?,
        Some(_) => return None,
    }
    let body = match field(options, "body") {
        None => None,
        // A string is sent as it is (the SDK's raw mode).
        Some(Val::Text(text)) => Some(CallBody::Raw(text.clone())),
        Some(Val::Obj(b)) => match field(b, "mode").and_then(text_of)? {
            "raw" => Some(CallBody::Raw(text_of(field(b, "raw")?)?.to_string())),
            mode @ ("urlencoded" | "formdata") => {
                let Val::Arr(rows) = field(b, mode)? else {
                    return None;
                };
                Some(CallBody::Form(mode == "formdata", rows_of(rows)?))
            }
            _ => return None,
        },
        Some(_) => return None,
    };
    Some(Call {
        method,
        url,
        headers,
        body,
        captures: Vec::new(),
        status: None,
    })
}

/// `[{ key, value, disabled }]` rows, the enabled ones.
fn rows_of(rows: &[Val]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for row in rows {
        let Val::Obj(row) = row else { return None };
        if field(row, "disabled").and_then(text_of) == Some("true") {
            continue;
        }
        let key = text_of(field(row, "key")?)?;
        let value = text_of(field(row, "value")?)?;
        out.push((key.to_string(), value.to_string()));
    }
    Some(out)
}

fn text_of(v: &Val) -> Option<&str> {
    match v {
        Val::Text(t) => Some(t),
        _ => None,
    }
}

fn field<'v>(o: &'v [(String, Val)], key: &str) -> Option<&'v Val> {
    o.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The request options of a token request as an OAuth 2.0 helper's settings.
fn token_def(options: &[(String, Val)]) -> Option<AuthDef> {
    let url = text_of(field(options, "url")?)?;
    let method = field(options, "method").and_then(text_of).unwrap_or("GET");
    if !method.eq_ignore_ascii_case("POST") {
        return None;
    }
    let mut form: Vec<(String, String)> = Vec::new();
    if let Some(Val::Obj(body)) = field(options, "body") {
        let mode = field(body, "mode").and_then(text_of)?;
        let Val::Arr(rows) = field(body, mode)? else {
            return None;
        };
        form = rows_of(rows)?;
    }
    let mut extra: Vec<Value> = Vec::new();
    match field(options, "header") {
        None => {}
        Some(Val::Obj(headers)) => {
            for (k, v) in headers {
                if !k.eq_ignore_ascii_case("content-type") {
                    let v = text_of(v)?;
                    extra.push(json!({"key": k, "value": v, "send_as": "request_header"}));
                }
            }
        }
        Some(_) => return None,
    }
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    let grant = match get("grant_type")?.as_str() {
        "password" => "password_credentials",
        "client_credentials" => "client_credentials",
        "refresh_token" => "refresh_token",
        _ => return None,
    };
    let mut params: Vec<(String, Value)> = vec![
        ("grant_type".into(), json!(grant)),
        ("accessTokenUrl".into(), json!(url)),
        ("client_authentication".into(), json!("body")),
    ];
    for (form_key, helper_key) in [
        ("client_id", "clientId"),
        ("client_secret", "clientSecret"),
        ("username", "username"),
        ("password", "password"),
        ("scope", "scope"),
        ("audience", "audience"),
        ("resource", "resource"),
        ("refresh_token", "refreshToken"),
    ] {
        if let Some(v) = get(form_key) {
            params.push((helper_key.into(), json!(v)));
        }
    }
    const OWN: &[&str] = &[
        "grant_type",
        "client_id",
        "client_secret",
        "username",
        "password",
        "scope",
        "audience",
        "resource",
        "refresh_token",
    ];
    for (k, v) in form.iter().filter(|(k, _)| !OWN.contains(&k.as_str())) {
        extra.push(json!({"key": k, "value": v, "send_as": "request_body"}));
    }
    if !extra.is_empty() {
        params.push(("tokenRequestParams".into(), Value::Array(extra)));
    }
    Some(AuthDef {
        kind: "oauth2".into(),
        params,
    })
}
