//! The HTML report (`--html FILE`): one self-contained page a person reads, from the run's
//! document. A summary, a timeline (a bar per request, placed by start and sized by duration),
//! then each file with its requests; failures are opened, exchanges are in `<pre>`.
//!
//! Response bodies are hostile input: every text goes through `esc`, and a
//! Content-Security-Policy forbids scripts and any fetch, so the page needs no network.

use super::doc::{FileDoc, OutcomeKind, RequestDoc, RunDoc};
use crate::report::console::human;
use std::fmt::Write;
use std::time::Duration;

const STYLE: &str = r#"
:root{--ok:#1a7f37;--bad:#cf222e;--err:#9a3412;--skip:#9a6700;--muted:#57606a;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1f2328}
h1{margin:0 0 .25rem;font-size:1.6rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:.95rem;margin:.8rem 0 .3rem}
.meta,.muted{color:var(--muted)}
.counts{display:flex;gap:.6rem;list-style:none;padding:0;margin:.8rem 0}
.counts li{border:1px solid var(--line);border-radius:6px;padding:.3rem .8rem}
.counts b{font-size:1.2rem;margin-right:.25rem}
li.passed,.badge.passed,p.passed{color:var(--ok)}li.failed,.badge.failed{color:var(--bad)}
li.error,.badge.error{color:var(--err)}li.skipped,.badge.skipped,p.skipped{color:var(--skip)}
details.request.failed,details.request.error{border-left:4px solid var(--bad)}
.exit{font-weight:700}.exit.code0{color:var(--ok)}.exit.bad{color:var(--bad)}
#timeline .row{display:grid;grid-template-columns:minmax(10rem,32%) 1fr 5rem;gap:.5rem;align-items:center;margin:2px 0}
#timeline .label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#timeline .track{position:relative;height:12px;background:#f6f8fa;border-radius:3px}
#timeline .bar{position:absolute;top:0;height:12px;border-radius:3px;min-width:2px}
.bar.passed{background:var(--ok)}.bar.failed{background:var(--bad)}.bar.error{background:var(--err)}.bar.skipped{background:var(--skip)}
#timeline .ms{text-align:right;color:var(--muted);font-variant-numeric:tabular-nums}
section.file{border-top:1px solid var(--line);margin-top:1rem}
details.request{border:1px solid var(--line);border-radius:6px;margin:.4rem 0}
details.request>summary{cursor:pointer;padding:.4rem .6rem;list-style-position:inside}
details.request>div{padding:0 .8rem .6rem}
.badge{display:inline-block;min-width:4.5rem;font-weight:600}
.method{font-family:ui-monospace,monospace;font-weight:600}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
dl{display:grid;grid-template-columns:6rem 1fr;margin:.3rem 0}dt{color:var(--muted)}dd{margin:0;font-family:ui-monospace,monospace}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.2rem .5rem;text-align:left;font-family:ui-monospace,monospace}
"#;

/// The page.
pub(crate) fn render(doc: &RunDoc) -> String {
    let c = &doc.counts;
    let failed = c.failed + c.errors;
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        h,
        "<title>baton: {} passed, {failed} failed</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        c.passed
    );
    summary(&mut h, doc);
    timeline(&mut h, doc);
    for (i, f) in doc.files.iter().enumerate() {
        file(&mut h, i, f);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn summary(h: &mut String, doc: &RunDoc) {
    let c = &doc.counts;
    let files = doc.files.len();
    let requests: usize = doc.files.iter().map(|f| f.requests.len()).sum();
    let _ = writeln!(
        h,
        "<header id=\"summary\">\n<h1>baton report</h1>\n<p class=\"meta\">{} file{}, {requests} request{} · started <time>{}</time> · took {} · <span class=\"exit {}\">exit code {}</span> ({})</p>",
        files,
        plural(files),
        plural(requests),
        esc(&doc.started_at),
        human(Duration::from_millis(doc.duration_ms)),
        if doc.exit_code == 0 { "code0" } else { "bad" },
        doc.exit_code,
        esc(exit_meaning(doc.exit_code)),
    );
    let _ = writeln!(
        h,
        "<ul class=\"counts\"><li class=\"passed\"><b>{}</b>passed</li><li class=\"failed\"><b>{}</b>failed</li><li class=\"error\"><b>{}</b>errors</li><li class=\"skipped\"><b>{}</b>skipped</li></ul>\n</header>",
        c.passed, c.failed, c.errors, c.skipped
    );
}

fn exit_meaning(code: i32) -> &'static str {
    match code {
        crate::exit::OK => "every request passed",
        crate::exit::EXPECTATION_FAILED => "an expectation failed",
        crate::exit::INVALID_INPUT => "invalid input",
        crate::exit::REQUEST_FAILED => "a request could not be made",
        crate::exit::INTERRUPTED => "interrupted",
        _ => "unknown",
    }
}

