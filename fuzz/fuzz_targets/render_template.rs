//! Any text as a template: compiling and rendering against a small scope must succeed or
//! fail with an error, within the fuel limit, never panic; and a text rendered by joining
//! its pieces (`<<name>>` placeholders) must give what the template engine gives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = baton::diag::SourceFile::new("fuzz.yaml", text);
    let mut templates = baton::template::Templates::new();
    let Ok(tpl) = templates.compile(text, Default::default(), &file) else { return };
    let mut scope = baton::template::Scope::new(Arc::new(Default::default()));
    scope.set_json("token", &serde_json::json!("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."));
    scope.set_json("obj", &serde_json::json!({"a": [1, 2, {"b": "c"}], "n": 3}));
    scope.set_json("base-url", &serde_json::json!("http://x"));
    scope.set_json("s", &serde_json::json!("ünï <<s>> <% x %>"));
    scope.set_json("n", &serde_json::json!(7));
    let rendered = templates.render(&tpl, &scope).map_err(|e| e.to_string());
    let engine = templates.render_with_engine(&tpl, &scope).map_err(|e| e.to_string());
    // uuid() and friends differ from one call to the next.
    if !text.contains('(') {
        assert_eq!(rendered, engine, "{text:?}");
    }
    let _ = templates.render_json(&tpl, &scope);
    let _ = templates.variables(&tpl);
});
