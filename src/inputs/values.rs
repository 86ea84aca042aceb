//! The values of command-line options, from their text: time limits, `--jobs`, sizes,
//! `--shard K/N`, `--var NAME=VALUE`. Plain functions, so that the command line (clap's
//! value parsers in `cli`) and any other caller refuse the same texts with the same words.

use crate::diag::Diagnostic;
use std::time::Duration;

/// A time limit (`--timeout`, `--max-time`): `30s`, `500ms`, `2m`, `1.5s`; a bare number is
/// seconds. Zero is refused rather than read as "no limit": every request would time out at
/// once (or, read the other way, a hung server would hold CI forever), and both are more
/// likely a slip than a wish. The message follows clap's "invalid value 'X' for '--flag'".
pub(crate) fn limit(text: &str) -> Result<Duration, String> {
    match crate::yaml::read::parse_duration(text) {
        Some(d) if d.is_zero() => {
            Err("must be more than 0; for no practical limit give a long one, such as 1h".into())
        }
        Some(d) => Ok(d),
        None => Err("expected a duration such as 30s, 500ms or 2m (at most a year)".into()),
    }
}

/// `--jobs N`: how many files run at once; 0 would run nothing, so it is refused.
pub(crate) fn jobs(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1 (1 runs the files one after another)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a number of files to run at once, such as 4".into()),
    }
}

/// `64M`, `512K`, `1G`, `1048576` (a trailing `B` allowed).
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

/// `--max-body SIZE`. The messages from here on name the option and the text given, as
/// baton's other input errors do (the tests pin them).
pub(crate) fn max_body(text: &str) -> Result<u64, Diagnostic> {
    parse_size(text).ok_or_else(|| {
        Diagnostic::error(format!(
            "--max-body `{text}`: expected a size such as 64M, 512K or 1048576"
        ))
    })
}

/// `--shard K/N`: run the K-th (1-based) of N parts of the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

/// `K/N` with 1 <= K <= N.
pub(crate) fn shard(text: &str) -> Result<Shard, Diagnostic> {
    let parsed = text.split_once('/').and_then(|(k, n)| {
        let (k, n) = (k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?);
        (n >= 1 && (1..=n).contains(&k)).then_some(Shard { k, n })
    });
    parsed.ok_or_else(|| {
        Diagnostic::error(format!(
            "--shard `{text}`: expected K/N with 1 <= K <= N, e.g. 2/4"
        ))
    })
}

/// `--var NAME=VALUE`: the name trimmed, the value as given (it may hold `=` and spaces).
pub(crate) fn var(text: &str) -> Result<(String, String), Diagnostic> {
    match text.split_once('=') {
        Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
        _ => Err(
            Diagnostic::error(format!("--var `{text}`: expected NAME=VALUE"))
                .help("e.g. --var Scope=\"api offline_access\""),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_zero_and_nonsense() {
        assert_eq!(limit("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(limit("2"), Ok(Duration::from_secs(2)));
        assert!(limit("0").unwrap_err().contains("more than 0"));
        assert!(limit("0ms").unwrap_err().contains("more than 0"));
        assert!(
            limit("forever")
                .unwrap_err()
                .contains("expected a duration")
        );
        assert_eq!(jobs("3"), Ok(3));
        assert!(jobs("0").unwrap_err().contains("at least 1"));
        assert!(jobs("-1").unwrap_err().contains("expected a number"));
    }

    #[test]
    fn sizes_shards_and_vars() {
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("512kb"), Some(512 << 10));
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("lots"), None);
        assert!(
            max_body("lots")
                .unwrap_err()
                .message
                .contains("--max-body `lots`")
        );
        assert_eq!(shard("2/4").unwrap(), Shard { k: 2, n: 4 });
        assert!(shard("3/2").is_err() && shard("0/2").is_err() && shard("1/0").is_err());
        assert_eq!(var(" a =b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(var("novalue").is_err() && var("=x").is_err());
    }
}
