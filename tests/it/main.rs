//! The one integration-test binary: the real `baton` binary and the sandbox against servers on
//! 127.0.0.1.

mod bad_inputs;
mod check;
mod docs;
mod examples;
mod faults;
mod hard_env_errors;
mod hard_files;
mod hard_pipes;
mod hard_templates;
mod hard_walks;
mod import;
mod nothing_lost;
mod oauth;
mod reports;
mod run_bodies;
mod run_capture;
mod run_expect;
mod run_flow;
mod run_network;
mod run_secrets;
mod run_vars;
mod runner_control;
mod sandbox;
mod support;
mod support_selftest;
