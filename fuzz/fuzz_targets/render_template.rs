//! Any text as a template: compiling and rendering against a small scope must succeed or
//! fail with an error, within the fuel limit, never panic; and a text rendered by joining
//! its pieces (`<<name>>` placeholders) must give what the template engine gives. The text
//! is also the argument of every function and filter baton adds (as written, and as a
//! string), so the formats and lengths the fuzzer invents reach `now`, `random` and the
//! encoders; compiling evaluates the calls that read no variable (as `baton check` does),
//! which must not panic either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = baton::SourceFile::new("fuzz.yaml", text);
    let mut templates = baton::Templates::new();
    let mut scope = baton::Scope::new(Arc::new(Default::default()));
    scope.set_json("token", &serde_json::json!("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."));
    scope.set_json("obj", &serde_json::json!({"a": [1, 2, {"b": "c"}], "n": 3}));
    scope.set_json("base-url", &serde_json::json!("http://x"));
    scope.set_json("s", &serde_json::json!("ünï <<s>> <% x %>"));
    scope.set_json("n", &serde_json::json!(7));
    // Every function and filter with the text as its argument, raw and quoted (a JSON
    // string is a template string literal).
    let quoted = serde_json::to_string(text).unwrap_or_default();
    let mut calls = Vec::new();
    for f in baton::FUNCTIONS {
        calls.push(format!("<<{f}({text})>>"));
        calls.push(format!("<<{f}({quoted})>>"));
    }
    for f in baton::FILTERS {
        calls.push(format!("<<{quoted} | {f}>>"));
        calls.push(format!("<<obj | {f}({text})>>"));
        calls.push(format!("<<n | {f}({quoted})>>"));
    }
    for call in &calls {
        if let Ok(tpl) = templates.compile(call, Default::default(), &file) {
            let _ = templates.render(&tpl, &scope);
            let _ = templates.render_json(&tpl, &scope);
        }
    }
    let Ok(tpl) = templates.compile(text, Default::default(), &file) else { return };
    let rendered = templates.render(&tpl, &scope).map_err(|e| e.to_string());
    let engine = templates.render_with_engine(&tpl, &scope).map_err(|e| e.to_string());
    // uuid(), now(), random() and the `uuid` filter differ from one call to the next.
    let varies = ["uuid", "now", "timestamp", "random"]
        .iter()
        .any(|f| text.contains(f));
    if !varies {
        assert_eq!(rendered, engine, "{text:?}");
    }
    let _ = templates.render_json(&tpl, &scope);
    let _ = templates.variables(&tpl);
});
