//! The providers of the mTLS tests: the sandbox (its TLS port and the client certificate it
//! makes) or oidc-provider over HTTPS with certificates made here, and `both_tls!`, which runs
//! a scenario on each.

use super::super::{Vars, interop_dir, interop_unavailable, runtime};
use crate::support::{Baton, Output};
use baton::{Sandbox, SandboxConfig};

/// A provider with a TLS port: the sandbox (its mTLS port, its client certificate made at
/// start), or oidc-provider over HTTPS with certificates made here. Either way the test's
/// directory gets `ca.pem`, the registered `client.pem`/`client.key`, and `other.pem`/
/// `other.key`, a certificate no client is registered with.
pub(super) struct Fixture {
    pub(super) server: Server,
    pub(super) files: Vec<(&'static str, Vec<u8>)>,
    pub(super) issuer: String,
    /// Where a client with a certificate sends (the sandbox's aliases; the interop issuer).
    pub(super) mtls: String,
    pub(super) tls_client: &'static str,
    pub(super) self_client: &'static str,
}

pub(super) enum Server {
    Sandbox {
        sandbox: Sandbox,
        _runtime: tokio::runtime::Runtime,
    },
    Interop {
        child: std::process::Child,
        _stdin: std::process::ChildStdin,
        log: std::sync::Arc<std::sync::Mutex<String>>,
        _dir: tempfile::TempDir,
    },
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Server::Interop { child, log, .. } = &mut self.server {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                let log = log.lock().unwrap();
                eprintln!(
                    "--- interop server log ---\n{}",
                    &log[log.len().saturating_sub(4000)..]
                );
            }
        }
    }
}

impl Fixture {
    pub(super) fn sandbox() -> Fixture {
        Fixture::sandbox_with(SandboxConfig::default())
    }

    pub(super) fn sandbox_with(config: SandboxConfig) -> Fixture {
        let runtime = runtime();
        let sandbox = runtime
            .block_on(Sandbox::start(config))
            .expect("the sandbox starts");
        let vars: std::collections::HashMap<String, String> = sandbox.vars().into_iter().collect();
        let read = |k: &str| std::fs::read(&vars[k]).expect("the sandbox's client files");
        let (other_cert, other_key) = self_signed("someone-else");
        let files = vec![
            (
                "ca.pem",
                pem("CERTIFICATE", &sandbox.mtls_ca()).into_bytes(),
            ),
            ("client.pem", read("SandboxClientCert")),
            ("client.key", read("SandboxClientKey")),
            ("other.pem", other_cert.into_bytes()),
            ("other.key", other_key.into_bytes()),
        ];
        Fixture {
            issuer: sandbox.issuer().to_string(),
            mtls: sandbox.mtls_url().to_string(),
            server: Server::Sandbox {
                sandbox,
                _runtime: runtime,
            },
            files,
            tls_client: "baton-mtls",
            self_client: "baton-mtls-self",
        }
    }

    /// One HTTPS interop server for every scenario (none counts hits): starting node is slow
    /// on a busy machine. It stops when the test process ends (its stdin closes).
    pub(super) fn interop_shared() -> Option<&'static Fixture> {
        static SHARED: std::sync::OnceLock<Option<Fixture>> = std::sync::OnceLock::new();
        SHARED.get_or_init(Fixture::interop).as_ref()
    }

    /// oidc-provider over HTTPS (`features.mTLS`), or `None` where it cannot run.
    pub(super) fn interop() -> Option<Fixture> {
        if let Some(why) = interop_unavailable() {
            assert!(
                std::env::var_os("CI").is_none(),
                "interop unavailable under CI: {why}"
            );
            eprintln!("skipped: interop provider unavailable ({why})");
            return None;
        }
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "baton interop CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let signed = |names: Vec<String>, cn: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(names).unwrap();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, cn);
            let cert = params.signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = signed(vec!["127.0.0.1".into()], "127.0.0.1");
        let (client_cert, client_key) = signed(Vec::new(), "baton-interop-client");
        let (other_cert, other_key) = self_signed("someone-else");
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let mut cmd = std::process::Command::new("node");
        cmd.arg("server.mjs")
            .current_dir(interop_dir())
            .env("PORT", "0")
            .env_remove("IGNORE_STDIN")
            .env_remove("REQUIRE_PAR")
            .env_remove("STOCK_PAGES")
            .env("TLS_KEY", write("server.key", &server_key))
            .env("TLS_CERT", write("server.pem", &server_cert))
            .env("TLS_CA", write("ca.pem", &ca.pem()))
            .env("TLS_CLIENT_CERT", write("client.pem", &client_cert));
        let ready = crate::support::start_ready(cmd, "interop server (TLS)");
        Some(Fixture {
            mtls: ready.url.clone(),
            issuer: ready.url,
            server: Server::Interop {
                child: ready.child,
                _stdin: ready.stdin,
                log: ready.log,
                _dir: dir,
            },
            files: vec![
                ("ca.pem", ca.pem().into_bytes()),
                ("client.pem", client_cert.into_bytes()),
                ("client.key", client_key.into_bytes()),
                ("other.pem", other_cert.into_bytes()),
                ("other.key", other_key.into_bytes()),
            ],
            tls_client: "cli-mtls",
            self_client: "cli-mtls-self",
        })
    }

    pub(super) fn sandbox_handle(&self) -> Option<&Sandbox> {
        match &self.server {
            Server::Sandbox { sandbox, .. } => Some(sandbox),
            Server::Interop { .. } => None,
        }
    }

    pub(super) fn name(&self) -> &'static str {
        match self.server {
            Server::Sandbox { .. } => "sandbox",
            Server::Interop { .. } => "interop",
        }
    }

    pub(super) fn file(&self, name: &str) -> Vec<u8> {
        let (_, bytes) = self.files.iter().find(|(n, _)| *n == name).unwrap();
        bytes.clone()
    }

    /// `b` with the certificate files in its directory.
    pub(super) fn with_files(&self, mut b: Baton) -> Baton {
        for (name, bytes) in &self.files {
            b = b.file(name, bytes);
        }
        b
    }

    /// `baton <args> --cacert ca.pem` on `yaml`, with the certificate files beside it.
    pub(super) fn baton(&self, yaml: &str, args: &[&str]) -> Baton {
        self.with_files(Baton::new().file("c.yaml", yaml))
            .args(args)
            .args(["--cacert", "ca.pem"])
            .var("issuer", &self.issuer)
            .var("mtls", &self.mtls)
            .var("tls_client", self.tls_client)
            .var("self_client", self.self_client)
            .var("username", "alice")
            .var("password", "wonderland")
    }

    pub(super) fn run(&self, yaml: &str) -> Output {
        self.baton(yaml, &["run", "c.yaml", "-v"]).run()
    }
}

/// One test per provider for a scenario `fn(&Fixture)`.
macro_rules! both_tls {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sandbox() {
                super::$name(&super::Fixture::sandbox());
            }

            #[test]
            fn interop() {
                if let Some(f) = super::Fixture::interop_shared() {
                    super::$name(f);
                }
            }
        }
    };
}

pub(super) fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A self-signed certificate for `cn` and its key, in PEM.
pub(super) fn self_signed(cn: &str) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}
pub(super) use both_tls;
