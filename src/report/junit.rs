//! JUnit XML (`--junit FILE`) with quick-junit, from the run's document: a `<testsuite>` per
//! collection file, a `<testcase>` per request (classname: the file, name: the request).
//! Failed expectations or captures are `<failure>`, a request that could not be made or
//! rendered is `<error>`, a skipped one `<skipped>`. Jenkins and GitLab read this shape.

use super::doc::{OutcomeKind, RequestDoc, RunDoc};
use chrono::{DateTime, FixedOffset};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The report as XML, or why quick-junit could not write it.
pub(crate) fn render(doc: &RunDoc) -> Result<Vec<u8>, String> {
    let mut report = Report::new("baton");
    if let Some(t) = timestamp(&doc.started_at) {
        report.set_timestamp(t);
    }
    report.set_time(ms(doc.duration_ms));
    for f in &doc.files {
        let suite_name = match f.iteration {
            Some(n) => format!("{} [iteration {n}]", f.file),
            None => f.file.clone(),
        };
        let mut suite = TestSuite::new(suite_name.as_str());
        if let Some(t) = timestamp(&f.started_at) {
            suite.set_timestamp(t);
        }
        suite.set_time(ms(f.duration_ms));
        suite.add_property(("collection", f.name.as_str()));
        for r in &f.requests {
            suite.add_test_case(case(&f.file, r));
        }
        report.add_test_suite(suite);
    }
    let mut out = Vec::new();
    report.serialize(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn case(file: &str, r: &RequestDoc) -> TestCase {
    let status = match r.outcome {
        OutcomeKind::Passed => TestCaseStatus::success(),
        OutcomeKind::Failed => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let message = match r.failures.as_slice() {
                [one] => one.message.clone(),
                many => format!("{} expectations or captures failed", many.len()),
            };
            s.set_message(message)
                .set_type("expectation")
                .set_description(description(r));
            s
        }
        OutcomeKind::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            if let Some(first) = r.failures.first() {
                s.set_message(first.message.as_str());
            }
            s.set_type(r.error_kind.as_deref().unwrap_or("error"))
                .set_description(description(r));
            s
        }
        OutcomeKind::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.reason.as_deref().unwrap_or("skipped"));
            s
        }
    };
    let mut case = TestCase::new(r.name.as_str(), status);
    case.set_classname(file).set_time(ms(r.duration_ms));
    if !r.captures.is_empty() {
        let lines: Vec<String> = r
            .captures
            .iter()
            .map(|(k, v)| format!("captured {k} = {}", v.as_str().unwrap_or(&v.to_string())))
            .collect();
        case.set_system_out(lines.join("\n"));
    }
    case
}

/// The diagnostics as the console prints them (no colour), then each exchange.
fn description(r: &RequestDoc) -> String {
    let mut text = format!("{} {}\n\n", r.method, r.url);
    for f in &r.failures {
        text.push_str(f.text.trim_end());
        text.push_str("\n\n");
    }
    for (i, x) in r.exchange.iter().enumerate() {
        if r.exchange.len() > 1 {
            text.push_str(&format!("--- exchange {} of {}\n", i + 1, r.exchange.len()));
        }
        text.push_str(&format!(
            "request:\n{}\nresponse:\n{}\nreproduce: {}\n\n",
            x.request.trim_end(),
            x.response.trim_end(),
            x.curl
        ));
    }
    text.trim_end().to_string()
}

fn timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{CountsDoc, FailureDoc, FileDoc};

    fn request(name: &str, outcome: OutcomeKind) -> RequestDoc {
        RequestDoc {
            name: name.into(),
            method: "GET".into(),
            url: "http://x/".into(),
            line: 3,
            status: Some(500),
            outcome,
            error_kind: None,
            reason: None,
            started_ms: 0,
            duration_ms: 1234,
            failures: vec![FailureDoc {
                message: "expectation failed: status".into(),
                location: Some("a.yaml:4:7".into()),
                expected: Some("200".into()),
                actual: Some("500".into()),
                text: "error: expectation failed: status <&>".into(),
            }],
            captures: serde_json::Map::default(),
            exchange: Vec::new(),
        }
    }

    #[test]
    fn failures_are_escaped_and_counted_per_suite() {
        let doc = RunDoc {
            version: 1,
            baton: String::new(),
            started_at: "2026-01-02T03:04:05.000+00:00".into(),
            duration_ms: 2000,
            counts: CountsDoc::default(),
            exit_code: 1,
            files: vec![FileDoc {
                needed: false,
                file: "a.yaml".into(),
                name: "A".into(),
                iteration: None,
                started_at: String::new(),
                duration_ms: 1500,
                requests: vec![
                    request("ok", OutcomeKind::Passed),
                    request("bad", OutcomeKind::Failed),
                ],
            }],
        };
        let xml = String::from_utf8(render(&doc).unwrap()).unwrap();
        assert!(xml.contains(r#"tests="2""#), "{xml}");
        assert!(xml.contains(r#"failures="1""#), "{xml}");
        assert!(xml.contains(r#"time="1.234""#), "{xml}");
        assert!(xml.contains("status &lt;&amp;&gt;"), "{xml}");
        assert!(xml.contains(r#"classname="a.yaml""#), "{xml}");
    }
}
