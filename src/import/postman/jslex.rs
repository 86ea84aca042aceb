//! Pre-request scripts spread one statement over many lines (a request object literal, a
//! callback), so they are read whole: tokens with their line numbers, comments skipped, and
//! the top-level statements split where JavaScript's automatic semicolons would split them.

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Str(String),
    /// A template literal as written between the backticks (`${}` resolved on use).
    Tpl(String),
    Num(String),
    Id(String),
    P(String),
}

#[derive(Clone, Debug)]
pub(super) struct T {
    pub tok: Tok,
    pub line: usize,
}

/// The tokens of a script (lines numbered from 1); comments are skipped.
pub(super) fn tokens(lines: &[String]) -> Vec<T> {
    let mut out = Vec::new();
    let mut in_comment = false;
    // A template literal may span lines: (text so far, line where it started).
    let mut open_tpl: Option<(String, usize)> = None;
    for (n, line) in lines.iter().enumerate() {
        let n = n + 1;
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some((text, at)) = &mut open_tpl {
                if c == '`' {
                    out.push(T {
                        tok: Tok::Tpl(std::mem::take(text)),
                        line: *at,
                    });
                    open_tpl = None;
                } else {
                    text.push(c);
                }
                i += 1;
                continue;
            }
            if in_comment {
                if c == '*' && chars.get(i + 1) == Some(&'/') {
                    in_comment = false;
                    i += 1;
                }
                i += 1;
                continue;
            }
            match c {
                _ if c.is_whitespace() => i += 1,
                '/' if chars.get(i + 1) == Some(&'/') => break,
                '/' if chars.get(i + 1) == Some(&'*') => {
                    in_comment = true;
                    i += 2;
                }
                '`' => {
                    open_tpl = Some((String::new(), n));
                    i += 1;
                }
                '\'' | '"' => {
                    let mut s = String::new();
                    i += 1;
                    while i < chars.len() && chars[i] != c {
                        if chars[i] == '\\' && i + 1 < chars.len() {
                            i += 1;
                            s.push(match chars[i] {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                        } else {
                            s.push(chars[i]);
                        }
                        i += 1;
                    }
                    i += 1;
                    out.push(T {
                        tok: Tok::Str(s),
                        line: n,
                    });
                }
                _ if c.is_ascii_digit() => {
                    let start = i;
                    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                        i += 1;
                    }
                    out.push(T {
                        tok: Tok::Num(chars[start..i].iter().collect()),
                        line: n,
                    });
                }
                _ if c.is_alphabetic() || c == '_' || c == '$' => {
                    let start = i;
                    while i < chars.len()
                        && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                    {
                        i += 1;
                    }
                    out.push(T {
                        tok: Tok::Id(chars[start..i].iter().collect()),
                        line: n,
                    });
                }
                _ => {
                    let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                    let p = [
                        "===", "!==", "...", "=>", "==", "!=", "&&", "||", "?.", "++", "+=",
                    ]
                    .into_iter()
                    .find(|p| rest.starts_with(p))
                    .map_or_else(|| c.to_string(), str::to_string);
                    i += p.chars().count();
                    out.push(T {
                        tok: Tok::P(p),
                        line: n,
                    });
                }
            }
        }
        if let Some((text, _)) = &mut open_tpl {
            text.push('\n');
        }
    }
    out
}

pub(super) fn is_p(t: Option<&T>, p: &str) -> bool {
    matches!(t, Some(T { tok: Tok::P(x), .. }) if x == p)
}

/// Statements at the top of `toks`: ended by `;` or by a line break where JavaScript would
/// end one (the line does not end mid-expression and the next does not continue it).
pub(super) fn statements(toks: &[T]) -> Vec<&[T]> {
    const GOES_ON: &[&str] = &[
        "+", "-", "*", ",", "=", "(", "[", "{", ".", "?", ":", "&&", "||", "=>", "?.", "!", "+=",
    ];
    const CONTINUES: &[&str] = &[
        ".", "?.", "+", ")", "]", "}", "?", ":", "&&", "||", ",", "=>",
    ];
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for i in 0..toks.len() {
        match &toks[i].tok {
            Tok::P(p) if matches!(p.as_str(), "(" | "[" | "{") => depth += 1,
            Tok::P(p) if matches!(p.as_str(), ")" | "]" | "}") => depth -= 1,
            Tok::P(p) if p == ";" && depth <= 0 => {
                if i > start {
                    out.push(&toks[start..i]);
                }
                start = i + 1;
                continue;
            }
            _ => {}
        }
        let Some(next) = toks.get(i + 1) else {
            continue;
        };
        let ends = depth <= 0
            && next.line > toks[i].line
            && !matches!(&toks[i].tok, Tok::P(p) if GOES_ON.contains(&p.as_str()))
            && !matches!(&next.tok, Tok::P(p) if CONTINUES.contains(&p.as_str()))
            && !matches!(&next.tok, Tok::Id(w) if matches!(w.as_str(), "else" | "catch" | "finally"));
        if ends {
            out.push(&toks[start..=i]);
            start = i + 1;
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::postman::jsexpr::{P, Scope, Val};

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn statements_follow_automatic_semicolons() {
        let src = lines(
            "const a = 'x' +\n  pm.environment.get(\"b\")\nconst o = {\n k: a, // c\n}\nfoo(); bar()",
        );
        let toks = tokens(&src);
        let s = statements(&toks);
        assert_eq!(s.len(), 4, "{s:?}");
        let mut scope = Scope::default();
        let mut p = P::new(&s[0][3..]);
        let v = p.expr(&scope).unwrap();
        assert_eq!(v, Val::Text("x{{b}}".into()));
        scope.bound.insert("a".into(), (v, Vec::new()));
        let mut p = P::new(&s[1][3..]);
        assert_eq!(
            p.expr(&scope).unwrap(),
            Val::Obj(vec![("k".into(), Val::Text("x{{b}}".into()))])
        );
        assert_eq!(p.used, ["a"]);
        let deep = format!("x = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let toks = tokens(&[deep]);
        let mut p = P::new(&toks[2..]);
        assert!(p.expr(&Scope::default()).is_none());
    }
}
