//! Any text as a collection file: loading (YAML, the model, templates) must return a
//! collection or diagnostics, never panic, and render every diagnostic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = baton::diag::SourceFile::new("fuzz.yaml", text);
    let mut templates = baton::template::Templates::new();
    let mut problems = Vec::new();
    let _ = baton::collection::load::load_source(&file, &mut templates, &mut problems);
    for p in &problems {
        let _ = p.render(false);
        let _ = p.short();
    }
});
