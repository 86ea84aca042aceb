//! Reporters: each turns the runner's events into one kind of output. The console prints
//! as events come; JUnit, JSON and HTML render the run's document (`doc`) once it is over,
//! so that `report merge` can render shard reports the same way.

pub(crate) mod console;
pub(crate) mod doc;
pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod merge;
pub(crate) mod outputs;
