//! What the importer knows of curl's options: which only change curl's output, which take a
//! value and are not imported, and the full table of curl's value-taking options, so that an
//! option the importer does not convert is left out together with its value (the value of
//! `--proxy-user u:p` must never become the URL).

/// Flags that take a value and only change what curl prints or how it connects.
pub(super) const QUIET_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-w",
    "--write-out",
    "--stderr",
    "--trace",
    "--trace-ascii",
    "-D",
    "--dump-header",
];

/// Flags without a value that only change what curl prints or how it connects.
pub(super) const QUIET: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-f",
    "--fail",
    "--fail-with-body",
    "--compressed",
    "--no-progress-meter",
    "-#",
    "--progress-bar",
    "-N",
    "--no-buffer",
    "-g",
    "--globoff",
    "--http1.1",
    "--http2",
    "-O",
    "--remote-name",
];

/// Short flags that take a value (the rest of the word, or the next word), as `curl --help
/// all` lists them (curl 8.x).
pub(super) const SHORT_WITH_VALUE: &str = "XHdFuAebowmxTEcKDUyYzCrtPQ";

/// Every long option of curl that takes a value (curl 8.x, `curl --help all`), whether the
/// importer converts it or not: an option of this table that the importer does not convert
/// is left out with its value. An option in none of the tables is unknown (newer than this
/// table, or a typo); see [`unknown_takes`] for how its value is told apart.
const LONG_WITH_VALUE: &[&str] = &[
    "--abstract-unix-socket",
    "--alt-svc",
    "--aws-sigv4",
    "--cacert",
    "--capath",
    "--cert",
    "--cert-type",
    "--ciphers",
    "--config",
    "--connect-timeout",
    "--connect-to",
    "--continue-at",
    "--cookie",
    "--cookie-jar",
    "--create-file-mode",
    "--crlfile",
    "--curves",
    "--data",
    "--data-ascii",
    "--data-binary",
    "--data-raw",
    "--data-urlencode",
    "--delegation",
    "--dns-interface",
    "--dns-ipv4-addr",
    "--dns-ipv6-addr",
    "--dns-servers",
    "--doh-url",
    "--dump-header",
    "--ech",
    "--egd-file",
    "--engine",
    "--etag-compare",
    "--etag-save",
    "--expect100-timeout",
    "--form",
    "--form-string",
    "--ftp-account",
    "--ftp-alternative-to-user",
    "--ftp-method",
    "--ftp-port",
    "--ftp-ssl-ccc-mode",
    "--happy-eyeballs-timeout-ms",
    "--haproxy-clientip",
    "--header",
    "--hostpubmd5",
    "--hostpubsha256",
    "--hsts",
    "--interface",
    "--ip-tos",
    "--ipfs-gateway",
    "--json",
    "--keepalive-cnt",
    "--keepalive-time",
    "--key",
    "--key-type",
    "--krb",
    "--libcurl",
    "--limit-rate",
    "--local-port",
    "--login-options",
    "--mail-auth",
    "--mail-from",
    "--mail-rcpt",
    "--max-filesize",
    "--max-redirs",
    "--max-time",
    "--netrc-file",
    "--noproxy",
    "--oauth2-bearer",
    "--output",
    "--output-dir",
    "--parallel-max",
    "--pass",
    "--pinnedpubkey",
    "--preproxy",
    "--proto",
    "--proto-default",
    "--proto-redir",
    "--proxy",
    "--proxy-cacert",
    "--proxy-capath",
    "--proxy-cert",
    "--proxy-cert-type",
    "--proxy-ciphers",
    "--proxy-crlfile",
    "--proxy-header",
    "--proxy-key",
    "--proxy-key-type",
    "--proxy-pass",
    "--proxy-pinnedpubkey",
    "--proxy-service-name",
    "--proxy-tls13-ciphers",
    "--proxy-tlsauthtype",
    "--proxy-tlspassword",
    "--proxy-tlsuser",
    "--proxy-user",
    "--proxy1.0",
    "--pubkey",
    "--quote",
    "--random-file",
    "--range",
    "--rate",
    "--referer",
    "--request",
    "--request-target",
    "--resolve",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--sasl-authzid",
    "--service-name",
    "--socks4",
    "--socks4a",
    "--socks5",
    "--socks5-gssapi-service",
    "--socks5-hostname",
    "--speed-limit",
    "--speed-time",
    "--stderr",
    "--telnet-option",
    "--tftp-blksize",
    "--time-cond",
    "--tls-max",
    "--tls13-ciphers",
    "--tlsauthtype",
    "--tlspassword",
    "--tlsuser",
    "--trace",
    "--trace-ascii",
    "--trace-config",
    "--unix-socket",
    "--upload-file",
    "--url",
    "--url-query",
    "--user",
    "--user-agent",
    "--variable",
    "--vlan-priority",
    "--write-out",
];

/// Whether `flag` (`--name` or `-c`) is one of curl's options that take a value.
pub(super) fn takes_value(flag: &str) -> bool {
    match flag.strip_prefix("--") {
        Some(_) => LONG_WITH_VALUE.contains(&flag),
        None => flag
            .strip_prefix('-')
            .and_then(|c| c.chars().next())
            .is_some_and(|c| SHORT_WITH_VALUE.contains(c)),
    }
}

/// Whether an option curl's tables do not list takes `next` as its value. The rule: it
/// does when `next` is a word that is neither an option (`-…`) nor a URL (`…://…`), unless
/// it is the last word while the command has no URL yet (`curl --new-flag example.com`:
/// curl accepts a URL without a scheme, and a command without a URL is useless). A bare
/// host after an unknown switch is then misread only when a URL follows it, and the warning
/// names both words.
pub(super) fn unknown_takes(next: Option<&str>, last: bool, have_url: bool) -> bool {
    match next {
        None => false,
        Some(w) if w.starts_with('-') || w.contains("://") => false,
        Some(_) => !last || have_url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_taking_options_are_known_long_and_short() {
        assert!(takes_value("--proxy-user"));
        assert!(takes_value("-U"));
        assert!(!takes_value("--compressed"));
        assert!(!takes_value("-L"));
        let mut sorted = LONG_WITH_VALUE.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, LONG_WITH_VALUE, "kept sorted, so a duplicate shows");
    }

    #[test]
    fn an_unknown_option_takes_a_plain_word_but_not_a_url_or_an_option() {
        assert!(unknown_takes(Some("x"), false, false));
        assert!(unknown_takes(Some("x"), true, true));
        assert!(!unknown_takes(Some("example.com"), true, false));
        assert!(!unknown_takes(Some("https://x"), false, false));
        assert!(!unknown_takes(Some("-L"), false, false));
        assert!(!unknown_takes(None, true, false));
    }
}
