//! Any text as a Postman collection export: the importer returns files or an error, never
//! panics, and every file it writes is YAML that baton's loader reads without a syntax error
//! (a variable it does not know is fine; a file baton cannot parse is an importer bug).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = baton::PostmanOptions { keep_secrets: false };
    let Ok(imported) = baton::import_postman(text, None, &options) else { return };
    for (path, yaml) in &imported.files {
        let file = baton::SourceFile::new(path.clone(), yaml.as_str());
        let mut templates = baton::Templates::new();
        let mut problems = Vec::new();
        let _ = baton::load_source(&file, &mut templates, &mut problems);
        for p in &problems {
            let shown = p.short();
            assert!(!shown.contains("YAML"), "the importer wrote unreadable YAML: {shown}\n{yaml}");
        }
    }
});
