//! `baton import curl`: one curl command line as a baton request. The words are split as a
//! POSIX shell would (`shell-words`: quotes, escapes; `\` line continuations are joined
//! first). Documentation placeholders `<your-client-id>` become variables (`<<client_id>>`,
//! the snake case of the words after `your-`), so `baton export` writes them back the same.
//! Flags that change the request are converted; flags that only change curl's output are
//! ignored; anything else is a warning. Literal credentials (`-u` passwords, tokens,
//! `Authorization` headers, cookies) are moved to `<<env.NAME>>` references unless
//! `--keep-secrets` (`curl_secrets.rs`).

use super::curl_body::{self, Data, form_part};
use super::curl_flags::{QUIET, QUIET_WITH_VALUE, SHORT_WITH_VALUE, takes_value, unknown_takes};
use super::curl_secrets::{Moved, Mover};
use super::names::{Names, convert, snake};
use super::out::OutRequest;
use super::yaml::Y;
use super::{ImportError, Warning};
use regex::Regex;
use std::sync::LazyLock;

/// The request and what the importer has to say about it.
#[derive(Debug)]
pub struct CurlImport {
    pub request: OutRequest,
    /// Variables the request reads (from placeholders and `{{var}}`).
    pub variables: Vec<String>,
    pub warnings: Vec<Warning>,
    /// Literal credentials written as `<<env.NAME>>` references.
    pub moved: Vec<Moved>,
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    /// Write literal credentials as they are instead of `<<env.NAME>>` references.
    pub keep_secrets: bool,
}

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<your[-_]([a-z0-9][a-z0-9_-]*)>").expect("valid regex"));

/// The command as a request, literal credentials moved to the process environment.
pub fn import(command: &str) -> Result<CurlImport, ImportError> {
    import_with(command, &Options::default())
}

