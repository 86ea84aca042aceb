//! A request as a curl command line. Two callers write one: `-v`'s `reproduce:` line (a
//! request as it was sent, on one line, every word quoted) and `export --as curl` (a
//! snippet as the guides write it, one option per line, words quoted only where the shell
//! needs it). They describe the request as a [`Command`] and choose a [`Style`]; the words,
//! their order and their quoting are decided here alone, so the two cannot drift apart.

/// What the command line says: the request, already rendered and redacted by the caller.
#[derive(Debug, Clone, Default)]
pub(crate) struct Command {
    pub method: String,
    pub url: String,
    /// `-L`: curl follows redirects itself.
    pub follow_redirects: bool,
    /// `-H 'name: value'`, in order.
    pub headers: Vec<(String, String)>,
    /// `-u user:password`.
    pub user: Option<String>,
    /// The body options, in order: `-d a=b`, `--data-raw`, `--data-binary @file`, `-F`.
    pub data: Vec<(Data, String)>,
    /// `-k` or `--cacert FILE`: how the server's certificate was trusted, when not by the
    /// system's roots alone.
    pub trust: Option<Trust>,
    /// `--cert`/`--key`: the client certificate presented (mTLS), last.
    pub cert: Option<CertFlags>,
}

/// How a server's certificate is trusted beyond the system's roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// `--insecure`: any certificate.
    Insecure,
    /// `--cacert FILE`: the certificates of that file too.
    CaFile(String),
}

/// A client certificate by the paths the user gave (never its content): a PEM with its key
/// beside it or in it, or a PKCS#12 file whose password is in an environment variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CertFlags {
    pub cert: String,
    pub key: Option<String>,
    /// The environment variable holding a PKCS#12 file's password.
    pub password_env: Option<String>,
}

/// How a body is given to curl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Data {
    /// `-d`: a form or JSON text (curl strips newlines, which neither has).
    Ascii,
    /// `--data-raw`: the text as is (no `@file` reading).
    Raw,
    /// `--data-binary`: `@path`, a file sent byte for byte.
    Binary,
    /// `-F`: one multipart field.
    Field,
    /// `--data-urlencode name=value`: a form field whose value is only known when the
    /// command runs (a variable of an exported script), encoded by curl.
    Urlencode,
}

impl Data {
    fn flag(self) -> &'static str {
        match self {
            Data::Ascii => "-d",
            Data::Raw => "--data-raw",
            Data::Binary => "--data-binary",
            Data::Field => "-F",
            Data::Urlencode => "--data-urlencode",
        }
    }
}

/// When the method is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Only when curl would not infer it (GET without a body, POST with one): `-v` shows the
    /// shortest line that sends the same request.
    WhenNotInferred,
    /// For every method but GET, HEAD as `--head`: a snippet says what it does.
    UnlessGet,
}

/// How the command line is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub method: Method,
    /// How a word is quoted: every word in single quotes (`-v`: the line is copied as is,
    /// whatever it holds), only the words the shell would otherwise split or expand (snippets
    /// read better), or, in an exported script, with its variables expanded.
    pub word: fn(&str) -> String,
    /// Between the options after the URL: `" "` for one line, `" \\\n  "` for one per line.
    pub separator: &'static str,
}

/// `-v`'s `reproduce:` line.
pub(crate) const ONE_LINE: Style = Style {
    method: Method::WhenNotInferred,
    word: single_quoted,
    separator: " ",
};

/// `export --as curl`.
pub(crate) const SNIPPET: Style = Style {
    method: Method::UnlessGet,
    word: quote,
    separator: " \\\n  ",
};

