//! `baton report merge`: shard reports (the `--json FILE` documents of a CI matrix) joined
//! into one run, with its counts and exit code recomputed from the requests.

use super::doc::{RunDoc, VERSION, now_rfc3339, tally};
use chrono::{DateTime, FixedOffset, TimeDelta};
use std::path::Path;

/// Reads one shard report; the error says which file and what is wrong with it.
pub(crate) fn read(path: &Path, shown: &str) -> Result<RunDoc, String> {
    let text = crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT)
        .map_err(|e| format!("{shown}: cannot read: {}", crate::fsutil::io_reason(&e)))?;
    parse(&text).map_err(|e| format!("{shown}: {e}"))
}

/// Parses one shard report.
pub(crate) fn parse(text: &str) -> Result<RunDoc, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!("not JSON ({e}); expected a report written by `baton run --json FILE`")
    })?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "report version {v}, this baton reads version {VERSION}"
            ));
        }
        None => {
            return Err(
                "not a baton report (no `version`); expected a report written by `baton run --json FILE`"
                    .into(),
            );
        }
    }
    serde_json::from_value(value).map_err(|e| format!("not a baton report: {e}"))
}

/// One run made of `shards`, in the order given. The run starts with the earliest shard
/// and ends with the latest; the exit code is the worst of the requests' and the shards'
/// (invalid input, then a request not made, then a failed expectation).
pub(crate) fn merge(shards: Vec<RunDoc>) -> RunDoc {
    let starts: Vec<Option<DateTime<FixedOffset>>> = shards
        .iter()
        .map(|s| DateTime::parse_from_rfc3339(&s.started_at).ok())
        .collect();
    let start = starts.iter().flatten().min().copied();
    let end = shards
        .iter()
        .zip(&starts)
        .filter_map(|(s, t)| {
            let ms = i64::try_from(s.duration_ms).ok()?;
            Some((*t)? + TimeDelta::try_milliseconds(ms)?)
        })
        .max();
    let duration_ms = match (start, end) {
        (Some(s), Some(e)) => u64::try_from((e - s).num_milliseconds()).unwrap_or(0),
        _ => shards.iter().map(|s| s.duration_ms).max().unwrap_or(0),
    };
    let shard_code = shards
        .iter()
        .map(|s| s.exit_code)
        .fold(crate::exit::OK, crate::exit::worst);
    let mut files: Vec<super::doc::FileDoc> = Vec::new();
    for s in shards {
        for f in s.files {
            // A needed file runs in every shard that runs a dependent of it: the same run
            // of the same file, counted once (the first shard's).
            let again = files
                .iter_mut()
                .find(|g| (g.needed || f.needed) && g.file == f.file && g.iteration == f.iteration);
            match again {
                Some(g) => g.needed |= f.needed,
                None => files.push(f),
            }
        }
    }
    let (counts, code) = tally(&files);
    RunDoc {
        version: VERSION,
        baton: env!("CARGO_PKG_VERSION").to_string(),
        started_at: start.map_or_else(now_rfc3339, |s| {
            s.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
        }),
        duration_ms,
        counts,
        exit_code: crate::exit::worst(code, shard_code),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(start: &str, ms: u64, code: i32, outcome: &str) -> String {
        format!(
            r#"{{"version":1,"started_at":"{start}","duration_ms":{ms},"counts":{{"passed":0,"failed":0,"errors":0,"skipped":0}},"exit_code":{code},
            "files":[{{"file":"a.yaml","name":"A","duration_ms":{ms},"requests":[
              {{"name":"r","method":"GET","url":"http://x","status":200,"outcome":"{outcome}","duration_ms":1}}]}}]}}"#
        )
    }

    #[test]
    fn recounts_and_spans_the_shards() {
        let a = parse(&shard("2026-01-01T00:00:00.000+00:00", 1000, 0, "passed")).unwrap();
        let b = parse(&shard("2026-01-01T00:00:00.500+00:00", 2000, 1, "failed")).unwrap();
        let m = merge(vec![a, b]);
        assert_eq!((m.counts.passed, m.counts.failed), (1, 1));
        assert_eq!(m.exit_code, 1);
        assert_eq!(m.duration_ms, 2500);
        assert_eq!(m.files.len(), 2);
    }

    /// A needed file (a login) run by two shards is one run of it in the merge; files not
    /// marked needed are all kept.
    #[test]
    fn a_needed_file_two_shards_ran_counts_once() {
        let with = |file: &str, needed: bool| {
            let mut doc = parse(&shard("2026-01-01T00:00:00.000+00:00", 10, 0, "passed")).unwrap();
            doc.files[0].file = file.into();
            doc.files[0].needed = needed;
            doc
        };
        let m = merge(vec![
            with("login.yaml", true),
            with("a.yaml", false),
            with("login.yaml", false),
            with("login.yaml", true),
            with("b.yaml", false),
        ]);
        let files: Vec<&str> = m.files.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(files, ["login.yaml", "a.yaml", "b.yaml"]);
        assert_eq!(m.counts.passed, 3);
    }

    #[test]
    fn refuses_what_is_not_a_report() {
        assert!(parse("[1,2]").unwrap_err().contains("not a baton report"));
        assert!(parse("{").unwrap_err().contains("not JSON"));
        assert!(
            parse(r#"{"version":9}"#)
                .unwrap_err()
                .contains("report version 9")
        );
        assert!(
            parse(r#"{"version":1,"files":[]}"#)
                .unwrap_err()
                .contains("missing field")
        );
    }
}
