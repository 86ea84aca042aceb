//! The program in Python with `requests`: variables at the top, one call a request, the
//! status checked after each, captures as variables (`resp.json()["a"]["b"][0]`).

use super::plan::{How, Plan, Seg, Step, TopVar};
use super::status_test;
use crate::export::code::{lit, py_call};
use crate::export::model::pieces;
use crate::import::names::kebab;

const KEYWORDS: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    "response", "requests", "os", "sys",
];

/// `baseAuthURL` → `base_auth_url`, `login.access_token` → `login_access_token`.
pub(super) fn name(var: &str) -> String {
    let mut n = kebab(var).replace('-', "_");
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert_str(0, "v_");
    }
    if KEYWORDS.contains(&n.as_str()) {
        n.push('_');
    }
    n
}

/// A string of the request as Python: a literal, a variable, or an f-string.
fn expr(s: &str) -> String {
    let parts = pieces(s);
    match parts.as_slice() {
        [] => lit(""),
        [(text, None)] => lit(text),
        [(_, Some(var))] => name(var),
        _ => {
            let mut out = String::from("f\"");
            for (text, var) in &parts {
                if let Some(v) = var {
                    out.push_str(&format!("{{{}}}", name(v)));
                } else {
                    let l = lit(text);
                    out.push_str(&l[1..l.len() - 1].replace('{', "{{").replace('}', "}}"));
                }
            }
            out.push('"');
            out
        }
    }
}

fn heading(plan: &Plan) -> String {
    format!(
        "#!/usr/bin/env python3\n\
         # {}: the collection {} as a program,\n\
         # written by `baton export --as python`.\n\
         # Needs `requests` (pip install requests). Stops with a non-zero exit when a request\n\
         # answers with a status the collection does not expect.\n\
         import os\nimport sys\nfrom urllib.parse import quote_plus\n\nimport requests\n\n\n\
         def need(name):\n    \"\"\"A value the program reads from the environment.\"\"\"\n    \
         if name not in os.environ:\n        sys.exit(f\"set {{name}} in the environment\")\n    \
         return os.environ[name]\n\n\n\
         def expect_status(response, request, ok, expected):\n    \
         \"\"\"Stops the program when a request answered with a status not expected.\"\"\"\n    \
         if not ok(response.status_code):\n        \
         sys.exit(f\"{{request}}: status {{response.status_code}}, expected {{expected}}\")\n\n\n",
        plan.title, plan.source
    )
}

pub(super) fn write(plan: &Plan) -> String {
    let mut out = heading(plan);
    if !plan.vars.is_empty() {
        out.push_str("# The collection's variables: secrets, and variables without a value, are read\n# from the environment.\n");
    }
    for v in &plan.vars {
        match v {
            TopVar::Literal { name: n, value } => {
                out.push_str(&format!("{} = {}\n", name(n), lit(value)));
            }
            TopVar::Expr { name: n, value } => {
                out.push_str(&format!("{} = {}\n", name(n), expr(value)));
            }
            TopVar::Env { name: n, env, why } => out.push_str(&format!(
                "{} = need({})  # {}\n",
                name(n),
                lit(env),
                why.says()
            )),
        }
    }
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("\n# {}. {}\n", i + 1, step.name));
        write_step(step, &mut out);
    }
    if !plan.steps.is_empty() {
        out.push_str("\n# The last response, as a guide shows it.\nprint(response.text)\n");
    }
    out
}

fn write_step(step: &Step, out: &mut String) {
    for n in &step.notes {
        out.push_str(&format!("# {n}\n"));
    }
    let (function, mut args) = py_call(&step.req, expr);
    if let Some((u, p)) = step
        .req
        .basic
        .as_ref()
        .filter(|_| step.req.basic_form_encoded)
    {
        // RFC 6749 2.3.1: the client's id and secret are form-encoded, then joined.
        let encoded = |s: &str| {
            if pieces(s).iter().any(|(_, v)| v.is_some()) {
                format!("quote_plus({})", expr(s))
            } else {
                expr(s)
            }
        };
        if let Some(a) = args.iter_mut().find(|a| a.starts_with("auth=(")) {
            *a = format!("auth=({}, {})", encoded(u), encoded(p));
        }
    }
    if !step.req.follow_redirects {
        args.push("allow_redirects=False".into());
    }
    out.push_str(&format!("response = requests.{function}(\n"));
    for a in &args {
        out.push_str(&format!("    {a},\n"));
    }
    out.push_str(")\n");
    if let Some((test, expected)) = status_test(&step.status, "s", "==") {
        let test = test
            .replace(" || ", " or ")
            .replace("Math.floor(s / 100)", "s // 100")
            .replace("true", "True");
        out.push_str(&format!(
            "expect_status(response, {}, lambda s: {test}, {})\n",
            lit(&step.name),
            lit(&expected)
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
                let mut v = String::from("response.json()");
                for s in segs {
                    match s {
                        Seg::Key(k) => v.push_str(&format!("[{}]", lit(k))),
                        Seg::Index(i) => v.push_str(&format!("[{i}]")),
                    }
                }
                v
            }
            How::MtlsAlias(m) => format!(
                "(response.json().get(\"mtls_endpoint_aliases\") or {{}}).get({0}) or response.json()[{0}]",
                lit(m)
            ),
            How::Header(h) => format!("response.headers[{}]", lit(h)),
            How::Status => "response.status_code".into(),
        };
        out.push_str(&format!("{} = {value}\n", name(&c.name)));
    }
}
