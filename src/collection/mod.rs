//! Collections and environments: the YAML files users write, read into a model that keeps
//! where every part came from.

pub mod data;
pub mod defaults;
pub mod environment;
mod include;
pub mod load;
pub mod model;
mod request;
mod reread;
mod settings;
mod toplevel;
mod vars;

pub use defaults::Defaults;
pub use include::INCLUDE_KEYS;
pub use model::*;
pub use request::{BODY_KEYS, REQUEST_KEYS};
pub use reread::Running;
pub use toplevel::{COLLECTION_KEYS, read_requests};
pub use vars::{Layer, VarDef};
