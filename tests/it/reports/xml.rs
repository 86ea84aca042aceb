//! A small XML tree (parsed with quick-xml) and the structural rules of JUnit XML that
//! Jenkins' JUnit plugin and GitLab's test reports read. No pure-Rust XSD validator exists,
//! so the rules of the de-facto schema (jenkins-junit.xsd) are checked here by hand:
//! `testsuites > testsuite[name,tests,failures,errors,skipped,time] >
//! testcase[name,classname,time]` with at most one `failure`/`error`/`skipped` child, and
//! each suite's counts equal to what its test cases hold.

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Debug, Default)]
pub(super) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn kids<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Node> + use<'a> {
        let name = name.to_string();
        self.children.iter().filter(move |c| c.name == name)
    }

    pub(super) fn kid<'a>(&'a self, name: &str) -> Option<&'a Node> {
        self.kids(name).next()
    }
}

/// The root element; panics on XML that is not well-formed.
pub(super) fn parse(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let node = element(&e);
                stack.last_mut().unwrap().children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                stack.last_mut().expect("balanced tags").children.push(node);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().expect("UTF-8 text")),
            Event::CData(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().expect("UTF-8 CDATA")),
            Event::GeneralRef(r) => {
                let entity = format!("&{};", r.decode().expect("UTF-8 reference"));
                let text = quick_xml::escape::unescape(&entity).expect("known entity");
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Node {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("attribute value")
                    .into_owned(),
            )
        })
        .collect();
    Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs,
        ..Node::default()
    }
}

fn count(node: &Node, attr: &str) -> Result<usize, String> {
    let v = node
        .attr(attr)
        .ok_or_else(|| format!("<{}> lacks {attr}", node.name))?;
    v.parse()
        .map_err(|_| format!("<{}> {attr}={v:?} is not a count", node.name))
}

fn seconds(node: &Node) -> Result<f64, String> {
    let v = node
        .attr("time")
        .ok_or_else(|| format!("<{}> lacks time", node.name))?;
    match v.parse::<f64>() {
        Ok(t) if t >= 0.0 && t.is_finite() => Ok(t),
        _ => Err(format!("<{}> time={v:?} is not seconds", node.name)),
    }
}

/// Checks a JUnit document against the rules Jenkins and GitLab apply.
pub(super) fn check_junit(root: &Node) -> Result<(), String> {
    if root.name != "testsuites" {
        return Err(format!("root is <{}>, not <testsuites>", root.name));
    }
    let mut totals = [0usize; 3];
    for suite in &root.children {
        if suite.name != "testsuite" {
            return Err(format!("<testsuites> holds <{}>", suite.name));
        }
        if suite.attr("name").is_none_or(str::is_empty) {
            return Err("a <testsuite> has no name".into());
        }
        seconds(suite)?;
        if let Some(t) = suite.attr("timestamp") {
            chrono::DateTime::parse_from_rfc3339(t).map_err(|e| format!("timestamp {t:?}: {e}"))?;
        }
        let mut seen = [0usize; 4];
        for case in &suite.children {
            match case.name.as_str() {
                "testcase" => {}
                "properties" | "system-out" | "system-err" => continue,
                other => return Err(format!("<testsuite> holds <{other}>")),
            }
            seen[0] += 1;
            for attr in ["name", "classname"] {
                if case.attr(attr).is_none_or(str::is_empty) {
                    return Err(format!("a <testcase> has no {attr}"));
                }
            }
            seconds(case)?;
            let outcomes: Vec<&Node> = case
                .children
                .iter()
                .filter(|c| matches!(c.name.as_str(), "failure" | "error" | "skipped"))
                .collect();
            if outcomes.len() > 1 {
                return Err(format!("{:?} has several outcomes", case.attr("name")));
            }
            for c in &case.children {
                match c.name.as_str() {
                    "failure" | "error" => {
                        if c.attr("message").is_none() || c.attr("type").is_none() {
                            return Err(format!("<{}> lacks message or type", c.name));
                        }
                    }
                    "skipped" | "system-out" | "system-err" | "properties" => {}
                    other => return Err(format!("<testcase> holds <{other}>")),
                }
            }
            match outcomes.first().map(|n| n.name.as_str()) {
                Some("failure") => seen[1] += 1,
                Some("error") => seen[2] += 1,
                Some("skipped") => seen[3] += 1,
                _ => {}
            }
        }
        for (i, attr) in ["tests", "failures", "errors", "skipped"]
            .iter()
            .enumerate()
        {
            if count(suite, attr)? != seen[i] {
                return Err(format!(
                    "suite {:?}: {attr}={} but it holds {}",
                    suite.attr("name"),
                    count(suite, attr)?,
                    seen[i]
                ));
            }
        }
        for i in 0..3 {
            totals[i] += seen[i];
        }
    }
    for (i, attr) in ["tests", "failures", "errors"].iter().enumerate() {
        if root.attr(attr).is_some() && count(root, attr)? != totals[i] {
            return Err(format!("<testsuites> {attr} differs from its suites"));
        }
    }
    Ok(())
}
