//! baton: run declarative YAML request collections, with OAuth 2.0 / OpenID Connect as
//! first-class requests. `cmd` holds the subcommands' front ends (`cli` parses the command
//! line, `inputs` assembles what a run is given); `runner` runs collections and emits
//! events that `report` turns into output.

// Errors carry a `Diagnostic` (message, place, notes) so that every user mistake names its
// file and line; they are returned on cold paths, once per problem, so their size costs
// nothing that matters. Likewise the command line and the expectation list are built once.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod capture;
mod check;
mod cli;
mod cmd;
mod collection;
mod color;
mod diag;
mod docs;
mod event;
mod exit;
mod expect;
mod export;
mod fsutil;
mod http;
mod import;
mod inputs;
mod jwt;
mod oauth;
mod probe;
mod query;
mod report;
mod runner;
mod sandbox;
mod schema;
mod secret;
mod sendable;
mod stdio;
mod template;
mod yaml;

// The library face: what `main`, the benches, the fuzz targets and the tests reach. All
// else is the crate's own (`pub(crate)`, checked by `unreachable_pub`), so moving it needs
// no thought about callers outside.
pub use cli::Cli;
pub use cli::main;
pub use collection::load::{build, load_on_disk, load_source, parse_tree, read_source};
pub use collection::model::{Body, Collection};
pub use diag::{Diagnostic, SourceFile};
pub use expect::predicate::{equal, show_value, type_name};
pub use expect::{Eval, eval};
pub use fsutil::{read as read_capped, read_all};
pub use http::Response;
pub use import::curl::{import as import_curl, to_yaml as curl_to_yaml};
pub use import::postman::{Options as PostmanOptions, import as import_postman};
pub use query::{Path as JsonPath, parse_jsonpath};
pub use runner::vars::render_json_tpl;
pub use sandbox::{ClientConfig, GrantType, Sandbox, SandboxConfig, SandboxError};
pub use template::fns::{FILTERS, FUNCTIONS};
pub use template::{EnvVars, JsonTpl, Scope, Templates};
pub use yaml::node::parse as parse_yaml;
