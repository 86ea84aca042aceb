//! The console: a line per request (grouped under its file), failures as rustc-like
//! diagnostics, `-v` transcripts, a progress bar on a terminal, and a closing summary whose
//! last line is `N passed, N failed`.

use crate::event::{Counts, Event, Outcome, Reporter, RequestReport};
use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::time::Duration;

pub struct Console {
    out: Box<dyn Write + Send>,
    color: bool,
    verbose: bool,
    bar: Option<ProgressBar>,
    files: usize,
}

impl Console {
    /// `progress`: draw a bar on stderr (only when it is a terminal).
    pub fn new(out: Box<dyn Write + Send>, color: bool, verbose: bool, progress: bool) -> Console {
        let bar = progress.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Console {
            out,
            color,
            verbose,
            bar,
            files: 0,
        }
    }

    fn style(&self, s: Style) -> Style {
        if self.color { s } else { Style::new() }
    }

    fn line(&mut self, text: &str) {
        let out = &mut self.out;
        match &self.bar {
            Some(bar) => bar.suspend(|| {
                let _ = writeln!(out, "{text}");
            }),
            None => {
                let _ = writeln!(out, "{text}");
            }
        }
    }

    fn request(&mut self, r: &RequestReport) {
        let green = self.style(Style::new().green());
        let red = self.style(Style::new().red().bold());
        let dim = self.style(Style::new().dim());
        let yellow = self.style(Style::new().yellow());
        let status = r.status.map(|s| format!(" {s}")).unwrap_or_default();
        let took = format!(" ({})", human(r.duration));
        let head = match &r.outcome {
            Outcome::Passed => format!(
                "  {} {}{}{}",
                green.apply_to("✓"),
                r.name,
                dim.apply_to(status),
                dim.apply_to(took)
            ),
            Outcome::Failed(_) => format!(
                "  {} {}{}{}",
                red.apply_to("✗"),
                r.name,
                status,
                dim.apply_to(took)
            ),
            Outcome::Error { .. } => format!("  {} {}", red.apply_to("✗"), r.name),
            Outcome::Skipped(why) => format!(
                "  {} {} {}",
                yellow.apply_to("-"),
                r.name,
                dim.apply_to(format!("(skipped: {why})"))
            ),
        };
        self.line(&head);
        if let Some(note) = &r.note {
            self.line(&format!("    {}", dim.apply_to(note)));
        }
        if self.verbose && !r.hops.is_empty() {
            let hops = r.hops.clone();
            for h in &hops {
                self.line(&indent(
                    &format!("> {}", h.request.trim_end().replace('\n', "\n> ")),
                    4,
                ));
                self.line(&indent(
                    &format!("< {}", h.response.trim_end().replace('\n', "\n< ")),
                    4,
                ));
            }
            if !r.captures.is_empty() {
                let caps: Vec<String> = r
                    .captures
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                self.line(&indent(&format!("captured: {}", caps.join(", ")), 4));
            }
        }
        let color = self.color;
        match &r.outcome {
            Outcome::Failed(diags) => {
                for d in diags {
                    self.line(&d.render(color));
                }
                if !self.verbose
                    && let Some(last) = r.hops.last()
                {
                    self.line(&indent(
                        &format!("response:\n{}", last.response.trim_end()),
                        4,
                    ));
                    self.line(&indent(&format!("reproduce: {}", last.curl), 4));
                }
            }
            Outcome::Error { diagnostic, .. } => self.line(&diagnostic.render(color)),
            _ => {}
        }
    }

    fn summary(&mut self, counts: &Counts, duration: Duration) {
        let total =
            counts.passed + counts.failed + counts.errors + counts.input_errors + counts.skipped;
        let mut details = Vec::new();
        if counts.failed > 0 {
            details.push(format!("{} with failed expectations", counts.failed));
        }
        if counts.errors > 0 {
            details.push(format!("{} could not be made", counts.errors));
        }
        if counts.input_errors > 0 {
            details.push(format!("{} invalid", counts.input_errors));
        }
        if counts.out_of_time > 0 {
            details.push(format!("{} not made in --max-time", counts.out_of_time));
        }
        let files = if self.files == 1 {
            "1 file".to_string()
        } else {
            format!("{} files", self.files)
        };
        let requests = if total == 1 {
            "1 request".to_string()
        } else {
            format!("{total} requests")
        };
        let mut head = format!("\n{files}, {requests} in {}", human(duration));
        if !details.is_empty() {
            head.push_str(&format!(" ({})", details.join(", ")));
        }
        self.line(&head);
        let failed = counts.failed + counts.errors + counts.input_errors;
        let mut last = format!("{} passed, {failed} failed", counts.passed);
        if counts.skipped > 0 {
            last.push_str(&format!(", {} skipped", counts.skipped));
        }
        self.line(&last);
    }
}

impl Reporter for Console {
    fn event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { requests, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(*requests as u64);
                }
            }
            Event::FileStarted {
                file,
                name,
                iteration,
                ..
            } => {
                if iteration.is_none_or(|(n, _)| n == 1) {
                    self.files += 1;
                }
                let bold = self.style(Style::new().bold());
                let dim = self.style(Style::new().dim());
                let round = iteration
                    .map(|(n, of)| format!(" [iteration {n}/{of}]"))
                    .unwrap_or_default();
                self.line(&format!(
                    "{} {}",
                    bold.apply_to(file),
                    dim.apply_to(format!("— {name}{round}"))
                ));
            }
            Event::RequestStarted { name, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(name.clone());
                }
            }
            Event::RequestFinished(r) => {
                self.request(r);
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            Event::Notice { message, .. } => {
                let yellow = self.style(Style::new().yellow().bold());
                self.line(&format!("  {} {message}", yellow.apply_to("!")));
                let _ = self.out.flush();
            }
            Event::FileFinished { .. } => {}
            Event::RunFinished { counts, duration } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                self.summary(counts, *duration);
                let _ = self.out.flush();
            }
        }
    }
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `12 ms`, `1.24 s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}