fn timeline(h: &mut String, doc: &RunDoc) {
    let all: Vec<(&FileDoc, &RequestDoc)> = doc
        .files
        .iter()
        .flat_map(|f| f.requests.iter().map(move |r| (f, r)))
        .collect();
    if all.is_empty() {
        return;
    }
    let total = all
        .iter()
        .map(|(_, r)| r.started_ms + r.duration_ms)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    h.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    for (f, r) in all {
        let left = r.started_ms as f64 / total * 100.0;
        let width = r.duration_ms as f64 / total * 100.0;
        let took = human(Duration::from_millis(r.duration_ms));
        let _ = writeln!(
            h,
            "<div class=\"row\"><span class=\"label\" title=\"{file} › {name}\">{name}</span><span class=\"track\"><span class=\"bar {kind}\" style=\"left:{left:.2}%;width:{width:.2}%\" title=\"{name}: {took}\"></span></span><span class=\"ms\">{took}</span></div>",
            file = esc(&f.file),
            name = esc(&r.name),
            kind = kind(r.outcome),
        );
    }
    h.push_str("</section>\n");
}

fn file(h: &mut String, i: usize, f: &FileDoc) {
    let count = |k: OutcomeKind| f.requests.iter().filter(|r| r.outcome == k).count();
    let _ = writeln!(
        h,
        "<section class=\"file\" id=\"file-{i}\">\n<h2>{} <span class=\"muted\">— {}</span></h2>\n<p class=\"muted\">{} passed, {} failed, {} errors, {} skipped · {}</p>",
        esc(&f.file),
        esc(&f.name),
        count(OutcomeKind::Passed),
        count(OutcomeKind::Failed),
        count(OutcomeKind::Error),
        count(OutcomeKind::Skipped),
        human(Duration::from_millis(f.duration_ms)),
    );
    for r in &f.requests {
        request(h, r);
    }
    h.push_str("</section>\n");
}

fn request(h: &mut String, r: &RequestDoc) {
    let open = matches!(r.outcome, OutcomeKind::Failed | OutcomeKind::Error);
    let status = r.status.map(|s| format!(" {s}")).unwrap_or_default();
    let _ = writeln!(
        h,
        "<details class=\"request {k}\"{}><summary><span class=\"badge {k}\">{k}</span> <span class=\"method\">{}</span> {}<span class=\"muted\">{status} · {}</span></summary>\n<div>",
        if open { " open" } else { "" },
        esc(&r.method),
        esc(&r.name),
        human(Duration::from_millis(r.duration_ms)),
        k = kind(r.outcome),
    );
    let _ = writeln!(
        h,
        "<p><code class=\"url\">{} {}</code></p>",
        esc(&r.method),
        esc(&r.url)
    );
    if let Some(reason) = &r.reason {
        let _ = writeln!(h, "<p class=\"skipped\">skipped: {}</p>", esc(reason));
    }
    if r.outcome == OutcomeKind::Passed {
        h.push_str("<p class=\"passed\">every expectation held</p>\n");
    }
    if !r.failures.is_empty() {
        let title = if r.outcome == OutcomeKind::Error {
            "Error"
        } else {
            "Failed expectations"
        };
        let _ = writeln!(h, "<h3>{title}</h3>");
        for f in &r.failures {
            let _ = write!(h, "<div class=\"failure\"><p><b>{}</b>", esc(&f.message));
            if let Some(loc) = &f.location {
                let _ = write!(h, " <span class=\"muted\">at {}</span>", esc(loc));
            }
            h.push_str("</p>\n");
            if f.expected.is_some() || f.actual.is_some() {
                h.push_str("<dl>");
                for (what, v) in [("expected", &f.expected), ("actual", &f.actual)] {
                    if let Some(v) = v {
                        let _ = write!(h, "<dt>{what}</dt><dd>{}</dd>", esc(v));
                    }
                }
                h.push_str("</dl>\n");
            }
            let _ = writeln!(h, "<pre class=\"diagnostic\">{}</pre></div>", esc(&f.text));
        }
    }
    if !r.captures.is_empty() {
        h.push_str("<h3>Captured</h3>\n<table>");
        for (k, v) in &r.captures {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
        }
        h.push_str("</table>\n");
    }
    for (i, x) in r.exchange.iter().enumerate() {
        let n = if r.exchange.len() > 1 {
            format!(" {} of {}", i + 1, r.exchange.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<h3>Exchange{n}</h3>\n<pre class=\"sent\">{}</pre>\n<pre class=\"received\">{}</pre>\n<pre class=\"curl\">{}</pre>",
            esc(x.request.trim_end()),
            esc(x.response.trim_end()),
            esc(&x.curl)
        );
    }
    h.push_str("</div></details>\n");
}

fn kind(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Passed => "passed",
        OutcomeKind::Failed => "failed",
        OutcomeKind::Error => "error",
        OutcomeKind::Skipped => "skipped",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Text as HTML text or attribute value.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
