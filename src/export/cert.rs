//! The client certificate an exported request presents (mTLS), by the paths its collection
//! writes, never their content: the one its token is bound to, else an `oauth2` request's
//! block's, else the request's own (`defaults:` included), as a run chooses
//! (`runner/client_cert.rs`). How
//! each language presents it is here, so that snippets and programs agree: curl's `--cert`
//! and `--key` (written by `http/curl.rs`), requests' `cert=`, an `https.Agent` for axios.

use super::code::Quote;
use crate::collection::client_cert::ClientCertSpec;
use crate::collection::model::Request;
pub(super) use crate::http::curl::CertFlags;

/// The `client_cert:` that applies to `req`, as written: the one its token is bound to
/// (`token_from`: the `oauth2` request it takes its token from), else its block's or its own.
pub(super) fn spec<'r>(
    req: &'r Request,
    token_from: Option<&'r Request>,
) -> Option<&'r ClientCertSpec> {
    let own = |r: &'r Request| {
        let block = r.oauth2.as_ref().and_then(|o| o.client_cert.as_ref());
        block.or(r.client_cert.as_deref())
    };
    token_from.and_then(own).or_else(|| own(req))
}

/// What a reader of the snippet needs to know beyond the options themselves.
pub(super) fn notes(c: &CertFlags, notes: &mut Vec<String>) {
    notes.push(format!("presents the client certificate {} (mTLS)", c.cert));
    if let Some(var) = &c.password_env {
        notes.push(format!(
            "{} is PKCS#12, its password in ${var}: Python requests reads PEM only (convert it: \
             openssl pkcs12 -in {} -out client.pem -nodes)",
            c.cert, c.cert
        ));
    }
}

/// requests' `cert=` argument: `"both.pem"` or `("client.pem", "client.key")`; nothing for
/// PKCS#12, which requests cannot read (the note says how to convert it).
pub(super) fn py_arg(c: &CertFlags, q: Quote) -> Option<String> {
    if c.password_env.is_some() {
        return None;
    }
    Some(match &c.key {
        Some(key) => format!("cert=({}, {})", q(&c.cert), q(key)),
        None => format!("cert={}", q(&c.cert)),
    })
}

/// axios's `httpsAgent:` field, and the modules it needs.
pub(super) fn js_agent(c: &CertFlags, q: Quote) -> (String, String) {
    let read = |p: &str| format!("fs.readFileSync({})", q(p));
    let options = match (&c.password_env, &c.key) {
        (Some(var), _) => format!(
            "pfx: {}, passphrase: process.env[{}]",
            read(&c.cert),
            q(var)
        ),
        (None, Some(key)) => format!("cert: {}, key: {}", read(&c.cert), read(key)),
        // One PEM with both: Node takes the certificate and the key from the same text.
        (None, None) => format!("cert: {0}, key: {0}", read(&c.cert)),
    };
    (
        "const https = require(\"https\");\n".into(),
        format!("  httpsAgent: new https.Agent({{ {options} }}),\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::code::lit;

    fn pem(key: Option<&str>) -> CertFlags {
        CertFlags {
            cert: "client.pem".into(),
            key: key.map(str::to_string),
            password_env: None,
        }
    }

    #[test]
    fn requests_takes_a_pair_or_one_file_and_no_pkcs12() {
        assert_eq!(
            py_arg(&pem(Some("client.key")), lit).unwrap(),
            r#"cert=("client.pem", "client.key")"#
        );
        assert_eq!(py_arg(&pem(None), lit).unwrap(), r#"cert="client.pem""#);
        let p12 = CertFlags {
            cert: "c.p12".into(),
            key: None,
            password_env: Some("P".into()),
        };
        assert_eq!(py_arg(&p12, lit), None);
        let mut notes = Vec::new();
        super::notes(&p12, &mut notes);
        assert!(notes[1].contains("openssl pkcs12 -in c.p12"), "{notes:?}");
    }

    #[test]
    fn axios_gets_an_agent_with_the_files_read() {
        let (requires, field) = js_agent(&pem(Some("client.key")), lit);
        assert_eq!(requires, "const https = require(\"https\");\n");
        assert_eq!(
            field,
            "  httpsAgent: new https.Agent({ cert: fs.readFileSync(\"client.pem\"), key: fs.readFileSync(\"client.key\") }),\n"
        );
        let p12 = CertFlags {
            cert: "c.p12".into(),
            key: None,
            password_env: Some("P12".into()),
        };
        assert!(
            js_agent(&p12, lit)
                .1
                .contains("pfx: fs.readFileSync(\"c.p12\"), passphrase: process.env[\"P12\"]")
        );
    }
}
