//! baton: run declarative YAML request collections, with OAuth 2.0 / OpenID Connect as
//! first-class requests. `cmd` holds the subcommands' front ends (`cli` parses the command
//! line, `inputs` assembles what a run is given); `runner` runs collections and emits
//! events that `report` turns into output.

// Errors carry a `Diagnostic` (message, place, notes) so that every user mistake names its
// file and line; they are returned on cold paths, once per problem, so their size costs
// nothing that matters. Likewise the command line and the expectation list are built once.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

pub mod capture;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod collection;
pub mod diag;
pub mod docs;
pub mod event;
pub mod exit;
pub mod expect;
pub mod export;
pub mod fsutil;
pub mod http;
pub mod import;
pub mod inputs;
pub mod jwt;
pub mod oauth;
pub mod probe;
pub mod query;
pub mod report;
pub mod runner;
pub mod sandbox;
pub mod schema;
pub mod secret;
pub mod sendable;
pub mod stdio;
pub mod template;
pub mod yaml;
