//! The probe's checks: collections in baton's own format, compiled into the binary, one per
//! group, and what each request's tags say of it (MUST or SHOULD, the rule it follows, what
//! it needs of the provider, the OpenID certification modules it stands for).

/// Every group, in the order they run: what needs no client first.
pub(crate) const GROUPS: &[(&str, &str)] = &[
    ("discovery", include_str!("checks/discovery.yaml")),
    ("jwks", include_str!("checks/jwks.yaml")),
    ("errors", include_str!("checks/errors.yaml")),
    ("userinfo", include_str!("checks/resource.yaml")),
    ("revocation", include_str!("checks/revocation.yaml")),
    ("client", include_str!("checks/client.yaml")),
    ("sign-in", include_str!("checks/user.yaml")),
];

/// The text of a group, for `baton probe --print GROUP`.
pub(crate) fn text(group: &str) -> Option<&'static str> {
    GROUPS.iter().find(|(g, _)| *g == group).map(|(_, t)| *t)
}

/// The names of the groups, for messages.
pub(crate) fn names() -> String {
    GROUPS
        .iter()
        .map(|(g, _)| *g)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A group's text for this client: lines marked `# probe:secret` are for a client with a
/// secret, `# probe:public` for one without, and `# probe:client_auth` (a secret client's
/// `client_auth: basic`) take the method the probe was given.
pub(crate) fn for_client(text: &str, has_secret: bool, client_auth: &str) -> String {
    text.lines()
        .filter_map(|l| {
            let line = l.trim_end();
            let secret = line.ends_with("# probe:secret") || line.ends_with("# probe:client_auth");
            let public = line.ends_with("# probe:public");
            if secret && !has_secret || public && has_secret {
                return None;
            }
            if line.ends_with("# probe:client_auth") {
                return Some(l.replacen(
                    "client_auth: basic",
                    &format!("client_auth: {client_auth}"),
                    1,
                ));
            }
            Some(l.to_string())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How much a check weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum Level {
    /// Fails the probe.
    Must,
    /// A warning.
    Should,
}

/// What the tags of a request say. A request without `must` or `should` is a step of the
/// check that follows it (`probe:part`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Meta {
    pub level: Option<Level>,
    pub rule: String,
    /// `if:` facts of the provider and of the probe's options the check needs.
    pub conditions: Vec<String>,
    /// `needs:` values an earlier request may not have obtained (a refresh token).
    pub needs: Vec<String>,
    /// `na-on:` error codes that say the check does not apply to this client.
    pub na_on: Vec<String>,
    /// The OpenID certification modules the check stands for.
    pub modules: Vec<String>,
}

impl Meta {
    pub(crate) fn of(tags: &[String]) -> Meta {
        let mut meta = Meta::default();
        for tag in tags {
            match tag.split_once(':') {
                _ if tag == "must" => meta.level = Some(Level::Must),
                _ if tag == "should" => meta.level = Some(Level::Should),
                Some(("rule", rule)) => meta.rule = rule.to_string(),
                Some(("if", what)) => meta.conditions.push(what.to_string()),
                Some(("needs", what)) => meta.needs.push(what.to_string()),
                Some(("na-on", code)) => meta.na_on.push(code.to_string()),
                _ if tag.starts_with("oidcc-") => meta.modules.push(tag.clone()),
                _ => {}
            }
        }
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::load::load_source;
    use crate::diag::SourceFile;
    use crate::template::Templates;

    /// Every group loads without a problem, for a client with and without a secret, and
    /// every check says MUST or SHOULD and the rule it follows.
    #[test]
    fn every_group_loads_and_every_check_cites_its_rule() {
        for (group, text) in GROUPS {
            for secret in [true, false] {
                let file = SourceFile::new(
                    format!("probe/{group}.yaml"),
                    for_client(text, secret, "client_secret_jwt"),
                );
                let mut problems = Vec::new();
                let c = load_source(&file, &mut Templates::new(), &mut problems);
                let shown: Vec<String> = problems.iter().map(|d| d.render(false)).collect();
                assert!(problems.is_empty(), "{group}: {shown:#?}");
                let c = c.expect("a collection");
                let mut last_is_check = false;
                for r in &c.requests {
                    let meta = Meta::of(&r.tags);
                    last_is_check = meta.level.is_some();
                    if meta.level.is_some() {
                        assert!(!meta.rule.is_empty(), "{group}: '{}' cites no rule", r.name);
                    } else {
                        assert!(r.tags.iter().any(|t| t == "probe:part"), "{}", r.name);
                    }
                }
                assert!(last_is_check, "{group} ends with a step of no check");
            }
        }
    }

    #[test]
    fn marked_lines_follow_the_client() {
        let text =
            "a\nb  # probe:secret\nc  # probe:public\n  client_auth: basic  # probe:client_auth\n";
        assert_eq!(
            for_client(text, true, "body"),
            "a\nb  # probe:secret\n  client_auth: body  # probe:client_auth"
        );
        assert_eq!(for_client(text, false, "body"), "a\nc  # probe:public");
        let meta = Meta::of(&[
            "must".into(),
            "rule:RFC 6749 section 5.2".into(),
            "if:secret".into(),
            "oidcc-codereuse".into(),
            "na-on:unauthorized_client".into(),
        ]);
        assert_eq!(meta.level, Some(Level::Must));
        assert_eq!(meta.rule, "RFC 6749 section 5.2");
        assert_eq!(meta.conditions, ["secret"]);
        assert_eq!(meta.modules, ["oidcc-codereuse"]);
        assert_eq!(meta.na_on, ["unauthorized_client"]);
    }
}
