//! The conversion of whole test scripts: what is read, what is not, and that every code
//! line is accounted for.

use super::*;

fn run(lines: &[&str]) -> Converted {
    accounted(lines)
}

#[test]
fn statements_in_test_callbacks_convert_and_conditional_ones_do_not() {
    let c = run(&[
        "var jsonData = pm.response.json();",
        "const items = jsonData.data.items; // the list",
        "pm.test(\"x\", function () {",
        "    pm.expect(items.length).to.eql(2); pm.expect(items[0][\"a-b\"]).to.equal('v');",
        "});",
        "if (items.length) {",
        "    pm.environment.set(\"first\", items[0].id);",
        "    pm.test('nested', () => { pm.response.to.have.status(201); });",
        "}",
        "pm.environment.set(\"last\", jsonData.data.items[1].id);",
    ]);
    assert_eq!(c.expect.body.len(), 2, "{:?}", c.expect.body);
    assert_eq!(c.expect.body[0].0, "$.data.items");
    assert_eq!(c.expect.body[0].1, vec![("length".to_string(), Y::Int(2))]);
    assert_eq!(c.expect.body[1].0, "$.data.items[0]['a-b']");
    assert_eq!(
        c.captures,
        vec![("last".to_string(), Y::str("$.data.items[1].id"))]
    );
    assert!(
        c.expect.status.is_none(),
        "the status check was inside `if`"
    );
    let lines: Vec<usize> = c.unconverted.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [6, 7, 8, 9]);
}

#[test]
fn unknown_shapes_are_not_guessed() {
    let c = run(&[
        "pm.expect(jsonData.a).to.eql(1);",
        "var n = Math.random();",
        "pm.environment.set('x', 'literal');",
        "pm.environment.set('y', pm.response.json().items.length);",
        "pm.expect(pm.response.json().a).to.be.ok;",
        "pm.expect(pm.response.json().a).to.eql(someVariable);",
        "pm.response.to.have.status(200); report('x');",
        "/* pm.response.to.have.status(500);",
        "   still a comment */ pm.response.to.have.status(202);",
    ]);
    assert_eq!(c.unconverted.len(), 7, "{:?}", c.unconverted);
    assert!(c.captures.is_empty());
    assert_eq!(c.expect.status, Some(Y::Int(202)));
}

/// Every script of these tests: each code line is converted, not converted, or logging.
fn accounted(lines: &[&str]) -> Converted {
    let owned: Vec<String> = lines.iter().map(std::string::ToString::to_string).collect();
    let c = convert(&owned, &|n| n.to_string());
    assert_eq!(
        c.converted + c.unconverted.len() + c.logging.len(),
        code_lines(&owned).len(),
        "{c:?}"
    );
    assert_eq!(c.dropped(&owned), 0);
    c
}

