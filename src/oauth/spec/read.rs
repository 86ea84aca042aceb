//! Reading the `oauth2:` block from YAML: every key, with a problem for each that is wrong
//! (all collected, none fatal to the others), then the grant's needs checked.

use super::validate::validate;
use super::{ClientAuth, Grant, Mode, OAuth2, Pkce, Session};
use crate::diag::Loc;
use crate::sendable::url_problem;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use std::time::Duration;

pub(crate) const KEYS: &[&str] = &[
    "grant",
    "issuer",
    "token_url",
    "authorize_url",
    "device_authorization_url",
    "introspection_url",
    "revocation_url",
    "jwks_url",
    "client_id",
    "client_secret",
    "client_auth",
    "private_key",
    "key_id",
    "assertion_alg",
    "scope",
    "audience",
    "resource",
    "username",
    "password",
    "refresh_token",
    "token",
    "token_type_hint",
    "redirect_uri",
    "pkce",
    "mode",
    "code",
    "code_verifier",
    "login",
    "consent",
    "session",
    "exchange",
    "nonce",
    "extra",
    "token_extra",
    "verify_id_token",
    "wait",
    "open_browser",
    "subject_token",
    "subject_token_type",
    "actor_token",
    "actor_token_type",
    "requested_token_type",
    "assertion",
    "assertion_subject",
    "assertion_audience",
    "grant_type",
    "form",
    "par",
    "par_url",
    "authorization_details",
    "request_object",
    "dpop",
    "client_cert",
];

