//! A test script as a tree of blocks and statements, each with the script lines it stands
//! on. The converter decides per block (a `pm.test` callback, `try`, a status guard, a
//! branch that only logs) whether what is inside may be taken as declarative checks; for
//! that it needs the block structure, which line-by-line reading cannot see: `} else {`,
//! a `{` alone on the next line, a statement spread over several lines.

/// One statement, joined from the lines it spans (a call whose arguments continue on the
/// next lines, a chain continued by a line starting with `.`).
#[derive(Debug, Clone)]
pub(super) struct Stmt {
    pub lines: Vec<usize>,
    pub text: String,
}

/// `HEAD { BODY }`: `if (…)`, `else`, `try`, `catch (e)`, `pm.test("…", function ()`, or
/// anything else that opens a brace (an object literal, a callback).
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub head: String,
    /// The lines that only open or close the block (a line such as `} else {` belongs to
    /// the block it closes and to the one it opens).
    pub lines: Vec<usize>,
    pub body: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
    Stmt(Stmt),
    Block(Block),
}

impl Node {
    /// Every line the node stands on.
    pub(super) fn lines(&self, out: &mut Vec<usize>) {
        match self {
            Node::Stmt(s) => out.extend(&s.lines),
            Node::Block(b) => {
                out.extend(&b.lines);
                for n in &b.body {
                    n.lines(out);
                }
            }
        }
    }
}

/// Deeper than this, or with more braces on one line, a script is not read at all: no test
/// script is, and a hostile one must not exhaust the stack or the time of the import.
const MAX_DEPTH: usize = 64;
const MAX_BRACES: usize = 256;

/// Read `lines` (`(line number, code without comments, trimmed)`, blank lines left out).
pub(super) fn parse(lines: &[(usize, String)]) -> Vec<Node> {
    let joined = join(lines);
    let mut too_much = joined
        .iter()
        .any(|(_, l)| l.matches(['{', '}']).count() > MAX_BRACES);
    let mut p = Parser::default();
    for (n, line) in &joined {
        if too_much {
            break;
        }
        p.piece(n, line);
        too_much = p.stack.len() > MAX_DEPTH;
    }
    if too_much {
        return vec![Node::Block(Block {
            head: "(nested too deeply to read)".into(),
            lines: lines.iter().map(|(n, _)| *n).collect(),
            body: Vec::new(),
        })];
    }
    // Blocks left open at the end (a missing `}`) still hold their lines.
    while p.stack.len() > 1 {
        p.close(&[]);
    }
    p.stack.pop().map(|b| b.body).unwrap_or_default()
}

/// Lines joined into logical lines: while brackets or parentheses stay open (and the line
/// does not open a block), or when the next line continues a chain with `.`.
fn join(lines: &[(usize, String)]) -> Vec<(Vec<usize>, String)> {
    let mut out: Vec<(Vec<usize>, String)> = Vec::new();
    // Depths of the last logical line, kept as lines are added to it.
    let (mut parens, mut braces) = (0, 0);
    for (n, text) in lines {
        let open = parens > 0 && braces == 0;
        let chained = text.starts_with('.') && !text.starts_with("...") && braces == 0;
        match out.last_mut() {
            Some((ns, acc)) if open || chained => {
                ns.push(*n);
                acc.push(' ');
                acc.push_str(text);
            }
            _ => {
                out.push((vec![*n], text.clone()));
                (parens, braces) = (0, 0);
            }
        }
        parens += depth(text, &['(', '['], &[')', ']']);
        braces += depth(text, &['{'], &['}']);
    }
    out
}

/// Net depth of `open` over `close` outside strings.
fn depth(s: &str, open: &[char], close: &[char]) -> i32 {
    let mut d = 0;
    scan(s, |_, c| {
        if open.contains(&c) {
            d += 1;
        } else if close.contains(&c) {
            d -= 1;
        }
        false
    });
    d
}

/// Call `f(index, char)` on every character outside string literals until it returns true;
/// that index, if any.
pub(super) fn scan(s: &str, mut f: impl FnMut(usize, char) -> bool) -> Option<usize> {
    let (mut quote, mut escaped) = (None::<char>, false);
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None => {
                if f(i, c) {
                    return Some(i);
                }
            }
        }
    }
    None
}

/// The first `{` whose `}` is not on the line, or the first `}` that closes a block opened
/// on an earlier line: `(index, is_open)`.
fn unmatched(s: &str) -> Option<(usize, bool)> {
    let mut opens: Vec<usize> = Vec::new();
    let close = scan(s, |i, c| {
        match c {
            '{' => opens.push(i),
            '}' => return opens.pop().is_none(),
            _ => {}
        }
        false
    });
    match (close, opens.first()) {
        (Some(c), _) => Some((c, false)),
        (None, Some(&o)) => Some((o, true)),
        (None, None) => None,
    }
}

