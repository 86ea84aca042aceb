//! Reporters: each turns the runner's events into one kind of output. The console prints
//! as events come; JUnit, JSON and HTML render the run's document (`doc`) once it is over,
//! so that `report merge` can render shard reports the same way.

pub mod console;
pub mod doc;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod outputs;
