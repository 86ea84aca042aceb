//! Variables as the model holds them: a file's own `vars:` read into definitions, and the
//! layers above a collection (environment files, the sandbox, `--var`). The runner merges
//! them into a scope; the model only says what each layer defines, so that `check`,
//! `export` and the data files build layers without going through the runner.

use crate::diag::Loc;
use crate::template::JsonTpl;
use crate::yaml::node::Node;
use crate::yaml::read::{Reader, is_identifier, read_json_tpl};

/// A variable defined in a collection or an environment.
#[derive(Clone, Debug)]
pub struct VarDef {
    pub name: String,
    pub value: JsonTpl,
    pub loc: Loc,
    /// Listed under `secrets:` in an environment: its value is redacted everywhere.
    pub secret: bool,
}

/// `name: value` variables; strings are templates, other values are kept as JSON.
pub(super) fn read_vars(
    r: &mut Reader,
    node: &Node,
    what: &str,
    secrets: &[String],
) -> Vec<VarDef> {
    let Some(mut map) = r.map(node, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map.rest() {
        if !is_identifier(&k.name) && !k.name.contains('-') && !k.name.contains('.') {
            let d = r.error(k.loc, format!("`{}` is not a valid variable name", k.name));
            d.help = Some("use letters, digits and `_`, starting with a letter or `_`".into());
            continue;
        }
        let value = read_json_tpl(r, v, &format!("{what}.{}", k.name));
        out.push(VarDef {
            name: k.name.to_string(),
            value,
            loc: k.loc,
            secret: secrets.iter().any(|s| *s == k.name),
        });
    }
    out
}

/// A set of variables above the collection's own (an environment, a data row, `--var`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Layer {
    pub vars: Vec<VarDef>,
    /// Names this layer declares secret (an environment's `secrets:`).
    pub secrets: Vec<String>,
}

impl Layer {
    /// Literal `name=value` pairs (from `--var` or the sandbox).
    pub(crate) fn literal(pairs: &[(String, String)], secrets: Vec<String>) -> Layer {
        Layer {
            vars: pairs
                .iter()
                .map(|(k, v)| VarDef {
                    name: k.clone(),
                    value: JsonTpl::Value(serde_json::Value::String(v.clone())),
                    loc: crate::diag::Loc::default(),
                    secret: secrets.contains(k),
                })
                .collect(),
            secrets,
        }
    }
}
