//! OAuth 2.0 and OpenID Connect as first-class requests: the `oauth2:` block (`spec`), the
//! flows that run it (`flow`, `authorize`, `device`, `loopback`), discovery and JWKS, and
//! the building blocks they use: id_token verification, client assertions, HTML forms.

pub(crate) mod assertion;
pub(crate) mod authorize;
pub(crate) mod cache;
pub(crate) mod device;
pub(crate) mod discovery;
pub(crate) mod dpop;
pub(crate) mod endpoints;
pub(crate) mod flow;
pub(crate) mod form;
pub(crate) mod headless;
pub(crate) mod html_form;
pub(crate) mod jwt_verify;
pub(crate) mod loopback;
pub(crate) mod mtls;
pub(crate) mod par;
pub(crate) mod request_object;
pub(crate) mod signing;
pub(crate) mod spec;
