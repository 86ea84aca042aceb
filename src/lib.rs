//! baton: run declarative YAML request collections.
pub mod sandbox;