/// A value as in YAML flow style, to compare in one line.
fn show(y: &Y) -> String {
    match y {
        Y::Str(s) => s.clone(),
        Y::Int(i) => i.to_string(),
        Y::Float(f) => f.to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Null => "null".into(),
        Y::Seq(items) => {
            let items: Vec<String> = items.iter().map(|i| show(&i.value)).collect();
            format!("[{}]", items.join(", "))
        }
        Y::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", e.key, show(&e.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn unconverted(c: &Converted) -> Vec<usize> {
    c.unconverted.iter().map(|(n, _)| *n).collect()
}

const TRY_DIAGNOSTIC: &[&str] = &[
    "try {",
    "    if (responseBody.indexOf(\"InvalidToken\") !== -1)",
    "    {",
    "        console.log(\"sign in first\");",
    "    }",
    "    else",
    "    {",
    "        if (pm.response.status === \"Forbidden\")",
    "        {",
    "            console.log(\"grant the permission\");",
    "        }",
    "        else",
    "        {",
    "            var json = JSON.parse(responseBody);",
    "            postman.setEnvironmentVariable(\"TeamId\", json.value[0].id);",
    "        }",
    "    }",
    "}",
    "catch (e) {",
    "    console.log(e);",
    "}",
];

const STATUS_GUARD: &[&str] = &[
    "var is200Response = responseCode.code === 200;",
    "tests['Response code is 200 OK'] = is200Response;",
    "if (is200Response) {",
    "    var body = JSON.parse(responseBody);",
    "    var user = body.user || {};",
    "    tests['has email'] = user.hasOwnProperty('email');",
    "    tests['count is an integer'] = Number.isInteger(body.count);",
    "    if (body.items.length) {",
    "        tests['first has id'] = body.items[0].hasOwnProperty('id');",
    "    } else {",
    "        tests['count is 0'] = body.count === 0;",
    "    }",
    "}",
    "if (pm.response.code == 200 || pm.response.code == 201) {",
    "    pm.environment.set('user_id', body.user.id);",
    "}",
];

const CHAINS: &[&str] = &[
    "pm.test('shape', function () {",
    "    const d = pm.response.json();",
    "    pm.expect(d.list).to.not.be.empty;",
    "    pm.expect(d.tags).to.be.empty;",
    "    pm.expect(d).to.have.all.keys('status', 'body');",
    "    pm.expect(d.body).to.include.all.keys('a');",
    "    pm.expect(d.body.items).to.have.lengthOf.at.least(1);",
    "    pm.expect(d.id, 'the id').not.eq(undefined);",
    "    pm.expect(d.kind).to.be.a('string').and.match(/^k/);",
    "    pm.expect(pm.response.responseTime).to.be.below(500);",
    "    pm.response.to.be.error;",
    "    pm.expect(d.body.names.length).to.be.above(0);",
    "    console.info('checked', d.id);",
    "});",
    "pm.test('one line', function () { pm.expect(pm.response.json().ok).to.be.true; });",
];

#[test]
fn try_and_branches_that_only_log_leave_the_normal_path() {
    let c = accounted(TRY_DIAGNOSTIC);
    assert!(c.unconverted.is_empty(), "{:?}", c.unconverted);
    assert_eq!(
        c.captures,
        vec![("TeamId".to_string(), Y::str("$.value[0].id"))]
    );
    let logging: Vec<usize> = c.logging.iter().map(|(n, _)| *n).collect();
    assert_eq!(logging, [4, 10, 20]);
    assert!(c.expect.is_empty(), "branches that log check nothing");
}

#[test]
fn a_2xx_guard_is_read_and_becomes_the_status_a_data_condition_is_not() {
    let c = accounted(STATUS_GUARD);
    // The data condition is not read (its branch does not name `L[0]`); its `else` holds
    // of an empty list, and is (`first.rs`).
    assert_eq!(unconverted(&c), (8..=10).collect::<Vec<_>>());
    assert_eq!(c.expect.status, Some(Y::Int(200)));
    let paths: Vec<&str> = c.expect.body.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.user.email",
            "$.count",
            "$[?length($.items) == 0 && ($.count != 0)]"
        ]
    );
    assert_eq!(
        c.captures,
        vec![("user_id".to_string(), Y::str("$.user.id"))]
    );
    assert_eq!(c.notes.len(), 1, "200 or 201 against 200: {:?}", c.notes);
}

