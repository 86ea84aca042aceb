//! The per-request work of the runner without the network: rendering templates compiled
//! once, evaluating captures and expectations on a token response, and loading a
//! 1,000-request collection (from its text, and from disk as a file too big to keep). Run with `cargo bench --bench collection`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use baton::Eval;
use baton::Response;
use baton::SourceFile;
use baton::render_json_tpl;
use baton::{Body, Collection};
use baton::{EnvVars, Scope, Templates};
use baton::{load_on_disk, load_source};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// One request of the loopback workload (`bench/compare.sh`, W1): a form body from
/// variables, two captures, four expectations.
fn token_request(i: usize) -> String {
    format!(
        r"  - name: refresh {i}
    POST: <<baseURL>>/token
    form:
      grant_type: refresh_token
      refresh_token: <<refresh_token>>
      client_id: <<client_id>>
    expect:
      status: 200
      headers: {{ content-type: {{ contains: application/json }} }}
      body:
        $.token_type: Bearer
        $.expires_in: {{ gt: 0 }}
    capture:
      access_token: $.access_token
      refresh_token: $.refresh_token
"
    )
}

fn collection_text(requests: usize) -> String {
    let mut text = String::from(
        "name: tokens\nvars:\n  baseURL: http://127.0.0.1:1\n  refresh_token: rt-0\n  client_id: bench\nrequests:\n",
    );
    for i in 0..requests {
        text.push_str(&token_request(i));
    }
    text
}

fn load(text: &str) -> (Collection, Templates) {
    let file = SourceFile::new("bench.yaml", text);
    let mut templates = Templates::new();
    let mut problems = Vec::new();
    let collection = load_source(&file, &mut templates, &mut problems);
    assert!(
        problems.iter().all(|d| !d.is_error()),
        "the bench collection loads"
    );
    (collection.expect("the bench collection loads"), templates)
}

fn scope() -> Scope {
    let mut scope = Scope::new(Arc::new(EnvVars::default()));
    scope.set("baseURL", "http://127.0.0.1:8080".into());
    scope.set("refresh_token", "rt-0123456789abcdef".into());
    scope.set("client_id", "bench".into());
    scope
}

const TOKEN: &str = r#"{"access_token":"at-0123456789abcdef","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-0123456789abcdef","scope":"api"}"#;

fn response() -> Response {
    Response::new(
        200,
        vec![
            ("content-type".into(), "application/json".into()),
            ("content-length".into(), TOKEN.len().to_string()),
        ],
        TOKEN.as_bytes().to_vec(),
    )
}

fn template_render(c: &mut Criterion) {
    let (collection, templates) = load(&collection_text(1));
    let req = &collection.requests[0];
    let Some(Body::Form(fields)) = req.body.as_deref() else {
        panic!("the bench request has a form body");
    };
    let scope = scope();
    let mut group = c.benchmark_group("template");
    group.throughput(Throughput::Elements(1));
    group.bench_function("render_url", |b| {
        b.iter(|| templates.render(black_box(&req.url), &scope).unwrap());
    });
    group.bench_function("render_literal", |b| {
        b.iter(|| templates.render(black_box(&fields[0].1), &scope).unwrap());
    });
    // What one request of W1 renders before it is sent: the URL and three form fields.
    group.bench_function("render_request", |b| {
        b.iter(|| {
            let url = templates.render(&req.url, &scope).unwrap();
            let form: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), templates.render(v, &scope).unwrap()))
                .collect();
            black_box((url, form))
        });
    });
    group.finish();
}

fn capture_expect(c: &mut Criterion) {
    let (collection, templates) = load(&collection_text(1));
    let req = &collection.requests[0];
    assert_eq!(req.capture.len(), 2);
    assert_eq!(req.expect.items.len(), 4);
    let scope = scope();
    let jwks = std::collections::HashMap::new();
    let mut group = c.benchmark_group("response");
    group.throughput(Throughput::Elements(1));
    // A fresh response each time: it parses its JSON body once, lazily, like the runner's.
    group.bench_function("captures", |b| {
        b.iter_batched(
            response,
            |response| {
                for capture in &req.capture {
                    black_box(capture.eval(&response).unwrap());
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("expectations", |b| {
        b.iter_batched(
            response,
            |response| {
                let mut render = |v: &baton::JsonTpl| {
                    render_json_tpl(v, &templates, &scope).map_err(|(_, e)| e.to_string())
                };
                let mut ctx = Eval {
                    response: &response,
                    render: &mut render,
                    jwks: &jwks,
                };
                for e in &req.expect.items {
                    assert!(baton::eval(e, &mut ctx).is_none(), "expectation holds");
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("captures_and_expectations", |b| {
        b.iter_batched(
            response,
            |response| {
                for capture in &req.capture {
                    black_box(capture.eval(&response).unwrap());
                }
                let mut render = |v: &baton::JsonTpl| {
                    render_json_tpl(v, &templates, &scope).map_err(|(_, e)| e.to_string())
                };
                let mut ctx = Eval {
                    response: &response,
                    render: &mut render,
                    jwks: &jwks,
                };
                for e in &req.expect.items {
                    assert!(baton::eval(e, &mut ctx).is_none(), "expectation holds");
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn load_1000(c: &mut Criterion) {
    let text = collection_text(1000);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000_requests", |b| {
        b.iter(|| {
            let (collection, templates) = load(black_box(&text));
            assert_eq!(collection.requests.len(), 1000);
            black_box((collection, templates))
        });
    });
    // The same requests in a file too big to keep: checked as read from disk, then read
    // from disk again as a run takes them (the two passes of W4).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.yaml");
    std::fs::write(&path, &text).expect("the bench file is written");
    group.bench_function("1000_requests_on_disk", |b| {
        b.iter(|| {
            let mut templates = Templates::new();
            let collection = load_on_disk(black_box(&path), &mut templates, &mut Vec::new())
                .expect("the bench collection loads");
            assert_eq!(collection.deferred.len(), 1000);
            black_box((collection, templates))
        });
    });
    group.bench_function("1000_requests_on_disk_read_again", |b| {
        let mut templates = Templates::new();
        let collection = load_on_disk(&path, &mut templates, &mut Vec::new())
            .expect("the bench collection loads");
        b.iter(|| {
            let read = black_box(&collection)
                .requests(&templates)
                .flatten()
                .count();
            assert_eq!(read, 1000);
        });
    });
    group.finish();
}

criterion_group!(benches, template_render, capture_expect, load_1000);
criterion_main!(benches);
