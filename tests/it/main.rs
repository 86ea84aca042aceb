//! The one integration-test binary: the real `baton` binary and the sandbox against servers on
//! 127.0.0.1.

mod examples;
mod reports;
mod sandbox;
mod support;
mod support_selftest;
