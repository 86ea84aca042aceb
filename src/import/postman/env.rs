//! A Postman environment (or globals) export as `environments/NAME.yaml`: enabled values as
//! `vars`; secret ones (Postman type `secret`, or a name that looks secret) under `secrets:`
//! as `<<env.UPPER_SNAKE>>` references, their values written only with `--keep-secrets`.

use super::Ctx;
use super::model::{Variable, text};
use crate::import::ImportError;
use crate::import::names::slug;
use crate::import::yaml::{Entry, Y, document};
use crate::secret::{looks_secret, not_a_secret_value};
use serde_json::Value;
use std::path::PathBuf;

/// An environment export.
pub(super) struct EnvIn {
    pub name: String,
    pub values: Vec<Variable>,
}

pub(super) fn parse(text_in: &str) -> Result<EnvIn, ImportError> {
    let v = crate::import::parse_json(text_in, "the environment")?;
    let obj = v
        .as_object()
        .ok_or_else(|| ImportError::Shape("the environment is not a JSON object".into()))?;
    if obj.contains_key("info") && obj.contains_key("item") {
        return Err(ImportError::Shape(
            "--env was given a collection, not an environment export".into(),
        ));
    }
    let Some(Value::Array(rows)) = obj.get("values") else {
        return Err(ImportError::Shape(
            "the environment has no `values` list: is this a Postman environment export?".into(),
        ));
    };
    let name = obj
        .get("name")
        .map(text)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "postman".into());
    let values = rows
        .iter()
        .filter_map(Value::as_object)
        .map(|m| Variable {
            key: m.get("key").map(text).unwrap_or_default(),
            value: m.get("value").map(text).unwrap_or_default(),
            secret: m.get("type").map(text).as_deref() == Some("secret"),
            disabled: m.get("enabled").and_then(Value::as_bool) == Some(false),
            description: None,
        })
        .filter(|v| !v.key.is_empty())
        .collect();
    Ok(EnvIn { name, values })
}

/// The file: its path below the output directory, its text, and the baton names it defines.
pub(super) fn write(env: &EnvIn, cx: &mut Ctx) -> (PathBuf, String, Vec<String>) {
    let path = PathBuf::from("environments").join(format!("{}.yaml", slug(&env.name)));
    cx.place = path.display().to_string();
    let (mut vars, mut secrets) = (Vec::new(), Vec::new());
    let mut keys = Vec::new();
    for v in env.values.iter().filter(|v| !v.disabled) {
        let key = cx.names.key(&v.key);
        if keys.contains(&key) {
            continue;
        }
        keys.push(key.clone());
        let why = if v.secret {
            Some(format!(
                "environment value `{}` (Postman's type secret)",
                v.key
            ))
        } else if looks_secret(&v.key) && not_a_secret_value(&v.key, &v.value).is_none() {
            Some(format!(
                "environment value `{}` (its name says secret)",
                v.key
            ))
        } else {
            None
        };
        if let Some(why) = why {
            // An empty secret (a token a script fills in) has nothing to hide.
            let value = if cx.keep_secrets || v.value.is_empty() || v.value.contains("{{") {
                cx.text(&v.value)
            } else {
                format!("<<env.{}>>", cx.env_name(&v.key, &v.value, &why))
            };
            secrets.push((key, Y::Str(value)));
        } else {
            let value = cx.text(&v.value);
            vars.push((key, Y::Str(value)));
        }
    }
    let mut top = Vec::new();
    if !vars.is_empty() {
        top.push(Entry {
            comments: Vec::new(),
            key: "vars".into(),
            value: Y::map(vars),
        });
    }
    if !secrets.is_empty() {
        let comment = if cx.keep_secrets {
            "Secret values, kept by --keep-secrets: keep this file out of git.".to_string()
        } else {
            "Secret values are read from the process environment (or a .env file that git ignores)."
                .to_string()
        };
        top.push(Entry {
            comments: vec![comment],
            key: "secrets".into(),
            value: Y::map(secrets),
        });
    }
    if top.is_empty() {
        top.push(Entry {
            comments: Vec::new(),
            key: "vars".into(),
            value: Y::map(Vec::<(String, Y)>::new()),
        });
    }
    let header = vec![format!(
        "Imported by `baton import postman` from the Postman environment '{}'.",
        env.name
    )];
    (path, document(&header, &Y::Map(top)), keys)
}
