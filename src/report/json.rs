//! JSON: the whole run as one document (`--json FILE`, see `doc.rs` for its shape), or the
//! events as they happen, one JSON object per line with a `type` field (`--json -`).
//!
//! The NDJSON lines, in order:
//! `run_started {files, requests, started_at}`, `file_started {file, name, requests}`,
//! `request_started {file, index, name}`, `notice {file, message}`,
//! `request_finished {file, index, …a request of the document}`,
//! `file_finished {file, counts, duration_ms}`, `run_finished {counts, duration_ms, exit_code}`.

use super::doc::{CountsDoc, RequestDoc, RunDoc, millis, now_rfc3339};
use crate::event::{Counts, Event, Reporter};
use serde_json::{Value, json};
use std::io::Write;
use std::time::Instant;

/// The document, pretty-printed, with a final newline.
pub(crate) fn document(doc: &RunDoc) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(doc).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Streams events as NDJSON.
pub(crate) struct Ndjson {
    out: Box<dyn Write + Send>,
    run_start: Instant,
    request_start: Instant,
}

impl Ndjson {
    pub(crate) fn new(out: Box<dyn Write + Send>) -> Ndjson {
        let now = Instant::now();
        Ndjson {
            out,
            run_start: now,
            request_start: now,
        }
    }

    fn emit(&mut self, value: &Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

fn counts(c: &Counts) -> CountsDoc {
    CountsDoc {
        passed: c.passed,
        failed: c.failed,
        errors: c.errors + c.input_errors,
        skipped: c.skipped,
    }
}

/// One event as one JSON object.
pub(crate) fn event_json(event: &Event, run_start: Instant, request_start: Instant) -> Value {
    match event {
        Event::RunStarted { files, requests } => json!({
            "type": "run_started",
            "files": files,
            "requests": requests,
            "started_at": now_rfc3339(),
        }),
        Event::FileStarted {
            file,
            name,
            requests,
            iteration,
            needed,
        } => {
            let mut v = json!({"type": "file_started", "file": file, "name": name, "requests": requests, "iteration": iteration.map(|(n, _)| n)});
            if *needed {
                v["needed"] = json!(true);
            }
            v
        }
        Event::RequestStarted { file, index, name } => {
            json!({"type": "request_started", "file": file, "index": index, "name": name})
        }
        Event::Notice { file, message } => {
            json!({"type": "notice", "file": file, "message": message})
        }
        Event::RequestFinished(r) => {
            let started = millis(request_start.duration_since(run_start));
            let doc = RequestDoc::from_report(r, started);
            let mut head = serde_json::Map::new();
            head.insert("type".into(), "request_finished".into());
            head.insert("file".into(), r.file.clone().into());
            head.insert("index".into(), r.index.into());
            if let Ok(Value::Object(fields)) = serde_json::to_value(&doc) {
                head.extend(fields);
            }
            Value::Object(head)
        }
        Event::FileFinished {
            file,
            counts: c,
            duration,
        } => json!({
            "type": "file_finished",
            "file": file,
            "counts": counts(c),
            "duration_ms": millis(*duration),
        }),
        Event::RunFinished {
            counts: c,
            duration,
        } => json!({
            "type": "run_finished",
            "counts": counts(c),
            "duration_ms": millis(*duration),
            "exit_code": c.exit_code(),
        }),
    }
}

impl Reporter for Ndjson {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted { .. } => self.run_start = Instant::now(),
            Event::RequestStarted { .. } => self.request_start = Instant::now(),
            _ => {}
        }
        let value = event_json(event, self.run_start, self.request_start);
        self.emit(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Counts;
    use std::time::Duration;

    #[test]
    fn run_finished_carries_the_exit_code_and_merged_error_counts() {
        let c = Counts {
            passed: 1,
            errors: 1,
            input_errors: 1,
            ..Counts::default()
        };
        let now = Instant::now();
        let v = event_json(
            &Event::RunFinished {
                counts: c,
                duration: Duration::from_millis(1500),
            },
            now,
            now,
        );
        assert_eq!(v["type"], "run_finished");
        assert_eq!(v["counts"]["errors"], 2);
        assert_eq!(v["exit_code"], 2);
        assert_eq!(v["duration_ms"], 1500);
    }
}