/// The command line of `c` in `style`: `curl [method] URL` first, then the options.
pub(crate) fn render(c: &Command, style: &Style) -> String {
    let q = style.word;
    let mut first = String::from("curl");
    match style.method {
        Method::WhenNotInferred => {
            let inferred = if c.data.is_empty() { "GET" } else { "POST" };
            if c.method != inferred {
                first.push_str(&format!(" -X {}", c.method));
            }
        }
        Method::UnlessGet => match c.method.as_str() {
            "GET" => {}
            "HEAD" => first.push_str(" --head"),
            m => first.push_str(&format!(" -X {m}")),
        },
    }
    first.push(' ');
    first.push_str(&q(&c.url));
    let mut words = vec![first];
    if c.follow_redirects {
        words.push("-L".into());
    }
    for (k, v) in &c.headers {
        words.push(format!("-H {}", q(&format!("{k}: {v}"))));
    }
    if let Some(user) = &c.user {
        words.push(format!("-u {}", q(user)));
    }
    for (kind, value) in &c.data {
        words.push(format!("{} {}", kind.flag(), q(value)));
    }
    match &c.trust {
        Some(Trust::Insecure) => words.push("-k".into()),
        Some(Trust::CaFile(path)) => words.push(format!("--cacert {}", q(path))),
        None => {}
    }
    if let Some(cert) = &c.cert {
        if let Some(var) = &cert.password_env {
            // curl reads a PKCS#12 password after the file's name: from the shell, here.
            words.push("--cert-type P12".into());
            words.push(format!("--cert {}:\"${var}\"", q(&cert.cert)));
        } else {
            words.push(format!("--cert {}", q(&cert.cert)));
            words.extend(cert.key.iter().map(|k| format!("--key {}", q(k))));
        }
    }
    words.join(style.separator)
}

/// A word for a POSIX shell: bare when safe, else in single quotes.
pub(crate) fn quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if safe {
        s.to_string()
    } else {
        single_quoted(s)
    }
}

/// A word in single quotes, whatever it holds (`'` as `'\''`).
pub(crate) fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> Command {
        Command {
            method: "POST".into(),
            url: "http://x/a?b=c d".into(),
            follow_redirects: true,
            headers: vec![("Accept".into(), "it's".into())],
            user: Some("id:secret".into()),
            data: vec![(Data::Ascii, "a=1".into())],
            trust: None,
            cert: None,
        }
    }

    #[test]
    fn trust_then_the_client_certificate_come_last() {
        let pem = Command {
            url: "https://x/".into(),
            method: "GET".into(),
            trust: Some(Trust::CaFile("ca.pem".into())),
            cert: Some(CertFlags {
                cert: "my client.pem".into(),
                key: Some("client.key".into()),
                password_env: None,
            }),
            ..Command::default()
        };
        assert_eq!(
            render(&pem, &SNIPPET),
            "curl https://x/ \\\n  --cacert ca.pem \\\n  --cert 'my client.pem' \\\n  --key client.key"
        );
        let p12 = Command {
            cert: Some(CertFlags {
                cert: "client.p12".into(),
                key: None,
                password_env: Some("P12_PASSWORD".into()),
            }),
            trust: Some(Trust::Insecure),
            ..pem
        };
        assert_eq!(
            render(&p12, &ONE_LINE),
            "curl 'https://x/' -k --cert-type P12 --cert 'client.p12':\"$P12_PASSWORD\""
        );
    }

    #[test]
    fn one_line_quotes_every_word_and_infers_post() {
        assert_eq!(
            render(&post(), &ONE_LINE),
            "curl 'http://x/a?b=c d' -L -H 'Accept: it'\\''s' -u 'id:secret' -d 'a=1'"
        );
    }

    #[test]
    fn a_snippet_names_the_method_and_quotes_only_what_needs_it() {
        assert_eq!(
            render(&post(), &SNIPPET),
            "curl -X POST 'http://x/a?b=c d' \\\n  -L \\\n  -H 'Accept: it'\\''s' \\\n  -u id:secret \\\n  -d a=1"
        );
        let head = Command {
            method: "HEAD".into(),
            url: "http://x/".into(),
            ..Command::default()
        };
        assert_eq!(render(&head, &SNIPPET), "curl --head http://x/");
        assert_eq!(render(&head, &ONE_LINE), "curl -X HEAD 'http://x/'");
    }
}