pub(crate) fn read(r: &mut Reader, node: &Node) -> Option<OAuth2> {
    let mut m = r.map(node, "oauth2")?;
    let tpl = |m: &mut crate::yaml::read::Map, r: &mut Reader, key: &str| {
        m.get(key).and_then(|n| r.tpl(n, &format!("oauth2.{key}")))
    };
    let grant = if let Some(n) = m.get("grant") {
        let text = r.text(n, "oauth2.grant")?;
        if let Some(g) = Grant::parse(&text) {
            g
        } else {
            let hint = crate::diag::did_you_mean(&text, Grant::NAMES.iter().copied());
            let d = r.error(
                n.loc,
                format!(
                    "unknown grant `{text}`{}",
                    hint.map(|h| format!(" (did you mean `{h}`?)"))
                        .unwrap_or_default()
                ),
            );
            d.help = Some(format!("one of: {}", Grant::NAMES.join(", ")));
            return None;
        }
    } else {
        let d = r.error(node.loc, "`oauth2` needs `grant:`");
        d.help = Some(format!("one of: {}", Grant::NAMES.join(", ")));
        return None;
    };
    let issuer = tpl(&mut m, r, "issuer");
    let token_url = tpl(&mut m, r, "token_url");
    let authorize_url = tpl(&mut m, r, "authorize_url");
    let device_url = tpl(&mut m, r, "device_authorization_url");
    let introspection_url = tpl(&mut m, r, "introspection_url");
    let revocation_url = tpl(&mut m, r, "revocation_url");
    let jwks_url = tpl(&mut m, r, "jwks_url");
    let client_id = if let Some(n) = m.get("client_id") {
        r.tpl(n, "oauth2.client_id")?
    } else {
        r.error(node.loc, "`oauth2` needs `client_id:`");
        return None;
    };
    let client_secret = tpl(&mut m, r, "client_secret");
    let client_auth = match m.get("client_auth") {
        Some(n) => {
            let text = r.text(n, "oauth2.client_auth")?;
            if let Some(a) = ClientAuth::parse(&text) {
                Some(a)
            } else {
                let d = r.error(n.loc, format!("unknown client_auth `{text}`"));
                d.help = Some(format!("one of: {}", ClientAuth::NAMES.join(", ")));
                return None;
            }
        }
        None => None,
    };
    let private_key = tpl(&mut m, r, "private_key");
    let key_id = tpl(&mut m, r, "key_id");
    let assertion_alg = tpl(&mut m, r, "assertion_alg");
    let scope = match m.get("scope") {
        // `scope: [openid, api]` is joined with spaces.
        Some(
            n @ Node {
                kind: Kind::Seq(items),
                ..
            },
        ) => {
            let words: Option<Vec<String>> =
                items.iter().map(|i| r.text(i, "oauth2.scope")).collect();
            let joined = Node::new(Kind::Str(words?.join(" ").into()), n.loc);
            r.tpl(&joined, "oauth2.scope")
        }
        Some(n) => r.tpl(n, "oauth2.scope"),
        None => None,
    };
    let audience = tpl(&mut m, r, "audience");
    let resource = tpl(&mut m, r, "resource");
    let username = tpl(&mut m, r, "username");
    let password = tpl(&mut m, r, "password");
    let refresh_token = tpl(&mut m, r, "refresh_token");
    let token = tpl(&mut m, r, "token");
    let token_type_hint = tpl(&mut m, r, "token_type_hint");
    let redirect_uri = tpl(&mut m, r, "redirect_uri");
    let pkce = match m.get("pkce") {
        Some(n) => match &n.kind {
            Kind::Bool(false) => Pkce::Off,
            Kind::Bool(true) => Pkce::S256,
            _ => match r.text(n, "oauth2.pkce")?.as_str() {
                "S256" | "s256" => Pkce::S256,
                "plain" => Pkce::Plain,
                "none" | "off" => Pkce::Off,
                other => {
                    r.error(n.loc, format!("unknown pkce method `{other}`"))
                        .help = Some("S256 (the default), plain or none".into());
                    return None;
                }
            },
        },
        None => Pkce::S256,
    };
    let code = tpl(&mut m, r, "code");
    let mode = match m.get("mode") {
        Some(n) => match r.text(n, "oauth2.mode")?.as_str() {
            "headless" => Mode::Headless,
            "interactive" | "browser" => Mode::Interactive,
            "code" => Mode::Code,
            other => {
                r.error(n.loc, format!("unknown mode `{other}`")).help = Some("headless (follow the redirects, fill the login form), interactive (open a browser) or code (give `code:`)".into());
                return None;
            }
        },
        None if code.is_some() => Mode::Code,
        None => Mode::Headless,
    };
    let code_verifier = tpl(&mut m, r, "code_verifier");
    let login = m
        .get("login")
        .map(|n| r.pairs(n, "oauth2.login"))
        .unwrap_or_default();
    let consent = m
        .get("consent")
        .map(|n| r.pairs(n, "oauth2.consent"))
        .unwrap_or_default();
    let session = match m.get("session") {
        Some(n) => match r.text(n, "oauth2.session")?.as_str() {
            "reuse" | "shared" => Session::Reuse,
            "fresh" | "new" => Session::Fresh,
            other => {
                r.error(n.loc, format!("unknown session `{other}`")).help = Some("reuse (the default: one browser per `login:` user in a file) or fresh (a new browser, no cookies)".into());
                return None;
            }
        },
        None => Session::Reuse,
    };
    let extra = m
        .get("extra")
        .map(|n| r.pairs(n, "oauth2.extra"))
        .unwrap_or_default();
    let token_extra = m
        .get("token_extra")
        .map(|n| r.pairs(n, "oauth2.token_extra"))
        .unwrap_or_default();
    let nonce = m
        .get("nonce")
        .and_then(|n| r.bool(n, "oauth2.nonce"))
        .unwrap_or(true);
    let exchange = m
        .get("exchange")
        .and_then(|n| r.bool(n, "oauth2.exchange"))
        .unwrap_or(true);
    let verify_id_token = m
        .get("verify_id_token")
        .and_then(|n| r.bool(n, "oauth2.verify_id_token"))
        .unwrap_or(true);
    let wait = m
        .get("wait")
        .and_then(|n| r.duration(n, "oauth2.wait"))
        .unwrap_or(Duration::from_secs(120));
    let open_browser = m
        .get("open_browser")
        .and_then(|n| r.bool(n, "oauth2.open_browser"))
        .unwrap_or(true);
    let subject_token = tpl(&mut m, r, "subject_token");
    let subject_token_type = tpl(&mut m, r, "subject_token_type");
    let actor_token = tpl(&mut m, r, "actor_token");
    let actor_token_type = tpl(&mut m, r, "actor_token_type");
    let requested_token_type = tpl(&mut m, r, "requested_token_type");
    let assertion = tpl(&mut m, r, "assertion");
    let assertion_subject = tpl(&mut m, r, "assertion_subject");
    let assertion_audience = tpl(&mut m, r, "assertion_audience");
    let grant_type = tpl(&mut m, r, "grant_type");
    let form = m
        .get("form")
        .map(|n| r.pairs(n, "oauth2.form"))
        .unwrap_or_default();
    let par_node = m.get("par").or(m.get("par_url"));
    let par = m.get("par").and_then(|n| r.bool(n, "oauth2.par"));
    let par_url = tpl(&mut m, r, "par_url");
    let jar_node = m.get("request_object");
    let request_object = match jar_node {
        Some(n) => match r.text(n, "oauth2.request_object")?.as_str() {
            "signed" => true,
            "none" => false,
            other => {
                r.error(n.loc, format!("unknown request_object `{other}`"))
                    .help = Some(
                    "signed (a JWT signed with private_key, RFC 9101) or none (the default)".into(),
                );
                return None;
            }
        },
        None => false,
    };
    let details_node = m.get("authorization_details");
    let authorization_details = details_node.and_then(|n| read_details(r, n));
    let dpop_node = m.get("dpop");
    let dpop = dpop_node.and_then(|n| crate::oauth::dpop::read(r, n));
    let client_cert = m
        .get("client_cert")
        .and_then(|n| crate::collection::client_cert::read(r, n, "oauth2.client_cert"));
    m.finish(r, "oauth2", KEYS);
    // The endpoints written literally are checked as a request's URL is.
    let endpoints = [&issuer, &token_url, &authorize_url, &device_url];
    let more = [&introspection_url, &revocation_url, &jwks_url, &par_url];
    for url in endpoints.into_iter().chain(more).flatten() {
        let problem = url.is_literal().then(|| url_problem(&url.text)).flatten();
        if let Some(problem) = problem {
            r.error(url.loc, problem);
        }
    }

    let spec = OAuth2 {
        grant,
        loc: node.loc,
        issuer,
        token_url,
        authorize_url,
        device_url,
        introspection_url,
        revocation_url,
        jwks_url,
        client_id,
        client_secret,
        client_auth,
        private_key,
        key_id,
        assertion_alg,
        scope,
        audience,
        resource,
        username,
        password,
        refresh_token,
        token,
        token_type_hint,
        redirect_uri,
        pkce,
        mode,
        code,
        code_verifier,
        login,
        consent,
        session,
        exchange,
        nonce,
        extra,
        token_extra,
        verify_id_token,
        wait,
        open_browser,
        subject_token,
        subject_token_type,
        actor_token,
        actor_token_type,
        requested_token_type,
        assertion,
        assertion_subject,
        assertion_audience,
        grant_type,
        form,
        par,
        par_url,
        authorization_details,
        request_object,
        dpop,
        client_cert,
    };
    validate(r, &spec, node);
    if let Some(n) = dpop_node.filter(|_| !spec.grant.issues_tokens()) {
        crate::oauth::dpop::misplaced(r, n, spec.grant.as_str());
    }
    misplaced(
        r,
        &spec,
        par_node.map(|n| n.loc),
        details_node.map(|n| n.loc),
        jar_node.map(|n| n.loc),
    );
    Some(spec)
}

