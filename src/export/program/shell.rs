//! The program as a bash script of curl commands, as the guides write them: `set -euo
//! pipefail`, variables at the top (`: "${SECRET:?…}"` for what the environment must give),
//! one curl command a request writing its body and headers to temporary files, the status
//! checked after each, captures read with `jq`.

use super::plan::{How, Plan, Seg, Status, Step, TopVar};
use super::shown;
use crate::expect::status::Pattern;
use crate::export::model::{Body, form_encode, marker, pieces};
use crate::export::shell::{data, form_text};
use crate::http::curl::{Command, Data, Method, Style, quote, render, single_quoted};
use crate::import::names::env_var;

/// `baseAuthURL` → `BASE_AUTH_URL`; `env.CLIENT_SECRET` → `CLIENT_SECRET` (the environment's
/// own variable).
fn name(var: &str) -> String {
    match var.strip_prefix("env.") {
        Some(e) => e.to_string(),
        None => env_var(var),
    }
}

/// A word of the script: quoted as a snippet's when it has no variable, else in double quotes
/// with the variables expanded. A variable marked `%` (inside a URL's path) has its spaces
/// encoded; one marked `?` (a query value) is percent-encoded whole (`uri`).
fn word(s: &str) -> String {
    let parts = pieces(s);
    if parts.iter().all(|(_, v)| v.is_none()) {
        return quote(s);
    }
    let mut out = String::from("\"");
    for (text, var) in &parts {
        match var.as_deref() {
            Some(v) if v.starts_with('%') => {
                out.push_str(&format!("${{{}// /%20}}", name(&v[1..])));
            }
            Some(v) if v.starts_with('?') => {
                out.push_str(&format!("$(uri \"${}\")", name(&v[1..])));
            }
            Some(v) => out.push_str(&format!("${{{}}}", name(v))),
            None => {
                for c in text.chars() {
                    if matches!(c, '\\' | '"' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
        }
    }
    out.push('"');
    out
}

const STYLE: Style = Style {
    method: Method::UnlessGet,
    word,
    separator: " \\\n  ",
};

const HELPERS: &str = r#"set -euo pipefail

body=$(mktemp)
headers=$(mktemp)
trap 'rm -f "$body" "$headers"' EXIT

# Stops the script when a request answered with a status not expected:
# expect_status REQUEST STATUS PATTERN... (patterns as `case` reads them: 200, 2??).
expect_status() {
  local request=$1 status=$2 pattern
  shift 2
  for pattern in "$@"; do
    # shellcheck disable=SC2254
    case $status in $pattern) return 0 ;; esac
  done
  echo "$request: status $status, expected $*" >&2
  exit 1
}

# A value of the last response's JSON body (jq's path); fails when it is not there.
json() { jq -er "$1 | select(. != null) | tostring" "$body"; }

# A header of the last response (of the last one when redirects were followed).
header() { sed -n "s/^$1:[[:space:]]*//Ip" "$headers" | tr -d '\r' | tail -n 1 | grep .; }

# A value percent-encoded for a URL's query.
uri() { jq -rn --arg v "$1" '$v | @uri'; }
"#;

pub(super) fn write(plan: &Plan) -> String {
    let mut out = format!(
        "#!/usr/bin/env bash\n\
         # {}: the collection {} as a script,\n\
         # written by `baton export --as curl`.\n\
         # Needs curl and jq. Stops with a non-zero exit when a request answers with a status\n\
         # the collection does not expect.\n{HELPERS}",
        plan.title, plan.source
    );
    if !plan.vars.is_empty() {
        out.push_str("\n# The collection's variables: secrets, and variables without a value, are read\n# from the environment.\n");
    }
    for v in &plan.vars {
        match v {
            TopVar::Literal { name: n, value } => {
                out.push_str(&format!("{}={}\n", name(n), single_quoted(value)));
            }
            TopVar::Expr { name: n, value } => {
                out.push_str(&format!("{}={}\n", name(n), word(value)));
            }
            TopVar::Env { name: n, env, why } => {
                let msg = format!("set {env} in the environment ({})", why.says());
                if name(n) == *env {
                    out.push_str(&format!(": \"${{{env}:?{msg}}}\"\n"));
                } else {
                    out.push_str(&format!("{}=\"${{{env}:?{msg}}}\"\n", name(n)));
                }
            }
        }
    }
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("\n# {}. {}\n", i + 1, step.name));
        write_step(step, &mut out);
    }
    if !plan.steps.is_empty() {
        out.push_str("\n# The last response, as a guide shows it.\ncat \"$body\"\necho\n");
    }
    out
}

