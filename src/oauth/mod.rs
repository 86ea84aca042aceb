//! OAuth 2.0 and OpenID Connect as first-class requests: the `oauth2:` block (`spec`), the
//! flows that run it (`flow`, `authorize`, `device`, `loopback`), discovery and JWKS, and
//! the building blocks they use: id_token verification, client assertions, HTML forms.

pub mod assertion;
pub mod authorize;
pub mod cache;
pub mod device;
pub mod discovery;
pub mod endpoints;
pub mod flow;
pub mod form;
pub mod headless;
pub mod html_form;
pub mod jwt_verify;
pub mod loopback;
pub mod spec;
