//! GitHub Actions annotations: with `GITHUB_ACTIONS=true`, each failed expectation or capture
//! and each request that could not be made becomes an
//! `::error file=…,line=…,col=…,title=…::message` line, which GitHub shows on the file.
//! Escaped as GitHub's runner unescapes: `%`, CR and LF everywhere, `:` and `,` in properties.

use crate::diag::Diagnostic;
use crate::event::{Event, Outcome, Reporter, RequestReport};
use std::io::Write;

/// True when running under GitHub Actions.
pub(crate) fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

pub(crate) struct Annotations {
    out: Box<dyn Write + Send>,
}

impl Annotations {
    pub(crate) fn new(out: Box<dyn Write + Send>) -> Annotations {
        Annotations { out }
    }
}

impl Reporter for Annotations {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        let Event::RequestFinished(r) = event else {
            return Ok(());
        };
        let diags: Vec<&Diagnostic> = match &r.outcome {
            Outcome::Failed(diags) => diags.iter().collect(),
            Outcome::Error { diagnostic, .. } => vec![diagnostic],
            Outcome::Passed | Outcome::Skipped(_) => return Ok(()),
        };
        for d in diags {
            writeln!(self.out, "{}", annotation(r, d))?;
        }
        self.out.flush()
    }
}

/// One `::error` line for diagnostic `d` of request `r`.
pub(crate) fn annotation(r: &RequestReport, d: &Diagnostic) -> String {
    let (file, line, col) = match &d.source {
        Some(source) if !d.loc.is_unknown() => (source.display(), d.loc.line, d.loc.col),
        Some(source) => (source.display(), r.line, 0),
        None => (r.file.clone(), r.line, 0),
    };
    let mut props = vec![format!("file={}", property(&file))];
    if line > 0 {
        props.push(format!("line={line}"));
    }
    if col > 0 {
        props.push(format!("col={col}"));
    }
    props.push(format!("title={}", property(&format!("baton: {}", r.name))));
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push('\n');
        message.push_str(label);
    }
    for note in &d.notes {
        message.push('\n');
        message.push_str(note);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::error {}::{}", props.join(","), data(&message))
}

/// Escapes a command's message (what a terminal would act on first: the runner's log shows
/// ANSI colours, so a server's `ESC[...` would be drawn, not shown).
pub(crate) fn data(text: &str) -> String {
    super::console::printable(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
pub(crate) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::RequestReport;
    use std::time::Duration;

    #[test]
    fn escapes_message_and_properties() {
        // The CR of a CRLF goes (`printable`); a lone one is shown, not sent as a CR.
        assert_eq!(data("50%\r\nok: a,b"), "50%25%0Aok: a,b");
        assert_eq!(data("a\rb\u{1b}[2J"), "a\\rb\\e[2J");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn falls_back_to_the_request_line_without_a_location() {
        let r = RequestReport {
            file: "dir/a,b.yaml".into(),
            index: 0,
            name: "get: it".into(),
            method: "GET".into(),
            url: "http://x".into(),
            line: 7,
            outcome: Outcome::Passed,
            status: None,
            duration: Duration::ZERO,
            hops: Vec::new(),
            captures: Vec::new(),
            note: None,
            iteration: None,
        };
        let d = Diagnostic::error("boom").note("expected: 200");
        assert_eq!(
            annotation(&r, &d),
            "::error file=dir/a%2Cb.yaml,line=7,title=baton%3A get%3A it::boom%0Aexpected: 200"
        );
    }
}
