//! YAML as baton reads it, below the collection model: a tree of located nodes (`node`,
//! built from the parser's events by `tree`, scalars resolved by `scalar`, files read as a
//! checked stream of characters by `stream`), and `read`, the reader that turns nodes into
//! typed values while collecting every problem. It knows nothing of collections, so that
//! the model, captures, expectations and the OAuth specs all read YAML the same way
//! without importing one another.

mod builder;
mod keys;
pub(crate) mod node;
pub(crate) mod read;
mod scalar;
pub(crate) mod stream;
mod tree;
