//! OAuth 2.0 / OpenID Connect building blocks for the flows: id_token verification against a
//! JWKS, RFC 7523 client assertions, and finding the login/consent form of a provider's page.

pub mod assertion;
pub mod html_form;
pub mod jwt_verify;
