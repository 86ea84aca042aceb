//! baton: run declarative YAML request collections.
