//! Collections and environments: the YAML files users write, read into a model that keeps
//! where every part came from.

pub mod data;
pub mod environment;
pub mod load;
pub mod model;
pub mod node;
pub mod read;
mod request;
mod scalar;
pub mod sendable;
pub mod stream;
mod tree;

pub use model::*;
