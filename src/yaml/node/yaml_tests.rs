//! What serde-saphyr made of these snippets (checked against it when the tree began to
//! be built from granit-parser's events): the builder must keep giving the same.

use super::*;

fn at(node: &Node) -> (u32, u32, usize, usize) {
    (node.loc.line, node.loc.col, node.loc.offset, node.loc.len)
}

fn value<'a>(node: &'a Node<'a>, key: &str) -> &'a Node<'a> {
    let map = node.as_map().unwrap();
    &map.iter().find(|(k, _)| k.name == key).unwrap().1
}

fn err(text: &str) -> (String, (u32, u32)) {
    let e = parse(text).unwrap_err();
    (e.message, (e.loc.line, e.loc.col))
}

#[test]
fn plain_scalars_follow_the_core_schema() {
    let node = parse(
        "[1.10, 007, 0x1F, 1e3, 12345678901234567890, -0, .5, +1, 0o17, 1_000, yes, ~, '1', \"true\", inf]",
    )
    .unwrap();
    let kinds: Vec<Kind> = node
        .as_seq()
        .unwrap()
        .iter()
        .map(|n| n.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            Kind::Float(1.1),
            Kind::Float(7.0),
            Kind::Int(31),
            Kind::Float(1000.0),
            Kind::Float(12_345_678_901_234_567_890.0),
            Kind::Int(0),
            Kind::Float(0.5),
            Kind::Int(1),
            Kind::Int(15),
            Kind::Int(1000),
            Kind::Str("yes".into()),
            Kind::Null,
            Kind::Str("1".into()),
            Kind::Str("true".into()),
            Kind::Str("inf".into()),
        ]
    );
    let (message, place) = err("a: .inf\n");
    assert_eq!(
        message,
        "non-finite float `.inf` rejected by the configured policy"
    );
    assert_eq!(place, (1, 4));
}

#[test]
fn tags_force_a_type_or_fail() {
    let node =
        parse("a: !!str 123\nb: !!int \"42\"\nc: !!float '1.5'\nd: !!null x\ne: ! 5\n").unwrap();
    assert_eq!(value(&node, "a").kind, Kind::Str("123".into()));
    assert_eq!(at(value(&node, "a")), (1, 10, 9, 3));
    assert_eq!(value(&node, "b").kind, Kind::Int(42));
    assert_eq!(value(&node, "c").kind, Kind::Float(1.5));
    assert_eq!(value(&node, "d").kind, Kind::Null);
    assert_eq!(value(&node, "e").kind, Kind::Str("5".into()));
    assert_eq!(err("a: !!int abc\n"), ("invalid u64".into(), (1, 10)));
    assert_eq!(
        err("a: !!str [1]\n"),
        ("unsupported tag `!!str`".into(), (1, 10))
    );
}

/// A tag baton does not know was read as if it were not there: `!include body.json`
/// sent the text "body.json".
#[test]
fn unknown_tags_are_refused_where_they_are() {
    let (message, place) = err("a: 1\nbody: !include body.json\n");
    assert!(
        message.starts_with("unsupported tag `!include`"),
        "{message}"
    );
    assert_eq!(place, (2, 16), "the value the tag is on");
    let (message, place) = err("a:\n  - !custom { k: v }\n");
    assert!(message.starts_with("unknown tag `!custom`"), "{message}");
    assert_eq!(place, (2, 13));
    assert!(err("!x key: 1\n").0.starts_with("unknown tag `!x`"));
    let kept = parse("a: !!binary aGk=\nb: !!float 1\n<<: { c: 1 }\n").unwrap();
    assert_eq!(value(&kept, "a").kind, Kind::Str("hi".into()));
    assert_eq!(value(&kept, "c").kind, Kind::Int(1));
}

#[test]
fn scalar_spans_are_the_text_as_written() {
    let node = parse("a: |\n  x\n  y\nb:    spaced    \nc: 'it''s'\nd:\n").unwrap();
    assert_eq!(at(value(&node, "a")), (2, 3, 7, 6));
    assert_eq!(at(value(&node, "b")), (4, 7, 19, 6));
    assert_eq!(at(value(&node, "c")), (5, 4, 33, 7));
    assert_eq!(at(value(&node, "d")), (6, 2, 42, 0));
    assert_eq!(at(&node), (1, 1, 0, 0));
    let flow = parse("{a: [1]}").unwrap();
    assert_eq!(
        (at(&flow), at(value(&flow, "a"))),
        ((1, 1, 0, 1), (1, 5, 4, 1))
    );
}

#[test]
fn an_alias_is_a_copy_placed_where_the_alias_is() {
    let node = parse("a: &x {k: [v]}\nb: *x\n").unwrap();
    let copy = value(&node, "b");
    assert_eq!(copy.to_json(), value(&node, "a").to_json());
    assert_eq!(at(copy), (2, 4, 18, 2));
    let inner = &copy.as_map().unwrap()[0];
    assert_eq!(
        (inner.0.loc, at(&inner.1.as_seq().unwrap()[0])),
        (copy.loc, (2, 4, 18, 2))
    );
    assert_eq!(
        err("a: &a\n  b: *a\n"),
        (
            "recursive references require weak recursion types".into(),
            (2, 6)
        )
    );
}