/// The URL with the markers of its path and query marked for encoding (see [`word`]).
fn url(step: &Step) -> String {
    let mut url = String::new();
    for (i, (text, var)) in pieces(&step.req.url).into_iter().enumerate() {
        match var {
            Some(v) if i > 0 => url.push_str(&marker(&format!("%{v}"))),
            Some(v) => url.push_str(&marker(&v)),
            None => url.push_str(&text),
        }
    }
    for (k, v) in &step.req.query {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&form_encode(k));
        url.push('=');
        for (text, var) in pieces(v) {
            match var {
                Some(var) => url.push_str(&marker(&format!("?{var}"))),
                None => url.push_str(&form_encode(&text)),
            }
        }
    }
    url
}

/// An oauth2 client's id or secret, whose variables are form-encoded when the script runs
/// (RFC 6749 2.3.1), as the `?` mark of [`word`] does.
fn form_marked(s: &str) -> String {
    pieces(s)
        .into_iter()
        .map(|(text, var)| var.map_or(text, |v| marker(&format!("?{v}"))))
        .collect()
}

fn write_step(step: &Step, out: &mut String) {
    for n in &step.notes {
        out.push_str(&format!("# {n}\n"));
    }
    let body = match &step.req.body {
        // A field whose value is a variable is encoded by curl when the script runs.
        Some(Body::Form(fields)) => fields
            .iter()
            .map(|(k, v)| {
                if pieces(v).iter().any(|(_, m)| m.is_some()) {
                    (Data::Urlencode, format!("{}={v}", form_encode(k)))
                } else {
                    (Data::Ascii, form_text(&[(k.clone(), v.clone())]))
                }
            })
            .collect(),
        Some(Body::Json(v)) if pieces(&v.to_string()).len() > 1 => {
            out.push_str(
                "# the variables are written into the JSON as they are (no JSON escaping)\n",
            );
            data(step.req.body.as_ref())
        }
        other => data(other.as_ref()),
    };
    let command = Command {
        method: step.req.method.clone(),
        url: url(step),
        follow_redirects: step.req.follow_redirects,
        headers: step.req.headers.clone(),
        user: step.req.basic.as_ref().map(|(u, p)| {
            if step.req.basic_form_encoded {
                format!("{}:{}", form_marked(u), form_marked(p))
            } else {
                format!("{u}:{p}")
            }
        }),
        data: body,
        trust: None,
        cert: step.req.client_cert.clone(),
    };
    out.push_str(&format!(
        "status=$({}{}-sS -o \"$body\" -D \"$headers\" -w '%{{http_code}}')\n",
        render(&command, &STYLE),
        STYLE.separator
    ));
    let patterns = match &step.status {
        Status::Unchecked => None,
        Status::BelowFour => Some(("'[0-3]??'".to_string(), "a status below 400".to_string())),
        Status::Allowed(p) => Some((
            p.iter()
                .map(|p| match p {
                    Pattern::Code(c) => c.to_string(),
                    Pattern::Class(c) => format!("'{c}??'"),
                    Pattern::Any => "'*'".into(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            shown(p),
        )),
    };
    if let Some((patterns, _)) = patterns {
        out.push_str(&format!(
            "expect_status {} \"$status\" {patterns}\n",
            single_quoted(&step.name)
        ));
    }
    if !step.unchecked.is_empty() {
        out.push_str(&format!(
            "# also expected (not checked here): {}\n",
            step.unchecked.join(", ")
        ));
    }
    for c in &step.captures {
        let value = match &c.how {
            How::Json(segs) => {
                let mut path = String::new();
                for s in segs {
                    match s {
                        Seg::Key(k)
                            if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                                && !k.starts_with(|c: char| c.is_ascii_digit()) =>
                        {
                            path.push_str(&format!(".{k}"));
                        }
                        // `.a["b c"]`: jq 1.6 reads no `.` before a bracket after the first.
                        Seg::Key(k) => path.push_str(&format!(
                            "{}[{}]",
                            if path.is_empty() { "." } else { "" },
                            serde_json::to_string(k).unwrap_or_default()
                        )),
                        Seg::Index(i) => path
                            .push_str(&format!("{}[{i}]", if path.is_empty() { "." } else { "" })),
                    }
                }
                if path.is_empty() {
                    path.push('.');
                }
                format!("$(json {})", single_quoted(&path))
            }
            How::MtlsAlias(m) => format!(
                "$(json {})",
                single_quoted(&format!(".mtls_endpoint_aliases.{m} // .{m}"))
            ),
            How::Header(h) => format!("$(header {})", single_quoted(h)),
            How::Status => "$status".into(),
        };
        out.push_str(&format!("{}={value}\n", name(&c.name)));
    }
}
