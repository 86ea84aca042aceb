//! The literal credentials of a curl command, moved out of the imported request: a `-u`
//! password, an `--oauth2-bearer` token, an `Authorization` header, a header or a form or
//! JSON field named like a secret, a cookie's value. Each becomes an `<<env.NAME>>`
//! reference to the process environment (as the Postman importer writes them), the same
//! NAME for the same value, and is named in the import's summary; `--keep-secrets` keeps
//! them as they are.

use super::names::env_var;
use super::yaml::Y;
use crate::secret::looks_secret;

/// A credential moved to the process environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The environment variable that now holds it.
    pub env: String,
    /// Where it was: `the -u password`, `the Authorization header`.
    pub what: String,
}

/// Moves literal credentials to `<<env.NAME>>` references, unless `keep`.
pub(crate) struct Mover {
    keep: bool,
    /// `(moved, value)`: a value met again gets the same NAME.
    moved: Vec<(Moved, String)>,
}

impl Mover {
    pub(crate) fn new(keep: bool) -> Mover {
        Mover {
            keep,
            moved: Vec::new(),
        }
    }

    /// What was moved, in the order met.
    pub(crate) fn into_moved(self) -> Vec<Moved> {
        self.moved.into_iter().map(|(m, _)| m).collect()
    }

    /// `converted` (the value as the request writes it) unless `literal` is a credential
    /// to move: then `<<env.NAME>>`, NAME from `hint`.
    pub(crate) fn take(
        &mut self,
        what: &str,
        hint: &str,
        literal: &str,
        converted: String,
    ) -> String {
        // A value with a variable in it (`{{token}}`, `<your-token>`) is not literal.
        if self.keep || literal.trim().is_empty() || converted.contains("<<") {
            return converted;
        }
        if let Some((m, _)) = self.moved.iter().find(|(_, v)| v == literal) {
            return format!("<<env.{}>>", m.env);
        }
        let base = env_var(hint);
        let mut env = base.clone();
        let mut i = 2;
        while self.moved.iter().any(|(m, _)| m.env == env) {
            env = format!("{base}_{i}");
            i += 1;
        }
        let reference = format!("<<env.{env}>>");
        self.moved.push((
            Moved {
                env,
                what: what.to_string(),
            },
            literal.to_string(),
        ));
        reference
    }

    /// A header's value: an `Authorization` credential after its scheme, the value of a
    /// header named like a secret, each cookie's value.
    pub(crate) fn header(&mut self, name: &str, literal: &str, converted: String) -> String {
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" || lower == "proxy-authorization" {
            let what = format!("the {name} header");
            return match (literal.split_once(' '), converted.split_once(' ')) {
                (Some((scheme, credential)), Some((_, conv))) => {
                    let hint = match scheme.to_ascii_lowercase().as_str() {
                        "bearer" => "token".to_string(),
                        "basic" => "basic_credentials".to_string(),
                        other => format!("{other}_credentials"),
                    };
                    let moved = self.take(&what, &hint, credential, conv.to_string());
                    format!("{scheme} {moved}")
                }
                _ => self.take(&what, &lower, literal, converted),
            };
        }
        if lower == "cookie" {
            let pairs: Vec<String> = converted
                .split(';')
                .zip(literal.split(';'))
                .map(
                    |(conv, lit)| match (conv.split_once('='), lit.split_once('=')) {
                        (Some((k, v)), Some((_, lit_v))) => {
                            let what = format!("the cookie `{}`", k.trim());
                            let hint = format!("cookie_{}", k.trim());
                            format!("{k}={}", self.take(&what, &hint, lit_v, v.to_string()))
                        }
                        _ => conv.to_string(),
                    },
                )
                .collect();
            return pairs.join(";");
        }
        if looks_secret(name) {
            return self.take(&format!("the {name} header"), name, literal, converted);
        }
        converted
    }

    /// The fields of a form or JSON body named like a secret (`client_secret`, `password`).
    pub(crate) fn body(&mut self, key: &str, value: &mut Y) {
        if !matches!(key, "form" | "json") {
            return;
        }
        let Y::Map(entries) = value else {
            return;
        };
        for e in entries {
            if let Y::Str(s) = &e.value
                && looks_secret(&e.key)
            {
                let what = format!("the {key} field `{}`", e.key);
                // The converted text is the literal unless it reads a variable.
                e.value = Y::Str(self.take(&what, &e.key, s, s.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_move_to_the_environment_once_per_value() {
        let mut m = Mover::new(false);
        let h = |m: &mut Mover, k: &str, v: &str| m.header(k, v, v.to_string());
        assert_eq!(
            h(&mut m, "Authorization", "Bearer abc"),
            "Bearer <<env.TOKEN>>"
        );
        assert_eq!(h(&mut m, "X-Api-Key", "abc"), "<<env.TOKEN>>");
        assert_eq!(h(&mut m, "X-Api-Key", "k2"), "<<env.X_API_KEY>>");
        assert_eq!(
            h(&mut m, "Cookie", "sid=s1; theme=dark"),
            "sid=<<env.COOKIE_SID>>; theme=<<env.COOKIE_THEME>>"
        );
        assert_eq!(h(&mut m, "Accept", "text/html"), "text/html");
        assert_eq!(
            m.header("Authorization", "Bearer {{t}}", "Bearer <<t>>".into()),
            "Bearer <<t>>"
        );
        assert_eq!(
            m.take("the -u password", "password", "pw", "pw".into()),
            "<<env.PASSWORD>>"
        );
        let moved = m.into_moved();
        assert_eq!(moved.len(), 5);
        assert_eq!(moved[0].what, "the Authorization header");
        let mut keep = Mover::new(true);
        assert_eq!(
            keep.header("Authorization", "Bearer abc", "Bearer abc".into()),
            "Bearer abc"
        );
        assert!(keep.into_moved().is_empty());
    }
}
