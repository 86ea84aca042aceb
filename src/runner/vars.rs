//! The variables a collection file starts with: its own `vars`, then each layer above it
//! (environment files, the sandbox, `--var`), later layers winning. Values may be
//! templates over other variables in any order; one that cannot be rendered is kept aside
//! with its reason and reported only if a request uses it.

use crate::collection::Layer;
use crate::collection::VarDef;
use crate::diag::Diagnostic;
use crate::secret::{Redactor, looks_secret, not_a_secret_value};
use crate::template::JsonTpl;
use crate::template::{EnvVars, Scope, Templates, Tpl};
use std::collections::HashMap;
use std::sync::Arc;

/// The starting scope of a file, and the variables that could not be rendered.
pub(crate) struct Start {
    pub scope: Scope,
    pub unresolved: HashMap<String, Diagnostic>,
}

pub(crate) fn start(
    own: &[VarDef],
    layers: &[Layer],
    env: &Arc<EnvVars>,
    templates: &Templates,
    redactor: &mut Redactor,
) -> Start {
    // The winning definition of each name, in precedence order.
    let mut winners: Vec<&VarDef> = Vec::new();
    let mut secret_names: Vec<&str> = Vec::new();
    for def in own.iter().chain(layers.iter().flat_map(|l| l.vars.iter())) {
        winners.retain(|w| w.name != def.name);
        winners.push(def);
    }
    for layer in layers {
        secret_names.extend(layer.secrets.iter().map(String::as_str));
    }
    let mut scope = Scope::new(env.clone());
    let mut pending: Vec<&VarDef> = Vec::new();
    for def in winners {
        match &def.value {
            JsonTpl::Value(v) => scope.set_json(&def.name, v),
            _ => pending.push(def),
        }
    }
    // Templates over other variables: render in passes until nothing more resolves.
    let unresolved;
    loop {
        let mut progressed = false;
        let mut still = Vec::new();
        for def in pending {
            match render_json_tpl(&def.value, templates, &scope) {
                Ok(v) => {
                    scope.set_json(&def.name, &v);
                    progressed = true;
                }
                Err((tpl, e)) => still.push((def, tpl, e)),
            }
        }
        if !progressed || still.is_empty() {
            // Told at the root (a cycle, a variable read that failed too): `check` does too.
            let failed = still
                .into_iter()
                .map(|(def, tpl, e)| crate::collection::unresolved::Unresolved {
                    def,
                    diagnostic: e
                        .diagnostic(&tpl)
                        .note(format!("while reading variable `{}`", def.name)),
                    missing: match e {
                        crate::template::RenderError::Undefined { name, .. } => Some(name),
                        _ => None,
                    },
                })
                .collect();
            unresolved = crate::collection::unresolved::explain(failed, templates);
            break;
        }
        pending = still.into_iter().map(|(d, _, _)| d).collect();
    }
    // Secrets: declared, or named like one and holding what could be one (`tokenHost:
    // https://id.example.com` is a URL, and masking it would hide where a request went).
    let names: Vec<String> = scope.names().map(str::to_string).collect();
    for name in names {
        let Some(v) = scope.get(&name) else {
            continue;
        };
        let named = || {
            looks_secret(&name)
                && !matches!(
                    not_a_secret_value(&name, &v.to_string()),
                    Some("a path" | "a URL" | "a number" | "a literal")
                )
        };
        if secret_names.contains(&name.as_str())
            || own
                .iter()
                .chain(layers.iter().flat_map(|l| l.vars.iter()))
                .any(|d| d.secret && d.name == name)
            || named()
        {
            match serde_json::to_value(v) {
                Ok(json) => add_secret_value(redactor, &json),
                Err(_) => redactor.add(&v.to_string()),
            }
        }
    }
    Start { scope, unresolved }
}

/// Register a secret value: a string or a number as its text (a PIN is a number in YAML
/// and JSON alike), every leaf of a list or a mapping declared secret as a whole.
pub(crate) fn add_secret_value(redactor: &mut Redactor, value: &serde_json::Value) {
    match value {
        serde_json::Value::String(s) => redactor.add(s),
        serde_json::Value::Number(n) => redactor.add(&n.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| add_secret_value(redactor, i)),
        serde_json::Value::Object(map) => map.values().for_each(|v| add_secret_value(redactor, v)),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
    }
}

/// Register the secrets inside a captured JSON value: every string under a secret-looking key.
pub(crate) fn add_secret_fields(redactor: &mut Redactor, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(_) | serde_json::Value::Number(_)
                        if looks_secret(k) =>
                    {
                        add_secret_value(redactor, v);
                    }
                    other => add_secret_fields(redactor, other),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for i in items {
                add_secret_fields(redactor, i);
            }
        }
        _ => {}
    }
}

/// Register every cookie value the exchange carried: set by a response (`Set-Cookie`) or
/// sent from the jar (`Cookie`), before any of it is shown.
pub(crate) fn add_cookie_secrets(redactor: &mut Redactor, hops: &[crate::http::Hop]) {
    for hop in hops {
        let sent = hop.request.headers.iter();
        for (name, value) in sent.chain(hop.response.headers.iter()) {
            redactor.add_cookies(name, value);
        }
    }
}

/// Render a JSON-shaped template value; on failure, the template that failed and why.
pub fn render_json_tpl(
    value: &JsonTpl,
    templates: &Templates,
    scope: &Scope,
) -> Result<serde_json::Value, (Tpl, crate::template::RenderError)> {
    Ok(match value {
        JsonTpl::Value(v) => v.clone(),
        JsonTpl::Str(t) => templates
            .render_json(t, scope)
            .map_err(|e| (t.clone(), e))?,
        JsonTpl::Array(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|i| render_json_tpl(i, templates, scope))
                .collect::<Result<_, _>>()?,
        ),
        JsonTpl::Object(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                map.insert(k.clone(), render_json_tpl(v, templates, scope)?);
            }
            serde_json::Value::Object(map)
        }
    })
}
