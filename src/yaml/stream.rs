//! A file's characters read from disk a block at a time, for the parser: a collection
//! too big to keep (see `load::Keep::Within`) is parsed without its text ever being
//! whole in memory, when it is checked and again when it runs.

use granit_parser::ErrorKind;
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// Why a file could not be read to its end.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// The bytes from `offset` (on line `line`) are not UTF-8.
    NotUtf8 {
        offset: u64,
        line: usize,
    },
    Io(std::io::Error),
}

/// How many bytes are read at a time.
const BLOCK: usize = 64 * 1024;

/// UTF-8 characters of a reader, decoded a block at a time. A failure ends the characters
/// with an error for the parser and is kept in `failure` for the caller's message.
pub(crate) struct Chars<R> {
    reader: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Bytes taken before `buf[start]`.
    offset: u64,
    /// Line breaks taken.
    lines: usize,
    eof: bool,
    failure: Arc<OnceLock<Unreadable>>,
}

impl<R: Read> Chars<R> {
    pub(crate) fn new(reader: R) -> (Chars<R>, Arc<OnceLock<Unreadable>>) {
        let failure = Arc::new(OnceLock::new());
        let chars = Chars {
            reader,
            buf: vec![0; BLOCK].into_boxed_slice(),
            start: 0,
            end: 0,
            offset: 0,
            lines: 0,
            eof: false,
            failure: failure.clone(),
        };
        (chars, failure)
    }

    /// Read until a whole character (4 bytes) is buffered or the reader ends.
    fn refill(&mut self) -> Result<(), std::io::Error> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < 4 && !self.eof {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn fail(&mut self, why: Unreadable) -> Option<Result<char, ErrorKind>> {
        let message = match &why {
            Unreadable::NotUtf8 { .. } => "the file is not valid UTF-8".to_string(),
            Unreadable::Io(e) => e.to_string(),
        };
        let _ = self.failure.set(why);
        // Nothing more is read: the parser stops at its first input error.
        self.eof = true;
        self.start = self.end;
        Some(Err(ErrorKind::InputDecoding { message }))
    }
}

impl<R: Read> Iterator for Chars<R> {
    type Item = Result<char, ErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.end - self.start < 4
            && !self.eof
            && let Err(e) = self.refill()
        {
            return self.fail(Unreadable::Io(e));
        }
        let &b = self.buf[self.start..self.end].first()?;
        if b.is_ascii() {
            self.start += 1;
            self.offset += 1;
            self.lines += usize::from(b == b'\n');
            return Some(Ok(b as char));
        }
        let width = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        let bytes = self.buf[self.start..self.end]
            .get(..width)
            .filter(|_| width > 0);
        if let Some(c) = bytes
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.chars().next())
        {
            self.start += width;
            self.offset += width as u64;
            Some(Ok(c))
        } else {
            let (offset, line) = (self.offset, self.lines + 1);
            self.fail(Unreadable::NotUtf8 { offset, line })
        }
    }
}

/// Why the file at `path` is not UTF-8, if it is not (or cannot be read): read to its
/// end a block at a time, for a file whose parse stopped before its end.
pub(crate) fn not_utf8(path: &std::path::Path) -> Option<Unreadable> {
    let file = crate::fsutil::open(path, crate::fsutil::MAX_COLLECTION).ok()?;
    let (mut chars, failure) = Chars::new(file);
    while let Some(Ok(_)) = chars.next() {}
    drop(chars);
    Arc::into_inner(failure)?.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte at a time: every character straddles a read.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let Some((&b, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            out[0] = b;
            self.0 = rest;
            Ok(1)
        }
    }

    fn decode(bytes: &[u8]) -> (String, Option<(u64, usize)>) {
        let (chars, failure) = Chars::new(Trickle(bytes));
        let text: String = chars.map_while(Result::ok).collect();
        let at = failure.get().map(|f| match f {
            Unreadable::NotUtf8 { offset, line } => (*offset, *line),
            Unreadable::Io(e) => panic!("{e}"),
        });
        (text, at)
    }

    #[test]
    fn characters_are_decoded_across_reads() {
        let text = "name: é\nurl: https://x/日本/😀\n";
        assert_eq!(decode(text.as_bytes()), (text.to_string(), None));
        // Across the block boundary too.
        let long = format!("{}é😀", "a".repeat(BLOCK - 2));
        let (chars, _) = Chars::new(long.as_bytes());
        assert_eq!(chars.map(Result::unwrap).collect::<String>(), long);
    }

    #[test]
    fn invalid_utf8_stops_with_its_byte_and_line() {
        let mut bytes = b"a: 1\nb: \xc3".to_vec();
        assert_eq!(decode(&bytes), ("a: 1\nb: ".to_string(), Some((8, 2))));
        bytes.extend_from_slice(b"(\n");
        assert_eq!(decode(&bytes).1, Some((8, 2)));
        // Overlong and surrogate forms are refused as std refuses them.
        assert_eq!(decode(b"x\xc0\xaf").1, Some((1, 1)));
        assert_eq!(decode(b"\xed\xa0\x80").1, Some((0, 1)));
    }
}
