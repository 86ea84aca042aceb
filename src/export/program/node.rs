//! The program in Node with `axios` (CommonJS, so `node file.js` runs it): variables at the
//! top, one awaited request a step in `main`, the status checked after each, captures as
//! variables (`response.data.a.b[0]`).

use super::plan::{How, Plan, Seg, Step, TopVar};
use super::status_test;
use crate::export::code::lit;
use crate::export::model::pieces;
use crate::export::node::{js_key, js_parts};
use crate::import::names::kebab;
use std::collections::BTreeSet;

const RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "await",
    "enum",
    "axios",
    "response",
    "data",
    "need",
    "captured",
    "expectStatus",
    "main",
    "formEncode",
];

/// `baseAuthURL` → `baseAuthUrl`, `login.access_token` → `loginAccessToken`.
pub(super) fn name(var: &str) -> String {
    let mut n = String::new();
    for (i, w) in kebab(var).split('-').enumerate() {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                n.push(first);
            } else {
                n.push(first.to_ascii_uppercase());
            }
            n.extend(chars);
        }
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, '_');
    }
    if RESERVED.contains(&n.as_str()) {
        n.push('_');
    }
    n
}

/// A string of the request as JavaScript: a literal, a variable, or a template literal.
fn expr(s: &str) -> String {
    let parts = pieces(s);
    match parts.as_slice() {
        [] => lit(""),
        [(text, None)] => lit(text),
        [(_, Some(var))] => name(var),
        _ => {
            let mut out = String::from("`");
            for (text, var) in &parts {
                match var {
                    Some(v) => out.push_str(&format!("${{{}}}", name(v))),
                    None => out.push_str(
                        &text
                            .replace('\\', "\\\\")
                            .replace('`', "\\`")
                            .replace("${", "\\${"),
                    ),
                }
            }
            out.push('`');
            out
        }
    }
}

const HELPERS: &str = r#"const axios = require("axios");

/** A value the program reads from the environment. */
function need(name) {
  if (process.env[name] === undefined) {
    console.error(`set ${name} in the environment`);
    process.exit(1);
  }
  return process.env[name];
}

/** Stops the program when a request answered with a status not expected. */
function expectStatus(response, request, ok, expected) {
  if (!ok(response.status)) {
    console.error(`${request}: status ${response.status}, expected ${expected}`);
    process.exit(1);
  }
}

/** A value form-encoded, as a client's id and secret are before Basic (RFC 6749 2.3.1). */
function formEncode(value) {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** A captured value, which must be in the response. */
function captured(value, what) {
  if (value === undefined || value === null) {
    console.error(`${what}: not in the response`);
    process.exit(1);
  }
  return value;
}
"#;

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn write(plan: &Plan) -> String {
    let mut out = format!(
        "#!/usr/bin/env node\n\
         // {}: the collection {} as a program,\n\
         // written by `baton export --as node`.\n\
         // Needs axios (npm install axios). CommonJS: `node file.js` runs it (name it .cjs in a\n\
         // package of ES modules). Stops with a non-zero exit when a request answers with a\n\
         // status the collection does not expect.\n{HELPERS}",
        plan.title, plan.source
    );
    let captured: BTreeSet<&str> = plan
        .steps
        .iter()
        .flat_map(|s| s.captures.iter().map(|c| c.name.as_str()))
        .collect();
    let mut declared: BTreeSet<String> = BTreeSet::new();
    if !plan.vars.is_empty() {
        out.push_str("\n// The collection's variables: secrets, and variables without a value, are read\n// from the environment.\n");
    }
    for v in &plan.vars {
        let (n, value, comment) = match v {
            TopVar::Literal { name: n, value } => (n, lit(value), String::new()),
            TopVar::Expr { name: n, value } => (n, expr(value), String::new()),
            TopVar::Env { name: n, env, why } => (
                n,
                format!("need({})", lit(env)),
                format!(" // {}", why.says()),
            ),
        };
        let keyword = if captured.contains(n.as_str()) {
            "let"
        } else {
            "const"
        };
        declared.insert(name(n));
        out.push_str(&format!("{keyword} {} = {value};{comment}\n", name(n)));
    }
    out.push_str("\nasync function main() {\n  let response;\n");
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("\n  // {}. {}\n", i + 1, step.name));
        write_step(step, &mut declared, &mut out);
    }
    if !plan.steps.is_empty() {
        out.push_str("\n  // The last response, as a guide shows it.\n  console.log(typeof response.data === \"string\" ? response.data : JSON.stringify(response.data));\n");
    }
    out.push_str(
        "}\n\nmain().catch((error) => {\n  console.error(error.message);\n  process.exit(1);\n});\n",
    );
    out
}

