//! The writer's output read back by baton's own YAML reader: awkward strings, comments,
//! long keys, JSON values and flow style come back as written.

use super::*;
use serde_json::json;

fn round_trip(v: &Y) -> serde_json::Value {
    let text = document(&["a comment".into()], &Y::map([("v", v.clone())]));
    let node = crate::yaml::node::parse(&text).unwrap_or_else(|e| panic!("{text}\n{}", e.message));
    node.to_json()["v"].clone()
}

#[test]
fn awkward_strings_read_back_unchanged() {
    for s in [
        "",
        "true",
        "No",
        "007",
        "1e3",
        "0x1F",
        "-1",
        "-x",
        "- x",
        "a: b",
        "a #b",
        "#x",
        "<<baseAuthURL>>/connect/token",
        "{{x}}",
        "[a]",
        "*a",
        "&a",
        "!t",
        "|",
        ">",
        "'q'",
        "\"q\"",
        "%x",
        "@x",
        "`x`",
        " lead",
        "trail ",
        "null",
        "~",
        "a,b",
        ":",
        "x:",
        "multi\nline\n",
        "multi\nline",
        "  indented\nsecond",
        "tab\tin",
        "ends\n\n",
        "---",
        "...",
        "é ünïcode",
        "?x",
        "a\r\nb",
        // Found by fuzzing (import_postman): DEL and C1 controls must be escaped.
        "del\u{7f}x",
        "c1\u{85}\u{9f}",
        "ls\u{2028}ps\u{2029}",
        "bom\u{feff}",
    ] {
        assert_eq!(round_trip(&Y::str(s)), json!(s), "{s:?}");
        let listed = round_trip(&Y::seq([Y::str(s), Y::str("b")]));
        assert_eq!(listed, json!([s, "b"]), "{s:?} in a list");
        let keyed = round_trip(&Y::map([(s, Y::Int(1))]));
        assert_eq!(keyed, json!({ s: 1 }), "{s:?} as a key");
    }
}

/// Found by fuzzing (import_curl, import_postman): control characters in comments (a
/// variable name, a script line) made the file unreadable.
#[test]
fn comments_with_control_characters_stay_comments() {
    for c in [
        "a\u{1}b",
        "del\u{7f}",
        "nel\u{85}x",
        "ls\u{2028}",
        "cr\rx",
        "bom\u{feff}",
    ] {
        let text = document(&[c.to_string()], &Y::map([("v", Y::Int(1))]));
        let node = crate::yaml::node::parse(&text)
            .unwrap_or_else(|e| panic!("{c:?}: {text:?}\n{}", e.message));
        assert_eq!(node.to_json(), json!({ "v": 1 }), "{c:?}");
    }
}

/// Found by fuzzing (import_curl): a header name over 1,024 characters as an implicit key.
#[test]
fn very_long_keys_read_back() {
    let long = "x".repeat(3000);
    assert_eq!(
        round_trip(&Y::map([(long.as_str(), Y::Int(1))])),
        json!({ long.clone(): 1 })
    );
    let listed = round_trip(&Y::seq([Y::map([
        (long.as_str(), Y::Int(1)),
        ("b", Y::Int(2)),
    ])]));
    assert_eq!(listed, json!([{ long: 1, "b": 2 }]));
}

#[test]
fn json_values_keep_their_types_and_order() {
    let v = json!({"b": 1, "a": [true, null, 1.5, "x", {"k": "v"}], "c": {"d": {"e": "f"}}});
    assert_eq!(round_trip(&Y::from_json(&v)), v);
}

#[test]
fn small_mappings_are_written_in_flow_style() {
    let text = document(
        &[],
        &Y::map([(
            "auth",
            Y::map([("basic", Y::seq([Y::str("<<a>>"), Y::str("<<b>>")]))]),
        )]),
    );
    assert_eq!(text, "auth: { basic: [<<a>>, <<b>>] }\n");
}
