//! A JSONPath and a JSON document from the input (split at the first newline): parsing,
//! selecting and every predicate must return, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, doc) = text.split_once('\n').unwrap_or((text, "{\"a\":[1,2,{\"b\":null}],\"s\":\"x\"}"));
    let Ok(json) = serde_json::from_str::<serde_json::Value>(doc) else { return };
    let Ok(parsed) = baton::parse_jsonpath(path) else { return };
    let p = baton::JsonPath::new(path, parsed);
    let selected = p.select(&json);
    let _ = p.is_singular();
    if let Some(v) = &selected {
        let _ = baton::equal(v, &json);
        let _ = baton::type_name(v);
        let _ = baton::show_value(v);
    }
});
