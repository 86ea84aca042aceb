//! The client of a run: a plain one for `http://`, a TLS one (platform roots, `--cacert`,
//! `--insecure`) built on the first `https://` request, both through the proxy chosen, forks for other runtimes, and the
//! run's --max-time every exchange ends by.

use super::HttpOptions;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The client of a run. Plain `http://` goes through a client without certificate roots;
/// the TLS client (the platform's roots, `--cacert`, `--insecure`) is built on the first
/// `https://` request: loading the system's roots costs more than a whole run of
/// loopback requests, and a run against `http://` never needs them.
pub(crate) struct Http {
    pub(super) plain: reqwest::Client,
    pub(super) tls: std::sync::OnceLock<Result<reqwest::Client, String>>,
    /// The certificates of `--cacert`: roots, and each trusted as itself (`pinned`).
    pub(super) cacert: Vec<CertificateDer<'static>>,
    pub(super) options: HttpOptions,
    /// The last URL parsed, with its text: a collection sends most of its requests to the
    /// same few URLs (the token endpoint), and parsing one showed in the profile
    /// (BENCHMARKS.md).
    pub(super) last_url: std::sync::Mutex<Option<(String, reqwest::Url)>>,
    /// When the run must be over (--max-time) and --max-time itself: every hop of every
    /// request, an oauth2 flow's and a JWKS fetch's included, ends by then.
    pub(super) run_limit: OnceLock<(Instant, Duration)>,
    /// A TLS client per client certificate presented (mTLS), built on its first request and
    /// kept for the run: the connections of one identity are never reused for another.
    pub(super) with_cert: std::sync::Mutex<
        std::collections::HashMap<super::client_cert::CertSource, Result<reqwest::Client, String>>,
    >,
    /// Every client certificate of the run, loaded once.
    pub(crate) certs: super::client_cert::CertCache,
    /// The certificate of `--cert`, loaded (and checked) as the run starts.
    pub(crate) cli_cert: Option<std::sync::Arc<super::client_cert::ClientCert>>,
    /// How servers are trusted beyond the system's roots, as curl says it.
    pub(super) trust: Option<std::sync::Arc<super::curl::Trust>>,
}