#[test]
fn chains_of_chai_and_chai_postman() {
    let c = accounted(CHAINS);
    assert!(c.unconverted.is_empty(), "{:?}", c.unconverted);
    assert_eq!(c.logging.len(), 1);
    assert!(c.notes.is_empty(), "{:?}", c.notes);
    let body: Vec<String> = c
        .expect
        .body
        .iter()
        .map(|(p, preds)| {
            let preds: Vec<String> = preds
                .iter()
                .map(|(o, v)| format!("{o}={}", show(v)))
                .collect();
            format!("{p} {}", preds.join(" "))
        })
        .collect();
    assert_eq!(
        body,
        [
            "$.list length={gt: 0}",
            "$.tags length=0",
            "$.status exists=true",
            "$.body exists=true",
            "$ length=2",
            "$.body.a exists=true",
            "$.body.items length={ge: 1}",
            "$.id exists=true",
            "$.kind type=string matches=^k",
            "$.body.names length={gt: 0}",
            "$.ok eq=true",
        ]
    );
    assert_eq!(
        c.expect.status,
        Some(Y::seq([Y::str("4xx"), Y::str("5xx")]))
    );
    assert_eq!(c.expect.duration, vec![("lt".to_string(), Y::Int(500))]);
}

#[test]
fn other_blocks_are_not_converted_as_a_whole() {
    let c = accounted(&[
        "pm.sendRequest(req, function (err, res) {",
        "    pm.expect(res.code).to.eql(200);",
        "});",
        "jsonData.items.forEach(function (item) {",
        "    pm.expect(item.id).to.exist;",
        "});",
        "if (pm.response.code === 404) {",
        "    pm.expect(jsonData.error).to.eql('missing');",
        "}",
        "try { pm.response.to.have.status(200); } catch (e) { postman.setNextRequest(null); }",
        "function helper() {",
        "    return 1;",
        "}",
    ]);
    assert_eq!(unconverted(&c), (1..=13).collect::<Vec<_>>());
    assert!(c.expect.is_empty() && c.captures.is_empty());
}

#[test]
fn two_checks_of_one_length_are_one_length() {
    let c = accounted(&[
        "var d = pm.response.json();",
        "pm.expect(d).to.not.be.empty;",
        "pm.expect(d).to.have.lengthOf(3);",
        "pm.expect(d.items).to.have.lengthOf(1);",
        "pm.expect(d.items).to.have.lengthOf(2);",
    ]);
    let lengths: Vec<String> = c
        .expect
        .body
        .iter()
        .map(|(p, preds)| format!("{p} {}", show(&preds[0].1)))
        .collect();
    assert_eq!(lengths, ["$ {gt: 0, eq: 3}", "$.items 1"]);
    assert_eq!(c.notes.len(), 1, "1 against 2: {:?}", c.notes);
}

#[test]
fn names_given_a_value_once_are_read_where_used() {
    let c = accounted(&[
        "let successStatuses = [200, 201];",
        "const expected = pm.environment.get('user-name');",
        "let count = 1;",
        "count = 2;",
        "pm.test('status', function () {",
        "    pm.expect(pm.response.code).to.be.oneOf(successStatuses);",
        "    pm.expect(pm.response.json().name).to.eql(expected);",
        "    pm.expect(pm.response.json().count).to.eql(count);",
        "});",
    ]);
    assert_eq!(unconverted(&c), [3, 4, 8]);
    assert_eq!(c.expect.status, Some(Y::seq([Y::Int(200), Y::Int(201)])));
    assert_eq!(
        c.expect.body,
        vec![(
            "$.name".to_string(),
            vec![("eq".to_string(), Y::str("<<user-name>>"))]
        )]
    );
}

#[test]
fn every_line_is_accounted_for_in_broken_scripts_too() {
    // Each script with one line left out, or its braces unbalanced: whatever the structure
    // becomes, no line is lost.
    for script in [TRY_DIAGNOSTIC, STATUS_GUARD, CHAINS] {
        for skip in 0..script.len() {
            let mut broken: Vec<&str> = script.to_vec();
            broken.remove(skip);
            accounted(&broken);
            let mut unbalanced: Vec<String> = script.iter().map(|l| (*l).to_string()).collect();
            unbalanced[skip] = unbalanced[skip].replacen('}', "", 1).replacen('{', "", 1);
            let refs: Vec<&str> = unbalanced.iter().map(String::as_str).collect();
            accounted(&refs);
        }
    }
}