/// `authorization_details:` (RFC 9396 2): a list of objects, each with a `type`; their
/// strings may be templates.
fn read_details(r: &mut Reader, node: &Node) -> Option<crate::template::JsonTpl> {
    let what = "oauth2.authorization_details";
    let items = r.seq(node, what)?;
    let mut ok = true;
    for item in items {
        match &item.kind {
            Kind::Map(entries) if entries.iter().any(|(k, _)| k.name == "type") => {}
            Kind::Map(_) => {
                r.error(item.loc, "each authorization detail needs a `type`")
                    .help = Some(
                    "RFC 9396 2: e.g. - { type: payment_initiation, actions: [initiate] }".into(),
                );
                ok = false;
            }
            _ => {
                r.error(item.loc, "an authorization detail is a mapping")
                    .help = Some(
                    "RFC 9396 2: e.g. - { type: payment_initiation, actions: [initiate] }".into(),
                );
                ok = false;
            }
        }
    }
    ok.then(|| crate::yaml::read::read_json_tpl(r, node, what))
}

/// `par` and `authorization_details` where the grant has no request to carry them, said at
/// the key.
fn misplaced(r: &mut Reader, s: &OAuth2, par: Option<Loc>, details: Option<Loc>, jar: Option<Loc>) {
    let code_given = s.grant == Grant::AuthorizationCode && s.mode == Mode::Code;
    let which = if code_given {
        format!("grant `{}` with mode `code`", s.grant.as_str())
    } else {
        format!("grant `{}`", s.grant.as_str())
    };
    let pushes = s.par == Some(true) || (s.par.is_none() && s.par_url.is_some());
    if let Some(loc) = par
        && pushes
        && (s.grant != Grant::AuthorizationCode || code_given)
    {
        r.error(loc, format!("`par` does not apply to {which}")).help = Some(
            "RFC 9126 pushes the parameters of an authorize request: only a headless or interactive authorization_code sign-in makes one".into(),
        );
    }
    let no_details = matches!(s.grant, Grant::Introspect | Grant::Revoke) || code_given;
    if let Some(loc) = details
        && no_details
    {
        r.error(loc, format!("`authorization_details` does not apply to {which}")).help = Some(
            "RFC 9396 sends them where scope goes: the authorize request of a sign-in, or the token request of the other grants".into(),
        );
    }
    if let Some(loc) = jar
        && s.request_object
    {
        if s.grant != Grant::AuthorizationCode || code_given {
            r.error(loc, format!("`request_object` does not apply to {which}")).help = Some(
                "RFC 9101 signs the parameters of an authorize request: only a headless or interactive authorization_code sign-in makes one".into(),
            );
        } else if s.private_key.is_none() {
            r.error(loc, "`request_object: signed` needs `private_key`")
                .help =
                Some("the client signs its request objects with its private key (PEM)".into());
        }
    }
}
