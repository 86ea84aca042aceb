//! Collections and environments: the YAML files users write, read into a model that keeps
//! where every part came from.

pub mod data;
pub mod environment;
pub mod load;
pub mod model;
mod request;
pub mod sendable;
mod vars;

pub use model::*;
pub use vars::Layer;
