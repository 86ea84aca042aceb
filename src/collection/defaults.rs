//! `defaults:` of a collection: headers, auth, timeout, follow_redirects, expectations and
//! tags that every request of the file gets unless it sets them itself. Read once, then
//! applied to each request after it is read (requests are read as the parser ends them,
//! possibly before `defaults:` is, and again from disk for files not kept).

use super::model::*;
use crate::expect::Expectations;
use crate::template::Tpl;
use std::time::Duration;

pub const DEFAULTS_KEYS: &[&str] = &[
    "headers",
    "auth",
    "timeout",
    "follow_redirects",
    "expect",
    "tags",
];

/// What `defaults:` gives each request of its file.
#[derive(Debug, Default)]
pub struct Defaults {
    pub headers: Vec<(String, Tpl)>,
    pub auth: Option<Auth>,
    pub timeout: Option<Duration>,
    pub follow_redirects: Option<bool>,
    /// `timeout` / `follow_redirects` written as templates.
    pub templated: Templated,
    pub expect: Expectations,
    /// `None` when not given (an empty list given is no tags).
    pub tags: Option<Vec<String>>,
}
