//! Where the time of one hop went, as far as the HTTP stack lets baton see it (`-vv`): DNS
//! (a resolver of our own around the system's `getaddrinfo`, as reqwest's own), connect
//! (TCP and TLS together: a layer around reqwest's connector, which does both in one call),
//! the first byte (the response's headers arrived) and the body. A hop on a connection kept
//! from an earlier request makes neither a lookup nor a connection: those are `None`, shown
//! as such, never estimated. The hop's clock is a task-local the lookup and the connection
//! take when they start (inside the hop's task), so they record into it even when hyper
//! finishes a connection in the background.

use reqwest::dns::{Name, Resolve, Resolving};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The phases of one hop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    /// The name lookup; `None` for an IP address or a connection kept from before.
    pub dns: Option<Duration>,
    /// TCP connect, and the TLS handshake for https; `None` for a kept connection.
    pub connect: Option<Duration>,
    /// From sending to the response's headers (lookup and connect included).
    pub first_byte: Duration,
    /// From the headers to the body's last byte.
    pub body: Duration,
}

impl Timing {
    /// `dns 1.2ms, connect 0.8ms, first byte 5.1ms, body 0.3ms` (`n/a` for what did not
    /// happen on this hop).
    pub(crate) fn line(&self) -> String {
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1000.0);
        let opt = |d: Option<Duration>| d.map_or_else(|| "n/a".to_string(), ms);
        format!(
            "dns {}, connect {}, first byte {}, body {}",
            opt(self.dns),
            opt(self.connect),
            ms(self.first_byte),
            ms(self.body)
        )
    }
}

/// What the lookup and the connection of a hop record.
#[derive(Debug, Default)]
pub(crate) struct Phases {
    pub dns: Option<Duration>,
    pub connect: Option<Duration>,
}

tokio::task_local! {
    static CLOCK: Arc<Mutex<Phases>>;
}

/// Run `work` (one hop) with a clock its lookup and connection record into.
pub(crate) async fn timed<F: Future>(work: F) -> (F::Output, Phases) {
    let clock = Arc::new(Mutex::new(Phases::default()));
    let out = CLOCK.scope(clock.clone(), work).await;
    let phases = std::mem::take(
        &mut *clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    (out, phases)
}

fn record(clock: Option<Arc<Mutex<Phases>>>, set: impl FnOnce(&mut Phases)) {
    if let Some(clock) = clock
        && let Ok(mut p) = clock.lock()
    {
        set(&mut p);
    }
}

/// The system resolver, timed.
pub(crate) struct TimedResolver<R>(pub(crate) R);

impl<R: Resolve + 'static> Resolve for TimedResolver<R> {
    fn resolve(&self, name: Name) -> Resolving {
        let clock = CLOCK.try_with(Arc::clone).ok();
        let lookup = self.0.resolve(name);
        Box::pin(async move {
            let started = Instant::now();
            let addrs = lookup.await?;
            let took = started.elapsed();
            record(clock, |p| p.dns = Some(took));
            Ok(addrs)
        })
    }
}

/// A layer around reqwest's connector (TCP, then TLS), timing each new connection.
#[derive(Clone, Copy)]
pub(crate) struct TimedConnect;

impl<S> tower_layer::Layer<S> for TimedConnect {
    type Service = Timed<S>;

    fn layer(&self, inner: S) -> Timed<S> {
        Timed(inner)
    }
}

#[derive(Clone)]
pub(crate) struct Timed<S>(S);

impl<S, R> tower_service::Service<R> for Timed<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let clock = CLOCK.try_with(Arc::clone).ok();
        let started = Instant::now();
        let connecting = self.0.call(req);
        Box::pin(async move {
            let out = connecting.await;
            let took = started.elapsed();
            if out.is_ok() {
                // The lookup is inside the connector's call: connect is what is left.
                record(clock, |p| {
                    p.connect = Some(took.saturating_sub(p.dns.unwrap_or_default()));
                });
            }
            out
        })
    }
}
