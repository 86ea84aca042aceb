//! The console: a line per request (grouped under its file), failures as rustc-like
//! diagnostics, `-v` transcripts, a progress bar on a terminal, and a closing summary whose
//! last line is `N passed, N failed`.
//!
//! Text from events may come from a server (bodies, headers, error descriptions, captured
//! values): it reaches the terminal only through `printable`, so a response cannot clear
//! the screen, retitle the window or fake a line of output.

use crate::diag::Diagnostic;
use crate::event::{Counts, Event, Outcome, Reporter, RequestReport};
use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::borrow::Cow;
use std::io::Write;
use std::time::Duration;

pub(crate) struct Console {
    out: Box<dyn Write + Send>,
    color: bool,
    verbose: bool,
    bar: Option<ProgressBar>,
    files: usize,
    /// The first write error of the event being shown (its other lines are still tried).
    failed: Option<std::io::Error>,
}

impl Console {
    /// `progress`: draw a bar on stderr (only when it is a terminal).
    pub(crate) fn new(
        out: Box<dyn Write + Send>,
        color: bool,
        verbose: bool,
        progress: bool,
    ) -> Console {
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
            failed: None,
        }
    }

    fn style(&self, s: Style) -> Style {
        if self.color { s } else { Style::new() }
    }

    fn line(&mut self, text: &str) {
        let out = &mut self.out;
        let written = match &self.bar {
            Some(bar) => bar.suspend(|| writeln!(out, "{text}")),
            None => writeln!(out, "{text}"),
        };
        if let Err(e) = written {
            self.failed.get_or_insert(e);
        }
    }

    fn request(&mut self, r: &RequestReport) {
        let name = printable(&r.name);
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
                name,
                dim.apply_to(status),
                dim.apply_to(took)
            ),
            Outcome::Failed(_) => format!(
                "  {} {}{}{}",
                red.apply_to("✗"),
                name,
                status,
                dim.apply_to(took)
            ),
            Outcome::Error { .. } => format!("  {} {}", red.apply_to("✗"), name),
            Outcome::Skipped(why) => format!(
                "  {} {} {}",
                yellow.apply_to("-"),
                name,
                dim.apply_to(format!("(skipped: {})", printable(why)))
            ),
        };
        self.line(&head);
        if let Some(note) = &r.note {
            self.line(&format!("    {}", dim.apply_to(printable(note))));
        }
        if self.verbose && !r.hops.is_empty() {
            let hops = r.hops.clone();
            for h in &hops {
                self.line(&indent(
                    &format!(
                        "> {}",
                        printable(h.request.trim_end()).replace('\n', "\n> ")
                    ),
                    4,
                ));
                self.line(&indent(
                    &format!(
                        "< {}",
                        printable(h.response.trim_end()).replace('\n', "\n< ")
                    ),
                    4,
                ));
                if let Some(timing) = &h.timing {
                    self.line(&indent(&format!("timing: {}", printable(timing)), 4));
                }
            }
            // The hop the request is judged on (a flow's token request, not the JWKS fetched
            // after it): passing or not, the command to try it by hand.
            if let Some(last) = judged_hop(&hops) {
                self.line(&indent(&format!("reproduce: {}", printable(&last.curl)), 4));
            }
            if !r.captures.is_empty() {
                let caps: Vec<String> = r
                    .captures
                    .iter()
                    .map(|(k, v)| format!("{} = {}", printable(k), printable(v)))
                    .collect();
                self.line(&indent(&format!("captured: {}", caps.join(", ")), 4));
            }
        }
        let color = self.color;
        match &r.outcome {
            Outcome::Failed(diags) => {
                for d in diags {
                    self.line(&printable_diagnostic(d).render(color));
                }
                if !self.verbose
                    && let Some(last) = judged_hop(&r.hops)
                {
                    self.line(&indent(
                        &format!("response:\n{}", printable(last.response.trim_end())),
                        4,
                    ));
                    self.line(&indent(&format!("reproduce: {}", printable(&last.curl)), 4));
                }
            }
            Outcome::Error { diagnostic, .. } => {
                self.line(&printable_diagnostic(diagnostic).render(color));
            }
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

/// The hop a request is judged on, else its last.
fn judged_hop(hops: &[crate::event::HopView]) -> Option<&crate::event::HopView> {
    hops.iter().rfind(|h| h.judged).or(hops.last())
}

impl Reporter for Console {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
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
                    bold.apply_to(printable(file)),
                    dim.apply_to(format!("— {}{round}", printable(name)))
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
                self.line(&format!(
                    "  {} {}",
                    yellow.apply_to("!"),
                    printable(message)
                ));
                if let Err(e) = self.out.flush() {
                    self.failed.get_or_insert(e);
                }
            }
            Event::FileFinished { .. } => {}
            Event::RunFinished { counts, duration } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                self.summary(counts, *duration);
                if let Err(e) = self.out.flush() {
                    self.failed.get_or_insert(e);
                }
            }
        }
        self.failed.take().map_or(Ok(()), Err)
    }
}

/// `text` with the characters a terminal acts on shown escaped: ESC as `\e` (`\e[2J`),
/// a lone CR as `\r`, other controls (C0, DEL, C1) and the bidirectional overrides that
/// reorder a line as `\u{7}`. Tab and newline stay; so does the CR of a CRLF, which moves
/// nothing the newline would not. Text with none of these is returned as it is.
pub(crate) fn printable(text: &str) -> Cow<'_, str> {
    fn acts(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if acts(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A diagnostic whose texts are `printable` (its source line is the collection's own).
fn printable_diagnostic(d: &Diagnostic) -> Cow<'_, Diagnostic> {
    let texts = std::iter::once(&d.message)
        .chain(&d.label)
        .chain(&d.notes)
        .chain(&d.help);
    if texts
        .into_iter()
        .all(|t| matches!(printable(t), Cow::Borrowed(_)))
    {
        return Cow::Borrowed(d);
    }
    let clean = |t: &String| printable(t).into_owned();
    Cow::Owned(Diagnostic {
        message: clean(&d.message),
        label: d.label.as_ref().map(clean),
        notes: d.notes.iter().map(clean).collect(),
        help: d.help.as_ref().map(clean),
        ..d.clone()
    })
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `12 ms`, `1.24 s`.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_terminal_acts_on_is_shown_escaped() {
        assert_eq!(printable("plain\ttext\n"), Cow::Borrowed("plain\ttext\n"));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\e[2Jb");
        assert_eq!(printable("\u{1b}]0;title\u{7}"), "\\e]0;title\\u{7}");
        assert_eq!(printable("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(printable("line\r\nnext\rover"), "line\nnext\\rover");
        assert_eq!(printable("\u{202e}abc"), "\\u{202e}abc");
    }
}
