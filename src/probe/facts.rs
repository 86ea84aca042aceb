//! What the probe learns of a provider before its checks run: its OpenID Connect and RFC
//! 8414 metadata documents, which decide the endpoints the checks call and which checks
//! apply (a check of revocation needs a `revocation_endpoint`, one of a client a secret).

use crate::http::{Http, HttpError};
use serde_json::Value;

/// The provider's documents and the probe's own options, as the checks' conditions read them.
pub(crate) struct Facts {
    pub issuer: String,
    pub discovery_url: String,
    pub metadata_url: String,
    pub oidc: Option<Value>,
    pub rfc8414: Option<Value>,
    pub client_id: Option<String>,
    pub has_secret: bool,
    /// `--client-auth`: how a client with a secret authenticates.
    pub client_auth: String,
    pub has_private_key: bool,
    pub has_user: bool,
}

/// GET a metadata document as discovery does: its JSON when it answers 200 with JSON,
/// `None` otherwise (the checks say why); `Err` when nothing answered at all.
pub(crate) async fn fetch(http: &Http, url: &str) -> Result<Option<Value>, HttpError> {
    use crate::oauth::discovery::{DiscoveryError, Fetched, fetch_json};
    match fetch_json(http, url, &mut Vec::new()).await {
        Ok(Fetched::Json(doc)) => Ok(Some(doc)),
        Ok(Fetched::Refused(..)) | Err(DiscoveryError::Invalid(_)) => Ok(None),
        Err(DiscoveryError::Http(e)) => Err(e),
    }
}

impl Facts {
    /// An endpoint of the provider: from the OpenID document, else the RFC 8414 one.
    pub(crate) fn endpoint(&self, key: &str) -> Option<String> {
        [&self.oidc, &self.rfc8414]
            .into_iter()
            .flatten()
            .find_map(|doc| doc.get(key).and_then(Value::as_str).map(str::to_string))
    }

    fn list(&self, key: &str) -> Option<Vec<String>> {
        [&self.oidc, &self.rfc8414]
            .into_iter()
            .flatten()
            .find_map(|doc| {
                doc.get(key).and_then(Value::as_array).map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
            })
    }

    /// `None` when the condition holds, else why the check does not apply.
    pub(crate) fn lacks(&self, condition: &str) -> Option<String> {
        let endpoint = |key: &str| {
            self.endpoint(key)
                .is_none()
                .then(|| format!("the provider's metadata has no `{key}`"))
        };
        match condition {
            "oidc" => self
                .oidc
                .is_none()
                .then(|| format!("no OpenID Connect document at {}", self.discovery_url)),
            "rfc8414" => self
                .rfc8414
                .is_none()
                .then(|| format!("no RFC 8414 document at {}", self.metadata_url)),
            "jwks" => endpoint("jwks_uri"),
            "userinfo" => endpoint("userinfo_endpoint"),
            "introspection" => endpoint("introspection_endpoint"),
            "revocation" => endpoint("revocation_endpoint"),
            "client" => self
                .client_id
                .is_none()
                .then(|| "needs a client: --client-id".to_string()),
            "secret" => (!self.has_secret).then(|| {
                "needs a confidential client: --client-id and --client-secret-env".to_string()
            }),
            "private_key" => (!self.has_private_key)
                .then(|| "needs a client key: --client-id and --private-key".to_string()),
            "user" => (!self.has_user).then(|| {
                "needs a client and a user: --client-id, --user and --password-env".to_string()
            }),
            "claims_parameter" => {
                let said = [&self.oidc, &self.rfc8414]
                    .into_iter()
                    .flatten()
                    .any(|d| d.get("claims_parameter_supported") == Some(&Value::Bool(true)));
                (!said).then(|| {
                    "the provider does not advertise claims_parameter_supported".to_string()
                })
            }
            "s256_only" => {
                let methods = self
                    .list("code_challenge_methods_supported")
                    .unwrap_or_default();
                (methods != ["S256"]).then(|| {
                    format!("code_challenge_methods_supported is {methods:?}, not S256 alone")
                })
            }
            "iss_parameter" => {
                let said = [&self.oidc, &self.rfc8414].into_iter().flatten().any(|d| {
                    d.get("authorization_response_iss_parameter_supported")
                        == Some(&Value::Bool(true))
                });
                (!said).then(|| {
                    "the provider does not advertise authorization_response_iss_parameter_supported"
                        .to_string()
                })
            }
            other => {
                if let Some(method) = other.strip_prefix("auth:") {
                    // OIDC Discovery 3: without the list, client_secret_basic is the default.
                    let methods = self
                        .list("token_endpoint_auth_methods_supported")
                        .unwrap_or_else(|| vec!["client_secret_basic".into()]);
                    return (!methods.iter().any(|m| m == method)).then(|| {
                        format!("token_endpoint_auth_methods_supported does not list {method}")
                    });
                }
                if let Some(method) = other.strip_prefix("client_auth:") {
                    return (self.client_auth != method).then(|| {
                        format!(
                            "the probe's client uses {} (--client-auth)",
                            self.client_auth
                        )
                    });
                }
                if let Some(scope) = other.strip_prefix("scope:") {
                    let scopes = self.list("scopes_supported").unwrap_or_default();
                    return (!scopes.iter().any(|s| s == scope))
                        .then(|| format!("scopes_supported does not list {scope}"));
                }
                if let Some(grant) = other.strip_prefix("grant:") {
                    // RFC 8414 2: without the list, authorization_code and implicit.
                    let grants = self
                        .list("grant_types_supported")
                        .unwrap_or_else(|| vec!["authorization_code".into(), "implicit".into()]);
                    return (!grants.iter().any(|g| g == grant))
                        .then(|| format!("grant_types_supported does not list {grant}"));
                }
                Some(format!("unknown condition `{other}`"))
            }
        }
    }

    /// The scope a user signs in with when the probe is given none: `openid`, and
    /// `offline_access` when the provider lists it (for a refresh token).
    pub(crate) fn user_scope(&self) -> String {
        let scopes = self.list("scopes_supported").unwrap_or_default();
        let mut scope = vec!["openid"];
        if scopes.iter().any(|s| s == "offline_access") {
            scope.push("offline_access");
        }
        scope.join(" ")
    }
}