#[test]
fn merge_keys_bring_entries_that_are_not_there_yet() {
    let node = parse(
        "b1: &b1 {x: 1, y: 1}\nb2: &b2 {y: 2, z: 2}\nd:\n  <<: [*b1, *b2]\n  x: 0\n  \"<<\": q\n",
    )
    .unwrap();
    let d = value(&node, "d").as_map().unwrap();
    let entries: Vec<(&str, String)> = d
        .iter()
        .map(|(k, v)| (&*k.name, v.to_json().to_string()))
        .collect();
    assert_eq!(
        entries,
        [
            ("x", "0".into()),
            ("<<", "\"q\"".into()),
            ("y", "1".into()),
            ("z", "2".into())
        ]
    );
    // Merged entries are placed at the alias (or mapping) they came from.
    assert_eq!((d[2].0.loc.col, d[2].1.loc.col, d[3].0.loc.col), (8, 8, 13));
    assert_eq!(
        err("b: &b [1, 2]\na:\n  <<: *b\n"),
        (
            "YAML merge value must be mapping or sequence of mappings".into(),
            (1, 8)
        )
    );
}

#[test]
fn keys_are_the_same_by_value_and_text() {
    assert!(parse("1: a\n'1': b\n").is_ok());
    assert_eq!(
        err("0x10: a\n16: b\n"),
        ("duplicate mapping key: 16".into(), (2, 1))
    );
    assert_eq!(
        err("a: 1\n'a': 2\n"),
        ("duplicate mapping key: a".into(), (2, 1))
    );
    let node = parse("1: a\n2.5: b\ntrue: c\n~: d\n").unwrap();
    let names: Vec<&str> = node
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| &*k.name)
        .collect();
    assert_eq!(names, ["1", "2.5", "true", ""]);
    assert_eq!(
        err("? [a]\n: 1\n"),
        ("a mapping key must be text, found a list".into(), (1, 3))
    );
}

#[test]
fn one_document_only_and_empty_is_null() {
    let (message, place) = err("a: 1\n---\nb: 2\n");
    assert_eq!(
        place,
        (3, 1),
        "a second document is refused where it starts"
    );
    assert!(message.contains("second YAML document"), "{message}");
    assert_eq!(parse("# nothing\n").unwrap().kind, Kind::Null);
    assert_eq!(parse("").unwrap().loc.line, 1);
    assert_eq!(
        parse("---\na: 1\n...\n").unwrap().as_map().unwrap().len(),
        1
    );
}

#[test]
fn block_nesting_is_bounded_where_it_goes_too_deep() {
    let nested =
        |n: usize| -> String { (0..n).map(|i| format!("{}a:\n", "  ".repeat(i))).collect() };
    assert!(
        parse(&nested(64)).is_ok(),
        "64 mappings, the last holding null"
    );
    let (message, place) = err(&nested(65));
    assert_eq!(message, "the document nests deeper than 64 levels");
    assert_eq!(place, (65, 129), "at the 65th mapping");
}

#[test]
fn long_comment_blocks_are_fine() {
    let text = format!("a:\n{}  b: 1\n", "  # note\n".repeat(40));
    assert_eq!(
        value(&parse(&text).unwrap(), "a").to_json(),
        serde_json::json!({"b": 1})
    );
}

#[test]
fn scanner_errors_keep_their_place_and_mention_tabs() {
    let (message, place) = err("requests:\n\t- GET: http://127.0.0.1:9/\n");
    assert!(message.contains("tab"), "{message}");
    assert_eq!(place, (2, 1));
}

/// The parser noticed these tabs at the scalar before them, a line or more up.
#[test]
fn a_tab_error_is_on_the_tab_s_own_line() {
    let req = "requests:\n  - GET: http://127.0.0.1:9/\n";
    let cases = [
        (format!("{req}    headers:\n      a: 1\n\t  b: 2\n"), (5, 1)),
        (format!("{req}    headers:\n\t  b: 2\n"), (4, 1)),
        (
            format!("{req}    expect:\n      status: 200\n    \tcapture: {{}}\n"),
            (5, 5),
        ),
        (
            format!("{req}    expect:\n      status: 200\n\n  \t  x: 1\n"),
            (6, 3),
        ),
        (
            format!("{req}    expect:\n      status: 200\n  \t\n\t  x: 1\n"),
            (6, 1),
        ),
        (
            format!("{req}    expect:\r      status: 200\r    \tcapture: {{}}\r"),
            (5, 5),
        ),
    ];
    for (text, at) in cases {
        let (message, place) = err(&text);
        assert!(message.contains("tab"), "{message}");
        assert_eq!(place, at, "{text:?}");
    }
}
