//! Headless Chromium for the HTML report: the DOM after the page loaded (`--dump-dom`).
//! Without Chromium the HTML tests are skipped with a message, unless `CI` is set: on CI
//! they must run (`.ci/run` installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary, `None` (after saying so) when absent outside CI.
pub(super) fn chromium() -> Option<PathBuf> {
    let found = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|name| on_path(name));
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(
            !ci,
            "CI is set but Chromium is missing: install Debian's `chromium` package"
        );
        eprintln!("skipped: chromium is not installed (apt-get install -y chromium); CI is unset");
    }
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The serialized DOM of `page` once Chromium has loaded it.
pub(super) fn dump_dom(chromium: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}", page.display());
    let out = run(chromium, profile.path(), &["--dump-dom", &url]);
    assert!(
        out.contains("</html>"),
        "chromium printed no DOM for {url}:\n{out}"
    );
    out
}

/// Takes a screenshot of `page` (for a person to look at; not asserted on).
pub(super) fn screenshot(chromium: &Path, page: &Path, png: &Path) {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}", page.display());
    let shot = format!("--screenshot={}", png.display());
    run(
        chromium,
        profile.path(),
        &[&shot, "--window-size=1200,1600", &url],
    );
}

fn run(chromium: &Path, profile: &Path, args: &[&str]) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reader.join().expect("reader thread")
}
