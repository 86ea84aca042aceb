//! JSON Schemas (2020-12) of collections and environments, for editors
//! (`# yaml-language-server: $schema=…`) and `baton schema`. The model is read by hand from
//! a located YAML tree, so there are no serde types to derive a schema from (schemars would
//! need mirror types that repeat every key list and could drift). Instead the schema is
//! built from the loader's own key lists (`REQUEST_KEYS`, `oauth::spec::KEYS`,
//! `EXPECT_KEYS`, `CAPTURE_KEYS`, predicate `OPS`, ...): a key the loader accepts and this
//! file does not describe fails `every_loader_key_is_described`.

use crate::capture::CAPTURE_KEYS;
use crate::collection::defaults::DEFAULTS_KEYS;
use crate::collection::model::METHOD_KEYS;
use crate::collection::{BODY_KEYS, COLLECTION_KEYS, INCLUDE_KEYS, OAUTH1_KEYS, REQUEST_KEYS};
use crate::expect::EXPECT_KEYS;
use crate::expect::body::RAW_OPS;
use crate::expect::jwt::JWT_KEYS;
use crate::expect::predicate::{OPS, TYPES};
use crate::oauth::spec::{ClientAuth, Grant, KEYS as OAUTH2_KEYS};
use serde_json::{Map, Value, json};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
const IDENTIFIER: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// Variable names: identifiers, or Postman names with `-` and `.` (read as `vars['a-b']`).
const VAR_NAME: &str = "^[A-Za-z0-9_.-]+$";
/// Keys the environment loader takes (`collection/environment.rs`).
const ENVIRONMENT_KEYS: &[&str] = &["vars", "secrets", "description"];

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

fn described(mut v: Value, description: &str) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), Value::String(description.into()));
    }
    v
}

