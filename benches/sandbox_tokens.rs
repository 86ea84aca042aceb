//! Tokens per second from the in-process sandbox: client_credentials over loopback HTTP,
//! one request at a time and 16 in flight. Run with `cargo bench --bench sandbox_tokens`
//! (add `--profile dev` for a quick run without an optimised build).

use std::time::Duration;

use baton::{Sandbox, SandboxConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const IN_FLIGHT: usize = 16;

async fn token(http: &reqwest::Client, url: &str) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "baton-cli"),
        ("client_secret", "sandbox-secret"),
        ("scope", "api"),
    ];
    let response = http
        .post(url)
        .form(&form)
        .send()
        .await
        .expect("token request sent");
    // A failed request would be measured as a fast one: refuse to report it.
    assert!(
        response.status().is_success(),
        "token request failed: {}",
        response.status()
    );
    response.bytes().await.expect("token response body");
}

fn tokens(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig::default()))
        .expect("sandbox starts");
    let url = format!("{}/connect/token", sandbox.issuer());
    let http = reqwest::Client::new();

    let mut group = c.benchmark_group("sandbox_client_credentials");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));

    group.throughput(Throughput::Elements(1));
    group.bench_function("sequential", |b| {
        b.to_async(&runtime).iter(|| token(&http, &url));
    });

    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    group.bench_function("16_in_flight", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..IN_FLIGHT {
                let (http, url) = (http.clone(), url.clone());
                set.spawn(async move { token(&http, &url).await });
            }
            set.join_all().await
        });
    });
    group.finish();

    runtime.block_on(sandbox.shutdown()).expect("sandbox stops");
}

criterion_group!(benches, tokens);
criterion_main!(benches);
