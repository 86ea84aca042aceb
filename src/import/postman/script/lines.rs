//! The code lines of a script: what is left of each line without comments, and which lines
//! hold code at all (the unit every count of the import is made of).

/// Every line of a script that is not blank or a comment (for pre-request scripts, which
/// have no declarative equivalent).
pub(in crate::import::postman) fn code_lines(lines: &[String]) -> Vec<(usize, String)> {
    let mut in_comment = false;
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !strip_comments(l, &mut in_comment).trim().is_empty())
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

/// The line without `// …` and `/* … */` (outside strings).
pub(super) fn strip_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if *in_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                *in_comment = false;
            }
            continue;
        }
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(e) = chars.next() {
                        out.push(e);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    *in_comment = true;
                }
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    out.push(c);
                }
                _ => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::code_lines;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn comments_and_blank_lines_are_not_code_and_numbers_count_them() {
        let script = lines(
            "// a comment\n\nvar url = 'http://x/y'; // the // in a string stays\n/* a\nblock */\n  pm.test('a', () => {});\n",
        );
        let code = code_lines(&script);
        assert_eq!(
            code,
            vec![
                (
                    3,
                    "var url = 'http://x/y'; // the // in a string stays".to_string()
                ),
                (6, "pm.test('a', () => {});".to_string()),
            ]
        );
    }

    #[test]
    fn a_block_comment_ends_inside_a_line_of_code() {
        let script = lines("/* start\n still */ var a = 1;\n");
        assert_eq!(
            code_lines(&script),
            vec![(2, " still */ var a = 1;".trim().to_string())]
        );
    }
}
