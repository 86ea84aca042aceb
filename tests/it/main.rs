//! The one integration-test binary: the real `baton` binary against servers on 127.0.0.1.

mod support;
mod support_selftest;
