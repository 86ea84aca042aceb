//! The filters and functions templates can call: encodings (`base64`, `urlencode`),
//! digests (`sha256`, PKCE's `sha256_base64url`), and run-time values (`uuid()`, `now()`,
//! `random()`), plus `jwt_claims` to read a token captured earlier and `cert_thumbprint` for
//! the `cnf` of a certificate-bound token. Each checks its input
//! and arguments and answers a wrong one with a template error (reported with its place,
//! exit 2), never a panic; a call whose arguments read no variable is evaluated when its
//! template is compiled (`calls`), so `baton check` finds it before anything is sent.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use minijinja::value::{Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Names templates can call as functions: they are not variables.
pub const FUNCTIONS: &[&str] = &["uuid", "now", "timestamp", "random", "cert_thumbprint"];

/// Names of the filters baton adds to minijinja's own.
pub const FILTERS: &[&str] = &[
    "base64",
    "base64url",
    "b64decode",
    "sha256",
    "sha256_base64url",
    "jwt_claims",
    "uuid",
    "now",
];

/// The most characters `random(n)` gives: a PKCE verifier is 43 to 128.
pub(crate) const RANDOM_MAX: i64 = 4096;

pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("base64", |v: Value, more: Rest<Value>| {
        Ok(STANDARD.encode(text("base64", &v, &more)?))
    });
    env.add_filter("base64url", |v: Value, more: Rest<Value>| {
        Ok(URL_SAFE_NO_PAD.encode(text("base64url", &v, &more)?))
    });
    env.add_filter("b64decode", |v: Value, more: Rest<Value>| {
        b64decode(&text("b64decode", &v, &more)?)
    });
    env.add_filter("sha256", |v: Value, more: Rest<Value>| {
        Ok(hex(&Sha256::digest(text("sha256", &v, &more)?)))
    });
    env.add_filter("sha256_base64url", |v: Value, more: Rest<Value>| {
        let input = text("sha256_base64url", &v, &more)?;
        Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(input)))
    });
    env.add_filter("jwt_claims", |v: Value, more: Rest<Value>| {
        jwt_claims(&text("jwt_claims", &v, &more)?)
    });
    env.add_function("uuid", |more: Rest<Value>| {
        arity("uuid()", 0, &more)?;
        Ok(uuid::Uuid::new_v4().to_string())
    });
    env.add_filter("uuid", |_: Value, more: Rest<Value>| {
        arity("the `uuid` filter", 0, &more)?;
        Ok(uuid::Uuid::new_v4().to_string())
    });
    env.add_function("now", |args: Rest<Value>| {
        arity("now(format)", 1, &args)?;
        now(args.first())
    });
    env.add_filter("now", |_: Value, args: Rest<Value>| {
        arity("the `now` filter", 1, &args)?;
        now(args.first())
    });
    env.add_function("timestamp", |more: Rest<Value>| {
        arity("timestamp()", 0, &more)?;
        Ok(chrono::Utc::now().timestamp())
    });
    env.add_function("random", |args: Rest<Value>| {
        arity("random(n)", 1, &args)?;
        random(args.first())
    });
    env.add_function("cert_thumbprint", |args: Rest<Value>| {
        arity("cert_thumbprint(path)", 1, &args)?;
        match args.first() {
            Some(v) if v.kind() == ValueKind::String => cert_thumbprint(&v.to_string()),
            other => Err(error(format!(
                "cert_thumbprint(path) takes the path of a PEM certificate, found {}",
                other.map_or_else(|| "nothing".to_string(), describe)
            ))),
        }
    });
}

