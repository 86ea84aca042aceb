//! Collections and environments: the YAML files users write, read into a model that keeps
//! where every part came from.

pub(crate) mod client_cert;
pub(crate) mod data;
pub(crate) mod defaults;
pub(crate) mod environment;
pub(crate) mod habits;
mod hints;
mod include;
pub(crate) mod load;
pub(crate) mod model;
mod request;
mod reread;
mod settings;
mod toplevel;
pub(crate) mod unresolved;
mod vars;

pub(crate) use include::INCLUDE_KEYS;
pub(crate) use request::{BODY_KEYS, REQUEST_KEYS};
pub(crate) use settings::OAUTH1_KEYS;
pub(crate) use toplevel::{COLLECTION_KEYS, read_requests};
pub(crate) use vars::{Layer, VarDef};