impl Http {
    pub(crate) fn new(options: HttpOptions) -> Result<Http, String> {
        let mut cacert = Vec::new();
        if let Some(path) = &options.tls.cacert {
            let pem = crate::fsutil::read(path, crate::fsutil::MAX_INPUT)
                .map_err(|e| format!("cannot read --cacert {}: {e}", path.display()))?;
            cacert = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("--cacert {}: not a PEM certificate: {e}", path.display()))?;
            if cacert.is_empty() {
                return Err(format!("--cacert {}: no certificate found", path.display()));
            }
        }
        cacert.extend(options.tls.extra_roots.iter().cloned());
        let cli_cert = options
            .tls
            .cert
            .as_ref()
            .map(super::client_cert::ClientCert::load)
            .transpose()?;
        // curl takes one --cacert: the user's file, else the sandbox's (a run with both
        // trusts both; a reproduced request to the sandbox's TLS port then needs its file).
        let trust = if options.tls.insecure {
            Some(super::curl::Trust::Insecure)
        } else {
            (options.tls.cacert.as_ref())
                .or(options.tls.extra_roots_file.as_ref())
                .map(|p| super::curl::Trust::CaFile(crate::diag::display_path(p)))
        };
        let mut http = Self::with_roots(options, cacert)?;
        http.cli_cert = cli_cert;
        http.trust = trust.map(std::sync::Arc::new);
        Ok(http)
    }

    /// How the server of `url` is trusted beyond the system's roots: only `https://` says.
    pub(super) fn trust_of(&self, url: &str) -> Option<std::sync::Arc<super::curl::Trust>> {
        self.trust.clone().filter(|_| url.starts_with("https:"))
    }

    fn with_roots(
        options: HttpOptions,
        cacert: Vec<CertificateDer<'static>>,
    ) -> Result<Http, String> {
        let plain = Self::builder(&options)?
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        Ok(Http {
            plain,
            tls: std::sync::OnceLock::new(),
            cacert,
            options,
            last_url: std::sync::Mutex::default(),
            run_limit: OnceLock::new(),
            with_cert: std::sync::Mutex::default(),
            cli_cert: None,
            certs: super::client_cert::CertCache::default(),
            trust: None,
        })
    }

    /// A client with the same settings and its own connections, for another thread's
    /// runtime (a connection lives on the runtime that opened it).
    pub(crate) fn fork(&self) -> Result<Http, String> {
        let mut http = Self::with_roots(self.options.clone(), self.cacert.clone())?;
        http.cli_cert.clone_from(&self.cli_cert);
        http.trust.clone_from(&self.trust);
        if let Some(&(deadline, limit)) = self.run_limit.get() {
            let _ = http.run_limit.set((deadline, limit));
        }
        Ok(http)
    }

    /// Ends every exchange by `deadline` (the run's --max-time, `limit`). Set once, by the
    /// runner as the run starts.
    pub(crate) fn set_run_limit(&self, deadline: Instant, limit: Duration) {
        let _ = self.run_limit.set((deadline, limit));
    }

    fn builder(options: &HttpOptions) -> Result<reqwest::ClientBuilder, String> {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            // Names are looked up by `resolve.rs` (no getaddrinfo, for the static binary);
            // both layers only time what they wrap, for `-vv` (`timing.rs`).
            .dns_resolver(super::timing::TimedResolver(
                super::resolve::Resolver::default(),
            ))
            .connector_layer(super::timing::TimedConnect);
        options.proxy.apply(builder)
    }

    /// The client for `url`: the TLS one (built now if it is the first) for `https`, the
    /// one of `cert` when a client certificate is to be presented (plain `http://` has no
    /// handshake to present it in).
    pub(super) fn client_for(
        &self,
        url: &reqwest::Url,
        cert: Option<&super::client_cert::ClientCert>,
    ) -> Result<reqwest::Client, String> {
        if url.scheme() != "https" {
            return Ok(self.plain.clone());
        }
        if let Some(cert) = cert {
            let mut clients = self
                .with_cert
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            return clients
                .entry(cert.source.clone())
                .or_insert_with(|| self.tls_client(Some(cert)))
                .clone();
        }
        self.tls.get_or_init(|| self.tls_client(None)).clone()
    }

    /// A TLS client as the options say, presenting `cert` when given.
    fn tls_client(
        &self,
        cert: Option<&super::client_cert::ClientCert>,
    ) -> Result<reqwest::Client, String> {
        let mut builder = Self::builder(&self.options)?;
        if self.options.tls.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
            if let Some(cert) = cert {
                let identity = reqwest::Identity::from_pem(cert.pem().as_bytes())
                    .map_err(|e| format!("cannot use the client certificate: {e}"))?;
                builder = builder.identity(identity);
            }
        } else if !self.cacert.is_empty() || cert.is_some() {
            builder = builder
                .tls_backend_preconfigured(super::pinned::client_config(&self.cacert, cert)?);
        }
        builder
            .build()
            .map_err(|e| format!("cannot set up TLS: {e}"))
    }

    /// `text` as a URL, from the last one parsed when it is the same text.
    pub(super) fn parse_url(&self, text: &str) -> Result<reqwest::Url, url::ParseError> {
        let mut last = self
            .last_url
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((known, url)) = &*last
            && known == text
        {
            return Ok(url.clone());
        }
        let url = reqwest::Url::parse(text)?;
        *last = Some((text.to_string(), url.clone()));
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_parsed_again_is_the_same_url() {
        let http = Http::new(HttpOptions::default()).unwrap();
        let a = http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap();
        let b = http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap();
        let c = http.parse_url("http://127.0.0.1:8080/other").unwrap();
        assert_eq!(a, b);
        assert_eq!(c.path(), "/other");
        assert_eq!(
            http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap(),
            a
        );
        assert!(http.parse_url("http://[::1").is_err());
        // A failed parse does not replace the last good one.
        assert_eq!(http.parse_url("http://127.0.0.1:8080/other").unwrap(), c);
    }
}