fn object(keys: &[&str], describe: impl Fn(&str) -> Option<Value>) -> Value {
    let props: Map<String, Value> = keys
        .iter()
        .filter_map(|k| describe(k).map(|v| (k.to_string(), v)))
        .collect();
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// `auth: { oauth1: { ... } }`: OAuth 1.0a (RFC 5849).
fn oauth1() -> Value {
    let mut v = described(
        object(OAUTH1_KEYS, |k| {
            Some(match k {
                "signature_method" => {
                    json!({ "enum": crate::http::oauth1::SignatureMethod::NAMES, "description": "Default HMAC-SHA1." })
                }
                "placement" => {
                    json!({ "enum": ["header", "query"], "description": "Where the oauth_* parameters go: the Authorization header (default) or the query." })
                }
                _ => r("text"),
            })
        }),
        "OAuth 1.0a (RFC 5849): the request is signed as sent, with a fresh nonce and timestamp; token and token_secret may be left out (two-legged).",
    );
    v["required"] = json!(["consumer_key", "consumer_secret"]);
    v
}

fn request_property(key: &str) -> Option<Value> {
    let text = |d: &str| described(r("text"), d);
    Some(match key {
        "name" => text("Free text for people and reports (default: the method and URL)."),
        "id" => described(
            json!({ "type": "string", "pattern": IDENTIFIER }),
            "An identifier: the JSON body of the response becomes <<id.field>>; `auth: { oauth2: id }` uses its token.",
        ),
        "method" => described(
            json!({ "type": "string", "pattern": "^[A-Za-z]+$" }),
            "The HTTP method, with `url:` (or write `POST: url`).",
        ),
        "url" => text("The URL, with `method:`."),
        m if METHOD_KEYS.contains(&m) => described(r("text"), &format!("{m} to this URL.")),
        "headers" => described(
            r("pairs"),
            "Header names to values; a list value repeats the header.",
        ),
        "query" => described(
            r("pairs"),
            "Query parameters, URL-encoded and appended to the URL.",
        ),
        "form" => described(r("pairs"), "An application/x-www-form-urlencoded body."),
        "json" => described(
            json!({}),
            "A JSON body: any YAML value; a value that is only <<n>> keeps its type.",
        ),
        "body" => described(
            json!({ "anyOf": [r("text"), object(&["text", "content_type"], |_| Some(r("text")))] }),
            "A raw body: text, or { text, content_type }.",
        ),
        "multipart" => described(
            {
                let part = json!({ "anyOf": [r("text"), object(&["file", "filename", "content_type"], |_| Some(r("text")))] });
                json!({ "type": "object", "additionalProperties": { "anyOf": [part, { "type": "array", "items": part }] } })
            },
            "multipart/form-data: fields, and files as { file: path, filename, content_type } (relative to the collection); a list sends one part per item under the name.",
        ),
        "file" => described(
            json!({ "anyOf": [r("text"), object(&["path", "content_type"], |_| Some(r("text")))] }),
            "The bytes of a file (relative to the collection).",
        ),
        "auth" => r("auth"),
        "follow_redirects" => described(
            json!({ "anyOf": [{ "type": "boolean" }, r("template")] }),
            "Follow redirects (default false, so that auth flows can read the Location); or a template rendering true or false.",
        ),
        "timeout" => json!({ "anyOf": [r("duration"), r("template")] }),
        "expect" => r("expect"),
        "capture" => r("capture"),
        "skip" => described(
            json!({ "anyOf": [{ "type": "boolean" }, r("template")] }),
            "Report the request as skipped; or a template rendering true or false (a data row's).",
        ),
        "retry" => described(
            json!({ "anyOf": [{ "type": "integer", "minimum": 0 }, object(&["count", "interval_ms"], |_| Some(json!({ "type": "integer", "minimum": 0 })))] }),
            "Attempt again until the expectations hold: 5, or { count, interval_ms }.",
        ),
        "delay_ms" => described(
            json!({ "anyOf": [{ "type": "integer", "minimum": 0 }, r("template")] }),
            "Wait this long before sending; or a template rendering a number of milliseconds.",
        ),
        "tags" => described(
            json!({ "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] }),
            "Labels for --only and --skip.",
        ),
        "description" => described(json!({ "type": "string" }), "Free text."),
        "cookies" => described(
            json!({ "type": "boolean" }),
            "false: the request neither sends the file's cookies nor keeps the ones it gets (default true; settable in defaults).",
        ),
        "clear_cookies" => described(
            json!({ "type": "boolean" }),
            "true: the file's cookie jar is emptied before this request is sent.",
        ),
        "save_body" => described(
            r("text"),
            "Write the response body to this file (relative to the collection; templated), as the server sent it.",
        ),
        "oauth2" => r("oauth2"),
        "client_cert" => client_cert_schema(),
        _ => return None,
    })
}

/// `client_cert:` of a request, an oauth2 block or `defaults:`.
fn client_cert_schema() -> Value {
    described(
        json!({ "anyOf": [r("text"), object(crate::collection::client_cert::CLIENT_CERT_KEYS, |_| Some(r("text")))] }),
        "The client certificate presented (mTLS): { cert, key, password_env } or a path; PEM (key in the same file or in `key`) or PKCS#12 with its password in the environment variable `password_env`. Paths are relative to the collection and templated. Precedence: the request's (or its oauth2 block's), then defaults, then --cert.",
    )
}

fn oauth2_property(key: &str) -> Option<Value> {
    let text = |d: &str| described(r("text"), d);
    Some(match key {
        "grant" => described(
            json!({ "enum": Grant::NAMES }),
            "The grant (or operation) this request runs.",
        ),
        "client_auth" => described(
            json!({ "enum": ClientAuth::NAMES }),
            "How the client authenticates: basic is Postman's \"Send as Basic Auth header\", body \"Send client credentials in body\".",
        ),
        "pkce" => described(
            json!({ "anyOf": [{ "enum": ["S256", "plain", "none"] }, { "type": "boolean" }] }),
            "PKCE of authorization_code (default S256).",
        ),
        "mode" => described(
            json!({ "enum": ["headless", "interactive", "code"] }),
            "How an authorization code is obtained.",
        ),
        "scope" => described(
            json!({ "anyOf": [r("text"), { "type": "array", "items": r("text") }] }),
            "Scopes, space-separated or a list.",
        ),
        "login" => described(
            r("pairs"),
            "Fields of the provider's login form (the form with a password field, or with a field named here), for headless runs; `button` names the button to press.",
        ),
        "consent" => described(
            r("pairs"),
            "Fields of the provider's other forms (consent, account choice), for headless runs; `button` names the button to press (default: the approving one).",
        ),
        "session" => described(
            json!({ "enum": ["reuse", "fresh"] }),
            "The browser a headless sign-in runs in: reuse (default: one per `login:` user in a file, single sign-on as in a browser) or fresh (no cookies).",
        ),
        "code_verifier" => text(
            "The PKCE verifier of a code given with `code:` (mode code); without it none is sent.",
        ),
        "extra" => described(
            r("pairs"),
            "Extra parameters of the authorize request (authorization_code) or of the token request.",
        ),
        "token_extra" => described(
            r("pairs"),
            "Extra parameters of the token request of authorization_code.",
        ),
        "form" => described(
            r("pairs"),
            "grant custom: the fields of the token request after `grant_type`.",
        ),
        "grant_type" => text("grant custom: the grant type sent, as the provider defines it."),
        "subject_token" => text("token_exchange: the token exchanged (RFC 8693)."),
        "subject_token_type" | "actor_token_type" => text(
            "token_exchange: a token type URN (default urn:ietf:params:oauth:token-type:access_token).",
        ),
        "actor_token" => text("token_exchange: the token of the party acting for the subject."),
        "requested_token_type" => text("token_exchange: the token type asked for."),
        "assertion" => text("jwt_bearer: the JWT sent; without it one is signed with private_key."),
        "assertion_subject" => text(
            "jwt_bearer: the `sub` of the assertion signed with private_key (default the client_id).",
        ),
        "assertion_audience" => text(
            "The `aud` of the JWTs the client signs: the token endpoint (default), `issuer`, or a URL.",
        ),
        "verify_id_token" | "open_browser" => json!({ "type": "boolean" }),
        "nonce" => described(
            json!({ "type": "boolean" }),
            "authorization_code: send a nonce (default true), checked in the id_token.",
        ),
        "exchange" => described(
            json!({ "type": "boolean" }),
            "authorization_code: exchange the code (default true); false ends at the redirect, with <<id.code>> and <<id.code_verifier>> for later requests.",
        ),
        "wait" => r("duration"),
        "par" => described(
            json!({ "type": "boolean" }),
            "authorization_code: push the authorize parameters to the PAR endpoint (RFC 9126) and send only client_id and request_uri to the authorize endpoint. Default: when par_url is given or discovery says require_pushed_authorization_requests.",
        ),
        "par_url" => text(
            "The pushed authorization request endpoint (default: discovery's pushed_authorization_request_endpoint); giving it turns par on.",
        ),
        "authorization_details" => described(
            json!({ "type": "array", "items": { "type": "object", "required": ["type"] } }),
            "RFC 9396 rich authorization requests: a list of objects with a `type`, sent as compact JSON where scope goes (the authorize request, pushed or not, or the token request).",
        ),
        "request_object" => described(
            json!({ "enum": ["signed", "none"] }),
            "authorization_code: signed sends the authorize parameters as a JWT signed with private_key (RFC 9101; typ oauth-authz-req+jwt, aud the issuer), by value or pushed with par.",
        ),
        "dpop" => dpop(),
        "client_cert" => client_cert_schema(),
        k if OAUTH2_KEYS.contains(&k) => text(&k.replace('_', " ")),
        _ => return None,
    })
}

/// `oauth2.dpop`: true, or the algorithm and key file (RFC 9449).
fn dpop() -> Value {
    let keys = object(crate::oauth::dpop::KEYS, |k| {
        Some(match k {
            "alg" => {
                json!({ "enum": crate::oauth::dpop::Alg::NAMES, "description": "The proof's algorithm (default: the key's; ES256 for a key made for the run)." })
            }
            "key" => described(
                r("text"),
                "A PEM private key file (EC P-256, RSA or Ed25519), relative to the collection; a token bound to it may be reused from --save.",
            ),
            _ => return None,
        })
    });
    described(
        json!({ "anyOf": [{ "type": "boolean" }, keys] }),
        "DPoP (RFC 9449): every token request carries a proof of a key (true: an ES256 key made for the run), the token must come back DPoP-bound (token_type DPoP, cnf.jkt), and auth: { oauth2: id } sends it as Authorization: DPoP with a proof carrying ath. <<id.dpop_jkt>> is the key's thumbprint.",
    )
}

fn expect_property(key: &str) -> Option<Value> {
    let code = json!({ "anyOf": [{ "type": "integer", "minimum": 100, "maximum": 599 }, { "type": "string", "pattern": "^([1-5]xx|[1-5]XX|any|[1-5][0-9][0-9])$" }] });
    Some(match key {
        "status" => described(
            json!({ "anyOf": [code, { "type": "array", "items": code, "minItems": 1 }, r("template")] }),
            "200, [200, 201], 2xx or any, or a template rendering one (<<code>>). Without it, a 4xx or 5xx response fails.",
        ),
        "headers" => described(
            json!({ "type": "object", "additionalProperties": r("predicate") }),
            "Header names (any case) to predicates; a bare value means eq.",
        ),
        "body" => {
            let raw: Map<String, Value> =
                RAW_OPS.iter().map(|o| (o.to_string(), json!({}))).collect();
            described(
                json!({ "anyOf": [{ "type": "string" }, { "type": "object", "properties": raw, "patternProperties": { "^\\$": r("predicate") }, "additionalProperties": false }] }),
                "JSONPath keys ($.field) to predicates, and checks of the raw body.",
            )
        }
        "duration_ms" => described(
            json!({ "anyOf": [{ "type": "number" }, r("predicates")] }),
            "At most this many milliseconds, or predicates.",
        ),
        "jwt" => described(
            json!({ "type": "object", "patternProperties": { "^\\$": object(JWT_KEYS, |k| Some(match k {
            "header" | "claims" => json!({ "type": "object", "additionalProperties": r("predicate") }),
            "expires_in_at_least" => described(r("duration"), "exp is at least this far from now (5m, 1h)."),
            "expires_in_at_most" => described(r("duration"), "exp is at most this far from now (5m, 1h)."),
            _ => json!({}),
        })) }, "additionalProperties": false }),
            "JSONPath of a JWT in the body to its checks.",
        ),
        "schema" => described(
            json!({ "anyOf": [{ "type": "string", "minLength": 1 }, { "type": "object" }, { "type": "boolean" }] }),
            "A JSON Schema the JSON body must match (2020-12, or draft 7 by $schema): the path of a .json file relative to the collection, or the schema inline.",
        ),
        _ => return None,
    })
}

fn defs() -> Value {
    let preds: Map<String, Value> = OPS
        .iter()
        .map(|op| {
            let v = match *op {
                "type" => json!({ "enum": TYPES }),
                "exists" => json!({ "type": "boolean" }),
                "matches" => json!({ "type": "string", "format": "regex" }),
                "one_of" => json!({ "type": "array" }),
                "length" => json!({}),
                _ => json!({}),
            };
            (op.to_string(), v)
        })
        .collect();
    let capture_source = object(CAPTURE_KEYS, |k| {
        Some(match k {
            "status" | "body" => json!({ "const": true }),
            "optional" => json!({ "type": "boolean" }),
            "url" => json!({ "anyOf": [{ "const": true }, { "type": "string" }] }),
            _ => json!({ "type": "string" }),
        })
    });
    let bodies: Vec<Value> = BODY_KEYS
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            BODY_KEYS[i + 1..]
                .iter()
                .map(move |b| json!({ "required": [a, b] }))
        })
        .collect();
    let mut request = object(&[REQUEST_KEYS, &["oauth2"]].concat(), request_property);
    if let Value::Object(m) = &mut request {
        m.insert("not".into(), json!({ "anyOf": bodies }));
        m.insert("description".into(), json!("A request: a method key with its URL (POST: url), or `method` and `url`, or `oauth2`."));
    }
    json!({
        "text": { "type": ["string", "number", "boolean"], "description": "Text; may hold <<templates>>." },
        "pairs": { "anyOf": [
            { "type": "object", "additionalProperties": { "anyOf": [{ "$ref": "#/$defs/text" }, { "type": "array", "items": { "$ref": "#/$defs/text" } }] } },
            { "type": "array", "items": { "type": "object", "minProperties": 1, "maxProperties": 1 } },
            { "type": "null" }
        ] },
        "duration": { "anyOf": [{ "type": "number", "minimum": 0 }, { "type": "string", "pattern": "^[0-9.]+ ?(ms|s|m|h)?$" }], "description": "30, 30s, 500ms, 2m." },
        "vars": { "type": "object", "propertyNames": { "pattern": VAR_NAME }, "description": "Variables: names to values (strings are templates)." },
        "predicates": { "type": "object", "properties": preds, "additionalProperties": false, "minProperties": 1 },
        "predicate": { "anyOf": [{ "$ref": "#/$defs/predicates" }, {}], "description": "A bare value (eq), or predicates: eq ne gt ge lt le contains not_contains matches exists type length one_of." },
        "auth": { "type": "object", "minProperties": 1, "maxProperties": 1, "properties": {
            "basic": { "anyOf": [{ "type": "array", "items": { "$ref": "#/$defs/text" }, "minItems": 2, "maxItems": 2 }, object(&["username", "password"], |_| Some(r("text")))] },
            "bearer": { "$ref": "#/$defs/text" },
            "oauth1": oauth1(),
            "oauth2": { "type": "string", "pattern": IDENTIFIER, "description": "The id of an earlier oauth2 request: its access token." }
        }, "additionalProperties": false },
        "oauth2": described(object(OAUTH2_KEYS, oauth2_property), "An OAuth 2.0 request: baton builds the token request (and the authorize redirects)."),
        "expect": described(object(EXPECT_KEYS, expect_property), "What the response must be."),
        "capture": { "type": "object", "propertyNames": { "pattern": IDENTIFIER }, "additionalProperties": { "anyOf": [{ "type": "string", "pattern": "^\\$" }, capture_source] }, "description": "Values kept for later requests: a JSONPath, or { header, query, regex, cookie, jwt, claim, status, body, url }, with `optional: true` to leave the variable as it was when nothing matches." },
        "template": { "type": "string", "pattern": "<<", "description": "A <<template>> rendered when the request runs (a variable, a data row)." },
        "request": request,
        "include": described(object(INCLUDE_KEYS, |k| Some(match k {
            "include" => described(json!({ "type": "string" }), "A collection file, relative to this one."),
            _ => described(r("vars"), "Variables for the included requests only (above the included file's own vars)."),
        })), "The requests of another collection, inlined here."),
        "defaults": described(object(DEFAULTS_KEYS, request_property), "What every request of the file gets unless it sets it: headers merge by name (the request wins), an expect merges key by key."),
        "names": { "anyOf": [{ "type": "string", "pattern": IDENTIFIER }, { "type": "array", "items": { "type": "string", "pattern": IDENTIFIER } }] },
        "requests": { "type": "array", "items": { "anyOf": [
            { "allOf": [{ "$ref": "#/$defs/include" }, { "required": ["include"] }] },
            { "$ref": "#/$defs/request" }
        ] } }
    })
}

/// The schema of collection files.
pub(crate) fn collection() -> Value {
    let top = object(COLLECTION_KEYS, |k| {
        Some(match k {
            "name" => json!({ "type": "string" }),
            "vars" => r("vars"),
            "requests" => r("requests"),
            "description" => json!({ "type": "string" }),
            "needs" => described(
                json!({ "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] }),
                "Collections that run first, once per run, whose exported names this one sees (paths relative to this file).",
            ),
            "export" => described(
                r("names"),
                "The names the collections that need this one see.",
            ),
            "persist" => described(
                r("names"),
                "The names kept in .baton/state.json after the run and read back at the next (--fresh ignores them).",
            ),
            "defaults" => r("defaults"),
            _ => return None,
        })
    });
    json!({
        "$schema": DIALECT,
        "$id": "urn:baton:collection",
        "title": "baton collection",
        "description": "An ordered list of HTTP requests with templated values, captures and expectations (see the README).",
        "anyOf": [{ "allOf": [top, { "required": ["requests"] }] }, r("requests")],
        "$defs": defs()
    })
}

/// The schema of environment files.
pub(crate) fn environment() -> Value {
    json!({
        "$schema": DIALECT,
        "$id": "urn:baton:environment",
        "title": "baton environment",
        "description": "Variables above a collection's own (baton -e NAME).",
        "type": "object",
        "properties": object(ENVIRONMENT_KEYS, |k| Some(match k {
            "vars" => json!({ "type": "object", "propertyNames": { "pattern": VAR_NAME } }),
            "secrets" => json!({ "anyOf": [{ "type": "array", "items": { "type": "string" } }, { "type": "object", "propertyNames": { "pattern": VAR_NAME } }], "description": "Names whose values are shown as •••, or a mapping of secret names to values." }),
            "description" => json!({ "type": "string" }),
            _ => return None,
        }))["properties"].clone(),
        "additionalProperties": false
    })
}

/// `collection` or `environment`, as the text `baton schema` prints and `schema/` holds.
pub(crate) fn text(which: &str) -> Option<String> {
    let v = match which {
        "collection" => collection(),
        "environment" => environment(),
        _ => return None,
    };
    serde_json::to_string_pretty(&v).ok().map(|s| s + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loader_key_is_described() {
        for k in REQUEST_KEYS.iter().chain(&["oauth2"]) {
            assert!(
                request_property(k).is_some(),
                "request key `{k}` is not in the schema"
            );
        }
        for k in OAUTH2_KEYS {
            assert!(oauth2_property(k).is_some(), "oauth2 key `{k}`");
        }
        for k in EXPECT_KEYS {
            assert!(expect_property(k).is_some(), "expect key `{k}`");
        }
        for k in DEFAULTS_KEYS {
            assert!(request_property(k).is_some(), "defaults key `{k}`");
        }
        let c = collection();
        let top = &c["anyOf"][0]["allOf"][0]["properties"];
        assert_eq!(
            top.as_object().map(Map::len),
            Some(COLLECTION_KEYS.len()),
            "a collection key is not in the schema"
        );
        let props = &c["$defs"]["request"]["properties"];
        assert_eq!(
            props.as_object().map(Map::len),
            Some(REQUEST_KEYS.len() + 1)
        );
        assert_eq!(
            c["$defs"]["oauth2"]["properties"].as_object().map(Map::len),
            Some(OAUTH2_KEYS.len())
        );
    }
}
