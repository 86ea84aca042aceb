//! Messages of baton's own words with the values they quote kept apart (`Said`), so that
//! redaction masks the values and never the words: with the password `wrong`, a message
//! whose words say "wrong" still says it, while the password quoted in it is masked.

use super::Redactor;
use std::fmt;

/// A message: baton's words, the names a user wrote (a variable, a header, a JSONPath,
/// shown as they are) and values (from a response or a variable, masked when secret).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Said(Vec<Piece>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Words(String),
    Value(String),
}

/// What fills a `{}` of a message template.
pub enum Fill {
    /// Written by the user in the collection: a variable, header or cookie name, a path.
    Name(String),
    /// Data: masked when it is, or holds, a secret.
    Value(String),
}

/// A name the user wrote, shown as it is.
pub(crate) fn name(text: impl fmt::Display) -> Fill {
    Fill::Name(text.to_string())
}

/// A value, masked when secret.
pub(crate) fn value(text: impl fmt::Display) -> Fill {
    Fill::Value(text.to_string())
}

impl Said {
    /// `template` (baton's words) with each `{}` filled in turn; a `{}` without a fill is
    /// left out, a fill without a `{}` added at the end.
    pub fn new(template: &'static str, fills: impl IntoIterator<Item = Fill>) -> Said {
        let mut said = Said::default();
        let mut fills = fills.into_iter();
        let mut parts = template.split("{}").peekable();
        while let Some(words) = parts.next() {
            said.push(Piece::Words(words.to_string()));
            if parts.peek().is_some() {
                match fills.next() {
                    Some(Fill::Name(n)) => said.push(Piece::Words(n)),
                    Some(Fill::Value(v)) => said.push(Piece::Value(v)),
                    None => {}
                }
            }
        }
        for fill in fills {
            match fill {
                Fill::Name(n) => said.push(Piece::Words(n)),
                Fill::Value(v) => said.push(Piece::Value(v)),
            }
        }
        said
    }

    /// Words alone.
    pub fn words(words: &'static str) -> Said {
        Said(vec![Piece::Words(words.to_string())])
    }

    /// One value alone (an excerpt of a body, a value shown as JSON).
    pub fn value(text: impl Into<String>) -> Said {
        Said(vec![Piece::Value(text.into())])
    }

    /// This message followed by `more`.
    pub fn then(mut self, more: Said) -> Said {
        more.0.into_iter().for_each(|p| self.push(p));
        self
    }

    fn push(&mut self, piece: Piece) {
        match (self.0.last_mut(), piece) {
            (_, Piece::Words(w) | Piece::Value(w)) if w.is_empty() => {}
            (Some(Piece::Words(last)), Piece::Words(w)) => last.push_str(&w),
            (_, piece) => self.0.push(piece),
        }
    }
}

/// The message as it is, values included: for places that show no secret (tests, the
/// checks that run before any request).
impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.0 {
            match piece {
                Piece::Words(t) | Piece::Value(t) => f.write_str(t)?,
            }
        }
        Ok(())
    }
}

impl Redactor {
    /// The message with its values redacted and its words as they are.
    pub(crate) fn said(&self, said: &Said) -> String {
        let mut out = String::new();
        for piece in &said.0 {
            match piece {
                Piece::Words(w) => out.push_str(w),
                Piece::Value(v) => out.push_str(&self.redact_value(v)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_masked_and_words_never() {
        let mut r = Redactor::new(false);
        r.add("wrong");
        r.add("alice");
        let said = Said::new(
            "`{}` is wrong: {} (no such header {})",
            [
                name("alice_id"),
                value("alice"),
                value("x-wrong: \"wrong\""),
            ],
        );
        assert_eq!(
            said.to_string(),
            "`alice_id` is wrong: alice (no such header x-wrong: \"wrong\")"
        );
        assert_eq!(
            r.said(&said),
            "`alice_id` is wrong: ••• (no such header x-•••: \"•••\")"
        );
        let joined = Said::words("not ").then(Said::value("\"wrong\""));
        assert_eq!(r.said(&joined), "not \"•••\"");
        assert_eq!(r.redact("not \"wrong\""), "not \"•••\"");
        assert_eq!(Said::new("{} and {}", [value("a")]).to_string(), "a and ");
    }
}