fn write_step(step: &Step, declared: &mut BTreeSet<String>, out: &mut String) {
    for n in &step.notes {
        out.push_str(&format!("  // {n}\n"));
    }
    let mut parts = js_parts(&step.req, expr);
    if let Some((u, p)) = step
        .req
        .basic
        .as_ref()
        .filter(|_| step.req.basic_form_encoded)
    {
        // RFC 6749 2.3.1: the client's id and secret are form-encoded, then joined.
        let encoded = |s: &str| {
            if pieces(s).iter().any(|(_, v)| v.is_some()) {
                format!("formEncode({})", expr(s))
            } else {
                expr(s)
            }
        };
        if let Some(f) = parts.fields.iter_mut().find(|f| f.starts_with("  auth: ")) {
            *f = format!(
                "  auth: {{ username: {}, password: {} }},\n",
                encoded(u),
                encoded(p)
            );
        }
    }
    out.push_str("  {\n");
    let prelude = format!("{}{}", parts.requires, parts.data);
    if !prelude.trim().is_empty() {
        out.push_str(&indent(prelude.trim_start_matches('\n'), "    "));
        out.push('\n');
    }
    let mut fields = parts.fields.concat();
    if !step.req.follow_redirects {
        fields.push_str("  maxRedirects: 0,\n");
    }
    // The status is the program's to check: axios would throw on 4xx and 5xx.
    fields.push_str("  validateStatus: () => true,\n");
    out.push_str(&format!(
        "    response = await axios({{\n{}\n    }});\n  }}\n",
        indent(fields.trim_end(), "    ")
    ));
    if let Some((test, expected)) = status_test(&step.status, "s", "===") {
        out.push_str(&format!(
            "  expectStatus(response, {}, (s) => {test}, {});\n",
            lit(&step.name),
            lit(&expected)
        ));
    }
    if !step.unchecked.is_empty() {
        out.push_str(&format!(
            "  // also expected (not checked here): {}\n",
            step.unchecked.join(", ")
        ));
    }
    for c in &step.captures {
        let value = match &c.how {
            How::Json(segs) => {
                let mut v = String::from("response.data");
                for s in segs {
                    match s {
                        Seg::Key(k) if js_key(k) == *k => v.push_str(&format!(".{k}")),
                        Seg::Key(k) => v.push_str(&format!("[{}]", lit(k))),
                        Seg::Index(i) => v.push_str(&format!("[{i}]")),
                    }
                }
                format!("captured({v}, {})", lit(&c.name))
            }
            How::Header(h) => format!(
                "captured(response.headers[{}], {})",
                lit(&h.to_ascii_lowercase()),
                lit(&c.name)
            ),
            How::MtlsAlias(m) => format!(
                "captured(response.data.mtls_endpoint_aliases?.{m} ?? response.data.{m}, {})",
                lit(&c.name)
            ),
            How::Status => "response.status".into(),
        };
        let n = name(&c.name);
        let keyword = if declared.insert(n.clone()) {
            "let "
        } else {
            ""
        };
        out.push_str(&format!("  {keyword}{n} = {value};\n"));
    }
}
