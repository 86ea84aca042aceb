//! Tests of parsing: what a fuzzer found, tabs, locations, budgets.

use super::*;

/// Found by fuzzing (import_curl): a bracket-counting pre-scan took `[` inside a plain
/// scalar for flow nesting and refused the file.
#[test]
fn brackets_inside_scalars_are_not_nesting() {
    let deep = "[".repeat(100);
    let text = format!("url: https://x/{deep}\nq: '{deep}'\nb: |\n  {deep}\n");
    let node = parse(&text).unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(node.as_map().unwrap().len(), 3);
    let flow = format!("a: {}{}", "[".repeat(65), "]".repeat(65));
    let e = parse(&flow).unwrap_err();
    assert!(e.message.contains("nests deeper than 64"), "{}", e.message);
}

#[test]
fn keeps_locations_of_keys_and_values() {
    let node = parse("name: x\nrequests:\n  - GET: http://a/b\n    methd: 1\n").unwrap();
    let map = node.as_map().unwrap();
    assert_eq!(map[0].0.name, "name");
    assert_eq!((map[0].0.loc.line, map[0].0.loc.col), (1, 1));
    let reqs = map[1].1.as_seq().unwrap();
    let req = reqs[0].as_map().unwrap();
    assert_eq!((req[1].0.loc.line, req[1].0.loc.col), (4, 5));
    assert_eq!(req[0].1.as_str(), Some("http://a/b"));
    assert_eq!((req[0].1.loc.line, req[0].1.loc.col), (3, 10));
    assert_eq!(req[1].1.kind, Kind::Int(1));
}

#[test]
fn only_yaml_1_2_spellings_are_booleans() {
    let node = parse("{ n: y, yes: no, on: off, t: true, f: False }").unwrap();
    let map = node.as_map().unwrap();
    let names: Vec<&str> = map.iter().map(|(k, _)| &*k.name).collect();
    assert_eq!(names, ["n", "yes", "on", "t", "f"]);
    let kinds: Vec<&Kind> = map.iter().map(|(_, v)| &v.kind).collect();
    assert_eq!(
        kinds,
        [
            &Kind::Str("y".into()),
            &Kind::Str("no".into()),
            &Kind::Str("off".into()),
            &Kind::Bool(true),
            &Kind::Bool(false)
        ]
    );
}

#[test]
fn messages_lose_the_parser_s_places_only() {
    let alias = "alias replay limit exceeded: total_replayed_events=100001 > 100000 at line 1, column 26 (defined at line 5, column 7) (used at line 6, column 8)";
    assert_eq!(
        first_line(alias),
        "alias replay limit exceeded: total_replayed_events=100001 > 100000"
    );
    assert_eq!(
        first_line(
            "duplicate mapping key: name, set DuplicateKeyPolicy in Options if acceptable at line 4 column 5\nmore"
        ),
        "duplicate mapping key: name"
    );
}

#[test]
fn refuses_duplicate_keys_with_location() {
    let err = parse("a: 1\na: 2\n").unwrap_err();
    assert!(err.message.contains("duplicate"), "{}", err.message);
    assert_eq!(err.loc.line, 2);
}

#[test]
fn refuses_alias_bombs_and_deep_nesting() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(parse(&bomb).is_err());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse(&deep).unwrap_err().message.contains("deeper"));
    let mut block = String::new();
    for i in 0..200 {
        block.push_str(&" ".repeat(i * 2));
        block.push_str("a:\n");
    }
    assert!(parse(&block).is_err());
}
