//! The Django OAuth Toolkit server of `tests/interop/dot/` as a child process: started once
//! per test process, like `Provider::interop` starts oidc-provider. `server.py` prints
//! `READY <issuer>` when it listens and exits when its stdin closes, so the pipe is kept
//! open for as long as the process lives and an orphan never outlives the tests.
//!
//! Without the venv (`tests/interop/dot/.venv`, made by `.ci/run`) the tests print
//! `skipped: …` and pass, except under `CI`, where they fail.

use crate::support::{Ready, start_ready};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use crate::oauth::Client;

/// The redirect URI registered for the code-grant clients. DOT lets a loopback redirect
/// URI use any port (RFC 8252 7.3), so `http://127.0.0.1:0/callback` works too.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The confidential client of the password grant.
pub(crate) fn password_client() -> Client {
    Client::new("dot-password", Some("password-secret"))
}

/// The confidential client of the client_credentials grant.
pub(crate) fn cc_client() -> Client {
    Client::new("dot-cc", Some("cc-secret"))
}

/// A client_credentials client whose secret must be form-encoded inside Basic.
pub(crate) fn special_client() -> Client {
    Client::new("dot-special", Some("s3cr+t/with:special&chars="))
}

/// A confidential code-grant client that shows DOT's stock consent page.
pub(crate) fn code_client() -> Client {
    Client::new("dot-code", Some("code-secret"))
}

/// A confidential code-grant client with `skip_authorization`: no consent page.
pub(crate) fn skip_client() -> Client {
    Client::new("dot-code-skip", Some("skip-secret"))
}

/// A public code-grant client (PKCE is what proves it), consent page shown.
pub(crate) fn public_client() -> Client {
    Client::new("dot-public", None)
}

/// A running DOT server.
pub(crate) struct Dot {
    issuer: String,
    child: Mutex<Child>,
    _stdin: ChildStdin,
    log: Arc<Mutex<String>>,
}

/// The shared server, for one test: on a panic it prints the server's log tail.
pub(crate) struct Shared(&'static Dot);

impl Deref for Shared {
    type Target = Dot;

    fn deref(&self) -> &Dot {
        self.0
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- DOT server log (tail) ---\n{}", self.0.log_tail());
        }
    }
}

impl Drop for Dot {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
        if std::thread::panicking() {
            eprintln!("--- DOT server log (tail) ---\n{}", self.log_tail());
        }
    }
}

/// `tests/interop/dot/`.
fn dot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/dot")
}

/// The venv's python.
fn python() -> PathBuf {
    dot_dir().join(".venv/bin/python")
}

/// Why the DOT server cannot run here, if it cannot.
fn unavailable() -> Option<String> {
    let python = python();
    if !python.is_file() {
        return Some(
            "tests/interop/dot/.venv is missing: `python3 -m venv tests/interop/dot/.venv && \
             tests/interop/dot/.venv/bin/pip install -r tests/interop/dot/requirements.txt`"
                .into(),
        );
    }
    match Command::new(&python)
        .args(["-c", "import oauth2_provider, django"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "the venv lacks django-oauth-toolkit: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run {}: {e}", python.display())),
    }
}

/// The DOT server shared by the tests of this process (each test uses its own clients'
/// tokens or its own users' sessions, so they do not step on each other). `None` after
/// printing why, when the venv is missing outside CI.
pub(crate) fn dot() -> Option<Shared> {
    static SHARED: OnceLock<Option<Dot>> = OnceLock::new();
    SHARED.get_or_init(Dot::start).as_ref().map(Shared)
}

impl Dot {
    /// A server of its own on a free port; `None` (after `skipped: …`) when the venv is
    /// missing, a panic under `CI`.
    pub(crate) fn start() -> Option<Dot> {
        if let Some(why) = unavailable() {
            assert!(
                std::env::var_os("CI").is_none(),
                "the DOT interop provider is unavailable under CI: {why}"
            );
            eprintln!("skipped: DOT interop provider unavailable ({why})");
            return None;
        }
        let mut cmd = Command::new(python());
        cmd.arg("server.py")
            .current_dir(dot_dir())
            .env("PORT", "0")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("IGNORE_STDIN")
            .env_remove("DOT_DB")
            .env_remove("ACCESS_TOKEN_TTL")
            .env_remove("DJANGO_SETTINGS_MODULE")
            .env_remove("PYTHONPATH");
        let Ready {
            child,
            stdin,
            log,
            url: issuer,
        } = start_ready(cmd, "DOT server");
        Some(Dot {
            issuer,
            child: Mutex::new(child),
            _stdin: stdin,
            log,
        })
    }

    /// `http://127.0.0.1:PORT/o`.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `http://127.0.0.1:PORT`, where the login page and the RFC 8414 document are.
    pub(crate) fn root(&self) -> &str {
        self.issuer.trim_end_matches("/o")
    }

    /// The last 4000 bytes of the server's stderr (its access log and errors).
    pub(crate) fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap();
        let mut start = log.len().saturating_sub(4000);
        while !log.is_char_boundary(start) {
            start += 1;
        }
        log[start..].to_string()
    }
}
