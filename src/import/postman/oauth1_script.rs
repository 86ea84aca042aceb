//! Recognises a pre-request script that signs with OAuth 1.0a by hand (CryptoJS HMAC over a
//! base string it builds itself), so the importer can write `auth: { oauth1 }` in its place:
//! which Postman variables hold the consumer key and secret and the token and its secret.

use super::model::{AuthDef, PmRequest};
use crate::http::oauth1::SignatureMethod;
use regex::Regex;
use std::sync::LazyLock;

/// The Postman variables a signing script reads, by the role each plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Oauth1Vars {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// Absent in a two-legged script (consumer credentials only).
    pub token: Option<String>,
    pub token_secret: Option<String>,
    pub method: SignatureMethod,
}

/// A read of a variable: `pm.environment.get('x')`, `pm.variables.get("x")`,
/// `pm.collectionVariables.get(..)`, `pm.globals.get(..)`, `postman.getEnvironmentVariable(..)`,
/// `pm.variables.replaceIn('{{x}}')`; or a property of an object of variables:
/// `environment.x`, `env_variables['x']`, `globals.x`.
static READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?:pm\.(?:environment|variables|collectionVariables|globals|iterationData)\.get"#,
        r#"|postman\.get(?:Environment|Global)Variable)\(\s*(?:'([^']+)'|"([^"]+)"|`([^`$]+)`)\s*\)"#,
        r#"|\{\{([^{}\s]+)\}\}"#,
        r#"|\b(?i:[\w$]*?(?:env|environment|variables|vars|globals))"#,
        r#"(?:\.([A-Za-z_$][\w$]*)\b(?:\s*[^\s(\w$]|\s*$)|\[\s*(?:'([^']+)'|"([^"]+)")\s*\])"#,
    ))
    .expect("a valid regex")
});

/// What the value read is assigned to: `var consumerSecret = ` or `oauth_token: `.
static TARGET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z_$][\w$]*)["']?\s*[:=]\s*$"#).expect("a valid regex"));

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    ConsumerKey,
    ConsumerSecret,
    Token,
    TokenSecret,
}

/// The role a name says (`consumer_secret`, `oauthTokenSecret`, `api_key`...), if any.
fn role(name: &str) -> Option<Role> {
    let n: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if n.contains("tokensecret") || n.contains("accesssecret") {
        Some(Role::TokenSecret)
    } else if n.contains("consumersecret") || n.contains("apisecret") || n.contains("clientsecret")
    {
        Some(Role::ConsumerSecret)
    } else if n.contains("consumerkey") || n.contains("apikey") || n.contains("clientkey") {
        Some(Role::ConsumerKey)
    } else if n.contains("token") && !n.contains("signature") {
        Some(Role::Token)
    } else {
        None
    }
}

/// The role of a script variable by where it is used: `const ck = ...` then
/// `{ oauth_consumer_key: ck }`.
fn role_of_use(text: &str, ident: &str) -> Option<Role> {
    let used = Regex::new(&format!(
        r#"([A-Za-z_$][\w$]*)["']?\s*[:=]\s*{}\b"#,
        regex::escape(ident)
    ))
    .ok()?;
    used.captures_iter(text)
        .find_map(|c| c.get(1).and_then(|m| role(m.as_str())))
}

/// The variables a hand-written OAuth 1.0a signing script reads, when `lines` is one: it
/// mentions `oauth_signature` and computes `HmacSHA1` or `HmacSHA256`, and reads at least the
/// consumer key and secret from variables (a script with them written literally is not
/// something `auth: { oauth1 }` can stand in for without moving the secret).
#[allow(dead_code)] // Called by the pre-request pipeline, which its owner wires.
/// The request as Postman sends it once its pre-request script has signed it: with an
/// `oauth1` auth reading the variables the script reads (its own auth, `No Auth` in such
/// collections, is what the script replaced). `None` when no enabled pre-request script of
/// the request signs.
pub(super) fn signed(req: &PmRequest) -> Option<PmRequest> {
    let vars = req
        .events
        .iter()
        .filter(|e| !e.disabled && e.listen == "prerequest")
        .find_map(|e| signing_script(&e.lines))?;
    let var = |name: &str| serde_json::Value::String(format!("{{{{{name}}}}}"));
    let mut params = vec![
        ("consumerKey".to_string(), var(&vars.consumer_key)),
        ("consumerSecret".to_string(), var(&vars.consumer_secret)),
        (
            "signatureMethod".to_string(),
            serde_json::Value::String(vars.method.name().to_string()),
        ),
    ];
    if let Some(t) = &vars.token {
        params.push(("token".to_string(), var(t)));
    }
    if let Some(t) = &vars.token_secret {
        params.push(("tokenSecret".to_string(), var(t)));
    }
    Some(PmRequest {
        auth: Some(AuthDef {
            kind: "oauth1".into(),
            params,
        }),
        ..req.clone()
    })
}

