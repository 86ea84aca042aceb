//! The probe's report card: one row per check (group, check, MUST or SHOULD, the rule,
//! the result and a one-line reason), printed as a table and written as JSON, JUnit and
//! HTML. What decides a row's result from the requests that made it is here too.

use super::groups::{Level, Meta};
use crate::event::{ErrorKind, Outcome, RequestReport};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    Passed,
    Failed,
    /// A SHOULD that does not hold.
    Warning,
    /// The provider or the options do not offer what the check needs.
    NotApplicable,
    /// An earlier step failed, so the check could not run.
    NotRun,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Row {
    pub group: String,
    pub check: String,
    pub level: Level,
    pub rule: String,
    pub verdict: Verdict,
    /// Why, in one line (empty when it passed).
    pub reason: String,
    /// The OpenID certification modules the check stands for.
    pub modules: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Card {
    pub issuer: String,
    pub rows: Vec<Row>,
}

impl Card {
    pub(crate) fn count(&self, v: Verdict) -> usize {
        self.rows.iter().filter(|r| r.verdict == v).count()
    }

    /// 1 when a MUST does not hold, 0 otherwise.
    pub(crate) fn exit_code(&self) -> i32 {
        if self.count(Verdict::Failed) > 0 {
            crate::exit::EXPECTATION_FAILED
        } else {
            crate::exit::OK
        }
    }

    pub(crate) fn summary(&self) -> String {
        let mut parts = vec![
            format!("{} passed", self.count(Verdict::Passed)),
            format!("{} failed", self.count(Verdict::Failed)),
        ];
        for (v, one, many) in [
            (Verdict::Warning, "warning", "warnings"),
            (Verdict::NotApplicable, "not applicable", "not applicable"),
            (Verdict::NotRun, "not run", "not run"),
        ] {
            match self.count(v) {
                0 => {}
                1 => parts.push(format!("1 {one}")),
                n => parts.push(format!("{n} {many}")),
            }
        }
        parts.join(", ")
    }

    /// The table a person reads: group headings, a mark, the level, the check and its rule,
    /// and the reason under a check that did not pass.
    pub(crate) fn table(&self) -> String {
        let mut out = format!("baton probe {}\n", self.issuer);
        let mut group = "";
        for row in &self.rows {
            if row.group != group {
                group = &row.group;
                let _ = writeln!(out, "\n{group}");
            }
            let (mark, level) = match (row.verdict, row.level) {
                (Verdict::Passed, _) => ("✓", level_word(row.level)),
                (Verdict::Failed, _) => ("✗", level_word(row.level)),
                (Verdict::Warning, _) => ("!", level_word(row.level)),
                (Verdict::NotApplicable, _) => ("-", "n/a"),
                (Verdict::NotRun, _) => ("-", "not run"),
            };
            let _ = writeln!(out, "  {mark} {level:<7} {}  ({})", row.check, row.rule);
            if !row.reason.is_empty() {
                let _ = writeln!(out, "              {}", row.reason);
            }
        }
        let _ = writeln!(out, "\n{} checks: {}", self.rows.len(), self.summary());
        out
    }

    pub(crate) fn json(&self) -> String {
        let doc = serde_json::json!({
            "issuer": self.issuer,
            "summary": {
                "passed": self.count(Verdict::Passed),
                "failed": self.count(Verdict::Failed),
                "warnings": self.count(Verdict::Warning),
                "not_applicable": self.count(Verdict::NotApplicable),
                "not_run": self.count(Verdict::NotRun),
            },
            "checks": self.rows,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }

    /// JUnit: a suite per group, a case per check; a failed MUST is a failure, a warning
    /// passes with its reason in system-out, what did not apply or run is skipped.
    pub(crate) fn junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
        let mut report = Report::new("baton probe");
        let mut groups: Vec<&str> = Vec::new();
        for row in &self.rows {
            if !groups.contains(&row.group.as_str()) {
                groups.push(&row.group);
            }
        }
        for group in groups {
            let mut suite = TestSuite::new(group);
            for row in self.rows.iter().filter(|r| r.group == group) {
                let status = match row.verdict {
                    Verdict::Passed | Verdict::Warning => TestCaseStatus::success(),
                    Verdict::Failed => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(row.reason.clone());
                        s
                    }
                    Verdict::NotApplicable | Verdict::NotRun => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message(row.reason.clone());
                        s
                    }
                };
                let mut case = TestCase::new(row.check.clone(), status);
                case.set_classname(format!("{group} ({})", level_word(row.level)));
                if row.verdict == Verdict::Warning {
                    case.set_system_out(format!("warning ({}): {}", row.rule, row.reason));
                }
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().unwrap_or_default()
    }

    /// A self-contained HTML page with the table.
    pub(crate) fn html(&self) -> String {
        let mut rows = String::new();
        for r in &self.rows {
            let _ = writeln!(
                rows,
                "<tr class=\"{v:?}\"><td>{g}</td><td>{c}</td><td>{l}</td><td>{rule}</td><td>{v:?}</td><td>{why}</td></tr>",
                g = esc(&r.group),
                c = esc(&r.check),
                l = level_word(r.level),
                rule = esc(&r.rule),
                v = r.verdict,
                why = esc(&r.reason),
            );
        }
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>baton probe {issuer}</title>\n<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}.Failed{{background:#fde2e2}}.Warning{{background:#fff4d6}}.NotApplicable,.NotRun{{color:#777}}</style></head>\n<body><h1>baton probe {issuer}</h1><p>{summary}</p>\n<table><tr><th>group</th><th>check</th><th>level</th><th>rule</th><th>result</th><th>reason</th></tr>\n{rows}</table></body></html>\n",
            issuer = esc(&self.issuer),
            summary = esc(&self.summary()),
        )
    }
}

fn level_word(level: Level) -> &'static str {
    match level {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A check's row from the reports of its steps and of itself (in order), or `None` for a
/// check the probe left out because it does not apply (`not_applicable`).
pub(crate) fn row(
    group: &str,
    name: &str,
    meta: &Meta,
    not_applicable: Option<&str>,
    reports: &[&RequestReport],
) -> Row {
    let level = meta.level.unwrap_or(Level::Should);
    let (verdict, reason) = match not_applicable {
        Some(why) => (Verdict::NotApplicable, why.to_string()),
        None => judge(meta, level, reports),
    };
    Row {
        group: group.to_string(),
        check: name.to_string(),
        level,
        rule: meta.rule.clone(),
        verdict,
        reason,
        modules: meta.modules.clone(),
    }
}

fn judge(meta: &Meta, level: Level, reports: &[&RequestReport]) -> (Verdict, String) {
    let failed = if level == Level::Must {
        Verdict::Failed
    } else {
        Verdict::Warning
    };
    // The check's own request is the last; those before it are its steps.
    let last = reports.len().saturating_sub(1);
    for (i, report) in reports.iter().enumerate() {
        let prefix = if i < last {
            format!("step '{}': ", report.name)
        } else {
            String::new()
        };
        match &report.outcome {
            Outcome::Passed => {}
            Outcome::Skipped(why) => return (Verdict::NotRun, format!("{prefix}{why}")),
            Outcome::Error {
                diagnostic,
                kind: ErrorKind::Input,
            } if !meta.needs.is_empty() && diagnostic.message.contains("undefined") => {
                return (
                    Verdict::NotApplicable,
                    format!("the provider issued no {}", meta.needs.join(", ")),
                );
            }
            Outcome::Error { diagnostic, .. } => {
                return (failed, format!("{prefix}{}", line(diagnostic)));
            }
            Outcome::Failed(diagnostics) => {
                let text: Vec<String> = diagnostics.iter().map(line).collect();
                if let Some(code) = meta
                    .na_on
                    .iter()
                    .find(|c| text.iter().any(|t| t.contains(*c)))
                {
                    return (
                        Verdict::NotApplicable,
                        format!("the provider does not let this client do it ({code})"),
                    );
                }
                return (failed, format!("{prefix}{}", text.join("; ")));
            }
        }
    }
    (Verdict::Passed, String::new())
}

/// A diagnostic in one line: its message and what is under its caret.
fn line(d: &crate::diag::Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(label) = &d.label {
        text.push_str(": ");
        text.push_str(label);
    }
    if let Some(note) = d.notes.first() {
        text.push_str(" (");
        text.push_str(note);
        text.push(')');
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
