//! Any text as a cURL command line: `baton import curl` returns a collection or an error,
//! never panics, and the collection it writes is YAML baton's loader can parse.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(imported) = baton::import_curl(text) else { return };
    let yaml = baton::curl_to_yaml(&imported);
    let file = baton::SourceFile::new("imported.yaml", yaml.as_str());
    let mut templates = baton::Templates::new();
    let mut problems = Vec::new();
    let _ = baton::load_source(&file, &mut templates, &mut problems);
    for p in &problems {
        let shown = p.short();
        assert!(!shown.contains("YAML"), "the importer wrote unreadable YAML: {shown}\n{yaml}");
    }
});
