//! baton: run declarative YAML request collections, with OAuth 2.0 / OpenID Connect as
//! first-class requests. `app` drives the subcommands; `runner` runs collections and emits
//! events that `report` turns into output.

// Errors here are diagnostics a user reads (a message, a place, notes): made once per
// problem, never on a hot path. Boxing them to shrink `Result` would only add noise.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod capture;
pub mod check;
pub mod cli;
pub mod collection;
pub mod diag;
pub mod event;
pub mod exit;
pub mod expect;
pub mod http;
pub mod jwt;
pub mod report;
pub mod runner;
pub mod secret;
pub mod template;
pub mod template_fns;