/// `if (…)`, `else if (…)`, `for (…)`, `while (…)`, `catch (…)`, `else`, `try`, `finally`:
/// the header and what follows it on the line.
fn header(s: &str) -> Option<(&str, &str)> {
    let word_end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let word = &s[..word_end];
    let parens = match word {
        "else" => {
            let rest = s[word_end..].trim_start();
            if rest.starts_with("if") && !rest[2..].starts_with(|c: char| c.is_alphanumeric()) {
                return header(rest).map(|(_, after)| (&s[..s.len() - after.len()], after));
            }
            false
        }
        "try" | "finally" | "do" => false,
        "if" | "for" | "while" | "catch" | "switch" => true,
        _ => return None,
    };
    let mut end = word_end;
    if parens {
        let rest = &s[word_end..];
        let offset = rest.len() - rest.trim_start().len();
        if !rest.trim_start().starts_with('(') {
            return None;
        }
        let mut d = 0;
        let close = scan(&rest[offset..], |_, c| {
            match c {
                '(' => d += 1,
                ')' => d -= 1,
                _ => {}
            }
            d == 0
        })?;
        end = word_end + offset + close + 1;
    }
    Some((s[..end].trim(), s[end..].trim_start()))
}

#[derive(Default)]
struct Parser {
    /// The open blocks, the root first.
    stack: Vec<Block>,
    /// A header read without its `{` (`if (x)` with `{` on the next line).
    pending: Option<(String, Vec<usize>)>,
}

impl Parser {
    fn top(&mut self) -> &mut Block {
        if self.stack.is_empty() {
            self.stack.push(Block::default());
        }
        self.stack.last_mut().expect("not empty")
    }

    fn open(&mut self, head: &str, lines: &[usize]) {
        self.top();
        self.stack.push(Block {
            head: head.trim().to_string(),
            lines: lines.to_vec(),
            body: Vec::new(),
        });
    }

    fn close(&mut self, lines: &[usize]) {
        let mut done = self.stack.pop().expect("an open block");
        done.lines.extend(lines);
        self.top().body.push(Node::Block(done));
    }

    fn stmt(&mut self, lines: &[usize], text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            self.top().body.push(Node::Stmt(Stmt {
                lines: lines.to_vec(),
                text: text.to_string(),
            }));
        }
    }

    /// Read one logical line, piece by piece (a `}` that closes, a head that opens, a
    /// statement).
    fn piece(&mut self, lines: &[usize], line: &str) {
        let mut s = line.trim();
        while !s.is_empty() {
            s = self.step(lines, s).trim();
        }
    }

    /// Read the first piece of `s`; what is left.
    fn step<'s>(&mut self, lines: &[usize], s: &'s str) -> &'s str {
        if let Some((head, mut hl)) = self.pending.take() {
            if let Some(rest) = s.strip_prefix('{') {
                hl.extend(lines);
                self.open(&head, &hl);
                return rest;
            }
            // A braceless body: one statement.
            self.open(&head, &hl);
            self.stmt(lines, s);
            self.close(&[]);
            return "";
        }
        if s.starts_with('}') && self.stack.len() > 1 {
            self.close(lines);
            return s[1..].trim_start_matches([')', ';', ',', ' ']);
        }
        if let Some((head, rest)) = header(s) {
            if rest.is_empty() {
                self.pending = Some((head.to_string(), lines.to_vec()));
                return "";
            }
            if let Some(rest) = rest.strip_prefix('{') {
                self.open(head, lines);
                return rest;
            }
            if unmatched(rest).is_none() {
                self.open(head, &[]);
                self.stmt(lines, rest);
                self.close(&[]);
                return "";
            }
        }
        match unmatched(s) {
            Some((i, true)) => {
                self.open(&s[..i], lines);
                &s[i + 1..]
            }
            Some((i, false)) if self.stack.len() > 1 => {
                self.stmt(lines, &s[..i]);
                &s[i..]
            }
            _ => {
                self.stmt(lines, s);
                ""
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Stmt(s) => format!("{:?}{}", s.lines, s.text),
                Node::Block(b) => format!("{}{:?}[{}]", b.head, b.lines, shape(&b.body)),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn read(src: &str) -> String {
        let lines: Vec<(usize, String)> = src
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        shape(&parse(&lines))
    }

    #[test]
    fn blocks_else_chains_and_joined_lines() {
        assert_eq!(
            read("try {\nif (a)\n{\nx;\n}\nelse\n{\ny;\n}\n}\ncatch (e) {\nz;\n}"),
            "try[1, 10][if (a)[2, 3, 5][[4]x;] else[6, 7, 9][[8]y;]] catch (e)[11, 13][[12]z;]"
        );
        assert_eq!(
            read("pm.test(\"t\", () => { a;\nb; });\nif (c) d; else e;"),
            "pm.test(\"t\", () =>[1, 2][[1]a; [2]b;] if (c)[][[3]d; else e;]"
        );
        assert_eq!(
            read("pm.expect(x).to.eql(\n  1\n);\npm\n.expect(y).to.exist;"),
            "[1, 2, 3]pm.expect(x).to.eql( 1 ); [4, 5]pm .expect(y).to.exist;"
        );
        assert_eq!(
            read("if (a) {\nx;\n} else if (b) {\ny;\n}"),
            "if (a)[1, 3][[2]x;] else if (b)[3, 5][[4]y;]"
        );
    }

    #[test]
    fn hostile_nesting_is_one_block_not_read() {
        let deep = format!("{}\nx;\n{}", "if (a) {\n".repeat(5000), "}\n".repeat(5000));
        let out = read(&deep);
        assert!(
            out.starts_with("(nested too deeply to read)[1, 2, 3"),
            "{}",
            &out[..60]
        );
        let wide = format!("a({}", "{".repeat(100_000));
        assert!(read(&wide).starts_with("(nested too deeply to read)[1]"));
        let parens = format!("{}\n", "f(".repeat(20_000)).repeat(50);
        assert!(!read(&parens).is_empty());
    }
}
