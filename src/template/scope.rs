//! What a template sees: the variables of a run (`Scope`), the process environment under
//! `env`, and both handed to minijinja as objects without copying them.

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Variables visible to a template: name → value, the layers already merged in precedence
/// order by the caller, plus the process environment (and `.env`) under `env`.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Shared with the templates rendering it (each render hands the scope to minijinja as
    /// an object); copied only if it changes while one holds it.
    vars: Arc<BTreeMap<String, Value>>,
    env: Arc<EnvVars>,
}

/// The process environment with `.env` values under it (the process wins).
#[derive(Debug, Default)]
pub struct EnvVars {
    pub values: HashMap<String, String>,
}

impl Scope {
    #[must_use]
    pub fn new(env: Arc<EnvVars>) -> Scope {
        Scope {
            vars: Arc::default(),
            env,
        }
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        Arc::make_mut(&mut self.vars).insert(name.into(), value);
    }

    pub fn set_json(&mut self, name: impl Into<String>, value: &serde_json::Value) {
        self.set(name, json_to_value(value));
    }

    /// Takes a variable away (the `with:` of an include, once its requests are done).
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        Arc::make_mut(&mut self.vars).remove(name)
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    #[must_use]
    pub fn env(&self) -> &Arc<EnvVars> {
        &self.env
    }

    pub(super) fn context(&self) -> Value {
        Value::from_object(ScopeObject(self.clone()))
    }
}

pub(crate) fn json_to_value(value: &serde_json::Value) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The scope as a template context: names resolve to variables, `env` to the process
/// environment, and `vars` to the scope itself (for names like `vars['base-url']`).
#[derive(Debug)]
struct ScopeObject(Scope);

impl Object for ScopeObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if let Some(v) = self.0.vars.get(key) {
            return Some(v.clone());
        }
        match key {
            "env" => Some(Value::from_object(EnvObject(self.0.env.clone()))),
            "vars" => Some(Value::from_dyn_object(self.clone())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self
            .0
            .vars
            .keys()
            .map(|k| Value::from(k.as_str()))
            .collect();
        Enumerator::Values(keys)
    }
}

#[derive(Debug)]
struct EnvObject(Arc<EnvVars>);

impl Object for EnvObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0
            .values
            .get(key.as_str()?)
            .map(|v| Value::from(v.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.0
                .values
                .keys()
                .map(|k| Value::from(k.as_str()))
                .collect(),
        )
    }
}
