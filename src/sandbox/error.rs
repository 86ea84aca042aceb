//! Errors: `SandboxError` for the caller that starts the sandbox, `OAuthError` for what
//! the sandbox answers to HTTP clients (RFC 6749 5.2 JSON, or a redirect at authorize).

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What can go wrong when configuring, starting or running the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The config file could not be read.
    #[error("cannot read sandbox config {}: {source}", path.display())]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid YAML for [`super::SandboxConfig`].
    #[error("{path}:{line}:{column}: invalid sandbox config\n{rendered}")]
    ParseConfig {
        /// The file name as given.
        path: String,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// The parser's message with a snippet of the file.
        rendered: String,
    },
    /// The config parses but cannot work (duplicate ids, bad URLs, zero lifetimes...).
    #[error("invalid sandbox config: {0}")]
    InvalidConfig(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source} (is the port in use? port 0 picks a free one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The RSA signing key (or the anti-forgery key) could not be made.
    #[error("cannot generate the sandbox's RSA signing key")]
    KeyGeneration,
    /// The server stopped with an I/O error, or a signal handler could not be installed.
    #[error("sandbox server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// An OAuth error code (RFC 6749 4.1.2.1, 5.2; RFC 6750 3.1; RFC 8628 3.5; OIDC Core 3.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    InvalidToken,
    InsufficientScope,
    ServerError,
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    LoginRequired,
    ConsentRequired,
    /// RFC 9126 2.3 / 4: a request_uri unknown, expired, spent or another client's.
    InvalidRequestUri,
    /// RFC 9101 6.3: a request object that does not verify.
    InvalidRequestObject,
    /// RFC 9396 5: authorization_details that are not a list of objects with a `type`.
    InvalidAuthorizationDetails,
}

impl ErrorCode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::ServerError => "server_error",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InvalidRequestUri => "invalid_request_uri",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
            ErrorCode::InvalidAuthorizationDetails => "invalid_authorization_details",
        }
    }
}

/// An error answered to an HTTP client, with a description that says what to fix.
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub(crate) code: ErrorCode,
    pub(crate) description: Cow<'static, str>,
}

impl OAuthError {
    pub(crate) fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        OAuthError {
            code,
            description: description.into(),
        }
    }

    pub(crate) fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub(crate) fn invalid_client(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    pub(crate) fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub(crate) fn invalid_scope(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidScope, description)
    }

    pub(crate) fn server_error(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::ServerError, description)
    }

    fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Token, introspection and revocation errors: JSON per RFC 6749 5.2, never cached.
/// Bearer errors (userinfo) carry their code in `WWW-Authenticate` too (RFC 6750 3).
impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        let challenge = match self.code {
            ErrorCode::InvalidClient => Some(r#"Basic realm="baton-sandbox""#.to_string()),
            ErrorCode::InvalidToken | ErrorCode::InsufficientScope => Some(format!(
                r#"Bearer realm="baton-sandbox", error="{}", error_description="{}""#,
                self.code.as_str(),
                // A quoted-string cannot hold a raw quote or backslash.
                self.description.replace(['"', '\\'], "'")
            )),
            _ => None,
        };
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// RFC 6749 5.1: responses carrying tokens or credentials must not be cached.
pub(crate) fn no_store(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}