pub(crate) fn import_with(command: &str, options: &Options) -> Result<CurlImport, ImportError> {
    let joined = command.replace("\\\r\n", " ").replace("\\\n", " ");
    let words = shell_words::split(joined.trim()).map_err(|e| {
        ImportError::Curl(format!(
            "cannot split the command into words: {e} (an unclosed quote?)"
        ))
    })?;
    let mut words: Vec<String> = words
        .into_iter()
        .map(|w| {
            PLACEHOLDER
                .replace_all(&w, |c: &regex::Captures| {
                    format!("{{{{{}}}}}", snake(&c[1]))
                })
                .into_owned()
        })
        .collect();
    match words.first().map(String::as_str) {
        Some(w) if w == "curl" || w.ends_with("/curl") || w.eq_ignore_ascii_case("curl.exe") => {
            words.remove(0);
        }
        Some(w) if w.contains("://") || w.starts_with('-') => {}
        _ => {
            return Err(ImportError::Curl(
                "this is not a curl command: it should start with `curl`".into(),
            ));
        }
    }
    let mut warnings = Vec::new();
    let mut warn = |m: String| {
        warnings.push(Warning {
            place: "curl".into(),
            message: m,
        });
    };
    let (mut method, mut url, mut headers) = (
        None::<String>,
        None::<String>,
        Vec::<(String, String)>::new(),
    );
    let (mut data, mut json, mut form) = (
        Vec::<Data>::new(),
        Vec::<String>::new(),
        Vec::<(String, Y)>::new(),
    );
    let (mut get, mut head, mut follow, mut user, mut bearer, mut timeout) = (
        false,
        false,
        false,
        None::<String>,
        None::<String>,
        None::<String>,
    );
    let mut i = 0;
    while i < words.len() {
        let word = words[i].clone();
        if let Some(expanded) = expand_combined(&word) {
            words.splice(i..=i, expanded);
            continue;
        }
        i += 1;
        let (flag, attached) = split_flag(&word);
        let Some(flag) = flag else {
            match &url {
                None => url = Some(word),
                Some(_) => warn(format!(
                    "only the first URL is imported; `{word}` is left out"
                )),
            }
            continue;
        };
        let value = |i: &mut usize| -> Option<String> {
            if let Some(a) = &attached {
                return Some(a.clone());
            }
            let v = words.get(*i).cloned();
            *i += 1;
            v
        };
        macro_rules! need {
            () => {
                match value(&mut i) {
                    Some(v) => v,
                    None => return Err(ImportError::Curl(format!("`{flag}` needs a value"))),
                }
            };
        }
        match flag.as_str() {
            "-X" | "--request" => method = Some(need!().to_ascii_uppercase()),
            "-H" | "--header" => {
                let h = need!();
                match h.split_once(':') {
                    Some((k, v)) if !v.trim().is_empty() => {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                    Some((k, _)) => warn(format!(
                        "`-H '{k}:'` removes a header curl would send: left out"
                    )),
                    None => match h.strip_suffix(';') {
                        Some(k) => headers.push((k.trim().to_string(), String::new())),
                        None => warn(format!("`-H '{h}'` is not `Name: value`: left out")),
                    },
                }
            }
            "-d" | "--data" | "--data-ascii" => {
                let d = need!();
                match d.strip_prefix('@') {
                    Some(path) => {
                        warn(format!(
                            "`-d @{path}`: curl strips the file's newlines; baton sends its bytes as they are (`--data-binary` semantics)"
                        ));
                        data.push(Data::File(path.to_string()));
                    }
                    None => data.push(Data::Raw(d)),
                }
            }
            "--data-raw" => data.push(Data::Raw(need!())),
            "--data-binary" => {
                let d = need!();
                data.push(match d.strip_prefix('@') {
                    Some(path) => Data::File(path.to_string()),
                    None => Data::Raw(d),
                });
            }
            "--data-urlencode" => {
                let d = need!();
                let item = match d.split_once('=') {
                    Some(("", v)) => Data::Encode(None, v.to_string()),
                    Some((k, v)) => Data::Encode(Some(k.to_string()), v.to_string()),
                    None if d.contains('@') => {
                        warn(format!("`--data-urlencode {d}` reads a file: not imported"));
                        continue;
                    }
                    None => Data::Encode(None, d),
                };
                data.push(item);
            }
            "--json" => json.push(need!()),
            "-F" | "--form" | "--form-string" => {
                let f = need!();
                let Some((k, v)) = f.split_once('=') else {
                    warn(format!("`-F {f}` is not `name=value`: left out"));
                    continue;
                };
                form.push((
                    k.to_string(),
                    form_part(v, flag == "--form-string", &mut warn),
                ));
            }
            "-u" | "--user" => user = Some(need!()),
            "--oauth2-bearer" => bearer = Some(need!()),
            "-A" | "--user-agent" => headers.push(("User-Agent".into(), need!())),
            "-e" | "--referer" => headers.push(("Referer".into(), need!())),
            "-b" | "--cookie" => {
                let c = need!();
                if c.contains('=') {
                    headers.push(("Cookie".into(), c));
                } else {
                    warn(format!("`-b {c}` reads cookies from a file: not imported"));
                }
            }
            "-m" | "--max-time" => timeout = Some(format!("{}s", need!())),
            "--url" => url = Some(need!()),
            "-G" | "--get" => get = true,
            "-I" | "--head" => head = true,
            "-L" | "--location" => follow = true,
            "-k" | "--insecure" => warn(
                "`-k`: baton checks certificates; run with `baton run --insecure` to accept any"
                    .into(),
            ),
            f if QUIET.contains(&f) => {}
            f if QUIET_WITH_VALUE.contains(&f) => {
                value(&mut i);
            }
            f if takes_value(f) => {
                let v = value(&mut i).unwrap_or_default();
                // A proxy's or TLS's credentials are not quoted in a warning.
                let v = if f == "-U" || f.contains("user") || f.contains("pass") {
                    "•••".to_string()
                } else {
                    v
                };
                warn(format!("`{f} {v}` is not imported"));
            }
            f => {
                let next = attached.clone().or_else(|| words.get(i).cloned());
                let last = attached.is_none() && i + 1 == words.len();
                if attached.is_some() || unknown_takes(next.as_deref(), last, url.is_some()) {
                    let v = value(&mut i).unwrap_or_default();
                    warn(format!(
                        "`{f}` is not known to the importer: left out with `{v}`, read as its value"
                    ));
                } else {
                    warn(format!("`{f}` is not known to the importer: left out"));
                }
            }
        }
    }
    let Some(url) = url else {
        return Err(ImportError::Curl("the command has no URL".into()));
    };
    let names = Names::default();
    let mut variables: Vec<String> = Vec::new();
    let mut tpl = |s: &str| convert(s, &names, &mut variables, &mut |_| {});
    let mut req = OutRequest::default();
    let has_body = !data.is_empty() || !json.is_empty() || !form.is_empty();
    req.method = method.unwrap_or_else(|| {
        (if head {
            "HEAD"
        } else if get || !has_body {
            "GET"
        } else {
            "POST"
        })
        .to_string()
    });
    let mut mover = Mover::new(options.keep_secrets);
    req.url = tpl(&url);
    req.headers = headers
        .iter()
        .map(|(k, v)| (tpl(k), mover.header(k, v, tpl(v))))
        .collect();
    curl_body::fill(
        &mut req,
        curl_body::Given {
            data,
            json,
            form,
            get,
        },
        &headers,
        &mut tpl,
    );
    // curl sends one Authorization header: a custom `-H 'Authorization: …'` replaces the one
    // it would make from `-u` or `--oauth2-bearer` ("if you add a custom header that has the
    // same name as one of the internal ones curl would use, your externally set header is
    // used instead", curl(1) on -H; checked with curl 7.88: only the -H value is sent). So the explicit header wins and the credential flag is left out.
    if headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        if user.take().is_some() {
            warn("`-u` is left out: curl sends the `-H 'Authorization: …'` header instead".into());
        }
        if bearer.take().is_some() {
            warn(
                "`--oauth2-bearer` is left out: curl sends the `-H 'Authorization: …'` header instead"
                    .into(),
            );
        }
    }
    if let Some(u) = &user {
        let (name, password) = u.split_once(':').unwrap_or_else(|| {
            warn(
                "`-u` without `:password` makes curl prompt for it: the password is left empty"
                    .into(),
            );
            (u.as_str(), "")
        });
        let password = mover.take("the -u password", "password", password, tpl(password));
        req.auth = Some(Y::map([(
            "basic",
            Y::seq([Y::Str(tpl(name)), Y::Str(password)]),
        )]));
    }
    if let Some(b) = bearer {
        let token = mover.take("the --oauth2-bearer token", "token", &b, tpl(&b));
        req.auth = Some(Y::map([("bearer", Y::Str(token))]));
    }
    if let Some((key, body)) = &mut req.body {
        mover.body(key, body);
    }
    let moved = mover.into_moved();
    for m in &moved {
        warn(format!(
            "{} holds a literal secret: written as <<env.{}>> (export {} before running, or import with --keep-secrets)",
            m.what, m.env, m.env
        ));
    }
    if options.keep_secrets {
        let literal = |v: &str| !v.trim().is_empty() && !v.contains("<<");
        if let Some((_, p)) = user.as_deref().and_then(|u| u.split_once(':'))
            && !p.contains("{{")
            && !p.is_empty()
        {
            warn("`-u` holds a literal password (kept: --keep-secrets)".into());
        }
        for (k, v) in &req.headers {
            let lower = k.to_ascii_lowercase();
            if (lower == "authorization" || crate::secret::looks_secret(k)) && literal(v) {
                warn(format!(
                    "the header `{k}` holds a literal secret (kept: --keep-secrets)"
                ));
            }
        }
    }
    req.follow_redirects = follow.then_some(true);
    req.timeout = timeout;
    let path = req
        .url
        .split_once("://")
        .map_or(req.url.as_str(), |(_, rest)| {
            rest.find('/').map_or("/", |i| &rest[i..])
        });
    req.name = format!("{} {}", req.method, path.split('?').next().unwrap_or(path));
    Ok(CurlImport {
        request: req,
        variables,
        warnings,
        moved,
    })
}