std::thread_local! {
    /// The directory of the file whose template is being worked out: where the relative
    /// path of `cert_thumbprint('client.pem')` starts. Rendering is synchronous, so the
    /// thread's value is the template's for the whole of it.
    static BASE_DIR: std::cell::RefCell<Option<std::path::PathBuf>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (a render, or the check of a template's constant calls) with the directory of
/// `file` as the base of relative paths.
pub(crate) fn in_dir_of<T>(file: &std::path::Path, f: impl FnOnce() -> T) -> T {
    let dir = file.parent().map(std::path::Path::to_path_buf);
    let before = BASE_DIR.with(|d| d.replace(dir));
    let out = f();
    BASE_DIR.with(|d| *d.borrow_mut() = before);
    out
}

/// x5t#S256 (RFC 8705 3.1) of the first certificate of a PEM file, relative to the
/// collection: what `cnf` of a token bound to that certificate holds.
fn cert_thumbprint(path: &str) -> Result<String, Error> {
    let full = BASE_DIR.with(|d| match &*d.borrow() {
        Some(dir) => dir.join(path),
        None => std::path::PathBuf::from(path),
    });
    crate::http::client_cert::thumbprint_file(&full)
        .map_err(|e| error(format!("cert_thumbprint: {e}")))
}

/// A call with more arguments than `what` takes.
fn arity(what: &str, takes: usize, args: &[Value]) -> Result<(), Error> {
    if args.len() <= takes {
        return Ok(());
    }
    let takes = match takes {
        0 => "no arguments".to_string(),
        1 => "at most one argument".to_string(),
        n => format!("at most {n} arguments"),
    };
    Err(error(format!("{what} takes {takes}, found {}", args.len())))
}

fn error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// What a value is, for messages ("found a mapping").
fn describe(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => "nothing (undefined)".into(),
        ValueKind::None => "none".into(),
        ValueKind::Map => "a mapping".into(),
        ValueKind::Seq | ValueKind::Iterable => "a list".into(),
        ValueKind::Plain => "an object".into(),
        ValueKind::Invalid => "an invalid value".into(),
        ValueKind::Bytes => "bytes".into(),
        ValueKind::Bool => format!("the boolean {}", v.is_true()),
        ValueKind::Number => format!("the number {v}"),
        ValueKind::String => format!("the text {:?}", v.to_string()),
        _ => format!("{}", v.kind()),
    }
}

/// The text a filter encodes: a string, or a number or boolean as written, or an object
/// that renders as text (the placeholders of `baton export`). A list or a mapping would be
/// encoded as its debug form, which nobody means.
fn text(filter: &str, v: &Value, more: &[Value]) -> Result<String, Error> {
    arity(&format!("the `{filter}` filter"), 0, more)?;
    match v.kind() {
        ValueKind::String | ValueKind::Number | ValueKind::Bool | ValueKind::Plain => {
            Ok(v.to_string())
        }
        _ => Err(error(format!(
            "the `{filter}` filter takes text, found {}",
            describe(v)
        ))),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64decode(s: &str) -> Result<String, Error> {
    let trimmed = s.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed.replace('+', "-").replace('/', "_"))
        .map_err(|e| error(format!("b64decode: not base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| error("b64decode: the decoded bytes are not UTF-8 text"))
}

/// `now()` is RFC 3339 UTC; `now('%s')` or any strftime format otherwise.
fn now(format: Option<&Value>) -> Result<String, Error> {
    let t = chrono::Utc::now();
    // `now(none)` is `now()`, as an optional argument of minijinja's own functions.
    let Some(format) = format.filter(|f| !f.is_none()) else {
        return Ok(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    };
    let Some(format) = format.as_str() else {
        return Err(error(format!(
            "now(format): the format must be text such as '%Y-%m-%d' or '%s', found {}",
            describe(format)
        )));
    };
    let items = strftime(format)?;
    // chrono's `to_string` panics when an item cannot be formatted; `write!` says so.
    let mut out = String::new();
    std::fmt::Write::write_fmt(
        &mut out,
        format_args!("{}", t.format_with_items(items.iter())),
    )
    .map_err(|_| error(format!("now('{format}'): the date cannot be formatted so")))?;
    Ok(out)
}

/// The items of a strftime format, or an error naming the first specifier chrono does
/// not know.
fn strftime(format: &str) -> Result<Vec<chrono::format::Item<'_>>, Error> {
    use chrono::format::StrftimeItems;
    if let Ok(items) = StrftimeItems::new(format).parse() {
        return Ok(items);
    }
    static SPEC: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"%[-_0^#]?(?:\.?[0-9]|::?)?.?").expect("a valid regex")
    });
    let culprit = SPEC
        .find_iter(format)
        .map(|m| m.as_str())
        .find(|spec| StrftimeItems::new(spec).parse().is_err())
        .unwrap_or(format);
    Err(error(format!(
        "now('{format}'): `{culprit}` is not a strftime specifier \
         (e.g. %Y-%m-%dT%H:%M:%SZ, %s for Unix seconds; %% for a literal %)"
    )))
}

/// `random(n)`: n characters from the RFC 7636 unreserved set (a PKCE verifier is 43–128).
fn random(len: Option<&Value>) -> Result<String, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let len = match len.filter(|n| !n.is_none()) {
        None => 43,
        Some(v) => match i64::try_from(v.clone()) {
            Ok(n) if (1..=RANDOM_MAX).contains(&n) && v.kind() == ValueKind::Number => n,
            _ => {
                return Err(error(format!(
                    "random(n): n must be a whole number from 1 to {RANDOM_MAX}, found {}",
                    describe(v)
                )));
            }
        },
    };
    Ok((0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect())
}

/// The claims of a JWT, unverified (a capture or expectation checks signatures; this is
/// for reading `sub` or `exp` into the next request).
fn jwt_claims(token: &str) -> Result<Value, Error> {
    let claims = crate::jwt::decode_claims(token).map_err(|e| error(format!("jwt_claims: {e}")))?;
    Ok(crate::template::json_to_value(&claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> Result<String, String> {
        let mut env = Environment::new();
        register(&mut env);
        env.render_str(src, ()).map_err(|e| match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        })
    }

    #[test]
    fn encodings_and_digests() {
        assert_eq!(render("{{ 'a:b' | base64 }}").unwrap(), "YTpi");
        assert_eq!(render("{{ 'YTpi' | b64decode }}").unwrap(), "a:b");
        assert_eq!(render("{{ 42 | base64 }}").unwrap(), "NDI=");
        assert_eq!(
            render("{{ 'abc' | sha256 }}").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 7636 appendix B.
        assert_eq!(
            render("{{ 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' | sha256_base64url }}")
                .unwrap(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn runtime_values() {
        assert_eq!(render("{{ uuid() }}").unwrap().len(), 36);
        assert_eq!(render("{{ random(64) }}").unwrap().len(), 64);
        assert_eq!(render("{{ random() }}").unwrap().len(), 43);
        assert!(render("{{ now() }}").unwrap().ends_with('Z'));
        assert_eq!(render("{{ now('%Y') }}").unwrap().len(), 4);
        let year = render("{{ now('%Y') }}").unwrap();
        let custom = render("{{ 1 | now('%Y %% %-m %.3f') }}").unwrap();
        assert!(custom.starts_with(&format!("{year} % ")), "{custom}");
    }

    /// Every function and filter baton adds, given a wrong argument (of the wrong type, a
    /// bad format, out of range, one too many, a wrong input), answers with an error that
    /// names what is wrong; none panics.
    #[test]
    fn every_function_and_filter_refuses_a_wrong_argument_with_a_clear_error() {
        let cases: &[(&str, &str)] = &[
            ("{{ now('%Q') }}", "`%Q` is not a strftime specifier"),
            ("{{ now('%Y-%m-%') }}", "`%` is not a strftime specifier"),
            ("{{ now('%Y %!') }}", "`%!` is not a strftime specifier"),
            ("{{ now(5) }}", "the format must be text"),
            (
                "{{ now('%Y', 1) }}",
                "now(format) takes at most one argument, found 2",
            ),
            ("{{ 'x' | now('%Q') }}", "`%Q` is not a strftime specifier"),
            (
                "{{ 'x' | now([1]) }}",
                "the format must be text such as '%Y-%m-%d' or '%s', found a list",
            ),
            ("{{ random(0) }}", "from 1 to 4096, found the number 0"),
            ("{{ random(-3) }}", "from 1 to 4096, found the number -3"),
            ("{{ random(4097) }}", "from 1 to 4096"),
            ("{{ random(1e300) }}", "from 1 to 4096"),
            ("{{ random(2.5) }}", "from 1 to 4096, found the number 2.5"),
            ("{{ random('8') }}", "found the text \"8\""),
            ("{{ random(true) }}", "found the boolean true"),
            (
                "{{ random(1, 2) }}",
                "random(n) takes at most one argument, found 2",
            ),
            ("{{ uuid(1) }}", "uuid() takes no arguments, found 1"),
            (
                "{{ 'x' | uuid(1) }}",
                "the `uuid` filter takes no arguments, found 1",
            ),
            (
                "{{ timestamp('x') }}",
                "timestamp() takes no arguments, found 1",
            ),
            (
                "{{ {'a': 1} | base64 }}",
                "`base64` filter takes text, found a mapping",
            ),
            (
                "{{ [1] | base64url }}",
                "`base64url` filter takes text, found a list",
            ),
            (
                "{{ none | sha256 }}",
                "`sha256` filter takes text, found none",
            ),
            ("{{ {} | sha256_base64url }}", "takes text, found a mapping"),
            (
                "{{ 'x' | base64(1) }}",
                "the `base64` filter takes no arguments, found 1",
            ),
            ("{{ '%%%' | b64decode }}", "b64decode: not base64"),
            ("{{ '_w' | b64decode }}", "not UTF-8 text"),
            ("{{ [1] | b64decode }}", "`b64decode` filter takes text"),
            ("{{ 'a.b' | jwt_claims }}", "jwt_claims: not a JWT"),
            ("{{ 'a.!.c' | jwt_claims }}", "payload is not base64url"),
            ("{{ 5 | jwt_claims }}", "not a JWT"),
            ("{{ {} | jwt_claims }}", "`jwt_claims` filter takes text"),
            (
                "{{ cert_thumbprint('no/such/cert.pem') }}",
                "cert_thumbprint: cannot read no/such/cert.pem",
            ),
            (
                "{{ cert_thumbprint('Cargo.toml') }}",
                "cert_thumbprint: Cargo.toml: no PEM certificate found",
            ),
            (
                "{{ cert_thumbprint('a', 'b') }}",
                "cert_thumbprint(path) takes at most one argument, found 2",
            ),
            (
                "{{ cert_thumbprint() }}",
                "takes the path of a PEM certificate, found nothing",
            ),
            ("{{ cert_thumbprint(1) }}", "found the number 1"),
        ];
        let mut tried: Vec<&str> = Vec::new();
        for (template, expected) in cases {
            let got = std::panic::catch_unwind(|| render(template))
                .unwrap_or_else(|_| panic!("{template} panicked"));
            let err = got.expect_err(template);
            assert!(err.contains(expected), "{template}: {err}");
            tried.extend(FUNCTIONS.iter().chain(FILTERS).filter(|n| {
                template.contains(&format!("{n}(")) || template.contains(&format!("| {n}"))
            }));
        }
        for name in FUNCTIONS.iter().chain(FILTERS) {
            assert!(
                tried.contains(name),
                "{name} is never given a wrong argument"
            );
        }
    }

    /// The scanner and the evaluation of literal calls never panic, whatever the text:
    /// pieces of template syntax put together at random (a small fuzzer that runs with the
    /// tests; `fuzz/` has the real one).
    #[test]
    fn literal_calls_of_any_text_never_panic() {
        const PIECES: &[&str] = &[
            "<<",
            ">>",
            "<%",
            "%>",
            "<#",
            "#>",
            "'",
            "\"",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "|",
            ".",
            ",",
            " ",
            "\\",
            "now",
            "random",
            "uuid",
            "timestamp",
            "jwt_claims",
            "b64decode",
            "%Q",
            "%",
            "%Y",
            "0",
            "-1",
            "4097",
            "1e999",
            "é",
            "raw",
            "endraw",
            "x",
            "~",
            "none",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let file = crate::diag::SourceFile::new("fuzz.yaml", "");
        let mut templates = crate::template::Templates::new();
        let scope = crate::template::Scope::default();
        let (mut errors, mut rendered) = (0, 0);
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let mut pick = || PIECES[(next() % PIECES.len() as u64) as usize];
            let noise: String = (0..len).map(|_| pick()).collect();
            // Half the texts are calls, with arguments from the same pieces.
            let text = if len.is_multiple_of(2) {
                let (f, a, b) = (pick(), pick(), pick());
                format!("<<x | {f}('{a}', {b})>><<{f}({a}{b})>>{noise}")
            } else {
                noise
            };
            // Compiled (which evaluates the calls that read no variable, as `check` does)
            // and rendered: the functions with these arguments must answer, never panic.
            match templates.compile(&text, crate::diag::Loc::default(), &file) {
                Ok(tpl) => rendered += usize::from(templates.render(&tpl, &scope).is_ok()),
                Err(_) => errors += 1,
            }
        }
        assert!(
            errors > 100 && rendered > 100,
            "{errors} errors, {rendered} rendered"
        );
    }
}