pub(super) fn signing_script(lines: &[String]) -> Option<Oauth1Vars> {
    let text = lines.join("\n");
    if !text.contains("oauth_signature") {
        return None;
    }
    let method = match (text.contains("HmacSHA1"), text.contains("HmacSHA256")) {
        (true, _) => SignatureMethod::HmacSha1,
        (false, true) => SignatureMethod::HmacSha256,
        (false, false) => return None,
    };
    let mut found: [Option<String>; 4] = Default::default();
    for line in lines {
        for caps in READ.captures_iter(line) {
            let Some(name) = (1..=7).find_map(|i| caps.get(i)).map(|m| m.as_str()) else {
                continue;
            };
            let start = caps.get(0).map_or(0, |m| m.start());
            let target = TARGET
                .captures(&line[..start])
                .and_then(|c| c.get(1))
                .map(|m| m.as_str());
            let Some(role) = role(name)
                .or_else(|| target.and_then(role))
                .or_else(|| target.and_then(|t| role_of_use(&text, t)))
            else {
                continue;
            };
            let slot = &mut found[role as usize];
            if slot.is_none() {
                *slot = Some(name.to_string());
            }
        }
    }
    let [consumer_key, consumer_secret, token, token_secret] = found;
    Some(Oauth1Vars {
        consumer_key: consumer_key?,
        consumer_secret: consumer_secret?,
        token,
        token_secret,
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(script: &str) -> Vec<String> {
        script.lines().map(str::to_string).collect()
    }

    /// Written for this test in the style such scripts take: variables read three ways, a
    /// base string built by hand, CryptoJS for the HMAC.
    const SCRIPT: &str = r#"// Sign the request with OAuth 1.0a
var env_variables = pm.environment.toObject();
var consumerKey = env_variables.consumer_key;
var consumerSecret = pm.environment.get('consumer_secret');
var accessToken = pm.variables.get("access_token");
var tokenSecret = pm.variables.get("token_secret");
var nonce = Math.random().toString(36).substring(2);
var timestamp = Math.floor(Date.now() / 1000).toString();
var params = {
    oauth_consumer_key: consumerKey,
    oauth_token: accessToken,
    oauth_nonce: nonce,
    oauth_timestamp: timestamp,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_version: '1.0'
};
var keys = Object.keys(params).sort();
var paramString = keys.map(function (k) { return k + '=' + encodeURIComponent(params[k]); }).join('&');
var base = pm.request.method + '&' + encodeURIComponent(pm.request.url.toString().split('?')[0]) + '&' + encodeURIComponent(paramString);
var signingKey = encodeURIComponent(consumerSecret) + '&' + encodeURIComponent(tokenSecret);
var signature = CryptoJS.HmacSHA1(base, signingKey).toString(CryptoJS.enc.Base64);
pm.environment.set('oauth_signature', encodeURIComponent(signature));
pm.environment.set('oauth_nonce', nonce);
pm.environment.set('oauth_timestamp', timestamp);
"#;

    #[test]
    fn a_hand_written_hmac_sha1_script() {
        assert_eq!(
            signing_script(&lines(SCRIPT)),
            Some(Oauth1Vars {
                consumer_key: "consumer_key".into(),
                consumer_secret: "consumer_secret".into(),
                token: Some("access_token".into()),
                token_secret: Some("token_secret".into()),
                method: SignatureMethod::HmacSha1,
            })
        );
    }

    /// Names that say nothing are placed by what they are assigned to; HMAC-SHA256.
    #[test]
    fn names_from_their_targets_two_legged_sha256() {
        let script = r#"const ck = postman.getEnvironmentVariable("ck");
const oauthConsumerSecret = pm.collectionVariables.get('cs');
const sig = CryptoJS.HmacSHA256(baseString, encodeURIComponent(oauthConsumerSecret) + '&');
pm.variables.set("oauth_signature", CryptoJS.enc.Base64.stringify(sig));
const header = { oauth_consumer_key: ck };"#;
        let v = signing_script(&lines(script)).unwrap();
        assert_eq!(v.consumer_secret, "cs");
        assert_eq!(v.consumer_key, "ck", "{v:?}");
        assert_eq!((v.token, v.token_secret), (None, None));
        assert_eq!(v.method, SignatureMethod::HmacSha256);
    }

    #[test]
    fn templates_and_bracketed_reads() {
        let script = r#"var key = pm.variables.replaceIn('{{twitter_consumer_key}}');
var secret = environment["twitter_consumer_secret"];
var t = globals.oauth_token; var ts = globals['oauth_token_secret'];
var s = CryptoJS.HmacSHA1(b, k); // oauth_signature"#;
        let v = signing_script(&lines(script)).unwrap();
        assert_eq!(v.consumer_key, "twitter_consumer_key");
        assert_eq!(v.consumer_secret, "twitter_consumer_secret");
        assert_eq!(v.token.as_deref(), Some("oauth_token"));
        assert_eq!(v.token_secret.as_deref(), Some("oauth_token_secret"));
    }

    #[test]
    fn other_scripts_are_not_signing_scripts() {
        // An HMAC that is not OAuth 1.0a (a webhook signature).
        let webhook = "var s = CryptoJS.HmacSHA256(body, pm.environment.get('webhook_secret'));";
        assert_eq!(signing_script(&lines(webhook)), None);
        // OAuth 1.0a, but the consumer secret is written literally, not read.
        let literal = "var k = pm.environment.get('consumer_key');\nvar s = CryptoJS.HmacSHA1(b, 'abc&'); // oauth_signature";
        assert_eq!(signing_script(&lines(literal)), None);
        assert_eq!(signing_script(&[]), None);
    }
}
