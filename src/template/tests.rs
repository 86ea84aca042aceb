//! Tests of compiling and rendering templates: the fast path, scopes, errors, filters.

use super::*;
use minijinja::value::Value;

fn setup(text: &str) -> (Templates, Tpl) {
    let mut t = Templates::new();
    let file = SourceFile::new("t.yaml", text);
    let tpl = t
        .compile(
            text,
            Loc {
                line: 1,
                col: 1,
                offset: 0,
                len: text.len(),
            },
            &file,
        )
        .unwrap();
    (t, tpl)
}

fn scope() -> Scope {
    let mut env = EnvVars::default();
    env.values.insert("HOME_URL".into(), "http://h".into());
    let mut s = Scope::new(Arc::new(env));
    s.set("baseAuthURL", Value::from("https://id.example"));
    s.set("count", Value::from(3));
    s.set("base-url", Value::from("http://dash"));
    s
}

#[test]
fn joined_pieces_render_as_the_template_does() {
    // Texts of literal text and `<< name >>` render without the engine when each name
    // holds a string; the result must be the engine's, and anything else goes to it.
    let mut s = scope();
    s.set("env", Value::from("shadowed env"));
    s.set("uuid", Value::from("shadowed function"));
    s.set("t_1", Value::from("ünï <<not a template>>"));
    let cases = [
        ("<<baseAuthURL>>/connect/token", true),
        ("a << baseAuthURL >> b <<\tt_1 >>", true),
        ("<<env>> <<uuid>> >> > < <", true),
        ("<<baseAuthURL>> {{ literal }}", true),
        ("<<count>>", false),
        ("<<true>>", false),
        ("<<missing>>", false),
        ("<<env.HOME_URL>>", false),
        ("<<baseAuthURL|upper>>", false),
        ("<<- baseAuthURL >>", false),
        ("<<baseAuthURL>><# c #>", false),
        ("<% if true %>x<% endif %><<t_1>>", false),
        ("<<x1>> <<a[0]>>", false),
    ];
    for (text, simple) in cases {
        let (t, tpl) = setup(text);
        let c = tpl.compiled.as_ref().expect("a template");
        let fast = c.pieces.as_deref().and_then(|p| render_pieces(p, &s));
        assert_eq!(fast.is_some(), simple, "{text}");
        let engine = t.render_named(&c.name, &tpl, &s).map_err(|e| e.to_string());
        assert_eq!(
            t.render(&tpl, &s).map_err(|e| e.to_string()),
            engine,
            "{text}"
        );
        if let Some(fast) = fast {
            assert_eq!(Ok(fast), engine, "{text}");
        }
        let json_engine = c.as_json.as_ref().map(|name| {
            t.render_named(name, &tpl, &s)
                .ok()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
        });
        if let Some(Some(expected)) = json_engine {
            assert_eq!(t.render_json(&tpl, &s).ok(), Some(expected), "{text}");
        }
    }
}

#[test]
fn renders_values_blocks_and_env() {
    let (t, tpl) = setup("<<baseAuthURL>>/connect/token<# c #><% if count > 2 %>?many<% endif %>");
    assert_eq!(
        t.render(&tpl, &scope()).unwrap(),
        "https://id.example/connect/token?many"
    );
    let (t, tpl) = setup("<<env.HOME_URL>>/x <<vars['base-url']>>");
    assert_eq!(t.render(&tpl, &scope()).unwrap(), "http://h/x http://dash");
}

#[test]
fn literal_text_and_jinja_braces_pass_through() {
    let (t, tpl) = setup("{{ not a template }} {% x %}");
    assert!(tpl.is_literal());
    assert_eq!(
        t.render(&tpl, &scope()).unwrap(),
        "{{ not a template }} {% x %}"
    );
}

#[test]
fn undefined_variables_are_named_with_a_suggestion() {
    let (t, tpl) = setup("<<baseAuthUrl>>/x");
    match t.render(&tpl, &scope()).unwrap_err() {
        RenderError::Undefined { name, suggestion } => {
            assert_eq!(name, "baseAuthUrl");
            assert_eq!(suggestion.as_deref(), Some("baseAuthURL"));
        }
        other => panic!("{other:?}"),
    }
    let (t, tpl) = setup("<<env.NOPE_NOT_SET>>");
    assert!(
        matches!(t.render(&tpl, &scope()).unwrap_err(), RenderError::MissingEnv { name } if name == "NOPE_NOT_SET")
    );
    let (t, tpl) = setup("<<base-url>>");
    match t.render(&tpl, &scope()).unwrap_err() {
        RenderError::Undefined { suggestion, .. } => {
            assert_eq!(suggestion.as_deref(), Some("vars['base-url']"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn single_expressions_keep_their_json_type() {
    let (t, tpl) = setup("<< count >>");
    assert_eq!(t.render_json(&tpl, &scope()).unwrap(), serde_json::json!(3));
    let (t, tpl) = setup("n=<<count>>");
    assert_eq!(
        t.render_json(&tpl, &scope()).unwrap(),
        serde_json::json!("n=3")
    );
    let (t, tpl) = setup("<<uuid()>>");
    assert_eq!(
        t.render_json(&tpl, &scope())
            .unwrap()
            .as_str()
            .map(str::len),
        Some(36)
    );
    let mut with_null = scope();
    with_null.set("nothing", Value::from(()));
    let (t, tpl) = setup("<<nothing>>");
    assert_eq!(
        t.render_json(&tpl, &with_null).unwrap(),
        serde_json::Value::Null
    );
}

#[test]
fn an_undefined_single_expression_is_an_error_not_null() {
    let (t, tpl) = setup("<< nope >>");
    match t.render_json(&tpl, &scope()).unwrap_err() {
        RenderError::Undefined { name, .. } => assert_eq!(name, "nope"),
        other => panic!("{other:?}"),
    }
    let (t, tpl) = setup("<<env.NOPE_NOT_SET>>");
    assert!(matches!(
        t.render_json(&tpl, &scope()).unwrap_err(),
        RenderError::MissingEnv { .. }
    ));
}

#[test]
fn syntax_errors_are_diagnostics() {
    let mut t = Templates::new();
    let file = SourceFile::new("t.yaml", "x");
    let err = t.compile("<< x | nosuchfilter >>", Loc::default(), &file);
    let err2 = t.compile("<< x ", Loc::default(), &file);
    assert!(err.is_err() || err2.is_err());
    assert!(err2.unwrap_err().message.contains("invalid template"));
}

#[test]
fn lists_variables_read() {
    let (t, tpl) = setup("<<a>>/<<env.B>>/<<c.d>>");
    let vars: Vec<_> = t.variables(&tpl).into_iter().collect();
    assert_eq!(vars, vec!["a", "c", "env.B"]);
}