/// `--header` as it is; `-XPOST` → `-X` with `POST` attached; not a flag → `None`.
fn split_flag(word: &str) -> (Option<String>, Option<String>) {
    if word.starts_with("--") && word.len() > 2 {
        return (Some(word.to_string()), None);
    }
    let Some(rest) = word.strip_prefix('-').filter(|r| !r.is_empty()) else {
        return (None, None);
    };
    let first = rest.chars().next().unwrap_or(' ');
    let after = &rest[first.len_utf8()..];
    (
        Some(format!("-{first}")),
        (!after.is_empty()).then(|| after.to_string()),
    )
}

/// `-sSL` → `-s -S -L`; `-sXPOST` → `-s -X POST`. `None` for a single flag.
fn expand_combined(word: &str) -> Option<Vec<String>> {
    let rest = word.strip_prefix('-').filter(|r| !r.starts_with('-'))?;
    let first = rest.chars().next()?;
    if rest.chars().count() < 2 || SHORT_WITH_VALUE.contains(first) {
        return None;
    }
    let mut out = Vec::new();
    for (i, c) in rest.char_indices() {
        out.push(format!("-{c}"));
        if SHORT_WITH_VALUE.contains(c) {
            let value = &rest[i + c.len_utf8()..];
            if !value.is_empty() {
                out.push(value.to_string());
            }
            break;
        }
    }
    Some(out)
}

/// The request as a collection file, with the variables to define listed on top.
#[must_use]
pub fn to_yaml(imp: &CurlImport) -> String {
    let mut header = vec!["Imported by `baton import curl`.".to_string()];
    if !imp.variables.is_empty() {
        header.push(format!(
            "Define before running (--var NAME=..., an environment, or `vars:`): {}",
            imp.variables.join(", ")
        ));
    }
    if !imp.moved.is_empty() {
        header.push(format!(
            "Secrets are read from the process environment: {}",
            imp.moved
                .iter()
                .map(|m| format!("{} ({})", m.env, m.what))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    super::out::collection(
        &header,
        &imp.request.name,
        Vec::new(),
        None,
        std::slice::from_ref(&imp.request),
    )
}
